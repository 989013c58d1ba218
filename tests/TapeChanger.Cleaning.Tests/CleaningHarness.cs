using System.Diagnostics;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Cleaning.Tests;

/// <summary>A clock that runs <c>factor</c> times faster than real time (timers fire sooner), so cleaning cycles take milliseconds.</summary>
public sealed class FastTime(double factor) : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private readonly long _t0 = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => _start + Stopwatch.GetElapsedTime(_t0) * factor;

    public override long GetTimestamp() => _t0 + (long)((Stopwatch.GetTimestamp() - _t0) * factor);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        System.CreateTimer(callback, state, Scale(dueTime), Scale(period));

    private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan || t <= TimeSpan.Zero ? t : t / factor;
}

/// <summary>The built-in library 10 (with a 1 s cleaning stage) under a temp state directory, and a service on it.</summary>
public sealed class CleaningHarness : IChangerConnector, IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("tc-clean-").FullName;
    public string Config => Path.Combine(Root, "cfg");
    public string State => Path.Combine(Root, "state");
    public TimeProvider Time { get; }
    public Func<CancellationToken, ValueTask<ChangerSession>>? Override { get; set; }

    /// <summary>Where the cleaner service keeps its state (the state database); the virtual library's own state stays in <see cref="State"/>.</summary>
    public string CleanerState { get; }

    public CleaningHarness(double speed = 10, TimeSpan? cleaningTime = null, bool profileCleaningTime = false, string? cleanerState = null)
    {
        CleanerState = cleanerState ?? State;
        Time = new FastTime(speed);
        _cleaningTime = profileCleaningTime ? null : cleaningTime ?? TimeSpan.FromSeconds(5);
        Directory.CreateDirectory(Config);
        string src = Path.Combine(AppContext.BaseDirectory, "mhvtl", "library10");
        foreach (var f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(Config, Path.GetFileName(f)));
        string conf = Path.Combine(Config, "device.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("# Cleaning time: 30", " Cleaning time: 1"));
        Service = NewService();
    }

    public CleanerService Service { get; }
    private readonly TimeSpan? _cleaningTime;

    public CleanerService NewService() => new(this, CleanerState, new CleanerOptions
    {
        PollInterval = TimeSpan.FromMilliseconds(200),     // 20 ms of real time on the fast clock
        OperatorTimeout = TimeSpan.FromSeconds(600),     // 60 s of real time on the x10 clock
        CleaningTime = _cleaningTime,
    }, Time);

    public async ValueTask<ChangerSession> OpenAsync(CancellationToken ct)
    {
        if (Override is { } o) return await o(ct);
        var address = DeviceUri.Parse("virtual:" + Config);
        var transport = (VirtualTransport)await new VirtualTransportFactory(Time).OpenAsync(address, new TransportOpenContext(State), ct);
        // The drives as the CLI reaches them: the virtual library's drive locator (LUNs by VPD 80h serial), hooked.
        var drives = new DriveAccess(new DriveLocatorRegistry().Add(new HookedLocator(this)), new DriveSearch(address, transport),
            t => new SmcClient(t, time: Time) { IsDrive = true }, DriveCache);
        return new ChangerSession(new MediaChanger(new SmcClient(new Hook(this, transport), time: Time), new ChangerSettings { Drives = DrivesReachable ? drives : null }));
    }

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
            new Hook(h, (VirtualTransport)await _inner.OpenAsync(search, drive, ct));
    }

    /// <summary>Replaces a reply before the library sees the command (LUN 0 = changer, 1..N = drives), e.g. a drive's 30/07.</summary>
    public Func<int, ScsiCommand, ScsiResult?>? Inject { get; set; }

    /// <summary>Edits a reply's data after the library answered (an element ASC in READ ELEMENT STATUS).</summary>
    public Action<int, ScsiCommand, Memory<byte>>? Patch { get; set; }

    private sealed class Hook(CleaningHarness h, VirtualTransport inner) : IScsiTransport
    {
        public string Device => inner.Device;

        public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken ct = default)
        {
            if (inner.Lun > 0) lock (h.DriveCommands) h.DriveCommands.Add((inner.Lun, command));
            if (h.Inject?.Invoke(inner.Lun, command) is { } replaced) return replaced;
            var r = await inner.ExecuteAsync(command, dataIn, ct);
            h.Patch?.Invoke(inner.Lun, command, dataIn);
            return r;
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

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
