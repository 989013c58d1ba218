namespace TapeChanger.Transport.Iscsi;

/// <summary>
/// Drives on the changer's iSCSI target: REPORT LUNS on the changer's LUN, then each other LUN that INQUIRY calls a
/// sequential-access device (peripheral type 01h) with its VPD 80h serial. Each LUN is reached with its own session.
/// </summary>
public sealed class IscsiDriveLocator : IDriveLocator
{
    public bool Serves(DriveSearch search) => search?.Changer.Scheme == DeviceScheme.Iscsi;

    public async ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default)
    {
        var address = search.Changer;
        var options = IscsiTransportFactory.OptionsFor(address);
        IReadOnlyList<int> luns;
        await using (var changer = new SmcClient(new BorrowedTransport(search.ChangerTransport)))
        {
            luns = await changer.ReportLunsAsync(cancellationToken).ConfigureAwait(false);
        }
        var drives = new List<DriveCandidate>();
        foreach (int lun in luns.Where(l => l != address.Lun))
        {
            await using var probe = new SmcClient(await IscsiTransport.OpenAsync(options, lun, cancellationToken).ConfigureAwait(false));
            var (isDrive, serial) = await probe.ProbeTapeDriveAsync(cancellationToken).ConfigureAwait(false);
            if (!isDrive) continue;
            drives.Add(new DriveCandidate(IscsiTransport.DeviceName(options, lun), serial) { Lun = lun });
        }
        return new DriveCandidates(drives);
    }

    public async ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default) =>
        await IscsiTransport.OpenAsync(IscsiTransportFactory.OptionsFor(search.Changer),
            drive.Lun ?? throw new ArgumentException("not an iSCSI drive candidate", nameof(drive)), cancellationToken).ConfigureAwait(false);

    /// <summary>Each drive opens as a session of its own to the drive's LUN.</summary>
    public bool OpensDrivesWithoutChanger(DriveSearch search) => true;

    /// <summary>REPORT LUNS on LUN 0 of a target (SPC-4 §6.33: every target answers it on LUN 0).</summary>
    public static async ValueTask<IReadOnlyList<int>> ListLunsAsync(DeviceAddress target, CancellationToken cancellationToken = default)
    {
        await using var lun0 = new SmcClient(await IscsiTransport.OpenAsync(IscsiTransportFactory.OptionsFor(target with { Lun = 0 }), 0, cancellationToken).ConfigureAwait(false));
        return await lun0.ReportLunsAsync(cancellationToken).ConfigureAwait(false);
    }
}
