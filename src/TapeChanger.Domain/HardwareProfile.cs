using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>
/// One hw-profiles/*.json file: how a library model behaves, with the source of every fact. A default-constructed
/// profile is the generic SMC behaviour; a profile only states what differs, and <see cref="Sources"/> cites each difference.
/// </summary>
public sealed class HardwareProfile
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public ProfileMatch Match { get; set; } = new();
    public int Priority { get; set; }

    /// <summary>Element address ranges used when MODE SENSE page 1Dh fails; null = none known.</summary>
    public ElementDefaults? Elements { get; set; }
    public ReadElementStatusProfile ReadElementStatus { get; set; } = new();
    public TimeoutProfile Timeouts { get; set; } = new();
    public CleaningProfile Cleaning { get; set; } = new();
    public ImportExportProfile ImportExport { get; set; } = new();

    /// <summary>The drive must be told to eject before a MOVE out of it (mtx COMPATABILITY EZ-17; QSC-MD SPMER).</summary>
    public bool EjectBeforeUnload { get; set; }

    public List<SenseQuirk> SenseQuirks { get; set; } = [];

    /// <summary>Field path ("elements", "readElementStatus.strategy", "senseQuirks[0]") → the document or capture stating it.</summary>
    public Dictionary<string, string> Sources { get; set; } = [];

    public bool Matches(string vendor, string product, string? revision = null) =>
        IsMatch(vendor, Match.Vendor) && IsMatch(product, Match.Product)
        && (Match.Revision is null || IsMatch(revision ?? "", Match.Revision));

    private static bool IsMatch(string value, string pattern) =>
        Regex.IsMatch(value.Trim(), pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>The knobs the SMC client obeys, from this profile.</summary>
    public ChangerQuirks ToQuirks() => new()
    {
        ReadStrategy = ReadElementStatus.Strategy == ProfileReadStrategy.AllTypes ? ReadElementStatusStrategy.AllTypes : ReadElementStatusStrategy.PerType,
        MaxElementsPerRead = ReadElementStatus.MaxElements,
        MaxAllocation = ReadElementStatus.MaxAllocation,
        DeviceId = ReadElementStatus.DeviceId switch
        {
            ProfileDeviceId.WithoutVolumeTag => DeviceIdSupport.WithoutVolumeTag,
            ProfileDeviceId.Unsupported => DeviceIdSupport.Unsupported,
            _ => DeviceIdSupport.WithVolumeTag,
        },
        CurrentData = ReadElementStatus.CurrentData,
        DefaultTimeout = TimeSpan.FromSeconds(Timeouts.DefaultSeconds),
        MoveTimeout = TimeSpan.FromSeconds(Timeouts.MoveSeconds),
        InitializeTimeout = TimeSpan.FromSeconds(Timeouts.InitializeSeconds),
        BecomingReadyLimit = TimeSpan.FromSeconds(Timeouts.BecomingReadySeconds),
        DefaultAddresses = Elements?.ToAssignment(),
        EjectBeforeUnload = EjectBeforeUnload,
        PreventLocksMailSlot = ImportExport.PreventLocksMailSlot,
        SenseRules = SenseQuirks.Select(q => q.ToRule()).ToList(),
    };

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
        f["cleaning.hiddenSlots"] = Cleaning.HiddenSlots.ToString();
        f["cleaning.libraryManaged"] = Cleaning.LibraryManaged.ToString();
        f["cleaning.libraryManagedDetection"] = Cleaning.LibraryManagedDetection.ToString();
        f["cleaning.cleanerMediumType2Trusted"] = Cleaning.CleanerMediumType2Trusted.ToString();
        f["importExport.exposedAsElement"] = ImportExport.ExposedAsElement.ToString();
        f["importExport.preventLocksMailSlot"] = ImportExport.PreventLocksMailSlot.ToString();
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

public sealed class ProfileMatch
{
    /// <summary>INQUIRY vendor identification (bytes 8-15), trimmed; regular expression, case-insensitive.</summary>
    public string Vendor { get; set; } = ".*";
    /// <summary>INQUIRY product identification (bytes 16-31), trimmed.</summary>
    public string Product { get; set; } = ".*";
    /// <summary>INQUIRY product revision level (bytes 32-35); null matches any (docs/reference/library-behaviour.md §23: firmware-specific entries).</summary>
    public string? Revision { get; set; }
}

/// <summary>First address and count of one element type.</summary>
public sealed class ElementRangeProfile
{
    public int First { get; set; }
    /// <summary>Null where the source gives the first address only (the count depends on the configuration).</summary>
    public int? Count { get; set; }

    public override string ToString() => $"{First}x{(Count is int c ? c.ToString(CultureInfo.InvariantCulture) : "?")}";
}

/// <summary>Default element address assignment (what page 1Dh would say), used when MODE SENSE 1Dh fails.</summary>
public sealed class ElementDefaults
{
    public ElementRangeProfile Transport { get; set; } = new();
    public ElementRangeProfile Storage { get; set; } = new();
    public ElementRangeProfile ImportExport { get; set; } = new();
    public ElementRangeProfile DataTransfer { get; set; } = new();

    /// <summary>The page-1Dh equivalent, or null when a count is unknown (documented first addresses only).</summary>
    public ElementAddressAssignment? ToAssignment() =>
        Transport.Count is int mt && Storage.Count is int st && ImportExport.Count is int ie && DataTransfer.Count is int dt
            ? new((ushort)Transport.First, (ushort)mt, (ushort)Storage.First, (ushort)st, (ushort)ImportExport.First, (ushort)ie, (ushort)DataTransfer.First, (ushort)dt)
            : null;

    public override string ToString() => $"MT {Transport} ST {Storage} IE {ImportExport} DT {DataTransfer}";
}

public enum ProfileReadStrategy
{
    [JsonStringEnumMemberName("perType")] PerType,
    [JsonStringEnumMemberName("allTypes")] AllTypes,
}

public enum ProfileDeviceId
{
    [JsonStringEnumMemberName("withVolumeTag")] WithVolumeTag,
    [JsonStringEnumMemberName("withoutVolumeTag")] WithoutVolumeTag,
    [JsonStringEnumMemberName("unsupported")] Unsupported,
}

/// <summary>Whether a library feature is present; "unknown" where no source says (docs/reference/library-behaviour.md: "not found" is not "no").</summary>
public enum ProfileAvailability
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("no")] No,
    /// <summary>Depends on the library's configuration (front panel, partition setting).</summary>
    [JsonStringEnumMemberName("optional")] Optional,
    [JsonStringEnumMemberName("always")] Always,
}

