using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

// The drives next to the library: pairing drive elements with the drives this host can reach, opening one as a
// TapeDrive, and unloading one before the robot takes its cartridge.
public sealed partial class MediaChanger
{
    /// <summary>Unloads drive <paramref name="drive"/> through its locator; false when the drive cannot be reached from here.</summary>
    private async ValueTask<bool> EjectAsync(int drive, CancellationToken ct)
    {
        await using var tape = await OpenDriveAsync(drive, ct).ConfigureAwait(false);
        if (tape is null) return false;
        await tape.UnloadAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Every drive element paired with the drive this host can reach for it (empty pairs when none can be reached).
    /// The drives are read together, not one by one: a reply's last descriptor may arrive cut short (tgt's READ
    /// ELEMENT STATUS replies run 8 bytes short, tgt usr/smc.c), and with all drives in one read only the last one's
    /// identifier suffers, which the pairing's prefix pass still matches.
    /// </summary>
    public async ValueTask<IReadOnlyList<DrivePair>> PairDrivesAsync(CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        var all = await Run("read element status", () => _client.ReadElementStatusAsync(ElementType.DataTransfer, map.Drives.First, map.Drives.Count, ct)).ConfigureAwait(false);
        var identities = all.Select(DriveElementIdentity.From).ToList();
        return _settings.Drives is { } drives
            ? await drives.PairAsync(identities, ct).ConfigureAwait(false)
            : DrivePairing.Pair(identities, Transport.DriveCandidates.None);
    }

    /// <summary>
    /// Opens drive <paramref name="drive"/> (0-based) as a <see cref="TapeDrive"/>: found by the session's drive locator
    /// and paired with its element. Null when drives are not reachable from here or none matched the element.
    /// </summary>
    public async ValueTask<TapeDrive?> OpenDriveAsync(int drive, CancellationToken ct = default) =>
        await PairDriveAsync(drive, ct).ConfigureAwait(false) is { } paired ? await OpenDriveAsync(paired, ct).ConfigureAwait(false) : null;

    /// <summary>
    /// Pairs drive <paramref name="drive"/> (0-based) with the device this host reaches it as (one READ ELEMENT STATUS of
    /// the drive elements), to open now or later (<see cref="PairedDrive.OpenAsync"/>, after this session closed, where
    /// the drive's transport opens on its own). Null when drives are not reachable from here or none matched the element.
    /// </summary>
    public async ValueTask<PairedDrive?> PairDriveAsync(int drive, CancellationToken ct = default)
    {
        if (_settings.Drives is not { CanReachDrives: true } drives) return null;
        var pairs = await PairDrivesAsync(ct).ConfigureAwait(false);
        return drives.Paired(drive, pairs);
    }

    /// <summary>Opens <paramref name="paired"/> through this session, asking the changer nothing; null when drives are not reachable from here.</summary>
    public async ValueTask<TapeDrive?> OpenDriveAsync(PairedDrive paired, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(paired);
        if (_settings.Drives is not { CanReachDrives: true } drives) return null;
        return await drives.OpenAsync(paired, ct).ConfigureAwait(false);
    }
}
