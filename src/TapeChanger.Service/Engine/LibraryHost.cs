using TapeChanger.Cleaning;
using TapeChanger.Domain;
using TapeChanger.Service.Opening;

namespace TapeChanger.Service.Engine;

/// <summary>
/// One library under the service: its queue and the picker that runs one request at a time (highest priority first,
/// FIFO within a priority), the kept status (re-read after every move, dropped when a unit attention says the
/// elements may have changed), its cleaner service, and its operator requests.
/// <para>The device is opened per request, as the CLI opens it per command, so the cleaner's waiting operations and
/// CLI processes on the same library take turns with the service (the robot lock orders their moves).</para>
/// <para>One job per file: this one (queue, picker, kept status); <c>.Run</c> (carrying a request out); <c>.Reconcile</c>
/// (after a restart); <c>.Operator</c> (operator requests, the cleaner's operator-wait hook); <c>.AutoClean</c>.</para>
/// </summary>
internal sealed partial class LibraryHost : IAsyncDisposable
{
    private readonly EngineContext _ctx;
    private readonly LibraryOpener _opener;
    private readonly CleanerService _cleaner;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<Guid, (int Priority, long Sequence)> _queue = new();
    private readonly HashSet<Guid> _queued = [];
    private readonly Dictionary<Guid, LibraryCommand> _commands = [];
    private readonly HashSet<Guid> _waiting = [];
    /// <summary>Clean requests the picker started that are carried out beside the queue (LibraryHost.Run.cs).</summary>
    private readonly Dictionary<Guid, int> _cleaningBeside = [];       // cleanings carried out beside the queue: request, drive
    private readonly SemaphoreSlim _signal = new(0);
    private readonly SemaphoreSlim _device = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _detached = [];
    private Task? _picker;
    private Task? _ticker;
    private Guid? _running;

    private LibraryStatus? _status;
    private DateTimeOffset? _readAt;
    private ElementMap? _map;
    private string? _problem;
    private string? _robotDirectory;

    public LibraryHost(LibraryInfo info, LibraryOpenSettings openDefaults, EngineContext ctx)
    {
        Info = info;
        _ctx = ctx;
        _opener = new LibraryOpener(InFleet
            ? openDefaults with { DeviceUri = info.DeviceUri, MoveTimeout = ctx.Tuning.MoveBudget, BeforeMotion = BeforeMotion }
            : openDefaults with { DeviceUri = info.DeviceUri });
        _configuredMagazines = ConfiguredMagazines(_opener);
        _cleaner = new CleanerService(_opener.Connector(), openDefaults.StateDirectory, new CleanerOptions
        {
            CleanerPrefix = openDefaults.CleanerPrefix ?? CleanerRecognition.DefaultPrefix,
            PollInterval = ctx.Tuning.CleanerPollInterval,
            OperatorTimeout = TimeSpan.FromSeconds(ctx.Options.OperatorRequestTimeoutSeconds),
            CleaningTime = ctx.Tuning.CleaningTime,
            SelectProfile = _opener.SelectProfile,
            OperatorHook = new OperatorHook(this),
        }, ctx.Time);
        if (!InFleet) TakeLeftOver();                       // fleet mode: when this service takes the lease
    }

    public LibraryInfo Info { get; }

    private DateTimeOffset Now => _ctx.Now;

    private CancellationToken Stopping => _stop.Token;

    /// <summary>Reconciles what the last run left, then starts the picker. Called once.</summary>
    public void Start()
    {
        if (InFleet) return;                                // fleet mode: the picker runs while this service holds the lease
        _picker = Task.Run(() => PickerAsync(Stopping));
        if (Info.AutoCleaning) _ticker = Task.Run(() => TickAsync(Stopping));
    }

