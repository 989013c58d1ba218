using TapeChanger.Cleaning;
using TapeChanger.Service.Engine;
using TapeChanger.Service.Opening;
using TapeChanger.State;

namespace TapeChanger.Service;

/// <summary>
/// The engine: the configured libraries, each with its queue and picker (<see cref="LibraryHost"/>), requests and
/// operator requests kept in the state database (so they survive a restart), and the event stream.
/// </summary>
public sealed class LibraryService : ILibraryService
{
    private readonly EngineContext _ctx;
    private readonly Dictionary<string, LibraryHost> _hosts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly Fleet.FleetCoordinator? _fleet;
    private bool _started;
    private bool _disposed;

    /// <param name="options">The libraries (<see cref="LibraryServiceOptions.From"/> reads them from configuration).</param>
    /// <param name="openDefaults">How libraries are opened (state and profile folders, retries); its DeviceUri is replaced by each library's.</param>
    /// <param name="database">The state database of <paramref name="openDefaults"/>'s state directory.</param>
    public LibraryService(LibraryServiceOptions options, LibraryOpenSettings openDefaults, StateDatabase database, TimeProvider? time = null, LibraryServiceTuning? tuning = null)
    {
        tuning ??= new LibraryServiceTuning();
        time ??= TimeProvider.System;
        _ctx = new EngineContext(new ServiceStore(database) { FenceMargin = tuning.FenceMargin }, new EventHub(time, tuning.EventBuffer), time, options, tuning)
        {
            Leases = database.IsShared ? new Fleet.LeaseStore(database, tuning.FleetName ?? $"{Environment.MachineName}:{Environment.ProcessId}", tuning.FleetUrl, time) : null,
        };
        var libraries = options.Resolve();
        foreach (var lib in libraries) _hosts[lib.Name] = new LibraryHost(lib, openDefaults, _ctx);
        Libraries = libraries;
        if (_ctx.Leases is { } leases) _fleet = new Fleet.FleetCoordinator(leases, _hosts, _ctx.Store, tuning, tuning.FleetLog);
    }

    /// <summary>Fleet mode: the lease table as this service sees it; null otherwise.</summary>
    internal Fleet.LeaseStore? Leases => _ctx.Leases;

    /// <summary>Fleet mode: this service's name in the lease table; null with a state database of its own.</summary>
    public string? FleetName => _fleet?.Owner;

    /// <summary>Fleet mode: every library of the fleet (served here or not) with its owner, health and queue; empty otherwise.</summary>
    public IReadOnlyList<Fleet.LeaseRow> FleetLibraries() => _fleet is null ? [] : Guard(() => _fleet.Leases.List());

    public FleetView? GetFleet()
    {
        if (_fleet is null) return null;
        var (rows, members) = Guard(() => (_fleet.Leases.List(), _fleet.Leases.Members()));
        return new FleetView(_fleet.Owner, _ctx.Store.Database.Path,
            [.. rows.Select(r => new FleetLibrary(r.Library, r.Held ? FleetLibraryState.Owned : FleetLibraryState.Unowned,
                r.Owner.Length > 0 ? r.Owner : null, r.OwnerUrl, r.Token, Math.Max(0, r.ExpiresMs - r.NowMs),
                !r.Held ? "no owner" : r.Health ?? "online", r.QueueDepth, _hosts.ContainsKey(r.Library),
                r.DrivesNeedingCleaning, r.Held && r.Cleaning))],
            members);
    }

    public FleetOwner? OwnerElsewhere(string library)
    {
        var host = Host(library);
        if (_fleet is null || host.Fence is not null) return null;          // owned here: no database read
        var row = FleetLibraries().FirstOrDefault(r => r.Library == library);
        return row is { Held: true } && row.Owner != _fleet.Owner ? new FleetOwner(library, _fleet.Owner, row.Owner, row.OwnerUrl) : null;
    }

    public IReadOnlyList<LibraryInfo> Libraries { get; }

    public LibraryInfo GetLibrary(string name) => Host(name).Info;

    private LibraryHost Host(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return name is not null && _hosts.TryGetValue(name, out var host)
            ? host
            : throw new LibraryServiceException(ServiceError.UnknownLibrary, NtmsResult.ERROR_INVALID_LIBRARY, $"no library named '{name}'");
    }

