using TapeChanger.Cleaning;
using TapeChanger.Service.Fleet;

namespace TapeChanger.Service.Engine;

/// <summary>
/// Fleet mode (state in a shared database): the host picks and moves only while its service holds the library's
/// lease (<see cref="Fence"/>). Taking the lease reconciles what the previous owner left, exactly as after a restart
/// (the queue goes back in order, an in-flight move is settled from its journal and a targeted READ ELEMENT STATUS);
/// losing it stops the picker before anything more is started or recorded. Requests submitted to another service
/// arrive through <see cref="Intake"/>.
/// </summary>
internal sealed partial class LibraryHost
{
    private CancellationTokenSource? _owning;

    /// <summary>True when the state is shared by a fleet: ownership decides who moves the robot.</summary>
    private bool InFleet => _ctx.Store.Database.IsShared;

    /// <summary>The lease this service holds on the library (fleet mode), or null.</summary>
    public Fence? Fence { get; private set; }

    /// <summary>Raised when a fenced write was refused: the lease must be given up and taken again before picking resumes.</summary>
    public event Action<LibraryHost, Fence>? FenceLost;

    /// <summary>The kept problem (offline reason), for the control plane.</summary>
    public string? Problem
    {
        get { lock (_lock) return _problem; }
    }

    private bool _runningClean;

    /// <summary>
    /// The library's identity key (the cleaner state's: INQUIRY vendor, product, serial) once this host has read the
    /// identity; the owner reports it so that every service finds the library's cleaner state in the database.
    /// </summary>
    public string? LibraryKey { get; private set; }

    /// <summary>
    /// The drives this host knows ask for cleaning (ascending), for the control plane. Only what the owner saw itself
    /// (automatic cleaning's TapeAlert/sense checks): the cleaner state's remembered requests are not read here, as
    /// that is a read of the library's cleaner state on every report; with automatic cleaning off the list stays empty.
    /// </summary>
    public IReadOnlyList<int> DrivesNeedingCleaning
    {
        get { lock (_lock) return [.. _needsCleaning.Order()]; }
    }

    /// <summary>True while a Clean request is started or carried out (a cleaner in or on its way to a drive), for the control plane.</summary>
    public bool Cleaning
    {
        get { lock (_lock) return _runningClean || _cleaningBeside.Count > 0; }
    }

    /// <summary>The lease was taken: reconcile what the last owner left, then pick.</summary>
    public void TakeOwnership(Fence fence)
    {
        lock (_lock)
        {
            _queue.Clear();
            _queued.Clear();
            _commands.Clear();
            _leftOver = [];
            _status = null;                                   // the last owner moved things: read again
            _map = null;
            _problem = null;
        }
        Fence = fence;
        _owning = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        TakeLeftOver();
        var ct = _owning.Token;
        _picker = Task.Run(() => PickerAsync(ct));
        if (Info.AutoCleaning) _ticker = Task.Run(() => TickAsync(ct));
        _ctx.Events.Publish(ServiceEventKind.Status, Info.Name, e => e with { Message = $"lease taken (fencing token {fence.Token})" });
    }

    private Task _losing = Task.CompletedTask;

    /// <summary>False while a picker of a lost lease is still stopping: the lease is not taken again before it has.</summary>
    public bool CanTakeOwnership => _losing.IsCompleted && _owning is null;

    /// <summary>
    /// Starts giving the lease up without waiting (a move that does not stop at once must not hold up the renewal of
    /// the service's other leases). The old picker's writes stay fenced with the old token, which the database refuses.
    /// </summary>
    public void BeginLoseOwnership(string why)
    {
        if (_owning is null || !_losing.IsCompleted) return;
        _losing = LoseOwnershipAsync(why);
    }

    /// <summary>The lease is gone (or being given up): stop picking; what is in process is left to the next owner.</summary>
    public async Task LoseOwnershipAsync(string why)
    {
        var owning = Interlocked.Exchange(ref _owning, null);
        if (owning is null) return;
        await owning.CancelAsync().ConfigureAwait(false);
        Task[] running;
        lock (_lock) running = [.. new[] { _picker, _ticker }.OfType<Task>()];
        try { await Task.WhenAll(running).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        Fence = null;                                         // only now: until the picker stopped, its writes carry the old token
        owning.Dispose();
        lock (_lock)
        {
            _queue.Clear();
            _queued.Clear();
            _commands.Clear();
        }
        _ctx.Events.Publish(ServiceEventKind.Status, Info.Name, e => e with { Message = $"lease given up: {why}" });
    }

    /// <summary>Queues the library's requests that are queued in the database and not here yet (submitted to another service).</summary>
    public void Intake(IEnumerable<RequestRecord> queued)
    {
        if (Fence is null) return;
        foreach (var r in queued)
        {
            bool known;
            lock (_lock) known = _queued.Contains(r.Id) || _running == r.Id || _waiting.Contains(r.Id) || _cleaningBeside.ContainsKey(r.Id);
            if (known || r.Kind == RequestKind.Command) continue;     // a command is queued where it was sent
            Enqueue(r, null);
        }
    }

    /// <summary>
    /// Self-fencing by time, before every send of a command that moves the robot: the move goes out only when this
    /// service's lease, as the database last confirmed it (<see cref="LeaseStore.Left"/>, which errs short), has at
    /// least the move's budget left. Otherwise the lease is extended first (one conditional UPDATE); when that fails
    /// the lease is gone and nothing is sent (<see cref="LeaseLostException"/>: the picker stops, the next owner
    /// reconciles the request). As the next owner takes the lease only after its expiry on the database's clock, a
    /// move sent here ends (or is given up: the MOVE MEDIUM's timeout is the budget) before another owner can start one.
    /// </summary>
    private ValueTask BeforeMotion(CancellationToken ct)
    {
        if (_ctx.Leases is not { } leases) return ValueTask.CompletedTask;
        if (Fence is not { } fence) throw NotOwner();
        var budget = _ctx.Tuning.MoveBudget;
        if (leases.Left(fence) >= budget) return ValueTask.CompletedTask;
        var ttl = budget + _ctx.Tuning.FenceMargin > _ctx.Tuning.LeaseTime ? budget + _ctx.Tuning.FenceMargin : _ctx.Tuning.LeaseTime;
        // Not extended: the lease is gone. Extended but still short: the extension itself took longer than the time it
        // added beyond the budget (a paused process, a slow database). Either way the move is not sent.
        if (!leases.Extend(fence, ttl) || leases.Left(fence) < budget)
        {
            var refused = new LeaseLostException(fence, $"library {fence.Library}: {fence.Owner}'s lease (fencing token {fence.Token}) has less than the move's " +
                $"time budget ({budget.TotalSeconds:0.###} s) left and could not be extended; the move was not sent");
            _ctx.Tuning.FleetLog?.Invoke("fleet: " + refused.Message);
            throw refused;
        }
        return ValueTask.CompletedTask;
    }

    private static LibraryServiceException NotOwner() =>
        new(ServiceError.NotOwner, NtmsResult.ERROR_ACCESS_DENIED, "this service does not hold the library's lease; send the command to its owner (see the fleet list)");
}
