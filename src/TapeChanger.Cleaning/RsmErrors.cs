using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.State;

namespace TapeChanger.Cleaning;

/// <summary>
/// RSM error mapping: device and domain failures become the result codes the cleaner functions document. The sense
/// rule the client attached to a failure decides (its action and failure category), as it does for the domain.
/// </summary>
public static class RsmErrors
{
    /// <summary>Turns device failures into the RSM codes the cleaner functions document; null for anything else.</summary>
    public static CleanerException? Map(Exception e) => e switch
    {
        CleanerException => null,
        StateDatabaseException d => new(d.Kind == StateFailure.Full ? NtmsResult.ERROR_DATABASE_FULL : NtmsResult.ERROR_DATABASE_FAILURE, d.Message, d),
        ScsiTransportException { Failure: TransportFailure.PermissionDenied } t => new(NtmsResult.ERROR_ACCESS_DENIED, t.Message, t),
        // The device is there but the conversation broke (I/O error, timeout, dropped iSCSI connection): not connected.
        ScsiTransportException { Failure: TransportFailure.Io or TransportFailure.Timeout } t => new(NtmsResult.ERROR_NOT_CONNECTED, t.Message, t),
        ScsiTransportException t => new(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, t.Message, t),
        UnauthorizedAccessException u => new(NtmsResult.ERROR_ACCESS_DENIED, $"permission denied: {u.Message}", u),
        ChangerOperationException { Error: ChangerError.NotReady or ChangerError.OperatorIntervention } c => new(NtmsResult.ERROR_LIBRARY_OFFLINE, c.Message, c),
        // Sense policy MarkCleanerSpent rows (30/07, 30/0B, 30/13) classify as CleaningFailed.
        ChangerOperationException { Error: ChangerError.CleaningFailed } c => new(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, c.Message, c),
        // Not classified by the domain: the rule the client attached decides, as it does for the domain.
        ScsiCheckConditionException s when SenseClassifier.RuleOf(s) is { Action: SenseAction.MarkCleanerSpent }
            => new(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, s.Message, s),
        ScsiCheckConditionException s when SenseClassifier.RuleOf(s).Failure is SenseFailure.NotReady or SenseFailure.OperatorIntervention
            => new(NtmsResult.ERROR_LIBRARY_OFFLINE, s.Message, s),
        ScsiStatusException s => new(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, s.Message, s),
        IOException io => new(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, io.Message, io),
        _ => null,
    };

    public static async ValueTask<T> Guard<T>(Func<ValueTask<T>> action)
    {
        try { return await action().ConfigureAwait(false); }
        catch (Exception e) when (Map(e) is { } mapped) { throw mapped; }
    }

    public static async ValueTask Guard(Func<ValueTask> action)
    {
        try { await action().ConfigureAwait(false); }
        catch (Exception e) when (Map(e) is { } mapped) { throw mapped; }
    }
}