    public Task StartAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            if (_disposed) throw new LibraryServiceException(ServiceError.ShuttingDown, NtmsResult.ERROR_CANCELLED, "the service is stopping");
            if (_started) return Task.CompletedTask;
            _started = true;
        }
        foreach (var host in _hosts.Values) host.Start();
        Guard(() => { _fleet?.Start(); return 0; });
        return Task.CompletedTask;
    }

    public async Task<LibrarySnapshot> GetStatusAsync(string library, CancellationToken ct = default)
    {
        var host = Host(library);
        // Fleet mode: the queue is the owner's. A service that does not own the library has none of its own, so it
        // reports the depth the owner last wrote into the lease row (at each poll, every 2 s), as the fleet list shows
        // it when the request comes. (The server passes status reads on to the owner; it reads the library here only
        // when it cannot, and bounds that wait.) The row is read first: a non-owner then reads the library itself, which
        // waits behind the owner's session (a virtual library's lock, a robot answering BUSY) for as long as the owner's
        // move takes, and a depth read after that wait is the queue after the move, not the one the caller asked about.
        var row = _fleet is not null && host.Fence is null ? FleetLibraries().FirstOrDefault(r => r.Library == library) : null;
        var snap = await host.SnapshotAsync(ct).ConfigureAwait(false);
        return row is { Held: true } && host.Fence is null ? snap with { QueueDepth = row.QueueDepth } : snap;
    }

    public Task<RequestRecord> SubmitAsync(string library, RequestSpec spec, Caller caller, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(caller);
        var host = Host(library);
        Validate(spec);
        return Task.FromResult(Guard(() => host.Submit(spec, caller, spec.Command)));
    }

    private static void Validate(RequestSpec spec)
    {
        static LibraryServiceException Bad(string message) => new(ServiceError.InvalidArgument, NtmsResult.ERROR_INVALID_PARAMETER, message);
        var a = spec.Arguments ?? throw Bad("arguments are missing");
        if (spec.Priority is < RequestSpec.LowestPriority or > RequestSpec.HighestPriority)
            throw Bad($"priority {spec.Priority} is out of range ({RequestSpec.LowestPriority} to {RequestSpec.HighestPriority})");
        if (a.Slot is < 1) throw Bad($"slot {a.Slot} is out of range (slots are numbered from 1)");
        if (a.ToSlot is < 1) throw Bad($"slot {a.ToSlot} is out of range (slots are numbered from 1)");
        if (a.Drive is < 0) throw Bad($"drive {a.Drive} is out of range (drives are numbered from 0)");
        if (a.TimeoutSeconds is < 0 or > 86_400) throw Bad($"timeout {a.TimeoutSeconds} s is out of range (0 to 86400)");
        string? missing = spec.Kind switch
        {
            RequestKind.Load when a.Slot is null || a.Drive is null => "a load needs a slot and a drive",
            RequestKind.Unload when a.Drive is null => "an unload needs a drive",
            RequestKind.Transfer when a.Slot is null || a.ToSlot is null => "a transfer needs a slot and a destination slot",
            RequestKind.Export when a.Slot is null => "an export needs a slot",
            RequestKind.Clean when a.Drive is null => "a cleaning needs a drive",
            RequestKind.CleanerReserve when a.Slot is null => "a cleaner reservation needs a slot",
            RequestKind.Command when spec.Command is null => "a command request needs a command",
            not RequestKind.Command when spec.Command is not null => "only a command request carries a command",
            _ when !Enum.IsDefined(spec.Kind) => $"unknown request kind {(int)spec.Kind}",
            _ => null,
        };
        if (missing is not null) throw Bad(missing);
    }

    public Task<RequestRecord> GetRequestAsync(Guid id, CancellationToken ct = default) =>
        Task.FromResult(Guard(() => _ctx.Store.Get(id)) ?? throw NoRequest(id));

    private static LibraryServiceException NoRequest(Guid id) => new(ServiceError.UnknownRequest, NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no request {id}");

    public Task<IReadOnlyList<RequestRecord>> ListRequestsAsync(RequestQuery query, CancellationToken ct = default)
    {
        if (query.Library is { } name) Host(name);
        return Task.FromResult(Guard(() => _ctx.Store.List(query)));
    }

    public Task<RequestRecord> CancelAsync(Guid id, Caller caller, CancellationToken ct = default)
    {
        var r = Guard(() => _ctx.Store.Get(id)) ?? throw NoRequest(id);
        if (r.IsFinal) return Task.FromResult(r);
        var host = Host(r.Library);
        if (r.State == RequestState.Queued)
        {
            host.Unqueue(id);
            var cancelled = Guard(() => _ctx.Change(id, x => x.State == RequestState.Queued
                ? x with { State = RequestState.Cancelled, Result = NtmsResult.ERROR_CANCELLED, Message = $"cancelled by {caller.Name}", CancelledBy = caller, Completed = _ctx.Now }
                : null))!;
            if (cancelled.State == RequestState.Cancelled) return Task.FromResult(cancelled);
            r = cancelled;                                      // the picker took it first
        }
        if (host.IsWaiting(id)) return Task.FromResult(Guard(() => host.CancelWaiting(r, caller)));
        throw new LibraryServiceException(ServiceError.NotCancellable, NtmsResult.ERROR_INVALID_OPERATION,
            $"request {id} is {r.State} on the robot and cannot be cancelled now");
    }

    public Task<RequestRecord> WaitAsync(Guid id, CancellationToken ct = default) => _ctx.WaitAsync(id, ct);

    public Task<IReadOnlyList<OperatorRequestRecord>> ListOperatorRequestsAsync(string? library = null, bool openOnly = false, CancellationToken ct = default)
    {
        if (library is not null) Host(library);
        return Task.FromResult(Guard(() => _ctx.Store.ListOperator(library, openOnly)));
    }

    public Task<OperatorRequestRecord> GetOperatorRequestAsync(Guid id, CancellationToken ct = default) =>
        Task.FromResult(Guard(() => _ctx.Store.GetOperator(id)) ?? throw NoOperator(id));

    private static LibraryServiceException NoOperator(Guid id) =>
        new(ServiceError.UnknownOperatorRequest, NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operator request {id}");

    public Task<OperatorRequestRecord> SatisfyOperatorRequestAsync(Guid id, Caller caller, CancellationToken ct = default) =>
        Task.FromResult(Close(id, caller, OperatorRequestState.Complete, "satisfied"));

    public Task<OperatorRequestRecord> RefuseOperatorRequestAsync(Guid id, Caller caller, string? reason = null, CancellationToken ct = default) =>
        Task.FromResult(Close(id, caller, OperatorRequestState.Refused, reason is { Length: > 0 } ? $"refused by {caller.Name}: {reason}" : $"refused by {caller.Name}"));

    private OperatorRequestRecord Close(Guid id, Caller caller, OperatorRequestState state, string outcome)
    {
        OperatorRequestRecord? was = null;
        var after = Guard(() => _ctx.ChangeOperator(id, o =>
        {
            was = o;
            return o.IsOpen ? o with { State = state, Completed = _ctx.Now, CompletedBy = caller, Outcome = outcome } : null;
        })) ?? throw NoOperator(id);
        if (was is { IsOpen: false })
        {
            throw new LibraryServiceException(ServiceError.OperatorRequestClosed, NtmsResult.ERROR_INVALID_OPERATION,
                $"operator request {id} is already {was.State}");
        }
        return after;
    }

    public IAsyncEnumerable<ServiceEvent> EventsAsync(CancellationToken ct = default) => _ctx.Events.ReadAsync(ct);

    /// <summary>Database failures leave as RSM's ERROR_DATABASE_FAILURE with the path.</summary>
    private static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (StateDatabaseException e)
        {
            throw new LibraryServiceException(ServiceError.DatabaseFailure,
                e.Kind == StateFailure.Full ? NtmsResult.ERROR_DATABASE_FULL : NtmsResult.ERROR_DATABASE_FAILURE, e.Message, e);
        }
    }

    /// <summary>Stops the pickers without finishing the queue: what is queued stays queued, what is in process is reconciled at the next start.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
        }
        if (_fleet is not null) await _fleet.DisposeAsync().ConfigureAwait(false);
        foreach (var host in _hosts.Values) await host.DisposeAsync().ConfigureAwait(false);
        _ctx.Events.Complete();
    }
}