/// <summary>How the host can tell that the library manages cleaning itself.</summary>
public enum CleaningDetection
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    /// <summary>MODE SENSE page 1Fh byte 3 bit 2 ACE (docs/reference/library-behaviour.md §4).</summary>
    [JsonStringEnumMemberName("page1fAce")] Page1FAce,
    /// <summary>A vendor mode page (IBM/Quantum 20h, Magnum 25h); the source names the page and bit.</summary>
    [JsonStringEnumMemberName("vendorModePage")] VendorModePage,
    /// <summary>Only visible at the library's panel or web UI.</summary>
    [JsonStringEnumMemberName("notDetectable")] NotDetectable,
}

public sealed class ReadElementStatusProfile
{
    public ProfileReadStrategy Strategy { get; set; } = ProfileReadStrategy.PerType;
    public int MaxElements { get; set; } = 1000;
    public int MaxAllocation { get; set; } = 0xFFFF;
    public ProfileDeviceId DeviceId { get; set; } = ProfileDeviceId.WithVolumeTag;
    public bool CurrentData { get; set; }
}

public sealed class TimeoutProfile
{
    public int DefaultSeconds { get; set; } = 60;
    public int MoveSeconds { get; set; } = 600;
    public int InitializeSeconds { get; set; } = 3600;
    public int BecomingReadySeconds { get; set; } = 300;
}

public sealed class CleaningProfile
{
    /// <summary>Cleaning cycle time assumed when the drive cannot be polled.</summary>
    public int Seconds { get; set; } = 300;
    /// <summary>Label prefix of cleaning cartridges (<see cref="CleanerRecognition.For"/>).</summary>
    public string LabelPrefix { get; set; } = CleanerRecognition.DefaultPrefix;
    /// <summary>Cleaning slots without an element address (the host cannot reserve or see them).</summary>
    public ProfileAvailability HiddenSlots { get; set; } = ProfileAvailability.Unknown;
    /// <summary>The library cleans drives by itself (auto-clean).</summary>
    public ProfileAvailability LibraryManaged { get; set; } = ProfileAvailability.Unknown;
    public CleaningDetection LibraryManagedDetection { get; set; } = CleaningDetection.Unknown;
    /// <summary>
    /// Medium type 2 in the element descriptor means "cleaning" (SMC-3); false where the vendor documents otherwise, and
    /// then only the label marks a cleaner (<see cref="CleanerRecognition.IsCleaner"/>).
    /// </summary>
    public bool CleanerMediumType2Trusted { get; set; } = true;
}

public sealed class ImportExportProfile
{
    /// <summary>The mail slot is an import/export element (false: small loaders whose mail slot SCSI never sees).</summary>
    public bool ExposedAsElement { get; set; } = true;
    /// <summary>PREVENT MEDIUM REMOVAL locks the mail slot.</summary>
    public bool PreventLocksMailSlot { get; set; }
}

