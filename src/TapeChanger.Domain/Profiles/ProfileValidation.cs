using System.Text.Json;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Domain;

/// <summary>Checks a parsed profile field by field, and words JSON errors for an operator.</summary>
internal static class ProfileValidation
{
    /// <summary>^[a-z0-9][a-z0-9.-]*$</summary>
    private static bool IsProfileName(string name) =>
        name.Length > 0 && (char.IsAsciiDigit(name[0]) || char.IsAsciiLetterLower(name[0]))
        && name.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c) || c is '.' or '-');

    /// <summary>The first problem found, as "field: what is wrong", or null.</summary>
    internal static string? Validate(HardwareProfile p)
    {
        if (string.IsNullOrWhiteSpace(p.Name)) return "name: missing";
        if (!IsProfileName(p.Name)) return $"name: '{p.Name}' must be lower-case letters, digits, '-' and '.'";
        if (p.Match is null) return "match: missing";
        foreach (var (field, pattern) in new[] { ("match.vendor", p.Match.Vendor), ("match.product", p.Match.Product), ("match.revision", p.Match.Revision) })
        {
            if (pattern is null && field != "match.revision") return $"{field}: missing";
            if (pattern is null) continue;
            if (ProfilePattern.IsPlain(pattern)) continue;                   // literal alternatives: a valid expression, nothing to compile
            try { _ = PatternExpression.Parse(pattern); }
            catch (FormatException e) { return $"{field}: /{pattern}/ is not a regular expression ({e.Message})"; }
        }
        if (p.Priority is < 0 or > 1000) return "priority: must be 0 to 1000";
        if (p.Elements is { } el)
        {
            foreach (var (field, r) in new[] { ("transport", el.Transport), ("storage", el.Storage), ("importExport", el.ImportExport), ("dataTransfer", el.DataTransfer) })
            {
                if (r is null) return $"elements.{field}: missing";
                if (r.First is < 0 or > 0xFFFF) return $"elements.{field}.first: {r.First} is not a 16-bit element address";
                if (r.Count < 0 || r.First + (r.Count ?? 0) > 0x10000) return $"elements.{field}.count: {r.Count} runs past address FFFFh";
            }
            if (el.Transport.Count == 0) return "elements.transport.count: a changer has at least one medium transport";
        }
        var res = p.ReadElementStatus;
        if (res is null) return "readElementStatus: must be an object";
        if (res.MaxElements is < 1 or > 0xFFFF) return "readElementStatus.maxElements: must be 1 to 65535";
        if (res.MaxAllocation is < 1024 or > 0xFFFFFF) return "readElementStatus.maxAllocation: must be 1024 to 16777215 (24-bit field)";
        var t = p.Timeouts;
        if (t is null) return "timeouts: must be an object";
        foreach (var (field, v) in new[] { ("defaultSeconds", t.DefaultSeconds), ("moveSeconds", t.MoveSeconds), ("initializeSeconds", t.InitializeSeconds) })
        {
            if (v is < 1 or > 86400) return $"timeouts.{field}: must be 1 to 86400";
        }
        if (t.BecomingReadySeconds is < 0 or > 86400) return "timeouts.becomingReadySeconds: must be 0 to 86400";
        if (p.Cleaning is null) return "cleaning: must be an object";
        if (p.Cleaning.Seconds is < 1 or > 86400) return "cleaning.seconds: must be 1 to 86400";
        if (p.Cleaning.LabelPrefix is not { Length: <= 8 } prefix || !prefix.All(char.IsAsciiLetterOrDigit))
            return "cleaning.labelPrefix: must be 0 to 8 letters or digits";
        if (p.ImportExport is null) return "importExport: must be an object";
        if (p.Magazines is { } mag && MagazinesProblem(mag) is { } magProblem) return magProblem;
        if (p.Documented?.Cleaning is null || p.Documented.ImportExport is null) return "documented: must be an object with cleaning and importExport objects";
        for (int i = 0; i < p.SenseQuirks.Count; i++)
        {
            var q = p.SenseQuirks[i];
            if (q is null) return $"senseQuirks[{i}]: must be an object";
            foreach (var (field, v) in new[] { ("key", q.Key), ("asc", q.Asc), ("ascq", q.Ascq) })
            {
                if (v is null && field == "asc") return $"senseQuirks[{i}].asc: missing";
                if (v is null) continue;
                try
                {
                    byte b = SenseQuirk.HexByte(v);
                    if (field == "key" && b > 0x0F) return $"senseQuirks[{i}].key: {v} is not a sense key (0-F)";
                }
                catch (FormatException e) { return $"senseQuirks[{i}].{field}: {e.Message}"; }
            }
            if (string.IsNullOrWhiteSpace(q.Meaning)) return $"senseQuirks[{i}].meaning: missing";
            if (string.IsNullOrWhiteSpace(q.Source)) return $"senseQuirks[{i}].source: missing";
        }
        foreach (var (path, source) in p.Sources)
        {
            if (string.IsNullOrWhiteSpace(source)) return $"sources.{path}: empty";
        }
        return null;
    }

    private static string? MagazinesProblem(MagazineProfile m)
    {
        if ((m.Slots is null) == (m.Ranges is null)) return "magazines: give either slots (per magazine) or ranges";
        if (m.Slots is < 1 or > 0xFFFF) return "magazines.slots: must be 1 to 65535";
        var ranges = m.Ranges ?? [];
        if (m.Slots is null && ranges.Count == 0) return "magazines.ranges: empty";
        for (int i = 0; i < ranges.Count; i++)
        {
            var r = ranges[i];
            if (r is null) return $"magazines.ranges[{i}]: must be an object";
            if (r.First is < 1 or > 0xFFFF) return $"magazines.ranges[{i}].first: must be a storage slot number 1 to 65535";
            if (r.Count < 1 || r.First + r.Count - 1 > 0xFFFF) return $"magazines.ranges[{i}].count: must be at least 1 and end by slot 65535";
            for (int j = 0; j < i; j++)
            {
                var o = ranges[j];
                if (o is not null && r.First < o.First + o.Count && o.First < r.First + r.Count)
                    return $"magazines.ranges[{i}]: slots {r.First}-{r.First + r.Count - 1} overlap magazines.ranges[{j}]";
            }
        }
        return null;
    }

    private static readonly (string Type, string Values)[] EnumValues =
    [
        (typeof(ProfileReadStrategy).FullName!, "perType, allTypes"),
        (typeof(ProfileDeviceId).FullName!, "withVolumeTag, withoutVolumeTag, unsupported"),
        (typeof(ProfileAvailability).FullName!, "unknown, no, optional, always"),
        (typeof(CleaningDetection).FullName!, "unknown, page1fAce, vendorModePage, notDetectable"),
        (typeof(SenseAction).FullName!, string.Join(", ", Enum.GetNames<SenseAction>())),
        (typeof(SenseFailure).FullName!, string.Join(", ", Enum.GetNames<SenseFailure>())),
    ];

    /// <summary>The JSON error without the serializer's "Path: ... | LineNumber" tail; enum values listed.</summary>
    internal static string JsonProblem(JsonException e)
    {
        foreach (var (type, values) in EnumValues)
        {
            if (e.Message.Contains(type, StringComparison.Ordinal)) return $"not a valid value; expected one of {values}";
        }
        string m = FirstLine(e.Message);
        int tail = m.IndexOf(" Path: ", StringComparison.Ordinal);
        return tail > 0 ? m[..tail] : m;
    }

    private static string FirstLine(string s)
    {
        int nl = s.IndexOfAny(['\r', '\n']);
        return nl >= 0 ? s[..nl] : s;
    }
}
