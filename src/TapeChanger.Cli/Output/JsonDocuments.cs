using System.Text.Json.Serialization;

namespace TapeChanger.Cli.Output;

// The --json contract. Every document has "ok"; failures carry "error". Names are camelCase.

public sealed record ErrorInfo(string Kind, int ExitCode, string Message)
{
    public string? SenseKey { get; init; }
    public int? Asc { get; init; }
    public int? Ascq { get; init; }
    public string? Sense { get; init; }
    public int? Offset { get; init; }
}

public sealed record ErrorDocument(ErrorInfo Error)
{
    [JsonPropertyOrder(-1)] public bool Ok => false;
}

public sealed record ElementJson : IElementJson
{
    bool IElementJson.HasCleaningMembers => NeedsCleaning is not null || Cleaning is not null;

    public required string Type { get; init; }
    public required int Address { get; init; }
    public required bool Full { get; init; }
    public string? Barcode { get; init; }
    public string? AlternateBarcode { get; init; }
    public int? Source { get; init; }
    public required string MediumType { get; init; }
    public required bool Except { get; init; }
    public required int Asc { get; init; }
    public required int Ascq { get; init; }
    public required bool Access { get; init; }
    public required bool ImpExp { get; init; }
    public string? Identifier { get; init; }
    // status only:
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Slot { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Drive { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? SourceSlot { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Cleaner { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Serial { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? InEnab { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? ExEnab { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Partial { get; init; }
    /// <summary>A drive's vendor and product from its DVCID identifier (status only), where the library reports them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Model { get; init; }
    /// <summary>True on the storage slot reserved for the cleaner (status only).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? ReservedCleanerSlot { get; init; }
    /// <summary>A drive's remembered request for cleaning (status only), until a cleaning of it passes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public NeedsCleaningJson? NeedsCleaning { get; init; }
    /// <summary>A cleaning of the drive that has not ended (status only): queued, in process, or interrupted.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public CleaningNowJson? Cleaning { get; init; }
    /// <summary>The meaning of <see cref="Asc"/>/<see cref="Ascq"/> in words, when <see cref="Except"/> is set (SPC-4 Annex D wording).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? ExceptText { get; init; }
}

/// <summary>The drive's unfinished cleaning: its operation, state (queued, in-process, interrupted, ...), step (to-drive, in-drive) and start.</summary>
public sealed record CleaningNowJson(Guid Operation, string State, string? Step, DateTimeOffset Since);

/// <summary>Why a drive needs cleaning and since when; <c>remembered</c>: the drive no longer says so, the library's state does.</summary>
public sealed record NeedsCleaningJson(string Reason, DateTimeOffset Since)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Drive { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Serial { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Remembered { get; init; }
}

public sealed record RangeJson(int First, int Count);

public sealed record ElementMapJson(RangeJson Transport, RangeJson Storage, RangeJson ImportExport, RangeJson DataTransfer);

public sealed record LibraryJson(string Vendor, string Product, string Revision, string? Serial);

public sealed record StatusDocument(string Device, LibraryJson Library, ElementMapJson ElementMap, IReadOnlyList<ElementJson> Elements)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record CapabilitiesJson(IReadOnlyList<string> Storage, IReadOnlyDictionary<string, IReadOnlyList<string>> MoveFrom, IReadOnlyDictionary<string, IReadOnlyList<string>> ExchangeFrom, bool Exchange);

public sealed record NtmsObjectJson(string Kind, int? Element, int? Slot, int? Drive, string? Serial, Guid Id);

public sealed record InquiryDocument(string Device, string Vendor, string Product, string Revision, string? Serial, int DeviceType, ElementMapJson? ElementMap, CapabilitiesJson? Capabilities, IReadOnlyList<string> Notes)
{
    /// <summary>Deterministic RSM object ids (library, storage slots, drives) for the Ntms facade.</summary>
    public Guid? LibraryId { get; init; }
    public string? Profile { get; init; }
    public string? ProfileReason { get; init; }
    /// <summary>"match" (INQUIRY matched), "fallback" (generic-smc), "option" (--profile).</summary>
    public string? ProfileSelectedBy { get; init; }
    /// <summary>hw-profiles/NAME.json for a shipped profile, else the override file's path.</summary>
    public string? ProfileFile { get; init; }
    public bool? ProfileOverride { get; init; }
    public IReadOnlyList<NtmsObjectJson>? NtmsObjects { get; init; }

    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record MoveDocument(string Operation, int Source, int Destination, string? Barcode)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record MessageDocument(string Message)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record PageJson(string Type, bool PrimaryVolumeTag, bool AlternateVolumeTag, int DescriptorLength, int ByteCount, int Descriptors, bool Truncated);

public sealed record ElementStatusDocument(int FirstElementAddress, int ElementsAvailable, int ByteCount, int BytesReceived, int MissingBytes, bool Truncated, IReadOnlyList<PageJson> Pages, IReadOnlyList<ElementJson> Elements)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record SenseDocument(int ResponseCode, string Format, bool Deferred, string SenseKey, int SenseKeyCode, int Asc, int Ascq, string Meaning, string Description, long? Information, bool? FieldPointerInCdb, int? FieldPointerByte, int? FieldPointerBit, int? Progress)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record DesignatorJson(string Type, int CodeSet, int Association, string Value);

public sealed record InquiryDecodeDocument(string Kind, int? DeviceType, string? Vendor, string? Product, string? Revision, string? VendorSpecific, IReadOnlyList<int>? VersionDescriptors, IReadOnlyList<int>? SupportedPages, string? Serial, IReadOnlyList<DesignatorJson>? Designators, bool Truncated)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record ModePageJson(int PageCode, int Subpage, bool Saveable, string Data, string? Name)
{
    public ElementMapJson? ElementAddressAssignment { get; init; }
    public CapabilitiesJson? Capabilities { get; init; }
    public IReadOnlyList<bool>? Rotate { get; init; }
}

public sealed record ModeSenseDocument(string Variant, int ModeDataLength, int DeviceSpecific, int BlockDescriptorLength, bool Truncated, IReadOnlyList<ModePageJson> Pages)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record LogParameterJson(int Code, int Control, string Value);

public sealed record TapeAlertJson(int Number, string Name);

public sealed record LogSenseDocument(int PageCode, int Subpage, bool Truncated, IReadOnlyList<LogParameterJson> Parameters, IReadOnlyList<TapeAlertJson>? TapeAlerts)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

/// <summary>
/// One journalled operation. <c>state</c>: queued, waiting-for-operator, in-process, interrupted (pending: <c>final</c>
/// false, result ERROR_IO_PENDING unless an interruption recorded its cause) or passed, failed, cancelled, stopped.
/// </summary>
public sealed record OperationJson(Guid Id, string Kind, string State, bool Final, string Result, uint Code, string? Message, string? Progress, string Via,
    int? Drive, string? Barcode, DateTimeOffset Created, DateTimeOffset Updated, DateTimeOffset? Completed, DateTimeOffset? Deadline, string? Step, int? WorkerPid);

/// <summary>`operations ID --json`: the one operation.</summary>
public sealed record OperationDocument(OperationJson Operation)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

/// <summary>One drive of `clean --all` / `clean --if-needed`: why it was picked, its operation and its result.</summary>
public sealed record DriveCleaningJson(int Drive, string? Serial, string Trigger, string Result, uint Code, int ExitCode, Guid? Operation, string? State, string? Message);

/// <summary>A progress event of a cleaner operation (--json: one per line on stderr).</summary>
public sealed record ProgressEvent(Guid Operation, string Kind, string State, string Result, uint Code, int? Drive, string Progress, DateTimeOffset At)
{
    [JsonPropertyOrder(-1)] public string Event => "progress";
}

/// <summary>
/// Every cleaner command's answer: the RSM result name and number, plus what it produced. <c>ok</c>: done
/// (ERROR_SUCCESS) or accepted and not ended yet (ERROR_IO_PENDING: queued for a worker, without --wait).
/// </summary>
public sealed record CleanerResultDocument(bool Ok, string Result, uint Code, string Message)
{
    public Guid? Operation { get; init; }
    public OperationJson? Details { get; init; }
    /// <summary>clean --if-needed: the drives that need cleaning (fresh and remembered requests).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<NeedsCleaningJson>? NeedsCleaning { get; init; }
    /// <summary>The operation's state when the command returns (queued when a worker carries it out).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? State { get; init; }
    /// <summary>clean --all / --if-needed: one entry per drive acted on; the exit status is the highest of their exit codes.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<DriveCleaningJson>? Drives { get; init; }
    /// <summary>clean --if-needed --dry-run: true when nothing was done because of the option.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? DryRun { get; init; }
}

public sealed record CleaningJson(DateTimeOffset At, int Drive, int Address, string? Cleaner, uint CleansLeftAfter, string Outcome);

public sealed record CleanerStatusDocument(string Library, int? ReservedSlot, int? ReservedAddress, string? Cleaner, uint? CleansLeft, bool Unlimited,
    IReadOnlyDictionary<string, IReadOnlyList<CleaningJson>> History, IReadOnlyList<OperationJson> Operations)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
    /// <summary>ERROR_CLEANER_CARTRIDGE_SPENT when the cleaner is used up (cleanings left 0), with why.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CleanerResult { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SpentReason { get; init; }
    /// <summary>Drives with a remembered request for cleaning, keyed by serial (or "element:ADDR").</summary>
    public IReadOnlyDictionary<string, NeedsCleaningJson> PendingCleaning { get; init; } = new Dictionary<string, NeedsCleaningJson>();
    public string Result => "ERROR_SUCCESS";
    public uint Code => 0;
}

public sealed record OperationsDocument(IReadOnlyList<OperationJson> Operations)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

/// <summary>One injected fault of the virtual library (`virtual fault add|list`).</summary>
public sealed record FaultJson(int Id, string Kind, string? Command, int? Element, int? Drive, int? Remaining, DateTimeOffset? Until,
    string? Sense, int? Magazine, bool AfterExecute, int Fired, string Description);

public sealed record FaultsDocument(string Message, IReadOnlyList<FaultJson> Faults)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record ListedDrive(int Drive, int Element, string? Serial, string? Uri, string? TapePath, string Pairing);

public sealed record ListedDevice(string Uri, string Kind, string? Vendor, string? Product, string? Revision, string? Serial, string? Path, string? Note)
{
    public IReadOnlyList<ListedDrive>? Drives { get; init; }
}

public sealed record ListDocument(IReadOnlyList<ListedDevice> Devices)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

public sealed record ProfileJson(string Name, int Priority, string Vendor, string Product, string? Revision, string File, bool Override, string? Description);

public sealed record ProfilesDocument(string Directory, bool DirectoryExists, IReadOnlyList<ProfileJson> Profiles)
{
    [JsonPropertyOrder(-1)] public bool Ok => true;
}

/// <summary>`db check`: what the integrity check found, the schema, and the rows per table.</summary>
public sealed record DbCheckDocument(string Path, bool Exists, bool IntegrityOk, IReadOnlyList<string> Problems, int SchemaVersion,
    IReadOnlyList<int> AppliedVersions, IReadOnlyDictionary<string, long> Tables);

/// <summary>`db backup` / `db restore`: the database, the other file, the schema, and the replaced database kept by a restore.</summary>
public sealed record DbFileDocument(string Database, string File, int SchemaVersion, string? Replaced);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorDocument))]
[JsonSerializable(typeof(StatusDocument))]
[JsonSerializable(typeof(InquiryDocument))]
[JsonSerializable(typeof(MoveDocument))]
[JsonSerializable(typeof(MessageDocument))]
[JsonSerializable(typeof(ElementStatusDocument))]
[JsonSerializable(typeof(SenseDocument))]
[JsonSerializable(typeof(InquiryDecodeDocument))]
[JsonSerializable(typeof(ModeSenseDocument))]
[JsonSerializable(typeof(LogSenseDocument))]
[JsonSerializable(typeof(CleanerResultDocument))]
[JsonSerializable(typeof(CleanerStatusDocument))]
[JsonSerializable(typeof(OperationsDocument))]
[JsonSerializable(typeof(OperationDocument))]
[JsonSerializable(typeof(ProgressEvent))]
[JsonSerializable(typeof(ListDocument))]
[JsonSerializable(typeof(ProfilesDocument))]
[JsonSerializable(typeof(FaultsDocument))]
[JsonSerializable(typeof(DbCheckDocument))]
[JsonSerializable(typeof(DbFileDocument))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
