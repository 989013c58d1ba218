using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Cli;

/// <summary>Resolved global options and the shared services a command needs.</summary>
internal sealed class CliContext
{
    public required TapeChangerOptions Options { get; init; }
    public required string DeviceUri { get; init; }
    public required string StateDirectory { get; init; }
    public required bool Json { get; init; }
    public required bool Verbose { get; init; }
    public required bool Trace { get; init; }
    public required TextWriter Out { get; init; }
    public required TextWriter Err { get; init; }

    public DeviceAddress Address => DeviceTransportOpener.Parse(DeviceUri);

    private RetryPolicy Retry => new()
    {
        UnitAttentionRetries = Options.UnitAttentionRetries,
        BecomingReadyTimeout = TimeSpan.FromSeconds(Options.BecomingReadySeconds),
    };

    private IScsiTransport Traced(IScsiTransport t) => Verbose || Trace ? new TracingTransport(t, Err, dumpData: Trace) : t;

    private readonly List<MediaChanger> _opened = [];

    /// <summary>
    /// After the command (success or failure): says on stderr what the changers warned about (profile defaults
    /// used, quirks learned), once each. Never throws: the command's own outcome decides the exit code.
    /// </summary>
    public void Finish()
    {
        try
        {
            foreach (var w in _opened.SelectMany(c => c.Warnings).Distinct()) Err.WriteLine($"tapechanger: warning: {w}");
        }
        catch (IOException)
        {
            // stderr closed: nothing more to say.
        }
    }

    /// <summary>Opens the device for data commands: the reserved cleaner slot (if any) is off limits.</summary>
    public async ValueTask<MediaChanger> OpenChangerAsync(CancellationToken ct)
    {
        var reserved = new HashSet<ushort>();
        if (TapeChanger.Cleaning.ReservationIndex.ReservedAddress(StateDirectory, DeviceUri) is ushort r) reserved.Add(r);
        var transport = await DeviceTransportOpener.OpenAsync(Address, StateDirectory, ct).ConfigureAwait(false);
        var changer = new MediaChanger(new SmcClient(Traced(transport), Retry), new ChangerSettings
        {
            CleanerPrefix = Options.CleanerPrefix,
            ReservedAddresses = reserved,
            EjectDrive = DriveEjector.For(transport, Address, Traced, Retry),
        });
        _opened.Add(changer);
        return changer;
    }

    /// <summary>Sessions for the cleaner service: the changer plus its drives where the transport reaches them.</summary>
    public TapeChanger.Cleaning.IChangerConnector Connector() => new CliChangerConnector(this);

    private sealed class CliChangerConnector(CliContext ctx) : TapeChanger.Cleaning.IChangerConnector, TapeChanger.Cleaning.IDeviceNamed
    {
        public string DeviceName => ctx.DeviceUri;

        public async ValueTask<TapeChanger.Cleaning.ChangerSession> OpenAsync(CancellationToken ct)
        {
            var transport = await DeviceTransportOpener.OpenAsync(ctx.Address, ctx.StateDirectory, ct).ConfigureAwait(false);
            var changer = new MediaChanger(new SmcClient(ctx.Traced(transport), ctx.Retry), new ChangerSettings { CleanerPrefix = ctx.Options.CleanerPrefix });
            Func<int, CancellationToken, ValueTask<SmcClient?>>? drives = transport is VirtualTransport v
                ? (drive, _) => ValueTask.FromResult<SmcClient?>(new SmcClient(ctx.Traced(v.OpenLun(drive + 1)), ctx.Retry))   // virtual drives are LUNs 1..N
                : null;
            return new TapeChanger.Cleaning.ChangerSession(changer, drives);
        }
    }

    /// <summary>Writes the JSON document (with --json) or the human text.</summary>
    public void Emit<T>(T document, JsonTypeInfo<T> typeInfo, string human)
    {
        if (Json) Out.WriteLine(JsonSerializer.Serialize(document, typeInfo));
        else if (human.Length > 0) Out.WriteLine(human);
    }

    public void Done(string message) => Emit(new MessageDocument(message), CliJsonContext.Default.MessageDocument, message);
}

/// <summary>Device URI → transport, with every transport this build has.</summary>
internal static class DeviceTransportOpener
{
    public static DeviceAddress Parse(string uri) => TapeChanger.Transport.DeviceUri.Parse(uri);

    public static ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, string stateDirectory, CancellationToken ct)
    {
        var registry = new TransportRegistry()
            .Add(new VirtualTransportFactory())
            .Add(new TapeChanger.Transport.Linux.SgTransportFactory())
            .Add(new TapeChanger.Transport.Iscsi.IscsiTransportFactory())
            .Add(new TapeChanger.Transport.Windows.SptTransportFactory())
            .Add(new TapeChanger.Transport.Usb.UsbTransportFactory());
        return registry.OpenAsync(address, new TransportOpenContext(stateDirectory), ct);
    }
}