/// <summary>A profile's sense row; hex strings as they appear in manuals ("06", "28", null = any).</summary>
public sealed class SenseQuirk
{
    public string? Key { get; set; }
    public string Asc { get; set; } = "";
    public string? Ascq { get; set; }
    public SenseAction Action { get; set; }
    public SenseFailure Failure { get; set; }
    /// <summary>What happened, in operator language.</summary>
    public string Meaning { get; set; } = "";
    public string Source { get; set; } = "";
    /// <summary>Restricts the row to these commands ("MOVE MEDIUM"...); null = any.</summary>
    public List<string>? Commands { get; set; }

    public SenseRule ToRule() => new(
        Key is null ? null : (SenseKey)HexByte(Key), HexByte(Asc), Ascq is null ? null : HexByte(Ascq),
        Action, Failure, Meaning, Source, Commands);

    internal static byte HexByte(string s)
    {
        var t = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s;
        if (t.Length is < 1 or > 2 || !byte.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            throw new FormatException($"'{s}' is not a hex byte");
        return b;
    }

    public override string ToString() => $"{Key ?? "*"}/{Asc}/{Ascq ?? "*"} {Action} {Failure}";
}

/// <summary>How a profile was chosen.</summary>
public enum ProfileSelectionKind
{
    /// <summary>INQUIRY matched the profile's patterns.</summary>
    Match,
    /// <summary>No specific profile matched; generic-smc.</summary>
    Fallback,
    /// <summary>--profile NAME on the command line.</summary>
    Forced,
}

/// <summary>The profile chosen for a library and why. <see cref="File"/> is the file it came from (a shipped resource or an override path).</summary>
public sealed record ProfileSelection(HardwareProfile Profile, string Reason)
{
    public ProfileSelectionKind Kind { get; init; } = ProfileSelectionKind.Match;
    public string? File { get; init; }
}

/// <summary>A set of profiles: the shipped ones, optionally overridden by name from a directory.</summary>
public sealed class ProfileCatalog
{
    private readonly Dictionary<string, (HardwareProfile Profile, string File)> _byName;

    public ProfileCatalog(IEnumerable<(HardwareProfile Profile, string File)> profiles)
    {
        _byName = new Dictionary<string, (HardwareProfile, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in profiles) _byName[p.Profile.Name] = p;
    }

    public IReadOnlyList<HardwareProfile> Profiles => _byName.Values.Select(v => v.Profile).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    public string FileOf(HardwareProfile profile) => _byName.TryGetValue(profile.Name, out var v) ? v.File : "";

    public HardwareProfile? Find(string name) => _byName.TryGetValue(name, out var v) ? v.Profile : null;

    /// <summary>
    /// The shipped profiles, with every *.json in <paramref name="overrideDirectory"/> replacing the shipped profile of the
    /// same name (or adding a new one). A broken file throws <see cref="InvalidDataException"/> naming the file and field.
    /// </summary>
    public static ProfileCatalog Load(string? overrideDirectory)
    {
        var list = HardwareProfiles.ShippedWithFiles.ToList();
        if (overrideDirectory is not null && Directory.Exists(overrideDirectory))
        {
            foreach (var file in Directory.GetFiles(overrideDirectory, "*.json").Order(StringComparer.Ordinal))
            {
                string text;
                try { text = System.IO.File.ReadAllText(file); }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new InvalidDataException($"hardware profile {file} cannot be read: {e.Message}", e);
                }
                var p = HardwareProfiles.Parse(text, file);
                list.RemoveAll(x => string.Equals(x.Profile.Name, p.Name, StringComparison.OrdinalIgnoreCase));
                list.Add((p, file));
            }
        }
        return new ProfileCatalog(list);
    }

    /// <summary>The highest-priority profile matching the INQUIRY identity; on equal priority the more specific (revision) one.</summary>
    public ProfileSelection Select(string vendor, string product, string? revision = null)
    {
        var match = _byName.Values
            .Where(v => v.Profile.Matches(vendor, product, revision))
            .OrderByDescending(v => v.Profile.Priority).ThenByDescending(v => v.Profile.Match.Revision is not null).ThenBy(v => v.Profile.Name, StringComparer.Ordinal)
            .Select(v => ((HardwareProfile, string)?)v).FirstOrDefault()
            ?? throw new InvalidDataException("no hardware profile matches, not even generic-smc");
        var (p, file) = match;
        bool generic = p.Match.Vendor == ".*" && p.Match.Product == ".*" && p.Match.Revision is null;
        string reason = generic
            ? $"no specific profile for {vendor} {product}; using the generic SMC profile"
            : $"INQUIRY vendor '{vendor}' matches /{p.Match.Vendor}/ and product '{product}' matches /{p.Match.Product}/"
              + (p.Match.Revision is null ? "" : $" and revision '{revision}' matches /{p.Match.Revision}/");
        return new ProfileSelection(p, reason) { Kind = generic ? ProfileSelectionKind.Fallback : ProfileSelectionKind.Match, File = file };
    }

