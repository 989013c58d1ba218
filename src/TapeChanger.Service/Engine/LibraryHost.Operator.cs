using TapeChanger.Cleaning;

namespace TapeChanger.Service.Engine;

/// <summary>
/// Operator requests: the cleaner's inject and eject wait on one (RSM: CLEANER through the mail slot, DEVICESERVICE
/// for the door), raised at the first poll of the cleaner's operator wait and answered there at every poll.
/// </summary>
internal sealed partial class LibraryHost
{
    private readonly Dictionary<Guid, Guid> _requestOfOperation = [];

    private sealed class OperatorHook(LibraryHost host) : IOperatorWaitHook
    {
        public ValueTask<OperatorReply> PollAsync(OperationRecord operation, string waitingFor, CancellationToken ct) =>
            ValueTask.FromResult(host.OperatorPoll(operation, waitingFor));
    }

    private OperatorReply OperatorPoll(OperationRecord op, string waitingFor)
    {
        Guid requestId;
        lock (_lock)
        {
            if (!_requestOfOperation.TryGetValue(op.Id, out requestId)) return OperatorReply.None;
        }
        var r = _ctx.Store.Get(requestId);
        if (r is null) return OperatorReply.None;
        if (r.OperatorRequest is Guid existing && _ctx.Store.GetOperator(existing) is { } o)
        {
            switch (o.State)
            {
                case OperatorRequestState.Complete:
                    if (r.State == RequestState.Waiting) _ctx.Change(r.Id, x => x.State == RequestState.Waiting ? x with { State = RequestState.InProcess, Message = $"the operator did it: {o.Message}" } : null);
                    return new OperatorReply(OperatorAnswer.Satisfied);
                case OperatorRequestState.Refused:
                    return new OperatorReply(OperatorAnswer.Refused, o.Outcome);
                default:
                    return OperatorReply.None;
            }
        }
        var raised = _ctx.RaiseOperator(new OperatorRequestRecord
        {
            Id = Guid.NewGuid(),
            Library = Info.Name,
            Kind = op.Via == CleanerPath.Door ? OperatorRequestKind.DeviceService : OperatorRequestKind.Cleaner,
            State = OperatorRequestState.Submitted,
            Message = waitingFor,
            Request = r.Id,
            Drive = op.Drive,
            Submitted = Now,
            Updated = Now,
        });
        _ctx.Change(r.Id, x => x.IsFinal ? null : x with { State = RequestState.Waiting, OperatorRequest = raised.Id, Message = $"waiting for the operator: {waitingFor}" });
        return OperatorReply.None;
    }

    /// <summary>
    /// InjectNtmsCleaner / EjectNtmsCleaner: started here, then carried out beside the queue (the request is Waiting
    /// while the operator acts; the robot lock orders its move with the picker's). Returns null: finished later.
    /// </summary>
    private async Task<Outcome?> StartWaitingAsync(RequestRecord r, CancellationToken ct)
    {
        var a = r.Arguments;
        Guid op;
        if (_ctx.Store.Journal(r.Id)?.CleanerOperation is Guid started) op = started;
        else
        {
            var timeout = TimeSpan.FromSeconds(a.TimeoutSeconds ?? _ctx.Options.OperatorRequestTimeoutSeconds);
            try
            {
                op = r.Kind == RequestKind.CleanerInject
                    ? await _cleaner.StartInjectAsync(a.Via, a.CleansLeft ?? CleanerService.Unlimited, timeout, ct).ConfigureAwait(false)
                    : await _cleaner.StartEjectAsync(a.Via, timeout, ct).ConfigureAwait(false);
            }
            finally
            {
                AfterSession(statusReadLast: false);
            }
            _ctx.Store.SetJournal(r.Id, new RequestJournal(JournalStep.Moving, null, null, null) { CleanerOperation = op }, Fence);
        }
        lock (_lock)
        {
            _requestOfOperation[op] = r.Id;
            _waiting.Add(r.Id);
            _detached.RemoveAll(t => t.IsCompleted);
            _detached.Add(Task.Run(() => WaitForOperationAsync(r.Id, op, Stopping)));
        }
        return null;
    }

    private async Task WaitForOperationAsync(Guid requestId, Guid op, CancellationToken ct)
    {
        Outcome outcome;
        try
        {
            var ended = await _cleaner.RunAsync(op, null, ct).ConfigureAwait(false);
            outcome = ct.IsCancellationRequested && ended.State == OperationState.Cancelled
                ? new Outcome(NtmsResult.ERROR_CANCELLED, "the service stopped while the request waited for the operator")
                : FromOperation(ended);
        }
        catch (Exception e)
        {
            var (code, message) = EngineContext.Classify(e);
            outcome = new Outcome(code, message);
        }
        finally
        {
            AfterSession(statusReadLast: false);
            lock (_lock)
            {
                _waiting.Remove(requestId);
                _requestOfOperation.Remove(op);
            }
        }
        DropStatus("element status dropped after a cleaner inject or eject");
        var now = _ctx.Store.Get(requestId);
        if (now is null || now.IsFinal) return;
        var final = now with
        {
            State = now.CancelledBy is not null ? RequestState.Cancelled
                : outcome.Result == NtmsResult.ERROR_SUCCESS ? RequestState.Passed : RequestState.Failed,
            Result = now.CancelledBy is not null ? NtmsResult.ERROR_CANCELLED : outcome.Result,
            Message = now.CancelledBy is { } by ? $"cancelled by {by.Name}" : outcome.Message,
            Completed = Now,
        };
        // The operator request closes first: whoever waits on the request sees both ended.
        if (final.OperatorRequest is Guid o) CloseOperator(o, final);
        _ctx.Change(requestId, x => x.IsFinal ? null : final);
    }

    /// <summary>Ends the operator request of a finished request: Complete when it passed, Refused otherwise (timed out, cancelled).</summary>
    private void CloseOperator(Guid id, RequestRecord r) => _ctx.ChangeOperator(id, o => !o.IsOpen ? null : o with
    {
        State = r.State == RequestState.Passed ? OperatorRequestState.Complete : OperatorRequestState.Refused,
        Completed = Now,
        Outcome = r.State switch
        {
            RequestState.Passed => "done: " + r.Message,
            RequestState.Cancelled => "cancelled with its request",
            _ when r.Result == NtmsResult.ERROR_TIMEOUT => "timed out",
            _ => "its request failed: " + r.Message,
        },
    });

    /// <summary>Cancels a waiting request: its operator request is refused, and the cleaner's wait ends at its next poll.</summary>
    public RequestRecord CancelWaiting(RequestRecord r, Caller caller)
    {
        var marked = _ctx.Change(r.Id, x => x.State is RequestState.Waiting or RequestState.InProcess && x.CancelledBy is null ? x with { CancelledBy = caller } : null)!;
        if (marked.OperatorRequest is Guid o)
        {
            _ctx.ChangeOperator(o, x => !x.IsOpen ? null : x with
            {
                State = OperatorRequestState.Refused, Completed = Now, CompletedBy = caller, Outcome = $"request cancelled by {caller.Name}",
            });
        }
        return marked;
    }

    /// <summary>True while the request is carried out beside the queue (waiting cleaner operations).</summary>
    public bool IsWaiting(Guid id)
    {
        lock (_lock) return _waiting.Contains(id);
    }
}
