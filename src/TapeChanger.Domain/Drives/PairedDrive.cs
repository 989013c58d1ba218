using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>
/// A drive element paired with the device this host reaches it as (<see cref="DrivePairing"/>, once), kept past the
/// session that paired it: a caller polling the drive opens the same device again without asking the changer which
/// drive is which, and, where the drive's transport opens on its own (<see cref="OpensWithoutChanger"/>: iSCSI, sg,
/// mhVTL, spt, the virtual library), without opening the changer at all.
/// </summary>
public sealed class PairedDrive
{
    private readonly DriveAccess _access;

    internal PairedDrive(int number, DriveCandidate candidate, DriveAccess access)
    {
        Number = number;
        Candidate = candidate;
        _access = access;
    }

    /// <summary>0-based drive number (mtx numbering).</summary>
    public int Number { get; }

    /// <summary>The device the drive element was paired with.</summary>
    public DriveCandidate Candidate { get; }

    public string Uri => Candidate.Uri;

    /// <summary>The changer the drive was paired next to (its device address as given).</summary>
    internal string Changer => _access.Changer;

    /// <summary>True when <see cref="OpenAsync"/> needs no changer session; false: open it through a session's <see cref="MediaChanger.OpenDriveAsync(PairedDrive, CancellationToken)"/>.</summary>
    public bool OpensWithoutChanger => _access.OpensDrivesWithoutChanger;

    /// <summary>Opens the paired device with no changer session; the caller closes it.</summary>
    /// <exception cref="InvalidOperationException">The drive is reached only through the changer's connection (<see cref="OpensWithoutChanger"/> is false).</exception>
    public async ValueTask<TapeDrive> OpenAsync(CancellationToken ct = default)
    {
        if (!OpensWithoutChanger) throw new InvalidOperationException($"{Uri} is reached through the changer's connection; open it through a changer session");
        return await _access.OpenAsync(this, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{Uri}: no drive locator serves the changer any more");
    }
}
