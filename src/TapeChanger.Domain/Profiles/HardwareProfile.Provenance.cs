using System.Globalization;

namespace TapeChanger.Domain;

// Provenance: every field as a path and value, which of them differ from the generic defaults, and the source for each.

public sealed partial class HardwareProfile
{
    /// <summary>
    /// Every field as "path = value" (match, name, description, priority and sources excluded), for comparing a profile
    /// with the generic defaults: each path whose value differs from <c>new HardwareProfile()</c> needs a source.
    /// </summary>
    public IReadOnlyDictionary<string, string> Facts()
    {
        var f = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (Match.Revision is not null) f["match.revision"] = Match.Revision;
        if (Elements is not null) f["elements"] = Elements.ToString();
        f["readElementStatus.strategy"] = ReadElementStatus.Strategy.ToString();
        f["readElementStatus.maxElements"] = Str(ReadElementStatus.MaxElements);
        f["readElementStatus.maxAllocation"] = Str(ReadElementStatus.MaxAllocation);
        f["readElementStatus.deviceId"] = ReadElementStatus.DeviceId.ToString();
        f["readElementStatus.currentData"] = ReadElementStatus.CurrentData.ToString();
        f["timeouts.defaultSeconds"] = Str(Timeouts.DefaultSeconds);
        f["timeouts.moveSeconds"] = Str(Timeouts.MoveSeconds);
        f["timeouts.initializeSeconds"] = Str(Timeouts.InitializeSeconds);
        f["timeouts.becomingReadySeconds"] = Str(Timeouts.BecomingReadySeconds);
        f["cleaning.seconds"] = Str(Cleaning.Seconds);
        f["cleaning.labelPrefix"] = Cleaning.LabelPrefix;
        f["cleaning.cleanerMediumType2Trusted"] = Cleaning.CleanerMediumType2Trusted.ToString();
        f["importExport.preventLocksMailSlot"] = ImportExport.PreventLocksMailSlot.ToString();
        f["documented.cleaning.hiddenSlots"] = Documented.Cleaning.HiddenSlots.ToString();
        f["documented.cleaning.libraryManaged"] = Documented.Cleaning.LibraryManaged.ToString();
        f["documented.cleaning.libraryManagedDetection"] = Documented.Cleaning.LibraryManagedDetection.ToString();
        f["documented.importExport.exposedAsElement"] = Documented.ImportExport.ExposedAsElement.ToString();
        if (Magazines is not null) f["magazines"] = Magazines.ToString();
        f["ejectBeforeUnload"] = EjectBeforeUnload.ToString();
        for (int i = 0; i < SenseQuirks.Count; i++) f[$"senseQuirks[{i}]"] = SenseQuirks[i].ToString();
        return f;
    }

    /// <summary>Paths of <see cref="Facts"/> whose value differs from the generic defaults.</summary>
    public IReadOnlyList<string> DifferingFields()
    {
        var generic = new HardwareProfile().Facts();
        return Facts().Where(kv => !generic.TryGetValue(kv.Key, out var g) || g != kv.Value).Select(kv => kv.Key).ToList();
    }

    /// <summary>The source for a field path: the entry for the path itself or for its closest parent ("elements" covers "elements.storage").</summary>
    public string? SourceFor(string path)
    {
        for (string? p = path; p is not null; p = Parent(p))
        {
            if (Sources.TryGetValue(p, out var s)) return s;
        }
        return null;
    }

    private static string? Parent(string path)
    {
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut > 0 ? path[..cut] : null;
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);
}
