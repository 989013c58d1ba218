namespace TapeChanger.Transport.Linux;

/// <summary>
/// Drives on this Linux host: every SCSI device of type 01h in sysfs with its sg node, VPD 80h serial
/// (<c>device/vpd_pg80</c>) and H:C:T:L, plus the changer's own H:C:T:L for libraries that report SCSI-2 bus IDs.
/// </summary>
public sealed class SgDriveLocator(SysfsChangerDiscovery? discovery = null) : IDriveLocator
{
    private readonly SysfsChangerDiscovery _sysfs = discovery ?? new SysfsChangerDiscovery();

    public bool Serves(DriveSearch search) => search?.Changer.Scheme == DeviceScheme.Sg && OperatingSystem.IsLinux();

    public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        var devices = _sysfs.ListDevices();
        string? path = search.Changer.Path;
        var changer = devices.FirstOrDefault(d => d.IsChanger && (d.SgPath == path || d.ChangerPath == path || ResolvesTo(path, d.SgPath)));
        var drives = devices.Where(d => d.IsTape).Select(Candidate).ToList();
        return ValueTask.FromResult(new DriveCandidates(drives, Bus(changer)));
    }

    public async ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default) =>
        await new SgTransportFactory().OpenAsync(DeviceUri.Parse(drive.Uri), new TransportOpenContext(Path.GetTempPath()), cancellationToken).ConfigureAwait(false);

    /// <summary>Each drive opens as its own sg node.</summary>
    public bool OpensDrivesWithoutChanger(DriveSearch search) => true;

    /// <summary>The candidate for a sysfs tape device (pure; tests build devices from fixtures).</summary>
    public static DriveCandidate Candidate(ScsiGenericDevice tape)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return new DriveCandidate(tape.Uri, tape.Serial) { Bus = Bus(tape), Node = tape.NonRewindingTapePath ?? tape.TapePath };
    }

    private static ScsiBusAddress? Bus(ScsiGenericDevice? d) => d?.Address is { } a ? new ScsiBusAddress(a.Host, a.Channel, a.Target, a.Lun) : null;

    private static bool ResolvesTo(string? path, string sgPath)
    {
        if (path is null) return false;
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName == sgPath;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
