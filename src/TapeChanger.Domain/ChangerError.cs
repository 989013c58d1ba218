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

/// <summary>Maps the sense of a failed robot command to an operator-language error (facts.md §4.6, emulators.md §3.3).</summary>
public static class SenseClassifier
{
    public static ChangerOperationException Classify(ScsiCheckConditionException e, string operation)
    {
        var s = e.Sense;
        var (error, text) = Classify(s.Key, s.Asc, s.Ascq, e.Command);
        return new ChangerOperationException(error, $"{operation} failed: {text} [{s.Describe()}]", e);
    }

    /// <summary>
    /// The operator meaning of a sense triplet. <paramref name="key"/> is null for an element's Except ASC/ASCQ
    /// (READ ELEMENT STATUS reports no sense key there).
    /// </summary>
    public static (ChangerError Error, string Text) Classify(SenseKey? key, byte asc, byte ascq, string? command) =>
        (key, asc, ascq) switch
        {
            (_, 0x3B, 0x0E) => (ChangerError.SourceEmpty, "the source element is empty"),
            (_, 0x3B, 0x0D) => (ChangerError.DestinationFull, "the destination element is full"),
            (_, 0x21, 0x01) => (ChangerError.InvalidElement, "the library rejected an element address as invalid"),
            (SenseKey.IllegalRequest, 0x24, 0x00) when command is "MOVE MEDIUM" or "EXCHANGE MEDIUM" or "POSITION TO ELEMENT"
                => (ChangerError.InvalidElement, "the library rejected the request (invalid field in CDB; tgt reports bad element addresses this way)"),
            (SenseKey.IllegalRequest, 0x20, 0x00) => (ChangerError.NotSupported, "the library does not support this command"),
            (SenseKey.HardwareError, 0x04, 0x03) or (SenseKey.HardwareError, 0x15, 0x01) or (_, 0x53, 0x09) or (_, 0x30, 0x00)
                => (ChangerError.DriveRejectedMedium, "the drive rejected the cartridge (incompatible or damaged medium)"),
            (_, 0x53, 0x02) => (ChangerError.RemovalPrevented, "medium removal is prevented (PREVENT MEDIUM REMOVAL is active)"),
            (_, 0x53, 0x03) => (ChangerError.RemovalPrevented, "the drive still holds the cartridge; unload it in the drive first (mt offline)"),
            (_, 0x3A, 0x02) => (ChangerError.OperatorIntervention, "the import/export port is open; close it and retry"),
            (_, 0x04, 0x18) => (ChangerError.OperatorIntervention, "a library door is open; close it and retry"),
            (_, 0x3B, 0x11) or (_, 0x3B, 0x12) => (ChangerError.OperatorIntervention, "a magazine is missing or not accessible; insert it and retry"),
            (SenseKey.NotReady, 0x04, 0x12) => (ChangerError.NotReady, "the library is offline"),
            (SenseKey.NotReady, _, _) => (ChangerError.NotReady, "the library is not ready"),
            (null, _, _) => (ChangerError.DeviceError, "the element is in an abnormal state"),
            _ => (ChangerError.DeviceError, "the library reported an error"),
        };
}
