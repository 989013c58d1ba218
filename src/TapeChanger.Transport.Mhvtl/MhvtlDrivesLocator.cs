using TapeChanger.Scsi;

namespace TapeChanger.Transport.Mhvtl;

/// <summary>
/// The mhvtl: drive locator: the drives device.conf binds to the library (each on its vtltape socket, with the serial
/// device.conf gives it). The domain pairs them with the drive elements by serial; opening one checks the drive's own
/// VPD 80h serial against device.conf (<see cref="MhvtlDriveLocator"/>).
/// </summary>
public sealed class MhvtlDrivesLocator : IDriveLocator
{
    public bool Serves(DriveSearch search) => search?.Changer.Scheme == DeviceScheme.Mhvtl;

    public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        var drives = MhvtlDriveMap.Load(search.Changer);
        return ValueTask.FromResult(new DriveCandidates(drives.Select(d => new DriveCandidate("mhvtl:" + d.Socket, d.Serial)).ToList()));
    }

    public async ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(search);
        ArgumentNullException.ThrowIfNull(drive);
        var locator = MhvtlDriveLocator.For(search.Changer, search.StateDirectory);
        var bound = locator.Drives.FirstOrDefault(d => "mhvtl:" + d.Socket == drive.Uri)
            ?? throw new ScsiTransportException(TransportFailure.NotFound, $"{drive.Uri} is no longer bound to this library in device.conf");
        return await locator.OpenAsync(bound.DriveNumber, drive.Serial, null, cancellationToken).ConfigureAwait(false)
            ?? throw new ScsiTransportException(TransportFailure.NotFound, $"{drive.Uri}: device.conf binds no drive {bound.DriveNumber}");
    }

    /// <summary>Each drive opens on its own vtltape socket, found from device.conf.</summary>
    public bool OpensDrivesWithoutChanger(DriveSearch search) => true;
}
