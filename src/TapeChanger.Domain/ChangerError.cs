using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Domain;

/// <summary>Why a changer operation failed, in operator terms. The CLI maps each to an exit code.</summary>
public enum ChangerError
{
    /// <summary>A slot, drive or element number that the library does not have.</summary>
    InvalidElement,
    /// <summary>The source (slot, drive, IE element) holds no cartridge.</summary>
    SourceEmpty,
    /// <summary>The destination already holds a cartridge.</summary>
    DestinationFull,
    /// <summary>No free storage slot or IE element to complete the request.</summary>
    NoFreeElement,
    /// <summary>The drive's home slot is unknown and no slot was given.</summary>
    SourceUnknown,
    /// <summary>The library does not support the operation (e.g. EXCHANGE MEDIUM per page 1Fh).</summary>
    NotSupported,
    /// <summary>The drive refused the cartridge (wrong generation, damaged, ...).</summary>
    DriveRejectedMedium,
    /// <summary>Medium removal is prevented (PREVENT ALLOW or the drive has not unloaded).</summary>
    RemovalPrevented,
    /// <summary>The library door or the IE port is open, or a magazine is out.</summary>
    OperatorIntervention,
    /// <summary>The library is offline or not ready.</summary>
    NotReady,
    /// <summary>The move was accepted but the library's element status does not show it.</summary>
    MoveNotVerified,
    /// <summary>The element is reserved (the cleaner slot) and data operations may not use it.</summary>
    Reserved,
    /// <summary>Any other device failure (sense data attached).</summary>
    DeviceError,
    /// <summary>Cleaning failed or the cleaning cartridge is used up (30/07, 30/0B, 30/13, element 5A/01).</summary>
    CleaningFailed,
}

/// <summary>A changer operation that failed. <see cref="Exception.Message"/> is operator language.</summary>
public sealed class ChangerOperationException : Exception
{
    public ChangerOperationException(ChangerError error, string message, Exception? inner = null)
        : base(message, inner) => Error = error;

    public ChangerError Error { get; }

    /// <summary>The device sense behind the failure, when there was one.</summary>
    public SenseData? Sense => (InnerException as ScsiCheckConditionException)?.Sense;
}

/// <summary>
/// Maps the sense of a failed command to an operator-language error through the sense policy row the client attached
/// to the exception (profile rows first; <see cref="ScsiCheckConditionException.Rule"/>): the rule's failure category
/// gives the error, its meaning the text, and the message ends with the raw triplet.
/// </summary>
public static class SenseClassifier
{
    public static ChangerOperationException Classify(ScsiCheckConditionException e, string operation)
    {
        ArgumentNullException.ThrowIfNull(e);
        var s = e.Sense;
        var (error, text) = Classify(RuleOf(e));
        return new ChangerOperationException(error, $"{operation} failed: {text} [{s.Describe()}]", e);
    }

    /// <summary>The rule the client attached; the built-in table's row for an exception that came from elsewhere.</summary>
    public static SenseRule RuleOf(ScsiCheckConditionException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Rule ?? SensePolicy.Lookup(e.Key, e.Asc, e.Ascq, e.Command);
    }

    /// <summary>The operator meaning of a rule. A retry or wait row only reaches the domain once its budget is spent.</summary>
    public static (ChangerError Error, string Text) Classify(SenseRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        string text = rule.Action switch
        {
            SenseAction.RetrySoon => $"{rule.Meaning}, and kept reporting it after the retries",
            SenseAction.WaitAndRetry or SenseAction.CleaningInProgress => $"{rule.Meaning}, and did not become ready in time",
            _ => rule.Meaning,
        };
        return (ErrorFor(rule.Failure), text);
    }

    /// <summary>The operator meaning of a sense triplet with the built-in table (and profile rows) — for decoders and tests.</summary>
    public static (ChangerError Error, string Text) Classify(SenseKey? key, byte asc, byte ascq, string? command, IReadOnlyList<SenseRule>? overrides = null) =>
        Classify(SensePolicy.Lookup(key, asc, ascq, command, overrides));

    /// <summary>SenseFailure → ChangerError, one to one.</summary>
    public static ChangerError ErrorFor(SenseFailure failure) => failure switch
    {
        SenseFailure.InvalidElement => ChangerError.InvalidElement,
        SenseFailure.SourceEmpty => ChangerError.SourceEmpty,
        SenseFailure.DestinationFull => ChangerError.DestinationFull,
        SenseFailure.NotSupported => ChangerError.NotSupported,
        SenseFailure.DriveRejectedMedium => ChangerError.DriveRejectedMedium,
        SenseFailure.RemovalPrevented => ChangerError.RemovalPrevented,
        SenseFailure.OperatorIntervention => ChangerError.OperatorIntervention,
        SenseFailure.NotReady => ChangerError.NotReady,
        SenseFailure.CleaningFailed => ChangerError.CleaningFailed,
        SenseFailure.DeviceError => ChangerError.DeviceError,
        _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, null),
    };
}
