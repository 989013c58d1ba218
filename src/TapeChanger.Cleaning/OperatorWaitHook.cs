namespace TapeChanger.Cleaning;

/// <summary>What the operator answered to a waiting operation, as far as the hook knows.</summary>
public enum OperatorAnswer
{
    /// <summary>Nothing yet: keep waiting (and polling the library).</summary>
    None,
    /// <summary>The operator says it is done (as 'operations confirm' does).</summary>
    Satisfied,
    /// <summary>The operator will not do it: the operation fails with ERROR_CANCELLED.</summary>
    Refused,
}

/// <summary>The hook's answer, with the operator's reason when refused.</summary>
public sealed record OperatorReply(OperatorAnswer Answer, string? Reason = null)
{
    public static OperatorReply None { get; } = new(OperatorAnswer.None);
}

/// <summary>
/// A seam into the operator wait of inject and eject (<see cref="CleanerService"/>): asked at every poll while an
/// operation waits for the operator, with what it waits for. A service raises an operator request there (RSM's
/// CLEANER or DEVICESERVICE) and answers with what the operator did; the journal's STOP, confirmation and deadline
/// work as without it.
/// </summary>
public interface IOperatorWaitHook
{
    ValueTask<OperatorReply> PollAsync(OperationRecord operation, string waitingFor, CancellationToken ct);
}
