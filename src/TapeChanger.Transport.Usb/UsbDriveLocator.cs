using TapeChanger.Scsi;

namespace TapeChanger.Transport.Usb;

/// <summary>
/// Drives of a USB autoloader: the other LUNs of the changer's Bulk-Only interface. GET MAX LUN (USB Mass Storage
/// Class Bulk-Only Transport 1.0 §3.2) says how many there are; each LUN other than the changer's whose INQUIRY
/// reports peripheral qualifier 0 and device type 01h (sequential access, SPC-4 §6.6.2) is a drive, named by its VPD
/// page 80h serial (SPC-4 §7.8.15). The drive is opened on the changer's claimed interface (<see
/// cref="BulkOnlyTransport.OpenLun"/>): one process can claim a USB interface at a time, and the two LUNs take turns
/// on its bulk pipes. Which drive element a LUN belongs to is the domain's pairing.
/// </summary>
public sealed class UsbDriveLocator : IDriveLocator
{
    public bool Serves(DriveSearch search) => search?.ChangerTransport is BulkOnlyTransport;

    public async ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        var changer = Changer(search);
        byte max = await changer.GetMaxLunAsync(cancellationToken).ConfigureAwait(false);
        var drives = new List<DriveCandidate>();
        for (byte lun = 0; lun <= max; lun++)
        {
            if (lun == changer.Lun) continue;
            await using var probe = new SmcClient(changer.OpenLun(lun, Name(changer, lun)));
            var (isDrive, serial) = await probe.ProbeTapeDriveAsync(cancellationToken).ConfigureAwait(false);
            if (!isDrive) continue;
            drives.Add(new DriveCandidate(Name(changer, lun), serial) { Lun = lun });
        }
        return new DriveCandidates(drives);
    }

    public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(drive);
        var changer = Changer(search);
        if (drive.Lun is not (>= 0 and <= 15) || drive.Lun == changer.Lun)
            throw new ArgumentException($"{drive.Uri} is not a USB drive candidate of {changer.Device}", nameof(drive));
        byte lun = (byte)drive.Lun.Value;
        return ValueTask.FromResult<IScsiTransport>(changer.OpenLun(lun, Name(changer, lun)));
    }

    /// <summary>The drive's name in listings and logs: the changer's device URI and the drive's LUN.</summary>
    public static string Name(BulkOnlyTransport changer, byte lun)
    {
        ArgumentNullException.ThrowIfNull(changer);
        return $"{changer.Device} LUN {lun}";
    }

    private static BulkOnlyTransport Changer(DriveSearch search)
    {
        ArgumentNullException.ThrowIfNull(search);
        return search.ChangerTransport as BulkOnlyTransport
            ?? throw new ArgumentException($"{search.Changer} was not opened over USB Bulk-Only", nameof(search));
    }
}
