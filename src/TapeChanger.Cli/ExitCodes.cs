namespace TapeChanger.Cli;

/// <summary>Process exit codes. Documented in README.md and in `tapechanger --help`; keep the three in step.</summary>
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
    /// <summary>The device is not there or its transport is not available (EX_UNAVAILABLE).</summary>
    public const int DeviceUnavailable = 69;
    /// <summary>A bug: please report it (EX_SOFTWARE).</summary>
    public const int Internal = 70;
    /// <summary>The command could not be carried to the device: I/O error or timeout (EX_IOERR).</summary>
    public const int TransportError = 74;
    /// <summary>The device or its state is busy with another process; try again (EX_TEMPFAIL).</summary>
    public const int Busy = 75;
    /// <summary>Permission denied on the device or state directory (EX_NOPERM).</summary>
    public const int PermissionDenied = 77;
    /// <summary>Invalid configuration: appsettings.json, TAPECHANGER_* values, a state directory that is a file, mhVTL config files, or a corrupt state file (EX_CONFIG).</summary>
    public const int ConfigError = 78;
    /// <summary>Cancelled, e.g. by Ctrl-C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    public static readonly (int Code, string Meaning)[] Table =
    [
        (Success, "success"),
        (OperationRefused, "operation refused: source empty, destination full, no free slot, unknown home slot, operator action refused"),
        (InvalidElement, "no such slot, drive, element or magazine in this library"),
        (NotSupported, "the library does not support the operation"),
        (NotReady, "library not ready or needs the operator (door/mail slot open, magazine out, offline)"),
        (DeviceError, "device error (sense printed), medium rejected, or move not verified"),
        (Usage, "usage error in the command line (unknown word, bad or conflicting values, malformed URI or barcode)"),
        (DataError, "malformed data (decode input or device reply); the message names the offset"),
        (NoInput, "input file missing or unreadable"),
        (DeviceUnavailable, "device not found or transport not available"),
        (Internal, "internal error (a bug)"),
        (TransportError, "I/O error or timeout talking to the device"),
        (Busy, "device or state busy with another process"),
        (PermissionDenied, "permission denied"),
        (ConfigError, "invalid configuration (settings, state directory, mhVTL files) or state file"),
        (80, "cleaner: no cleaner slot reserved (ERROR_NO_SLOT_SET, ERROR_CLEANER_SLOT_NOT_SET)"),
        (81, "cleaner: a cleaner slot is already reserved (ERROR_ALREADY_RESERVED)"),
        (82, "cleaner: slot full, or no free mail slot (ERROR_SLOT_FULL, ERROR_IEPORT_FULL)"),
        (83, "cleaner: slot not installed, magazine missing (ERROR_SLOT_NOT_PRESENT)"),
        (84, "cleaner: reserved slot empty (ERROR_SLOT_EMPTY)"),
        (85, "cleaner: cartridge is not a cleaner (ERROR_INVALID_CLEANER)"),
        (86, "cleaner: cleaner spent (ERROR_CLEANER_CARTRIDGE_SPENT)"),
        (87, "cleaner: drive cannot be cleaned or rejected the cleaner (ERROR_UNABLE_TO_CLEAN, ERROR_UNABLE_TO_LOAD_MEDIUM)"),
        (88, "cleaner: operator did not act in time (ERROR_TIMEOUT)"),
        (89, "cleaner: operation stopped (ERROR_CANCELLED)"),
        (90, "cleaner: no such operation, or not valid in its state (ERROR_OBJECT_NOT_FOUND, ERROR_INVALID_OPERATION)"),
        (Cancelled, "cancelled (Ctrl-C)"),
    ];

    public static string HelpText() =>
        "Exit codes:\n" + string.Join('\n', Table.Select(t => $"  {t.Code,3}  {t.Meaning}"));
}