    /// <summary>Persists a new request (Queued) and queues it.</summary>
    public RequestRecord Submit(RequestSpec spec, Caller caller, LibraryCommand? command)
    {
        if (command is not null && InFleet && Fence is null) throw NotOwner();
        var now = Now;
        var r = _ctx.Store.Insert(sequence => new RequestRecord
        {
            Id = Guid.NewGuid(),
            Sequence = sequence,
            Library = Info.Name,
            Kind = spec.Kind,
            Arguments = spec.Arguments,
            Priority = spec.Priority,
            Submitter = caller,
            State = RequestState.Queued,
            Submitted = now,
            Updated = now,
        });
        _ctx.Published(r);
        // Fleet mode: the owner (this service too) takes it from the database in sequence order, notified at once or
        // at its next poll, so requests sent to different services run in the order they were acknowledged. A
        // command (a delegate in this process) is queued here, where it was sent (only the owner accepts one).
        if (!InFleet || command is not null) Enqueue(r, command);
        return r;
    }

    /// <summary>Puts a (persisted, Queued) request in the queue.</summary>
    public void Enqueue(RequestRecord r, LibraryCommand? command)
    {
        lock (_lock)
        {
            _queue.Enqueue(r.Id, (-r.Priority, r.Sequence));
            _queued.Add(r.Id);
            if (command is not null) _commands[r.Id] = command;
        }
        _signal.Release();
    }

    /// <summary>Takes a queued request out of the queue (the caller marks it Cancelled); false when the picker has it already.</summary>
    public bool Unqueue(Guid id)
    {
        lock (_lock)
        {
            _commands.Remove(id);
            return _queued.Remove(id);
        }
    }

    public int QueueDepth
    {
        get { lock (_lock) return _queued.Count + _waiting.Count + _cleaningBeside.Count + (_running is null ? 0 : 1); }
    }

