using System.Globalization;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Iscsi;

/// <summary>One logical unit of an iSCSI target, over its own session.</summary>
public sealed class IscsiTransport : IScsiTransport
{
    private readonly IscsiSession _session;

    public IscsiTransport(IscsiSession session, int lun, string device)
    {
        _session = session;
        Lun = lun;
        Device = device;
    }

    /// <summary>Connects, logs in to <see cref="IscsiSessionOptions.TargetName"/> and returns a transport for <paramref name="lun"/>.</summary>
    public static async Task<IscsiTransport> OpenAsync(IscsiSessionOptions options, int lun, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.TargetName is null) throw new ArgumentException("a SCSI transport needs a target name", nameof(options));
        var session = await IscsiSession.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        return new IscsiTransport(session, lun, DeviceName(options, lun));
    }

    /// <summary>iscsi://[user@]host:port/iqn/lun, never with the secret.</summary>
    public static string DeviceName(IscsiSessionOptions options, int lun) =>
        $"iscsi://{(options.ChapUser is null ? "" : Uri.EscapeDataString(options.ChapUser) + "@")}{options.Portal}/{options.TargetName}/{lun.ToString(CultureInfo.InvariantCulture)}";

    public string Device { get; }

    public int Lun { get; }

    public IscsiSession Session => _session;

    /// <summary>The session counts only what Data-In placed and clears a gap between offsets (<see cref="IscsiSession.ExecuteAsync"/>).</summary>
    public bool WritesAllReportedBytes => true;

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default) =>
        await _session.ExecuteAsync(Lun, command, dataIn, cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _session.DisposeAsync();
}

/// <summary>Opens <c>iscsi://[user[%secret]@]host[:port]/target-iqn/lun</c> devices.</summary>
public sealed class IscsiTransportFactory : IScsiTransportFactory
{
    private readonly Func<IscsiSessionOptions, IscsiSessionOptions> _configure;

    /// <param name="configure">Adjusts the options built from the URI (timeouts, initiator name); identity by default.</param>
    public IscsiTransportFactory(Func<IscsiSessionOptions, IscsiSessionOptions>? configure = null) => _configure = configure ?? (o => o);

    public bool CanOpen(DeviceAddress address) => address?.Scheme == DeviceScheme.Iscsi;

    /// <summary>Session options for an iscsi:// address (CHAP when the URI has a user).</summary>
    public static IscsiSessionOptions OptionsFor(DeviceAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != DeviceScheme.Iscsi || address.Host is null)
            throw new DeviceUriException($"'{address}' is not an iscsi:// device");
        if (address.TargetName is null)
            throw new DeviceUriException($"iscsi device '{address}' names no target: use iscsi://host[:port]/target-iqn/lun (the portal's targets are listed by SendTargets discovery)");
        if (address.User is not null && address.Password is null)
            throw new DeviceUriException($"iscsi device '{address}': CHAP user '{address.User}' needs a secret (iscsi://user%secret@host/...)");
        return new IscsiSessionOptions
        {
            Host = address.Host,
            Port = address.Port == 0 ? Pdu.IscsiConstants.DefaultPort : address.Port,
            TargetName = address.TargetName,
            ChapUser = address.User,
            ChapSecret = address.Password,
        };
    }

    public async ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        var options = _configure(OptionsFor(address));
        return await IscsiTransport.OpenAsync(options, address.Lun, cancellationToken).ConfigureAwait(false);
    }
}
