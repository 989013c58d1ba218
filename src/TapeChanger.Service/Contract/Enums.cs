namespace TapeChanger.Service;

/// <summary>
/// What a request asks of a library. Every robot, mail-slot and cleaner operation is one (RSM's work queue items,
/// Microsoft Learn, "NTMS_LMIDINFORMATION" / "NTMS_OPREQUESTINFORMATION" and the Ntms* functions of ntmsapi.h).
/// </summary>
public enum RequestKind
{
    /// <summary>Storage slot → drive (<see cref="RequestArguments.Slot"/>, <see cref="RequestArguments.Drive"/>).</summary>
    Load,
    /// <summary>Drive → its source slot or <see cref="RequestArguments.Slot"/>.</summary>
    Unload,
    /// <summary>Slot → slot (<see cref="RequestArguments.Slot"/> → <see cref="RequestArguments.ToSlot"/>).</summary>
    Transfer,
    /// <summary>Import/export element → storage (optional <see cref="RequestArguments.Slot"/>, <see cref="RequestArguments.Element"/>).</summary>
    Import,
    /// <summary>Storage → import/export element (<see cref="RequestArguments.Slot"/>, optional <see cref="RequestArguments.Element"/>).</summary>
    Export,
    /// <summary>INITIALIZE ELEMENT STATUS, then a fresh read of the whole map.</summary>
    Inventory,
    /// <summary>PREVENT MEDIUM REMOVAL on the import/export elements.</summary>
    IePortLock,
    /// <summary>ALLOW MEDIUM REMOVAL on the import/export elements.</summary>
    IePortUnlock,
    /// <summary>CleanNtmsDrive: clean <see cref="RequestArguments.Drive"/> with the reserved cleaner.</summary>
    Clean,
    /// <summary>ReserveNtmsCleanerSlot (<see cref="RequestArguments.Slot"/>).</summary>
    CleanerReserve,
    /// <summary>ReleaseNtmsCleanerSlot.</summary>
    CleanerRelease,
    /// <summary>InjectNtmsCleaner: waits on a Cleaner operator request (mail slot) or a DeviceService one (door).</summary>
    CleanerInject,
    /// <summary>EjectNtmsCleaner.</summary>
    CleanerEject,
    /// <summary>Runs <see cref="RequestSpec.Command"/> with the library to itself (the CLI's commands sent to the service). Never survives a restart.</summary>
    Command,
}

/// <summary>RSM's work queue states (ntmsapi.h NtmsLmState: NTMS_LM_QUEUED, INPROCESS, WAITING, PASSED, FAILED, CANCELLED).</summary>
public enum RequestState
{
    Queued,
    InProcess,
    /// <summary>Waiting on an operator request.</summary>
    Waiting,
    Passed,
    Failed,
    Cancelled,
}

/// <summary>RSM's operator request types (ntmsapi.h NtmsOpreqCommand: NTMS_OPREQ_NEWMEDIA, CLEANER, DEVICESERVICE, MOVEMEDIA, MESSAGE).</summary>
public enum OperatorRequestKind
{
    NewMedia,
    Cleaner,
    DeviceService,
    MoveMedia,
    Message,
}

/// <summary>RSM's operator request states (ntmsapi.h NtmsOpreqState: NTMS_OPSTATE_SUBMITTED, ACTIVE, INPROGRESS, REFUSED, COMPLETE).</summary>
public enum OperatorRequestState
{
    Submitted,
    Active,
    InProgress,
    Refused,
    Complete,
}

/// <summary>What a caller may do (the server maps tokens and Unix users to these).</summary>
public enum CallerRole
{
    Viewer,
    Operator,
    Admin,
}

/// <summary>What changed, in the event stream.</summary>
public enum ServiceEventKind
{
    /// <summary>A request was queued or changed state (<see cref="ServiceEvent.Request"/>).</summary>
    Request,
    /// <summary>An operator request was raised or changed state (<see cref="ServiceEvent.OperatorRequest"/>).</summary>
    OperatorRequest,
    /// <summary>The kept element map of <see cref="ServiceEvent.Library"/> changed (a move, an inventory, a unit attention).</summary>
    Status,
    /// <summary>A drive reported that it needs cleaning (<see cref="ServiceEvent.Drive"/>, <see cref="ServiceEvent.Message"/>).</summary>
    DriveNeedsCleaning,
    /// <summary>A library could not be opened or went offline (<see cref="ServiceEvent.Message"/>).</summary>
    LibraryOffline,
}

/// <summary>Why the engine refused a call (the server turns these into HTTP codes; the CLI into exit codes).</summary>
public enum ServiceError
{
    UnknownLibrary,
    UnknownRequest,
    UnknownOperatorRequest,
    /// <summary>Bad arguments for the request kind (a missing slot, a priority out of range...).</summary>
    InvalidArgument,
    /// <summary>The request is no longer queued (only queued or waiting requests can be cancelled).</summary>
    NotCancellable,
    /// <summary>The operator request is already refused or complete.</summary>
    OperatorRequestClosed,
    /// <summary>The engine is stopping or stopped.</summary>
    ShuttingDown,
    /// <summary>The database could not be read or written.</summary>
    DatabaseFailure,
    /// <summary>Fleet mode: what was asked runs only on the service holding the library's lease.</summary>
    NotOwner,
}
