namespace TapeChanger.Cleaning;

/// <summary>
/// Result codes of the cleaner functions, named as the RSM documentation names them
/// (Microsoft Learn, ntmsapi.h: InjectNtmsCleaner, EjectNtmsCleaner, ReserveNtmsCleanerSlot, CleanNtmsDrive).
/// <para>Codes that exist in winerror.h keep their Win32 values (Microsoft Learn, "System Error Codes"). The names the
/// RSM pages use but winerror.h does not define get application-defined values with bit 29 set (0x2000xxxx, the
/// "customer code" bit of Win32 error codes), so they can never collide with a system code.</para>
/// </summary>
public enum NtmsResult : uint
{
    ERROR_SUCCESS = 0,
    ERROR_ACCESS_DENIED = 5,
    ERROR_INVALID_HANDLE = 6,
    ERROR_INVALID_DRIVE = 15,
    ERROR_INVALID_PARAMETER = 87,
    /// <summary>The operation has not ended yet (queued, waiting for the operator, in process): an operation's result until it ends.</summary>
    ERROR_IO_PENDING = 997,
    ERROR_CANCELLED = 1223,
    ERROR_TIMEOUT = 1460,
    ERROR_NOT_CONNECTED = 2250,
    ERROR_INVALID_LIBRARY = 4301,
    ERROR_LIBRARY_OFFLINE = 4305,
    ERROR_INVALID_CLEANER = 4310,
    ERROR_UNABLE_TO_CLEAN = 4311,
    ERROR_OBJECT_NOT_FOUND = 4312,
    ERROR_DATABASE_FAILURE = 4313,
    ERROR_DATABASE_FULL = 4314,
    ERROR_INVALID_OPERATION = 4317,
    ERROR_DEVICE_NOT_AVAILABLE = 4319,
    ERROR_LIBRARY_FULL = 4322,
    ERROR_UNABLE_TO_LOAD_MEDIUM = 4324,
    ERROR_CLEANER_SLOT_SET = 4331,
    ERROR_CLEANER_SLOT_NOT_SET = 4332,
    ERROR_CLEANER_CARTRIDGE_SPENT = 4333,
    ERROR_CLEANER_CARTRIDGE_INSTALLED = 4340,
    ERROR_IEPORT_FULL = 4341,

    // Application-defined (bit 29): names used by the RSM pages that winerror.h lacks.
    /// <summary>No cleaner slot is reserved (Inject/Eject/ReleaseNtmsCleaner; the Release page calls it ERROR_NO_SLOT_RESERVED).</summary>
    ERROR_NO_SLOT_SET = 0x2000_0001,
    /// <summary>A cleaner slot is already reserved in this library (ReserveNtmsCleanerSlot).</summary>
    ERROR_ALREADY_RESERVED = 0x2000_0002,
    /// <summary>The slot holds media (Reserve), or the reserved slot still holds a cleaner (Release, Inject).</summary>
    ERROR_SLOT_FULL = 0x2000_0003,
    /// <summary>The slot is not installed: its magazine is missing (element not accessible, or Except 3B/11-3B/12).</summary>
    ERROR_SLOT_NOT_PRESENT = 0x2000_0004,
    /// <summary>The slot does not exist in this library (ReserveNtmsCleanerSlot).</summary>
    ERROR_INVALID_SLOT = 0x2000_0005,
    /// <summary>The reserved cleaner slot is empty (EjectNtmsCleaner).</summary>
    ERROR_SLOT_EMPTY = 0x2000_0006,
}

/// <summary>What an RSM result means, in a few words: the CLI adds it where an operation's end is reported (the result name alone says little to an operator).</summary>
public static class NtmsResultText
{
    public static string Describe(NtmsResult r) => r switch
    {
        NtmsResult.ERROR_SUCCESS => "the operation completed successfully",
        NtmsResult.ERROR_ACCESS_DENIED => "access to the library is denied",
        NtmsResult.ERROR_INVALID_HANDLE => "the session handle is not valid",
        NtmsResult.ERROR_INVALID_DRIVE => "the drive does not exist in this library",
        NtmsResult.ERROR_INVALID_PARAMETER => "a parameter is not valid",
        NtmsResult.ERROR_IO_PENDING => "the operation has not ended yet",
        NtmsResult.ERROR_CANCELLED => "the operation was cancelled",
        NtmsResult.ERROR_TIMEOUT => "the operation timed out",
        NtmsResult.ERROR_NOT_CONNECTED => "the library is not connected",
        NtmsResult.ERROR_INVALID_LIBRARY => "the library identifier does not represent a valid library",
        NtmsResult.ERROR_LIBRARY_OFFLINE => "the library is offline or not ready",
        NtmsResult.ERROR_INVALID_CLEANER => "the cartridge is not a cleaner",
        NtmsResult.ERROR_UNABLE_TO_CLEAN => "the drive cannot be cleaned",
        NtmsResult.ERROR_OBJECT_NOT_FOUND => "no such operation",
        NtmsResult.ERROR_DATABASE_FAILURE => "the state database could not be read or written",
        NtmsResult.ERROR_DATABASE_FULL => "the state database is full",
        NtmsResult.ERROR_INVALID_OPERATION => "the operation cannot be stopped or confirmed in its current state",
        NtmsResult.ERROR_DEVICE_NOT_AVAILABLE => "the library is not currently connected",
        NtmsResult.ERROR_LIBRARY_FULL => "no free import/export element",
        NtmsResult.ERROR_UNABLE_TO_LOAD_MEDIUM => "the drive rejected the cleaner",
        NtmsResult.ERROR_CLEANER_SLOT_SET => "a cleaner slot is already reserved",
        NtmsResult.ERROR_CLEANER_SLOT_NOT_SET => "no cleaner slot is reserved",
        NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT => "the cleaner cartridge has no cleanings left",
        NtmsResult.ERROR_CLEANER_CARTRIDGE_INSTALLED => "a cleaner cartridge is present",
        NtmsResult.ERROR_IEPORT_FULL => "the import/export port is not empty",
        NtmsResult.ERROR_NO_SLOT_SET => "this library has no slot reserved as a cleaner slot",
        NtmsResult.ERROR_ALREADY_RESERVED => "this library already has a reserved cleaner slot",
        NtmsResult.ERROR_SLOT_FULL => "the slot holds a cartridge",
        NtmsResult.ERROR_SLOT_NOT_PRESENT => "the slot is not installed (a magazine is missing)",
        NtmsResult.ERROR_INVALID_SLOT => "the slot does not exist in this library",
        NtmsResult.ERROR_SLOT_EMPTY => "the reserved cleaner slot is empty",
        _ => r.ToString(),
    };
}

/// <summary>A cleaner function failed with an RSM result code.</summary>
public sealed class CleanerException(NtmsResult result, string message, Exception? inner = null) : Exception(message, inner)
{
    public NtmsResult Result { get; } = result;
}
