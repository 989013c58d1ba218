using System.Collections.Concurrent;
using TapeChanger.Cleaning;
using TapeChanger.Domain;
using TapeChanger.State;

namespace TapeChanger.Service.Engine;

/// <summary>What every library's host shares: the store, the event stream, the clock, the waiters, the settings.</summary>
internal sealed class EngineContext(ServiceStore store, EventHub events, TimeProvider time, LibraryServiceOptions options, LibraryServiceTuning tuning)
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RequestRecord>> _waiters = new();

    public ServiceStore Store { get; } = store;
    public EventHub Events { get; } = events;
    public TimeProvider Time { get; } = time;
    public LibraryServiceOptions Options { get; } = options;
    public LibraryServiceTuning Tuning { get; } = tuning;

    /// <summary>Fleet mode: the lease table (and what the database last confirmed of this service's leases); null otherwise.</summary>
    public Fleet.LeaseStore? Leases { get; init; }

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>Changes a request in the database (under its write lock) and tells the event stream and the waiters.</summary>
    public RequestRecord? Change(Guid id, Func<RequestRecord, RequestRecord?> change, Fleet.Fence? fence = null)
    {
        RequestRecord? changedTo = null;
        var stored = Store.Change(id, r => change(r) is { } c ? changedTo = c with { Updated = Now } : null, fence);
        if (changedTo is not null) Published(changedTo);
        return stored;
    }

    public void Published(RequestRecord r)
    {
        Events.Publish(ServiceEventKind.Request, r.Library, e => e with { Request = r, Message = r.Message });
        if (r.IsFinal && _waiters.TryRemove(r.Id, out var tcs)) tcs.TrySetResult(r);
    }

    public async Task<RequestRecord> WaitAsync(Guid id, CancellationToken ct)
    {
        var tcs = _waiters.GetOrAdd(id, _ => new TaskCompletionSource<RequestRecord>(TaskCreationOptions.RunContinuationsAsynchronously));
        var now = Store.Get(id);
        if (now is null)
        {
            _waiters.TryRemove(id, out _);
            throw new LibraryServiceException(ServiceError.UnknownRequest, NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no request {id}");
        }
        if (now.IsFinal)
        {
            _waiters.TryRemove(id, out _);
            return now;
        }
        if (!Store.Database.IsShared) return await tcs.Task.WaitAsync(ct).ConfigureAwait(false);
        // Fleet mode: another service may own the library and finish the request; its outcome is read from the database.
        while (true)
        {
            await Task.WhenAny(tcs.Task, Task.Delay(Tuning.FleetPollInterval / 4, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (tcs.Task.IsCompleted) return await tcs.Task.ConfigureAwait(false);
            if (Store.Get(id) is { IsFinal: true } done)
            {
                _waiters.TryRemove(id, out _);
                return done;
            }
        }
    }

    public OperatorRequestRecord? ChangeOperator(Guid id, Func<OperatorRequestRecord, OperatorRequestRecord?> change)
    {
        OperatorRequestRecord? changedTo = null;
        var stored = Store.Change(id, o => change(o) is { } c ? changedTo = c with { Updated = Now } : null);
        if (changedTo is not null) Events.Publish(ServiceEventKind.OperatorRequest, changedTo.Library, e => e with { OperatorRequest = changedTo, Message = changedTo.Message });
        return stored;
    }

    public OperatorRequestRecord RaiseOperator(OperatorRequestRecord o)
    {
        Store.Insert(o);
        Events.Publish(ServiceEventKind.OperatorRequest, o.Library, e => e with { OperatorRequest = o, Message = o.Message, Drive = o.Drive });
        return o;
    }

    /// <summary>An RSM code and a one-line reason for any failure of a request.</summary>
    public static (NtmsResult Result, string Message) Classify(Exception e) => e switch
    {
        LibraryServiceException s => (s.Result, s.Message),
        CleanerException c => (c.Result, c.Message),
        StateDatabaseException { Kind: StateFailure.Full } d => (NtmsResult.ERROR_DATABASE_FULL, d.Message),
        StateDatabaseException d => (NtmsResult.ERROR_DATABASE_FAILURE, d.Message),
        _ when RsmErrors.Map(e) is { } m => (m.Result, m.Message),
        ChangerOperationException c => (c.Error switch
        {
            ChangerError.InvalidElement => NtmsResult.ERROR_INVALID_PARAMETER,
            ChangerError.SourceEmpty => NtmsResult.ERROR_SLOT_EMPTY,
            ChangerError.DestinationFull => NtmsResult.ERROR_SLOT_FULL,
            ChangerError.NoFreeElement => NtmsResult.ERROR_LIBRARY_FULL,
            ChangerError.DriveRejectedMedium => NtmsResult.ERROR_UNABLE_TO_LOAD_MEDIUM,
            ChangerError.Reserved => NtmsResult.ERROR_ACCESS_DENIED,
            _ => NtmsResult.ERROR_DEVICE_NOT_AVAILABLE,
        }, c.Message),
        ArgumentException a => (NtmsResult.ERROR_INVALID_PARAMETER, a.Message),
        _ => (NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, e.Message),
    };
}
