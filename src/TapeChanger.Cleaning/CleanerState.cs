using System.Text.Json.Serialization;

namespace TapeChanger.Cleaning;

/// <summary>
/// Persistent cleaner state of one library (schema in <see cref="SchemaVersion"/>). Schema 2 added
/// <see cref="PendingCleaning"/>; a schema 1 file reads with it empty and is written back as schema 2.
/// </summary>
public sealed class CleanerState
{
    public const int CurrentSchema = 2;

    public int SchemaVersion { get; set; } = CurrentSchema;
    public string LibraryKey { get; set; } = "";
    public string Vendor { get; set; } = "";
    public string Product { get; set; } = "";
    public string? Serial { get; set; }
    public CleanerReservation? Reservation { get; set; }
    public CleanerCartridge? Cleaner { get; set; }
    /// <summary>Cleanings per drive, keyed by drive serial (or "element:ADDR" when the library reports none).</summary>
    public Dictionary<string, List<CleaningRecord>> DriveHistory { get; set; } = [];
    public List<OperationRecord> Operations { get; set; } = [];
    /// <summary>
    /// Drives that asked for cleaning and have not been cleaned since, keyed like <see cref="DriveHistory"/>. A request
    /// is kept until a cleaning of that drive passes: TapeAlert read from log page 2Eh is cleared by the read, so the
    /// request must outlive a night whose cleaning failed.
    /// </summary>
    public Dictionary<string, CleaningRequest> PendingCleaning { get; set; } = [];

    /// <summary>The key of a drive in <see cref="DriveHistory"/> and <see cref="PendingCleaning"/>: its serial (DVCID), else "element:ADDR".</summary>
    public static string DriveKey(string? serial, ushort address) => serial is { Length: > 0 } ? serial : $"element:{address}";

    public OperationRecord? Find(Guid id) => Operations.FirstOrDefault(o => o.Id == id);
}

public sealed class CleanerReservation
{
    public ushort Address { get; set; }
    public int Slot { get; set; }
    public DateTimeOffset ReservedAt { get; set; }
}

public sealed class CleanerCartridge
{
    public string? Barcode { get; set; }
    /// <summary>Cleanings left; <see cref="CleanerService.Unlimited"/> (0xFFFFFFFF) means not counted.</summary>
    public uint CleansLeft { get; set; }
    public DateTimeOffset InjectedAt { get; set; }
    public int TimesUsed { get; set; }
    /// <summary>Why the cleaner counts as spent (sense 30/07, TapeAlert 22/23, element 5A/01), when it was marked so.</summary>
    public string? SpentReason { get; set; }
}

/// <summary>A drive's request for cleaning, remembered until a cleaning of the drive passes.</summary>
public sealed class CleaningRequest
{
    /// <summary>Drive number (0-based) when the request was last seen.</summary>
    public int Drive { get; set; }
    public ushort Address { get; set; }
    /// <summary>What asked: "TapeAlert 20: ..." or "sense 00/17: ...".</summary>
    public string Reason { get; set; } = "";
    /// <summary>When the drive first asked (since the last passed cleaning).</summary>
    public DateTimeOffset Since { get; set; }
    /// <summary>When the drive last asked.</summary>
    public DateTimeOffset LastSeen { get; set; }
}

public sealed class CleaningRecord
{
    public DateTimeOffset At { get; set; }
    public int Drive { get; set; }
    public ushort Address { get; set; }
    public string? CleanerBarcode { get; set; }
    public uint CleansLeftAfter { get; set; }
    public Guid Operation { get; set; }
    public string Outcome { get; set; } = "";
}

/// <summary>
/// Operation states, as `tapechanger operations` and the journal name them. Final: passed, failed, cancelled, stopped.
/// Pending (not final): queued, waiting-for-operator, in-process, interrupted.
/// </summary>
public enum OperationState
{
    /// <summary>Journalled; no worker has started it yet.</summary>
    [JsonStringEnumMemberName("queued")] Queued,
    /// <summary>Waiting for the operator (mail slot or door).</summary>
    [JsonStringEnumMemberName("waiting-for-operator")] WaitingForOperator,
    /// <summary>A worker is carrying it out.</summary>
    [JsonStringEnumMemberName("in-process")] InProcess,
    [JsonStringEnumMemberName("passed")] Passed,
    [JsonStringEnumMemberName("failed")] Failed,
    /// <summary>Ended by Ctrl-C (or SIGTERM) of the process carrying it out.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,
    /// <summary>Ended by `--stop` before the operator acted.</summary>
    [JsonStringEnumMemberName("stopped")] Stopped,
    /// <summary>
    /// Lost its worker (killed, crashed) or the library (connection, hardware error, magazine out) after the cleaner
    /// left its slot: not final; `operations recover` resumes it from its step and counts it once.
    /// </summary>
    [JsonStringEnumMemberName("interrupted")] Interrupted,
}

