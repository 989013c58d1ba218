using TapeChanger.Transport;

namespace TapeChanger.Virtual;

/// <summary>
/// The virtual library's drives: LUNs 1..N of the library (as mhVTL numbers its drives behind the changer), each found by
/// its VPD 80h serial like a drive on any other transport, and opened on the changer's store (or, once the changer's
/// session closed, on the library's files opened anew).
/// </summary>
public sealed class VirtualDriveLocator : IDriveLocator
{
    public bool Serves(DriveSearch search) => search?.ChangerTransport is VirtualTransport;

    public async ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        var changer = (VirtualTransport)search.ChangerTransport;
        var drives = new List<DriveCandidate>();
        for (int lun = 1; lun <= changer.Library.DriveCount; lun++)
        {
            await using var probe = new SmcClient(changer.OpenLun(lun));
            string? serial = await probe.UnitSerialNumberAsync(cancellationToken).ConfigureAwait(false);
            drives.Add(new DriveCandidate($"{changer.Device} LUN {lun}", serial) { Lun = lun });
        }
        return new DriveCandidates(drives);
    }

    /// <summary>On the changer's store while its session is open; on the library's files opened anew after it closed.</summary>
    public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default)
    {
        var changer = (VirtualTransport)search.ChangerTransport;
        return ValueTask.FromResult<IScsiTransport>(changer.OpenLunAnew(drive.Lun ?? throw new ArgumentException("not a virtual drive candidate", nameof(drive))));
    }

    /// <summary>Where the changer's transport can open the library's files again (its factory opened it).</summary>
    public bool OpensDrivesWithoutChanger(DriveSearch search) => search?.ChangerTransport is VirtualTransport { CanReopen: true };
}
