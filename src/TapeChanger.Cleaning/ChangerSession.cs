using TapeChanger.Domain;

namespace TapeChanger.Cleaning;

/// <summary>
/// One short-lived connection to a library: the changer, plus (where its transport's drive locator reaches them) its
/// drives. Cleaner operations open a session per step and close it while they wait, so operators and other processes
/// can use the library in between.
/// </summary>
public sealed class ChangerSession : IAsyncDisposable
{
    private readonly List<TapeDrive> _drives = [];

    public ChangerSession(MediaChanger changer) => Changer = changer;

    public MediaChanger Changer { get; }

    /// <summary>Drive <paramref name="drive"/> (0-based), or null when it cannot be reached from here; closed with the session.</summary>
    public async ValueTask<TapeDrive?> OpenDriveAsync(int drive, CancellationToken ct)
    {
        var tape = await Changer.OpenDriveAsync(drive, ct).ConfigureAwait(false);
        if (tape is not null) _drives.Add(tape);
        return tape;
    }

    /// <summary>Drive <paramref name="drive"/> paired with its device, to open later (<see cref="MediaChanger.PairDriveAsync"/>); null when it cannot be reached from here.</summary>
    public ValueTask<PairedDrive?> PairDriveAsync(int drive, CancellationToken ct) => Changer.PairDriveAsync(drive, ct);

    /// <summary>A drive paired earlier, opened through this session without pairing it again; closed with the session.</summary>
    public async ValueTask<TapeDrive?> OpenDriveAsync(PairedDrive paired, CancellationToken ct)
    {
        var tape = await Changer.OpenDriveAsync(paired, ct).ConfigureAwait(false);
        if (tape is not null) _drives.Add(tape);
        return tape;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var d in _drives) await d.DisposeAsync().ConfigureAwait(false);
        await Changer.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>Opens sessions on one library.</summary>
public interface IChangerConnector
{
    ValueTask<ChangerSession> OpenAsync(CancellationToken ct);
}

/// <summary>Settings of the cleaner service.</summary>
public sealed record CleanerOptions
{
    /// <summary>Barcode prefix of cleaning cartridges (used with medium type 2).</summary>
    public string CleanerPrefix { get; init; } = CleanerRecognition.DefaultPrefix;
    /// <summary>How often waiting operations poll the library.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>How long an IE-port inject or eject waits for the operator by default.</summary>
    public TimeSpan OperatorTimeout { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>
    /// Cleaning time used when the drive cannot be polled. Null: the library's hw-profile value (<c>cleaning.seconds</c>).
    /// </summary>
    public TimeSpan? CleaningTime { get; init; }
    /// <summary>Upper bound on a cleaning cycle even when the drive can be polled.</summary>
    public TimeSpan MaxCleaningTime { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan RobotLockTimeout { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>
    /// Chooses the hardware profile from INQUIRY vendor, product and revision (the CLI passes its --profile / config-directory
    /// choice). Null: the shipped profiles' match.
    /// </summary>
    public Func<string, string, string, ProfileSelection>? SelectProfile { get; init; }
    /// <summary>Asked at every poll of an operator wait (a service's operator requests); null: the journal alone.</summary>
    public IOperatorWaitHook? OperatorHook { get; init; }
}