/// <summary>Names and classes of <see cref="OperationState"/>.</summary>
public static class OperationStates
{
    /// <summary>The result an operation that has not ended reports (winerror.h ERROR_IO_PENDING, 997): never ERROR_SUCCESS.</summary>
    public const string PendingResult = nameof(NtmsResult.ERROR_IO_PENDING);

    public static bool IsFinal(this OperationState state) => state is OperationState.Passed or OperationState.Failed or OperationState.Cancelled or OperationState.Stopped;

    /// <summary>The journal name ("queued", "waiting-for-operator", ...).</summary>
    public static string Name(this OperationState state) => state switch
    {
        OperationState.Queued => "queued",
        OperationState.WaitingForOperator => "waiting-for-operator",
        OperationState.InProcess => "in-process",
        OperationState.Passed => "passed",
        OperationState.Failed => "failed",
        OperationState.Cancelled => "cancelled",
        OperationState.Stopped => "stopped",
        _ => "interrupted",
    };

    /// <summary>Every state's journal name, in declaration order (the JSON Schemas list the same).</summary>
    public static IReadOnlyList<string> AllNames { get; } = Enum.GetValues<OperationState>().Select(s => s.Name()).ToList();

    /// <summary>
    /// The result an operation reports: its own once it ended or was interrupted, else ERROR_IO_PENDING (a journal
    /// written before pending results existed holds ERROR_SUCCESS for queued operations).
    /// </summary>
    public static (string Result, uint Code) Outcome(this OperationRecord o) =>
        o.State.IsFinal() || o.Code != 0 && o.Code != (uint)NtmsResult.ERROR_IO_PENDING ? (o.Result, o.Code) : (PendingResult, (uint)NtmsResult.ERROR_IO_PENDING);
}

/// <summary>One queued cleaner operation in the journal.</summary>
public sealed class OperationRecord
{
    public Guid Id { get; set; }
    public OperationKind Kind { get; set; }
    public OperationState State { get; set; } = OperationState.Queued;
    /// <summary>The RSM result name: <see cref="OperationStates.PendingResult"/> until the operation ends (or is interrupted).</summary>
    public string Result { get; set; } = OperationStates.PendingResult;
    public uint Code { get; set; } = (uint)NtmsResult.ERROR_IO_PENDING;
    public string? Message { get; set; }
    /// <summary>What the operation is waiting for, for the operator (progress line).</summary>
    public string? Progress { get; set; }
    public DateTimeOffset Created { get; set; }
    public DateTimeOffset Updated { get; set; }
    public DateTimeOffset? Completed { get; set; }
    public DateTimeOffset? Deadline { get; set; }
    /// <summary>IePort or Door (a clean is journalled as IePort: it uses neither).</summary>
    public CleanerPath Via { get; set; } = CleanerPath.IePort;
    public uint CleansLeft { get; set; }
    public int? Drive { get; set; }
    public bool UnloadFirst { get; set; }
    public bool StopRequested { get; set; }
    public bool Confirmed { get; set; }
    public int? WorkerPid { get; set; }
    /// <summary>Crash-recovery step of a clean (<see cref="CleanStep"/>); null before it starts and for inject/eject.</summary>
    public CleanStep? Step { get; set; }
    public ushort? Element { get; set; }
    public string? Barcode { get; set; }
    /// <summary>Serial of the drive being cleaned (DVCID), the key of its cleaning history.</summary>
    public string? DriveSerial { get; set; }
}

// Enums as their journal names (Operations.cs): files written before the enums were typed read back unchanged.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CleanerState))]
[JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class CleanerJsonContext : JsonSerializerContext;
