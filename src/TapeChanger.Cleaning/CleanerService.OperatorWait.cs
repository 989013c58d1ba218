using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>Waiting for the operator: one poll per interval, STOP and the deadline, and the door.</summary>
public sealed partial class CleanerService
{
    /// <summary>Waits one poll interval; returns the fresh record, or null (after finishing it) when STOP or the deadline came.</summary>
    private async Task<OperationRecord?> PollAsync(CleanerStateStore store, Guid id, string waitingFor, IProgress<OperationRecord>? progress, CancellationToken ct, bool first = false)
    {
        if (!first) await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
        var op = Set(store, id, o =>
        {
            o.State = OperationState.WaitingForOperator;
            string left = o.Deadline is { } dl ? $" ({Math.Max(0, (int)(dl - Now).TotalSeconds)} s left)" : "";
            o.Progress = waitingFor + left;
        });
        progress?.Report(op);
        if (_options.OperatorHook is { } hook)
        {
            var reply = await hook.PollAsync(op, waitingFor, ct).ConfigureAwait(false);
            if (reply.Answer == OperatorAnswer.Refused)
            {
                Finish(store, id, OperationState.Failed, NtmsResult.ERROR_CANCELLED,
                    $"the operator refused: {waitingFor}" + (reply.Reason is { Length: > 0 } r ? $" ({r})" : ""));
                return null;
            }
            if (reply.Answer == OperatorAnswer.Satisfied && !op.Confirmed) op = Set(store, id, o => o.Confirmed = true);
        }
        if (op.StopRequested)
        {
            // The IE port is left as the operator sees it.
            Finish(store, id, OperationState.Stopped, NtmsResult.ERROR_CANCELLED, "stopped by request before the time-out");
            return null;
        }
        if (op.Deadline is { } deadline && Now >= deadline)
        {
            Finish(store, id, OperationState.Failed, NtmsResult.ERROR_TIMEOUT, $"gave up: {waitingFor}");
            return null;
        }
        return op;
    }

    /// <summary>Door operations finish when the operator confirms, or when the library reports the door open and then closed.</summary>
    private async Task<bool> WaitForDoorAsync(CleanerStateStore store, Guid id, string instruction, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        bool doorSeenOpen = false;
        bool first = true;
        while (true)
        {
            var op = await PollAsync(store, id, instruction, progress, ct, first).ConfigureAwait(false);
            first = false;
            if (op is null) return false;
            if (op.Confirmed) return true;
            await using var s = await OpenForPollAsync(ct).ConfigureAwait(false);
            if (s is null) continue;
            // One TUR per poll (this loop is the operator wait): door open is a WaitForOperator row (02/04/18 ...).
            var ready = await Guard(() => s.Changer.PollReadyAsync(ct)).ConfigureAwait(false);
            switch (ready.Action)
            {
                case SenseAction.WaitForOperator:
                    doorSeenOpen = true;
                    break;
                case SenseAction.Proceed or SenseAction.RetrySoon when doorSeenOpen:
                    return true;                    // GOOD, or 06/28/00 after the door closed
            }
        }
    }
}
