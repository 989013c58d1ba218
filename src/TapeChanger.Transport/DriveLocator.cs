namespace TapeChanger.Transport;

/// <summary>Host, channel, target and LUN of a device on a SCSI host adapter (Linux H:C:T:L).</summary>
public readonly record struct ScsiBusAddress(int Host, int Channel, int Target, int Lun);

/// <summary>
/// A tape drive this host can reach next to a changer: how a locator opens it again, and what identifies it
/// (the VPD page 80h unit serial number, SPC-4 §7.8.15; where known, its bus address).
/// </summary>
/// <param name="Uri">Device URI of the drive ("sg:/dev/sg4", "iscsi://host:3260/iqn/2"), for messages and listings.</param>
/// <param name="Serial">VPD 80h serial, trimmed; null when the drive does not report one.</param>
public sealed record DriveCandidate(string Uri, string? Serial)
{
    /// <summary>Bus address, for libraries that report SCSI-2 IDVALID/LUVALID instead of DVCID.</summary>
    public ScsiBusAddress? Bus { get; init; }
    /// <summary>The drive's tape node for listings ("/dev/nst0"), when the host has one.</summary>
    public string? Node { get; init; }
    /// <summary>Logical unit of the drive on the changer's target (iSCSI, the virtual library).</summary>
    public int? Lun { get; init; }
}

/// <summary>The drives a locator found next to a changer, plus the changer's own bus address when it has one.</summary>
public sealed record DriveCandidates(IReadOnlyList<DriveCandidate> Drives, ScsiBusAddress? ChangerBus = null)
{
    public static DriveCandidates None { get; } = new([]);
}

/// <summary>Where a changer was reached: its address and the open transport of this session.</summary>
public sealed record DriveSearch(DeviceAddress Changer, IScsiTransport ChangerTransport)
{
    /// <summary>The state directory (locks and fallbacks of transports that need one), when the caller has one.</summary>
    public string? StateDirectory { get; init; }
}

/// <summary>
/// Finds the tape drives next to a changer over one transport (sg by sysfs and VPD 80h serial, iSCSI by the target's
/// other LUNs, the virtual library by its drive LUNs) and opens them. Transports implement it beside their
/// <see cref="IScsiTransportFactory"/>; the CLI registers both. Which drive element a candidate belongs to is the
/// domain's business (one pairing algorithm, TapeChanger.Domain.DrivePairing); a locator knows no drive numbers.
/// </summary>
public interface IDriveLocator
{
    /// <summary>True when this locator can look for drives next to the changer of <paramref name="search"/>.</summary>
    bool Serves(DriveSearch search);

    /// <summary>The tape drives reachable next to the changer (empty when none).</summary>
    ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default);

    /// <summary>Opens a transport to a drive this locator listed for the same changer.</summary>
    ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default);

    /// <summary>
    /// True when <see cref="OpenAsync"/> needs only the search's address and state directory, not its changer transport
    /// still open: a drive listed in a session can be opened after that session closed (a caller polling the drive then
    /// keeps no connection to the changer). False (the default) where the drive is reached through the changer's own
    /// connection (a LUN of the changer's claimed USB interface).
    /// </summary>
    bool OpensDrivesWithoutChanger(DriveSearch search) => false;
}

/// <summary>The registered drive locators; the first that serves a changer is used.</summary>
public sealed class DriveLocatorRegistry
{
    private readonly List<IDriveLocator> _locators = [];

    public DriveLocatorRegistry Add(IDriveLocator locator)
    {
        ArgumentNullException.ThrowIfNull(locator);
        _locators.Add(locator);
        return this;
    }

    /// <summary>The locator for a changer, or null when no registered transport can reach its drives.</summary>
    public IDriveLocator? For(DriveSearch search) => _locators.FirstOrDefault(l => l.Serves(search));
}

/// <summary>
/// Lends a transport without owning it: disposing the wrapper leaves the inner transport open (a probe client over
/// the changer's session, which the session closes itself).
/// </summary>
public sealed class BorrowedTransport(IScsiTransport inner) : IScsiTransport
{
    public string Device => inner.Device;

    public int MaxTransferLength => inner.MaxTransferLength;
    public bool WritesAllReportedBytes => inner.WritesAllReportedBytes;

    public ValueTask<ScsiResult> ExecuteAsync(Scsi.ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default) =>
        inner.ExecuteAsync(command, dataIn, cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
