namespace TapeChanger.Scsi.Sense;

/// <summary>What the driver does when a command ends with a given sense.</summary>
public enum SenseAction
{
    /// <summary>Re-send at once (unit attention); cached element status is stale afterwards.</summary>
    RetrySoon,
    /// <summary>Wait and retry with backoff up to the profile's limit (NOT READY, becoming ready).</summary>
    WaitAndRetry,
    /// <summary>Tell the operator what to do and wait (door open, pause mode, mail slot open), up to a limit.</summary>
    WaitForOperator,
    /// <summary>Fail with the rule's message.</summary>
    Fail,
    /// <summary>The command succeeded or failed, and the drive asks to be cleaned (00/17, TapeAlert 20/21).</summary>
    MarkDriveNeedsCleaning,
    /// <summary>The cleaning cartridge is used up or was rejected (30/07, TapeAlert 22/23).</summary>
    MarkCleanerSpent,
    /// <summary>Not an error: an element ASC that only informs (30/03 cleaning cartridge present, SMC-3 §6.11 element descriptor ASC/ASCQ).</summary>
    Proceed,
    /// <summary>
    /// A cleaning cartridge is in the drive and the cleaning runs. A client waits it out like <see cref="WaitAndRetry"/>;
    /// the cleaner service, which watches the drive, keeps polling.
    /// </summary>
    CleaningInProgress,
    /// <summary>
    /// The drive has finished with the cleaning cartridge (it wants a new load, or holds no cartridge). A client fails the
    /// command like <see cref="Fail"/>; the cleaner service ends the cleaning cycle.
    /// </summary>
    CleaningDone,
    /// <summary>
    /// A MOVE MEDIUM out of a drive was refused because the drive still holds the cartridge (05/53/03). A client fails
    /// the command like <see cref="Fail"/>; the domain, where it can reach the drive, unloads it (LOAD UNLOAD) once and
    /// sends the move again.
    /// </summary>
    UnloadDriveAndRetry,
}

/// <summary>The operator-level category of a failure; the domain maps it 1:1 onto its error enum.</summary>
public enum SenseFailure
{
    InvalidElement,
    SourceEmpty,
    DestinationFull,
    NotSupported,
    DriveRejectedMedium,
    RemovalPrevented,
    OperatorIntervention,
    NotReady,
    CleaningFailed,
    DeviceError,
}

/// <summary>
/// One row of the sense policy. <see cref="Key"/> null matches any key (and element Except ASC/ASCQ, which carry
/// no key); <see cref="Ascq"/> null matches any qualifier; <see cref="Commands"/> restricts the row to some commands.
/// </summary>
public sealed record SenseRule(
    SenseKey? Key,
    byte Asc,
    byte? Ascq,
    SenseAction Action,
    SenseFailure Failure,
    string Meaning,
    string Source,
    IReadOnlyList<string>? Commands = null)
{
    public bool Matches(SenseKey? key, byte asc, byte ascq, string? command) =>
        (Key is null || Key == key) && Asc == asc && (Ascq is null || Ascq == ascq)
        && (Commands is null || (command is not null && Commands.Contains(command)));
}
