using System.Text.Json.Serialization;
using TapeChanger.Cli.Output;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>Every error answer: one line of JSON, <c>{"error":"..."}</c>.</summary>
public sealed record ErrorBody(string Error);

/// <summary>POST /api/v1/cli: a `tapechanger` command line (without --server/--token), run inside the service.</summary>
public sealed record CliRunBody(string[]? Argv);

/// <summary>What the command printed and its exit code, as the CLI would have.</summary>
public sealed record CliRunResult(int ExitCode, string Stdout, string Stderr, Guid? Request);

/// <summary>POST /api/v1/libraries/{name}/moves.</summary>
public sealed record MoveBody
{
    /// <summary>load, unload, transfer, import, export.</summary>
    public string? Kind { get; init; }
    public int? Slot { get; init; }
    public int? ToSlot { get; init; }
    public int? Drive { get; init; }
    public int? Element { get; init; }
    public int Priority { get; init; }
    /// <summary>Wait for the request to end (default true); false answers 202 with the queued request.</summary>
    public bool? Wait { get; init; }
}

/// <summary>POST /api/v1/libraries/{name}/drives/{drive}/clean and the cleaner functions.</summary>
public sealed record CleanerBody
{
    public int? Slot { get; init; }
    public int? Drive { get; init; }
    public uint? CleansLeft { get; init; }
    public string? Via { get; init; }
    public int? TimeoutSeconds { get; init; }
    public bool UnloadFirst { get; init; }
    public bool? Wait { get; init; }
}

/// <summary>POST .../operator-requests/{id}/refuse.</summary>
public sealed record RefuseBody(string? Reason);

public sealed record LibraryView(string Name, string Device, bool IsDefault, bool AutoCleaning);

public sealed record LibrariesView(IReadOnlyList<LibraryView> Libraries);

/// <summary>The kept state of a library: what the last reads and moves left (the element list as `status --json` has it).</summary>
public sealed record StatusView(string Library, bool Online, string? Problem, DateTimeOffset? ReadAt, int QueueDepth,
    IReadOnlyList<int> DrivesNeedingCleaning, StatusDocument? Status)
{
    /// <summary>
    /// The storage slots by magazine (slot numbers as in the element list). READ ELEMENT STATUS reports no magazines:
    /// the grouping comes from the device's configuration or the hardware profile (<see cref="MagazineSource"/>);
    /// without either, one group holds every slot. Empty while the library has not been read.
    /// </summary>
    public IReadOnlyList<MagazineView> Magazines { get; init; } = [];

    /// <summary>Where <see cref="Magazines"/> comes from: "profile NAME", "virtual library configuration (Magazine size)" or "none".</summary>
    public string MagazineSource { get; init; } = TapeChanger.Domain.MagazineLayout.NoSource;
}

/// <summary>One magazine: its number from 1, its name where the profile gives one, and its storage slots firstSlot..lastSlot.</summary>
public sealed record MagazineView(int Number, string? Name, int FirstSlot, int LastSlot, int Slots);

public sealed record DriveView(int Drive, int Address, bool Full, string? Barcode, int? SourceSlot, string? Identifier, bool NeedsCleaning);

public sealed record DrivesView(string Library, IReadOnlyList<DriveView> Drives);

public sealed record RequestsView(IReadOnlyList<RequestRecord> Requests);

public sealed record OperatorRequestsView(IReadOnlyList<OperatorRequestRecord> OperatorRequests);

public sealed record AuditView(IReadOnlyList<TapeChanger.Access.AuditEntry> Entries);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(CliRunBody))]
[JsonSerializable(typeof(CliRunResult))]
[JsonSerializable(typeof(MoveBody))]
[JsonSerializable(typeof(CleanerBody))]
[JsonSerializable(typeof(RefuseBody))]
[JsonSerializable(typeof(LibrariesView))]
[JsonSerializable(typeof(LibraryView))]
[JsonSerializable(typeof(StatusView))]
[JsonSerializable(typeof(DrivesView))]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(RequestsView))]
[JsonSerializable(typeof(OperatorRequestRecord))]
[JsonSerializable(typeof(OperatorRequestsView))]
[JsonSerializable(typeof(ServiceEvent))]
[JsonSerializable(typeof(AuditView))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
