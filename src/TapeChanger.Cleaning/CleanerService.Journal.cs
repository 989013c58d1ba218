using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>The operation journal: queue, update, finish, interrupt (every change is one atomic write of the state file).</summary>
public sealed partial class CleanerService
{
    private Guid Queue(CleanerStateStore store, OperationKind kind, CleanerPath via, Action<OperationRecord> init)
    {
        var op = new OperationRecord
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            Via = via == CleanerPath.Door ? CleanerPath.Door : CleanerPath.IePort,
            Created = Now,
            Updated = Now,
            Progress = "queued",
        };
        init(op);
        store.Update(state =>
        {
            // Prune old finished operations so the journal stays small.
            var finished = state.Operations.Where(o => o.State.IsFinal()).OrderBy(o => o.Updated).ToList();
            foreach (var old in finished.Take(Math.Max(0, finished.Count - 200))) state.Operations.Remove(old);
            state.Operations.Add(op);
        });
        return op.Id;
    }

    /// <summary>
    /// A cleaning whose cleaner may be out of its slot (step to-drive or in-drive) that failed on the device rather than
    /// on a rule (connection lost, hardware error such as a move stopped halfway, library not ready, magazine out, a drive
    /// refusing to give the cleaner back).
    /// Marking it failed would strand the cleaner where data commands may not touch it (the reserved slot is off limits).
    /// </summary>
    private static bool Resumable(OperationRecord op, Exception e, CleanerException ce) =>
        op.Kind == OperationKind.Clean && op.Step is CleanStep.ToDrive or CleanStep.InDrive
        && (ce.Result is NtmsResult.ERROR_NOT_CONNECTED or NtmsResult.ERROR_DEVICE_NOT_AVAILABLE or NtmsResult.ERROR_LIBRARY_OFFLINE
            || e is ChangerOperationException { Error: ChangerError.DeviceError or ChangerError.MoveNotVerified or ChangerError.RemovalPrevented });

    private void Interrupt(CleanerStateStore store, Guid id, CleanerException ce) => store.Update(state =>
    {
        var op = state.Find(id)!;
        op.State = OperationState.Interrupted;
        op.Result = ce.Result.ToString();
        op.Code = (uint)ce.Result;
        op.Message = $"interrupted ({ce.Message}); run 'tapechanger operations recover' once the library is back";
        op.Progress = null;
        op.WorkerPid = null;
        op.Updated = Now;
    });

    private OperationRecord Set(CleanerStateStore store, Guid id, Action<OperationRecord> change) => store.Update(state =>
    {
        var op = state.Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");
        change(op);
        op.Updated = Now;
        return op;
    });

    private void Finish(CleanerStateStore store, Guid id, OperationState finalState, NtmsResult result, string? message, Action<CleanerState>? also = null) =>
        store.Update(state =>
        {
            var op = state.Find(id)!;
            if (op.State.IsFinal()) return;
            op.State = finalState;
            op.Result = result.ToString();
            op.Code = (uint)result;
            op.Message = message;
            op.Progress = null;
            op.Updated = Now;
            op.Completed = Now;
            also?.Invoke(state);
        });
}
