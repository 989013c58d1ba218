using System.Text.Json.Serialization;

namespace TapeChanger.Cleaning;

/// <summary>How a cleaner enters or leaves the library (journal JSON: "ieport", "door").</summary>
public enum CleanerPath
{
    /// <summary>Through an import/export element when the library has one, otherwise the door (RSM's rule). Never journalled.</summary>
    [JsonStringEnumMemberName("auto")] Auto,
    /// <summary>NTMS_IEPORT: through an import/export element.</summary>
    [JsonStringEnumMemberName("ieport")] IePort,
    /// <summary>NTMS_IEDOOR: the operator opens the door and uses the reserved slot directly.</summary>
    [JsonStringEnumMemberName("door")] Door,
}

/// <summary>What a journalled operation does (journal JSON: "inject", "eject", "clean").</summary>
public enum OperationKind
{
    [JsonStringEnumMemberName("inject")] Inject,
    [JsonStringEnumMemberName("eject")] Eject,
    [JsonStringEnumMemberName("clean")] Clean,
}

/// <summary>
/// Crash-recovery step of a cleaning (journal JSON: "to-drive", "in-drive", "done"): before the move into the drive,
/// after it, and once the cleaning is counted. A re-run resumes from the step, so a cleaning is counted once.
/// </summary>
public enum CleanStep
{
    [JsonStringEnumMemberName("to-drive")] ToDrive,
    [JsonStringEnumMemberName("in-drive")] InDrive,
    [JsonStringEnumMemberName("done")] Done,
}

/// <summary>The journal's names of the operation enums (as `operations` and its JSON show them).</summary>
public static class OperationNames
{
    public static string Name(this OperationKind kind) => kind switch
    {
        OperationKind.Inject => "inject",
        OperationKind.Eject => "eject",
        _ => "clean",
    };

    public static string Name(this CleanerPath path) => path switch
    {
        CleanerPath.Door => "door",
        CleanerPath.IePort => "ieport",
        _ => "auto",
    };

    public static string? Name(this CleanStep? step) => step switch
    {
        CleanStep.ToDrive => "to-drive",
        CleanStep.InDrive => "in-drive",
        CleanStep.Done => "done",
        _ => null,
    };
}
