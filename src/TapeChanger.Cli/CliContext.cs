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

    /// <summary>Opens the device and wraps it in the domain layer.</summary>
    public async ValueTask<MediaChanger> OpenChangerAsync(CancellationToken ct)
    {
        var transport = await DeviceTransportOpener.OpenAsync(Address, StateDirectory, ct).ConfigureAwait(false);
        if (Verbose || Trace) transport = new TracingTransport(transport, Err, dumpData: Trace);
        var client = new SmcClient(transport, new RetryPolicy
        {
            UnitAttentionRetries = Options.UnitAttentionRetries,
            BecomingReadyTimeout = TimeSpan.FromSeconds(Options.BecomingReadySeconds),
        });
        return new MediaChanger(client, new ChangerSettings { CleanerPrefix = Options.CleanerPrefix });
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
        var registry = new TransportRegistry().Add(new VirtualTransportFactory()).Add(new TapeChanger.Transport.Linux.SgTransportFactory());
        return registry.OpenAsync(address, new TransportOpenContext(stateDirectory), ct);
    }
}
