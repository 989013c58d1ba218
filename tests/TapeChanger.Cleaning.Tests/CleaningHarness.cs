using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Cleaning.Tests;

/// <summary>The built-in library 10 (with a 1 s cleaning stage) under a temp state directory, and a service on it.</summary>
public sealed class CleaningHarness : IChangerConnector, IDisposable
{
    public string Root { get; } = ScratchDirectory.Create("tc-clean-");
    public string Config => Path.Combine(Root, "cfg");
    public string State => Path.Combine(Root, "state");
    /// <summary>
    /// The service's and the library's clock: fake time moves only by the waits the service asks for (a poll, a
    /// backoff), a millisecond of real time apart, so the operator acting in real time still finds the service waiting.
    /// </summary>
    public SteppingTime Time { get; } = new() { Pace = TimeSpan.FromMilliseconds(1) };
    public Func<CancellationToken, ValueTask<ChangerSession>>? Override { get; set; }

    /// <summary>Where the cleaner service keeps its state (the state database); the virtual library's own state stays in <see cref="State"/>.</summary>
    public string CleanerState { get; }

    /// <param name="pollInterval">The service's poll interval (default 200 ms of fake time); a test that waits a long fake
    /// time takes a longer one, so it is fewer polls (each a session on the library's files) of real time.</param>
    public CleaningHarness(TimeSpan? cleaningTime = null, bool profileCleaningTime = false, string? cleanerState = null, TimeSpan? pollInterval = null)
    {
        CleanerState = cleanerState ?? State;
        _pollInterval = pollInterval ?? TimeSpan.FromMilliseconds(200);
        _cleaningTime = profileCleaningTime ? null : cleaningTime ?? TimeSpan.FromSeconds(5);
        VirtualLibraryFiles.CopyLibrary10(Config, VirtualLibraryFiles.CleaningTime1s);
        Service = NewService();
    }

    public CleanerService Service { get; }
    private readonly TimeSpan? _cleaningTime;
    private readonly TimeSpan _pollInterval;

    public CleanerService NewService() => new(this, CleanerState, new CleanerOptions
    {
        PollInterval = _pollInterval,
        OperatorTimeout = TimeSpan.FromSeconds(600),     // 3,000 polls of 200 ms: far more real time than an operator step takes
        CleaningTime = _cleaningTime,
    }, Time);

    /// <summary>How many changer sessions the service opened (through <see cref="OpenAsync"/>).</summary>
    public int SessionsOpened => _sessionsOpened;
    private int _sessionsOpened;

    public async ValueTask<ChangerSession> OpenAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _sessionsOpened);
        if (Override is { } o) return await o(ct);
        var address = DeviceUri.Parse("virtual:" + Config);
        var transport = (VirtualTransport)await new VirtualTransportFactory(Time).OpenAsync(address, new TransportOpenContext(State), ct);
        // The drives as the CLI reaches them: the virtual library's drive locator (LUNs by VPD 80h serial), hooked.
        var drives = new DriveAccess(new DriveLocatorRegistry().Add(new HookedLocator(this)), new DriveSearch(address, transport),
            t => new SmcClient(t, time: Time) { IsDrive = true }, DriveCache);
        return new ChangerSession(new MediaChanger(new SmcClient(Hook(this, transport), time: Time), new ChangerSettings { Drives = DrivesReachable ? drives : null }));
    }

    /// <summary>False: the drives open only through a changer session (as a USB autoloader's LUNs), not on their own.</summary>
    public bool DrivesOpenAlone { get; set; } = true;

    /// <summary>False: sessions without drive access (a transport whose drives this host cannot reach).</summary>
    public bool DrivesReachable { get; set; } = true;

    /// <summary>What the harness's sessions found (one listing of the drive LUNs, as the CLI keeps one per process).</summary>
    public DriveLocatorCache DriveCache { get; } = new();

    /// <summary>Every command a drive received, in order: (LUN, command).</summary>
    public List<(int Lun, ScsiCommand Command)> DriveCommands { get; } = [];

    private sealed class HookedLocator(CleaningHarness h) : IDriveLocator
    {
        private readonly VirtualDriveLocator _inner = new();

        public bool Serves(DriveSearch search) => _inner.Serves(search);

        public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken ct = default) => _inner.ListAsync(search, ct);

        public async ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken ct = default) =>
            Hook(h, (VirtualTransport)await _inner.OpenAsync(search, drive, ct));

        public bool OpensDrivesWithoutChanger(DriveSearch search) => h.DrivesOpenAlone && _inner.OpensDrivesWithoutChanger(search);
    }

    /// <summary>Replaces a reply before the library sees the command (LUN 0 = changer, 1..N = drives), e.g. a drive's 30/07.</summary>
    public Func<int, ScsiCommand, ScsiResult?>? Inject { get; set; }

    /// <summary>Edits a reply's data after the library answered (an element ASC in READ ELEMENT STATUS).</summary>
    public Action<int, ScsiCommand, Memory<byte>>? Patch { get; set; }

    /// <summary>The library or a drive (LUN 0 = changer, 1..N = drives) behind <see cref="Inject"/> and <see cref="Patch"/>, recording drive commands.</summary>
    private static InterceptingTransport Hook(CleaningHarness h, VirtualTransport inner) => new(inner)
    {
        Before = command =>
        {
            if (inner.Lun > 0) lock (h.DriveCommands) h.DriveCommands.Add((inner.Lun, command));
            return h.Inject?.Invoke(inner.Lun, command);
        },
        After = (command, data) => h.Patch?.Invoke(inner.Lun, command, data),
    };

    /// <summary>Operator action on the library (vtlcmd), between the service's sessions.</summary>
    public void Operator(Action<VirtualLibrary> action)
    {
        using var store = VirtualLibraryStore.Open(Config, State, Time);
        action(store.Library);
        store.Save();
    }

    public T Look<T>(Func<VirtualLibrary, T> read)
    {
        using var store = VirtualLibraryStore.Open(Config, State, Time);
        return read(store.Library);
    }

    public bool Full(ushort address) => Look(l => l.Element(address).Barcode is not null);

    public string? BarcodeAt(ushort address) => Look(l => l.Element(address).Barcode);

    public void Dispose()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
    }
}
