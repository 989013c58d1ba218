using TapeChanger.Service.Engine;
using TapeChanger.State;

namespace TapeChanger.Service.Fleet;

/// <summary>
/// One per service in fleet mode: every <see cref="LibraryServiceTuning.FleetTick"/> it renews the leases this service
/// holds (one UPDATE for all of them), stops the hosts whose lease is gone, takes free leases of the libraries it
/// serves (up to a fair share of the fleet's libraries among the live services; a library free for longer than a lease
/// is taken whatever the share), and hands queued requests to the hosts it owns: at once on a NOTIFY, else at the next
/// poll. When the database cannot be reached for longer than the lease minus the fence margin, it stops every host
/// (the lease may be someone else's by then) and takes leases again when the database is back.
/// </summary>
internal sealed class FleetCoordinator : IAsyncDisposable
{
    private readonly LeaseStore _leases;
    private readonly IReadOnlyDictionary<string, LibraryHost> _hosts;
    private readonly ServiceStore _store;
    private readonly LibraryServiceTuning _tuning;
    private readonly Action<string>? _log;
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<Fence> _fenceLost = new();
    private readonly HashSet<string> _mine;
    private Task? _loop, _listen;
    private int _notified;

    public FleetCoordinator(LeaseStore leases, IReadOnlyDictionary<string, LibraryHost> hosts, ServiceStore store, LibraryServiceTuning tuning, Action<string>? log)
    {
        _leases = leases;
        _hosts = hosts;
        _store = store;
        _tuning = tuning;
        _log = log;
        _mine = [.. hosts.Keys];
        foreach (var h in hosts.Values) h.FenceLost += (_, f) => { _fenceLost.Enqueue(f); _wake.Release(); };
    }

    public string Owner => _leases.Owner;

    public LeaseStore Leases => _leases;

    public void Start()
    {
        _leases.Ensure(_hosts.Keys);
        _loop = Task.Run(() => LoopAsync(_stop.Token));
        _listen = Task.Run(() => _store.Database.ListenAsync(ServiceStore.RequestChannel, _ => { Interlocked.Exchange(ref _notified, 1); _wake.Release(); },
            why => _log?.Invoke($"fleet: notifications lost ({why}); polling until they are back"), _stop.Token));
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var lastRenewed = DateTimeOffset.UtcNow;
        var nextPoll = DateTimeOffset.MinValue;
        string? outage = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                while (_fenceLost.TryDequeue(out var lost))
                {
                    if (_hosts.TryGetValue(lost.Library, out var h) && h.Fence == lost) h.BeginLoseOwnership("a write under the lease was refused");
                    _leases.Release(lost);
                }
                int members = Math.Max(1, _leases.Heartbeat(_tuning.LeaseTime));
                var held = _leases.RenewAll(_tuning.LeaseTime);
                lastRenewed = DateTimeOffset.UtcNow;
                if (outage is not null) _log?.Invoke($"fleet: the database is reachable again (was: {outage})");
                outage = null;
                foreach (var h in _hosts.Values)
                {
                    if (h.Fence is { } f && (!held.TryGetValue(f.Library, out long token) || token != f.Token))
                    {
                        h.BeginLoseOwnership("the lease expired or another service took it");
                    }
                }
                foreach (var (library, token) in held)
                {
                    // A lease renewed for a host that is not picking under it (its picker stopped on a refused or
                    // failed write, and giving it up did not reach the database): give it up, to be taken afresh.
                    if (_hosts.TryGetValue(library, out var h) && h.Fence is null && h.CanTakeOwnership) _leases.Release(new Fence(library, Owner, token));
                }
                await AcquireAsync(members, ct).ConfigureAwait(false);
                var now = DateTimeOffset.UtcNow;
                if (Interlocked.Exchange(ref _notified, 0) == 1 || now >= nextPoll)
                {
                    nextPoll = now + _tuning.FleetPollInterval;
                    Intake();
                    Report();
                }
            }
            catch (StateDatabaseException e)
            {
                outage ??= e.Message;
                if (DateTimeOffset.UtcNow - lastRenewed > _tuning.LeaseTime - _tuning.FenceMargin)
                {
                    foreach (var h in _hosts.Values)
                    {
                        if (h.Fence is not null) h.BeginLoseOwnership($"the database is unreachable ({e.Message})");
                    }
                }
            }
            try { await _wake.WaitAsync(_tuning.FleetTick, ct).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task AcquireAsync(int members, CancellationToken ct)
    {
        var (free, heldCount, total) = _leases.Scan(_mine);
        int fair = (total + members - 1) / members;
        if (heldCount > fair && free.Count == 0)
        {
            // More than a fair share since other services joined: hand idle libraries over (at most 25 per tick).
            foreach (var shed in _hosts.Values.Where(h => h.Fence is not null && h.QueueDepth == 0).Take(Math.Min(25, heldCount - fair)).ToList())
            {
                if (shed.Fence is not { } idle) continue;
                await shed.LoseOwnershipAsync("handed over: more than a fair share of the fleet's libraries").ConfigureAwait(false);   // idle: stops at once
                _leases.Release(idle);
                _log?.Invoke($"fleet: handed library {idle.Library} over ({heldCount--} held, fair share {fair})");
            }
            return;
        }
        foreach (var (library, freeForMs) in free.OrderBy(_ => Random.Shared.Next()))
        {
            if (ct.IsCancellationRequested) return;
            if (heldCount >= fair && freeForMs < _tuning.LeaseTime.TotalMilliseconds) continue;
            if (!_hosts[library].CanTakeOwnership) continue;     // its last picker is still stopping
            if (_leases.TryAcquire(library, _tuning.LeaseTime) is { } fence)
            {
                heldCount++;
                _log?.Invoke($"fleet: took library {library} (fencing token {fence.Token})");
                _hosts[library].TakeOwnership(fence);
            }
        }
    }

    private readonly Dictionary<string, (long Token, string? Health, int Depth, string Drives, bool Cleaning, string? Key)> _reported = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes each owned library's health, queue depth, cleaning state (drives asking for cleaning, a Clean in
    /// process) and identity key for the control plane, only when they changed.
    /// </summary>
    private void Report()
    {
        foreach (var h in _hosts.Values)
        {
            if (h.Fence is not { } f) continue;
            var now = (f.Token, h.Problem, h.QueueDepth, LeaseStore.FormatDrives(h.DrivesNeedingCleaning), h.Cleaning, h.LibraryKey);
            if (_reported.TryGetValue(f.Library, out var was) && was == now) continue;
            _leases.Report(f, now.Problem, now.QueueDepth, now.Item4, now.Cleaning, now.LibraryKey);
            _reported[f.Library] = now;
        }
    }

    private void Intake()
    {
        foreach (var group in _store.Queued().GroupBy(r => r.Library))
        {
            if (_hosts.TryGetValue(group.Key, out var h) && h.Fence is not null) h.Intake(group);
        }
    }

    /// <summary>Stops taking and renewing, stops the hosts' pickers, and gives the leases up so another service takes them at once.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try { await Task.WhenAll(new[] { _loop, _listen }.OfType<Task>()).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        foreach (var h in _hosts.Values)
        {
            if (h.Fence is not { } f) continue;
            await h.LoseOwnershipAsync("the service is stopping").ConfigureAwait(false);
            try { _leases.Release(f); }
            catch (StateDatabaseException) { /* it expires by itself */ }
        }
        _stop.Dispose();
    }
}