    private async Task PickerAsync(CancellationToken ct)
    {
        try
        {
            await ReconcileAsync(ct).ConfigureAwait(false);
            if (_status is null) await TryRefreshAsync(ct).ConfigureAwait(false);
            while (true)
            {
                await _signal.WaitAsync(ct).ConfigureAwait(false);
                if (TakeAutoCleaningCheck()) await CheckDrivesAsync(null, ct).ConfigureAwait(false);
                Guid id;
                LibraryCommand? command;
                lock (_lock)
                {
                    if (!_queue.TryDequeue(out id, out _)) continue;
                    if (!_queued.Remove(id)) continue;                  // cancelled while queued
                    _commands.Remove(id, out command);
                    _running = id;
                }
                try
                {
                    var r = _ctx.Change(id, x => x.State == RequestState.Queued ? x with { State = RequestState.InProcess, Started = Now } : null, Fence);
                    if (r is { State: RequestState.InProcess })
                    {
                        lock (_lock) _runningClean = r.Kind == RequestKind.Clean;
                        await RunAsync(r, command, ct).ConfigureAwait(false);
                    }
                }
                finally
                {
                    lock (_lock) (_running, _runningClean) = (null, false);
                }
                _ctx.Store.Prune(Info.Name, _ctx.Options.HistoryLimit);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // stopping: what is in process stays so in the database, and is reconciled at the next start.
        }
        catch (Fleet.LeaseLostException e)
        {
            // Fleet mode: the lease is gone; nothing more is started or recorded here. The next owner reconciles.
            SetProblem(e.Message);
            FenceLost?.Invoke(this, e.Fence);
        }
        catch (TapeChanger.State.StateDatabaseException e) when (InFleet && Fence is { } fence)
        {
            // Fleet mode, the database failed mid-request: give the lease up; whoever takes it next (this service
            // too) reconciles the request from its journal once the database answers again.
            SetProblem(e.Message);
            FenceLost?.Invoke(this, fence);
        }
    }

    /// <summary>The kept status; read from the device when there is none (first use, or dropped after a unit attention).</summary>
    public async Task<LibrarySnapshot> SnapshotAsync(CancellationToken ct)
    {
        if (InFleet && Fence is null)
        {
            lock (_lock) _status = null;                      // fleet mode, not the owner: another service moves it, read it now
        }
        if (Volatile.Read(ref _status) is null) await TryRefreshAsync(ct).ConfigureAwait(false);
        lock (_lock)
        {
            return new LibrarySnapshot(Info, _status, _readAt, _problem is null, _problem)
            {
                QueueDepth = _queued.Count + _waiting.Count + _cleaningBeside.Count + (_running is null ? 0 : 1),
                DrivesNeedingCleaning = [.. _needsCleaning.Order()],
                Magazines = Magazines(),
            };
        }
    }

    private MagazineLayout? _magazines;
    private readonly MagazineLayout? _configuredMagazines;

    /// <summary>
    /// The device's own magazine layout (the virtual library's "Magazine size"), read once when the host is made;
    /// null for other devices, or when the configuration cannot be read (the library's status says why then).
    /// </summary>
    private static MagazineLayout? ConfiguredMagazines(LibraryOpener opener)
    {
        try
        {
            return TapeChanger.Composition.Transports.ConfiguredMagazineSize(opener.Address) is int size
                ? MagazineLayout.Uniform(size, "virtual library configuration (Magazine size)")
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or TapeChanger.MhvtlConfig.MhvtlConfigException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The magazine layout: the device's own configuration, else the hardware profile's <c>magazines</c>, else one
    /// group. Kept once the profile is chosen (it does not change while running).
    /// </summary>
    private MagazineLayout Magazines()
    {
        if (_magazines is { } known) return known;
        if (_configuredMagazines is { } configured) return _magazines = configured;
        if (_opener.Profile is not { } selection) return MagazineLayout.None;      // the profile is not chosen yet (nothing read)
        return _magazines = selection.Profile.Magazines is { } m ? m.ToLayout("profile " + selection.Profile.Name) : MagazineLayout.None;
    }

    /// <summary>Reads the whole status into the kept one; a failure is kept as the library's problem (offline).</summary>
    private async Task TryRefreshAsync(CancellationToken ct)
    {
        await _device.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _status) is not null) return;      // another caller read it meanwhile
            await using var changer = await _opener.OpenChangerAsync(ct, _map).ConfigureAwait(false);
            await KeepStatusAsync(changer, ct).ConfigureAwait(false);
            AfterSession(statusReadLast: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AfterSession(statusReadLast: false);
            SetProblem(EngineContext.Classify(e).Message);
        }
        finally
        {
            _device.Release();
        }
    }

    /// <summary>Re-reads the whole status with <paramref name="changer"/> and keeps it.</summary>
    private async Task KeepStatusAsync(MediaChanger changer, CancellationToken ct)
    {
        var status = await changer.GetStatusAsync(ct).ConfigureAwait(false);
        lock (_lock)
        {
            _status = status;
            _map = status.Map;
            _readAt = Now;
            _problem = null;
        }
        _ctx.Events.Publish(ServiceEventKind.Status, Info.Name);
    }

    private void SetProblem(string problem)
    {
        bool changed;
        lock (_lock)
        {
            changed = _problem != problem;
            _problem = problem;
        }
        if (changed) _ctx.Events.Publish(ServiceEventKind.LibraryOffline, Info.Name, e => e with { Message = problem });
    }

    /// <summary>
    /// After every session: what the library taught is saved, and a unit attention that says elements may have changed
    /// (28/xx medium may have changed, 29/xx reset, 3F/xx...) drops the kept status, to be read again, unless the
    /// session ended by reading the whole status (then what is kept was read after the unit attention).
    /// </summary>
    private void AfterSession(bool statusReadLast)
    {
        var report = _opener.TakeReport(Now);
        if (report.MapChangesSeen > 0 && !statusReadLast) DropStatus();
    }

    private void DropStatus(string why = "element status dropped after a unit attention")
    {
        lock (_lock)
        {
            _status = null;
            _map = null;
        }
        _ctx.Events.Publish(ServiceEventKind.Status, Info.Name, e => e with { Message = why });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] all;
        lock (_lock) all = [.. _detached, .. new[] { _picker, _ticker }.OfType<Task>()];
        try { await Task.WhenAll(all).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