    /// <summary>The profile named on the command line; unknown names list the known ones.</summary>
    public ProfileSelection Force(string name)
    {
        if (!_byName.TryGetValue(name, out var v))
            throw new ArgumentException($"unknown hardware profile '{name}'; known profiles: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}");
        return new ProfileSelection(v.Profile, $"--profile {v.Profile.Name}") { Kind = ProfileSelectionKind.Forced, File = v.File };
    }
}

/// <summary>The shipped profiles (embedded from hw-profiles/*.json) and the matching rule.</summary>
public static class HardwareProfiles
{
    private static readonly Lazy<IReadOnlyList<(HardwareProfile Profile, string File)>> Shipped = new(LoadShipped);
    private static readonly Lazy<ProfileCatalog> ShippedCatalog = new(() => new ProfileCatalog(Shipped.Value));

    public static IReadOnlyList<HardwareProfile> All => Shipped.Value.Select(v => v.Profile).ToList();

    /// <summary>Shipped profiles with their file name ("hw-profiles/NAME.json").</summary>
    public static IReadOnlyList<(HardwareProfile Profile, string File)> ShippedWithFiles => Shipped.Value;

    public static HardwareProfile Parse(string json, string source)
    {
        HardwareProfile p;
        try
        {
            p = JsonSerializer.Deserialize(json, ProfileJsonContext.Default.HardwareProfile) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            string path = e.Path is { Length: > 2 } jp ? $" at {jp.TrimStart('$', '.')}" : "";
            string line = e.LineNumber is long l ? $" (line {l + 1})" : "";
            throw new InvalidDataException($"hardware profile {source} is invalid{path}{line}: {JsonProblem(e)}", e);
        }
        string? problem = Validate(p);
        if (problem is not null) throw new InvalidDataException($"hardware profile {source} is invalid: {problem}");
        return p;
    }

    /// <summary>The first problem found, as "field: what is wrong", or null.</summary>
    private static string? Validate(HardwareProfile p)
    {
        if (string.IsNullOrWhiteSpace(p.Name)) return "name: missing";
        if (!Regex.IsMatch(p.Name, "^[a-z0-9][a-z0-9.-]*$", RegexOptions.None, TimeSpan.FromSeconds(1))) return $"name: '{p.Name}' must be lower-case letters, digits, '-' and '.'";
        if (p.Match is null) return "match: missing";
        foreach (var (field, pattern) in new[] { ("match.vendor", p.Match.Vendor), ("match.product", p.Match.Product), ("match.revision", p.Match.Revision) })
        {
            if (pattern is null && field != "match.revision") return $"{field}: missing";
            if (pattern is null) continue;
            try { _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)); }
            catch (ArgumentException e) { return $"{field}: /{pattern}/ is not a regular expression ({FirstLine(e.Message)})"; }
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
        if (p.Cleaning.LabelPrefix is null || !Regex.IsMatch(p.Cleaning.LabelPrefix, "^[A-Za-z0-9]{0,8}$", RegexOptions.None, TimeSpan.FromSeconds(1)))
            return "cleaning.labelPrefix: must be 0 to 8 letters or digits";
        if (p.ImportExport is null) return "importExport: must be an object";
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

    /// <summary>The profile as JSON (a template for a new profile: 'tapechanger profiles NAME').</summary>
    public static string ToJson(HardwareProfile profile) => JsonSerializer.Serialize(profile, WriteContext.Value.HardwareProfile);

    private static readonly Lazy<ProfileJsonContext> WriteContext = new(() =>
        new ProfileJsonContext(new JsonSerializerOptions(ProfileJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

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
    private static string JsonProblem(JsonException e)
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

    /// <summary>The highest-priority shipped profile matching the INQUIRY vendor and product (and revision, where a profile asks).</summary>
    public static ProfileSelection Select(string vendor, string product, IEnumerable<HardwareProfile>? profiles = null) =>
        Select(vendor, product, null, profiles);

    public static ProfileSelection Select(string vendor, string product, string? revision, IEnumerable<HardwareProfile>? profiles = null) =>
        profiles is null
            ? ShippedCatalog.Value.Select(vendor, product, revision)
            : new ProfileCatalog(profiles.Select(p => (p, ""))).Select(vendor, product, revision);

    private static IReadOnlyList<(HardwareProfile, string)> LoadShipped()
    {
        var asm = typeof(HardwareProfiles).Assembly;
        var list = new List<(HardwareProfile, string)>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("hw-profiles.", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var r = new StreamReader(s);
            string file = "hw-profiles/" + name["hw-profiles.".Length..];
            list.Add((Parse(r.ReadToEnd(), file), file));
        }
        return list;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(HardwareProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
