using TapeChanger.Cleaning;
using TapeChanger.Domain;

namespace TapeChanger.Cli;

/// <summary>Process exit codes: the constants, and <see cref="Table"/>, from which --help, the error mapping and README are made.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    /// <summary>The library refused the operation: source empty, destination full, no free slot, unknown home slot.</summary>
    public const int OperationRefused = 1;
    /// <summary>A slot, drive or element that the library does not have.</summary>
    public const int InvalidElement = 2;
    /// <summary>The library does not support the operation (e.g. EXCHANGE MEDIUM, no mail slot).</summary>
    public const int NotSupported = 3;
    /// <summary>The library is not ready or needs the operator: door or mail slot open, magazine out, offline.</summary>
    public const int NotReady = 4;
    /// <summary>The device reported an error (sense key/ASC/ASCQ printed), rejected the medium, or a move did not verify.</summary>
    public const int DeviceError = 5;
    /// <summary>Bad command line (sysexits EX_USAGE).</summary>
    public const int Usage = 64;
    /// <summary>Malformed data: a decode input or a device reply that cannot be decoded (EX_DATAERR).</summary>
    public const int DataError = 65;
    /// <summary>An input file that does not exist or cannot be read (EX_NOINPUT).</summary>
    public const int NoInput = 66;
    /// <summary>The device is not there or its transport is not available, tapechanger-full included (EX_UNAVAILABLE: "a support program or file does not exist").</summary>
    public const int DeviceUnavailable = 69;
    /// <summary>A bug: please report it (EX_SOFTWARE).</summary>
    public const int Internal = 70;
    /// <summary>The command could not be carried to the device: I/O error or timeout (EX_IOERR).</summary>
    public const int TransportError = 74;
    /// <summary>The device or its state is busy with another process; try again (EX_TEMPFAIL).</summary>
    public const int Busy = 75;
    /// <summary>Permission denied on the device or state directory (EX_NOPERM).</summary>
    public const int PermissionDenied = 77;
    /// <summary>Invalid configuration: appsettings.json, TAPECHANGER_* values, a state directory that is a file, mhVTL config files, or a state database that cannot be used (EX_CONFIG).</summary>
    public const int ConfigError = 78;
    /// <summary>`clean --if-needed --dry-run`: at least one drive needs cleaning; nothing was done (0: nothing to do).</summary>
    public const int CleaningDue = 91;
    /// <summary>The state database could not be written: the disk (or the database's size limit) is full; nothing was changed (RSM ERROR_DATABASE_FULL).</summary>
    public const int DatabaseFull = 92;
    /// <summary>Cancelled, e.g. by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>
    /// The one exit-code table: each code's meaning (printed by --help, listed in README "Exit codes"; a test holds
    /// the README to it), the domain errors that end with it (<see cref="ErrorMapper"/>) and the RSM results of the
    /// cleaner commands that end with it. An error or result in no row exits <see cref="DeviceError"/>.
    /// </summary>
    public static IReadOnlyList<ExitCodeRow> Table { get; } =
    [
        new(Success, "success (for a cleaner operation not waited for: queued, ERROR_IO_PENDING)", Results: [NtmsResult.ERROR_SUCCESS, NtmsResult.ERROR_IO_PENDING]),
        new(OperationRefused, "operation refused: source empty, destination full, no free slot, unknown home slot; an operator action the virtual library refuses (door or mail slot closed, barcode already in the library)",
            Errors: [ChangerError.SourceEmpty, ChangerError.DestinationFull, ChangerError.NoFreeElement, ChangerError.SourceUnknown, ChangerError.Reserved]),
        new(InvalidElement, "no such slot, drive, element or magazine in this library",
            Errors: [ChangerError.InvalidElement], Results: [NtmsResult.ERROR_INVALID_SLOT, NtmsResult.ERROR_INVALID_DRIVE]),
        new(NotSupported, "the library does not support the operation", Errors: [ChangerError.NotSupported]),
        new(NotReady, "library not ready or needs the operator (door or mail slot open, magazine out, offline)",
            Errors: [ChangerError.NotReady, ChangerError.OperatorIntervention], Results: [NtmsResult.ERROR_LIBRARY_OFFLINE]),
        new(DeviceError, "device error (sense key/ASC/ASCQ and meaning printed), medium rejected, or move not verified",
            Errors: [ChangerError.DeviceError, ChangerError.DriveRejectedMedium, ChangerError.RemovalPrevented, ChangerError.MoveNotVerified, ChangerError.CleaningFailed]),
        new(Usage, "usage error in the command line: unknown command or option, missing or malformed argument, conflicting options, a malformed device URI or barcode",
            Results: [NtmsResult.ERROR_INVALID_PARAMETER]),
        new(DataError, "malformed data (decode input or device reply); the message names the offset"),
        new(NoInput, "input file missing or unreadable"),
        new(DeviceUnavailable, "device not found (also a `virtual:DIR` whose directory does not exist) or transport not available (also `tapechanger-full` missing beside `tapechanger` for a command that goes to a service or uses a PostgreSQL database)",
            Results: [NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, NtmsResult.ERROR_NOT_CONNECTED]),
        new(Internal, "internal error (a bug; please report it)"),
        new(TransportError, "I/O error or timeout talking to the device"),
        new(Busy, "device or state busy with another process"),
        new(PermissionDenied, "permission denied", Results: [NtmsResult.ERROR_ACCESS_DENIED]),
        new(ConfigError, "invalid configuration (appsettings.json, `TAPECHANGER_*` values, a state directory that is a file, mhVTL config files), or a state database that is corrupt, unreadable, locked too long or from a newer tapechanger (ERROR_DATABASE_FAILURE; the message names the file)",
            Results: [NtmsResult.ERROR_DATABASE_FAILURE]),
        new(80, "cleaner: no cleaner slot reserved (ERROR_NO_SLOT_SET, ERROR_CLEANER_SLOT_NOT_SET)", Results: [NtmsResult.ERROR_NO_SLOT_SET, NtmsResult.ERROR_CLEANER_SLOT_NOT_SET]),
        new(81, "cleaner: a cleaner slot is already reserved (ERROR_ALREADY_RESERVED)", Results: [NtmsResult.ERROR_ALREADY_RESERVED, NtmsResult.ERROR_CLEANER_SLOT_SET]),
        new(82, "cleaner: slot full, or no free mail slot (ERROR_SLOT_FULL, ERROR_IEPORT_FULL)",
            Results: [NtmsResult.ERROR_SLOT_FULL, NtmsResult.ERROR_CLEANER_CARTRIDGE_INSTALLED, NtmsResult.ERROR_IEPORT_FULL]),
        new(83, "cleaner: slot not installed, magazine missing (ERROR_SLOT_NOT_PRESENT)", Results: [NtmsResult.ERROR_SLOT_NOT_PRESENT]),
        new(84, "cleaner: reserved slot empty (ERROR_SLOT_EMPTY)", Results: [NtmsResult.ERROR_SLOT_EMPTY]),
        new(85, "cleaner: cartridge is not a cleaner (ERROR_INVALID_CLEANER)", Results: [NtmsResult.ERROR_INVALID_CLEANER]),
        new(86, "cleaner: cleaner spent (ERROR_CLEANER_CARTRIDGE_SPENT)", Results: [NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT]),
        new(87, "cleaner: drive cannot be cleaned or rejected the cleaner (ERROR_UNABLE_TO_CLEAN, ERROR_UNABLE_TO_LOAD_MEDIUM)",
            Results: [NtmsResult.ERROR_UNABLE_TO_CLEAN, NtmsResult.ERROR_UNABLE_TO_LOAD_MEDIUM]),
        new(88, "cleaner: operator did not act in time (ERROR_TIMEOUT)", Results: [NtmsResult.ERROR_TIMEOUT]),
        new(89, "cleaner: operation stopped (ERROR_CANCELLED)", Results: [NtmsResult.ERROR_CANCELLED]),
        new(90, "cleaner: no such operation, or not valid in its state (ERROR_OBJECT_NOT_FOUND, ERROR_INVALID_OPERATION, ERROR_INVALID_HANDLE, ERROR_INVALID_LIBRARY)",
            Results: [NtmsResult.ERROR_OBJECT_NOT_FOUND, NtmsResult.ERROR_INVALID_OPERATION, NtmsResult.ERROR_INVALID_HANDLE, NtmsResult.ERROR_INVALID_LIBRARY]),
        new(CleaningDue, "clean --if-needed --dry-run: at least one drive needs cleaning, nothing was done (0 there: nothing to do)"),
        new(DatabaseFull, "state database full: the disk (or the database's size limit) is full, nothing was changed (ERROR_DATABASE_FULL)", Results: [NtmsResult.ERROR_DATABASE_FULL]),
        new(Cancelled, "cancelled (Ctrl-C)"),
    ];

    /// <summary>The exit code of a domain error (from the table).</summary>
    public static int For(ChangerError error) => Table.FirstOrDefault(r => r.Errors.Contains(error))?.Code ?? DeviceError;

    /// <summary>The exit code of a cleaner command's RSM result (from the table).</summary>
    public static int For(NtmsResult result) => Table.FirstOrDefault(r => r.Results.Contains(result))?.Code ?? DeviceError;

    public static string HelpText() =>
        "Exit codes:\n" + string.Join('\n', Table.Select(t => $"  {t.Code,3}  {t.Meaning}"));
}

/// <summary>One exit code: what it means, and which domain errors and cleaner results end with it.</summary>
public sealed record ExitCodeRow(int Code, string Meaning, IReadOnlyList<ChangerError> Errors, IReadOnlyList<NtmsResult> Results)
{
    public ExitCodeRow(int Code, string Meaning, ChangerError[]? Errors = null, NtmsResult[]? Results = null)
        : this(Code, Meaning, (IReadOnlyList<ChangerError>)(Errors ?? []), Results ?? []) { }
}
