using System.Globalization;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>
/// Drives next to an <c>spt:</c> changer: the tape class devices <c>\\.\Tape0</c>..<c>\\.\Tape31</c>, each opened with
/// CreateFile and asked, through the same SCSI pass-through as the changer (<see cref="SptTransport"/>), for standard
/// INQUIRY (peripheral device type 01h, SPC-4 §6.6.2) and the unit serial number (VPD page 80h, SPC-4 §7.8.15). A name
/// that does not exist is skipped, as is one another program holds (the tape class allows one open at a time) or one
/// that refuses INQUIRY. Which drive element a tape device belongs to is the domain's pairing, by serial.
/// </summary>
public sealed class SptDriveLocator : IDriveLocator
{
    public const int MaxTapes = 32;

    private readonly Func<string, IScsiTransport> _open;
    private readonly Func<bool> _available;

    public SptDriveLocator()
        : this(OpenTape, OperatingSystem.IsWindows)
    {
    }

    /// <summary>For tests: <paramref name="open"/> replaces CreateFile and the pass-through (it throws <see cref="ScsiTransportException"/> for a name that cannot be opened).</summary>
    public SptDriveLocator(Func<string, IScsiTransport> open, Func<bool> available)
    {
        _open = open;
        _available = available;
    }

    /// <summary><c>\\.\TapeN</c>.</summary>
    public static string TapePath(int n) => @"\\.\Tape" + n.ToString(CultureInfo.InvariantCulture);

    public bool Serves(DriveSearch search) => search?.Changer.Scheme == DeviceScheme.Spt && _available();

    public async ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        var drives = new List<DriveCandidate>();
        for (int n = 0; n < MaxTapes; n++)
        {
            string uri = "spt:" + TapePath(n);
            IScsiTransport transport;
            try
            {
                transport = _open(uri);
            }
            catch (ScsiTransportException e) when (e.Failure is TransportFailure.NotFound or TransportFailure.Busy or TransportFailure.PermissionDenied)
            {
                continue;
            }
            await using var probe = new SmcClient(transport);
            var (isDrive, serial) = await probe.ProbeTapeDriveAsync(cancellationToken).ConfigureAwait(false);
            if (!isDrive) continue;
            drives.Add(new DriveCandidate(uri, serial));
        }
        return new DriveCandidates(drives);
    }

    public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drive);
        if (!drive.Uri.StartsWith(@"spt:\\.\Tape", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"{drive.Uri} is not a tape device listed by the spt: locator", nameof(drive));
        return ValueTask.FromResult(_open(drive.Uri));
    }

    /// <summary>Each drive opens as its own tape handle (\\.\TapeN).</summary>
    public bool OpensDrivesWithoutChanger(DriveSearch search) => true;

    private static IScsiTransport OpenTape(string uri)
    {
        if (!OperatingSystem.IsWindows())
            throw new ScsiTransportException(TransportFailure.Unsupported, $"the spt: transport needs Windows (device {uri})");
        return SptTransport.Open(SptPath.Parse(uri["spt:".Length..]), uri);
    }
}
