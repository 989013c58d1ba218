using System.Text.Json;
using System.Text.Json.Serialization;

namespace TapeChanger.Domain;

// The catalog: the shipped profiles, override files from the configuration directory, and choosing one for a library.

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

/// <summary>
/// A set of profiles: the shipped ones, optionally overridden by name from a directory. Choosing one for a library
/// reads only the shipped files' name, match and priority; the chosen profile alone is parsed and validated (override
/// files are parsed when the catalog is loaded, so a broken one fails before the device is touched).
/// </summary>
public sealed class ProfileCatalog
{
    private readonly Dictionary<string, ProfileEntry> _byName;

    public ProfileCatalog(IEnumerable<(HardwareProfile Profile, string File)> profiles)
        : this(profiles.Select(p => ProfileEntry.Parsed(p.Profile, p.File)))
    {
    }

    private ProfileCatalog(IEnumerable<ProfileEntry> entries)
    {
        _byName = new Dictionary<string, ProfileEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries) _byName[e.Name] = e;
    }

    /// <summary>Every profile, parsed (the 'profiles' listing; a shipped file that does not parse throws here).</summary>
    public IReadOnlyList<HardwareProfile> Profiles => _byName.Values.Select(v => v.Profile).OrderBy(p => p.Name, StringComparer.Ordinal).ToList();

    public string FileOf(HardwareProfile profile) => _byName.TryGetValue(profile.Name, out var v) ? v.File : "";

    public HardwareProfile? Find(string name) => _byName.TryGetValue(name, out var v) ? v.Profile : null;

    /// <summary>
    /// The shipped profiles, with every *.json in <paramref name="overrideDirectory"/> replacing the shipped profile of the
    /// same name (or adding a new one). A broken override file throws <see cref="InvalidDataException"/> naming the file and field.
    /// </summary>
    public static ProfileCatalog Load(string? overrideDirectory)
    {
        var list = HardwareProfiles.ShippedEntries.Select(e => e.Unparsed()).ToList();
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
                list.RemoveAll(x => string.Equals(x.Name, p.Name, StringComparison.OrdinalIgnoreCase));
                list.Add(ProfileEntry.Parsed(p, file));
            }
        }
        return new ProfileCatalog(list);
    }

    /// <summary>The names of the profiles parsed so far (tests: selection parses only the chosen one).</summary>
    internal IReadOnlyList<string> ParsedNames() => _byName.Values.Where(v => v.IsParsed).Select(v => v.Name).Order(StringComparer.Ordinal).ToList();

    internal static ProfileCatalog FromEntries(IEnumerable<ProfileEntry> entries) => new(entries);

    /// <summary>The highest-priority profile matching the INQUIRY identity; on equal priority the more specific (revision) one.</summary>
    public ProfileSelection Select(string vendor, string product, string? revision = null)
    {
        // The first by highest priority, then a revision-specific match, then name. A loop, not OrderBy().ThenBy():
        // in a NativeAOT binary ThenBy is a generic virtual method whose instantiation is built at run time (about
        // 0.4 million instructions at every start; callgrind, docs/performance.md).
        ProfileEntry? entry = null;
        foreach (var v in _byName.Values)
        {
            if (ProfilePattern.Matches(v.Match, vendor, product, revision) && (entry is null || Before(v, entry))) entry = v;
        }
        if (entry is null) throw new InvalidDataException("no hardware profile matches, not even generic-smc");
        var p = entry.Profile;
        bool generic = p.Match.Vendor == ".*" && p.Match.Product == ".*" && p.Match.Revision is null;
        string reason = generic
            ? $"no specific profile for {vendor} {product}; using the generic SMC profile"
            : $"INQUIRY vendor '{vendor}' matches /{p.Match.Vendor}/ and product '{product}' matches /{p.Match.Product}/"
              + (p.Match.Revision is null ? "" : $" and revision '{revision}' matches /{p.Match.Revision}/");
        return new ProfileSelection(p, reason) { Kind = generic ? ProfileSelectionKind.Fallback : ProfileSelectionKind.Match, File = entry.File };
    }

    private static bool Before(ProfileEntry a, ProfileEntry b)
    {
        if (a.Priority != b.Priority) return a.Priority > b.Priority;
        bool ar = a.Match.Revision is not null, br = b.Match.Revision is not null;
        if (ar != br) return ar;
        return string.CompareOrdinal(a.Name, b.Name) < 0;
    }

    /// <summary>The profile named on the command line; unknown names list the known ones.</summary>
    public ProfileSelection Force(string name)
    {
        if (!_byName.TryGetValue(name, out var v))
            throw new ArgumentException($"unknown hardware profile '{name}'; known profiles: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}");
        return new ProfileSelection(v.Profile, $"--profile {v.Profile.Name}") { Kind = ProfileSelectionKind.Forced, File = v.File };
    }
}

/// <summary>
/// One catalog entry: what selection needs (name, match, priority) and the profile itself, parsed on first use. A
/// shipped entry's head comes from a scan of its JSON that reads only those three members.
/// </summary>
internal sealed class ProfileEntry
{
    private readonly Func<HardwareProfile>? _parse;
    private HardwareProfile? _profile;

    private ProfileEntry(string name, ProfileMatch match, int priority, string file, HardwareProfile? profile, Func<HardwareProfile>? parse)
    {
        Name = name;
        Match = match;
        Priority = priority;
        File = file;
        _profile = profile;
        _parse = parse;
    }

    public string Name { get; }
    public ProfileMatch Match { get; }
    public int Priority { get; }
    public string File { get; }

    /// <summary>The whole profile, parsed and validated once.</summary>
    public HardwareProfile Profile => _profile ??= _parse!();

    public bool IsParsed => _profile is not null;

    /// <summary>The same entry with its own parse (a catalog's parsing is its own; the scan is shared).</summary>
    public ProfileEntry Unparsed() => _parse is null ? this : new(Name, Match, Priority, File, null, _parse);

    public static ProfileEntry Parsed(HardwareProfile p, string file) => new(p.Name, p.Match, p.Priority, file, p, null);

    public static ProfileEntry Lazy(ProfileHead head, string file, Func<HardwareProfile> parse) =>
        new(head.Name, head.Match, head.Priority, file, null, parse);
}

/// <summary>The shipped profiles (embedded from hw-profiles/*.json) and the matching rule.</summary>
public static class HardwareProfiles
{
    private static readonly Lazy<IReadOnlyList<ProfileEntry>> Shipped = new(LoadShipped);
    private static readonly Lazy<ProfileCatalog> ShippedCatalog = new(() => ProfileCatalog.FromEntries(Shipped.Value));

    /// <summary>Every shipped profile, parsed.</summary>
    public static IReadOnlyList<HardwareProfile> All => Shipped.Value.Select(v => v.Profile).ToList();

    /// <summary>Shipped profiles with their file name ("hw-profiles/NAME.json"), parsed.</summary>
    public static IReadOnlyList<(HardwareProfile Profile, string File)> ShippedWithFiles => Shipped.Value.Select(v => (v.Profile, v.File)).ToList();

    internal static IReadOnlyList<ProfileEntry> ShippedEntries => Shipped.Value;

    public static HardwareProfile Parse(string json, string source) =>
        Parse(() => JsonSerializer.Deserialize(json, ProfileJsonContext.Default.HardwareProfile), source);

    private static HardwareProfile Parse(byte[] utf8, string source) =>
        Parse(() => JsonSerializer.Deserialize(utf8, ProfileJsonContext.Default.HardwareProfile), source);

    /// <summary>A shipped file: read without the serializer's metadata (<see cref="ShippedProfileReader"/>), else parsed by it.</summary>
    internal static HardwareProfile ParseShipped(byte[] utf8, string source)
    {
        HardwareProfile p;
        try
        {
            p = ShippedProfileReader.Read(utf8);
        }
        catch (JsonException)
        {
            return Parse(utf8, source);
        }
        string? problem = ProfileValidation.Validate(p);
        if (problem is not null) throw new InvalidDataException($"hardware profile {source} is invalid: {problem}");
        return p;
    }

    private static HardwareProfile Parse(Func<HardwareProfile?> deserialize, string source)
    {
        HardwareProfile p;
        try
        {
            p = deserialize() ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            string path = e.Path is { Length: > 2 } jp ? $" at {jp.TrimStart('$', '.')}" : "";
            string line = e.LineNumber is long l ? $" (line {l + 1})" : "";
            throw new InvalidDataException($"hardware profile {source} is invalid{path}{line}: {ProfileValidation.JsonProblem(e)}", e);
        }
        string? problem = ProfileValidation.Validate(p);
        if (problem is not null) throw new InvalidDataException($"hardware profile {source} is invalid: {problem}");
        return p;
    }

    /// <summary>The profile as JSON (a template for a new profile: 'tapechanger profiles NAME').</summary>
    public static string ToJson(HardwareProfile profile) => JsonSerializer.Serialize(profile, WriteContext.Value.HardwareProfile);

    private static readonly Lazy<ProfileJsonContext> WriteContext = new(() =>
        new ProfileJsonContext(new JsonSerializerOptions(ProfileJsonContext.Default.Options) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));

    /// <summary>The highest-priority shipped profile matching the INQUIRY vendor and product (and revision, where a profile asks).</summary>
    public static ProfileSelection Select(string vendor, string product, IEnumerable<HardwareProfile>? profiles = null) =>
        Select(vendor, product, null, profiles);

    public static ProfileSelection Select(string vendor, string product, string? revision, IEnumerable<HardwareProfile>? profiles = null) =>
        profiles is null
            ? ShippedCatalog.Value.Select(vendor, product, revision)
            : new ProfileCatalog(profiles.Select(p => (p, ""))).Select(vendor, product, revision);

    /// <summary>
    /// The shipped files' heads (name, match and priority), read when the assembly was built
    /// (<see cref="ShippedProfileFiles"/>.Head; a test holds them to <see cref="ProfileHead.Scan"/>), else scanned here;
    /// the rest is parsed when the profile is used. The files are compiled into the assembly (no file is read), and a
    /// status run parses one of them.
    /// </summary>
    private static IReadOnlyList<ProfileEntry> LoadShipped()
    {
        var list = new List<ProfileEntry>(ShippedProfileFiles.Names.Length);
        for (int i = 0; i < ShippedProfileFiles.Names.Length; i++)
        {
            int index = i;
            string file = "hw-profiles/" + ShippedProfileFiles.Names[i];
            ProfileHead head;
            if (ShippedProfileFiles.Head(i) is { } h)
            {
                head = new ProfileHead(h.Name, new ProfileMatch { Vendor = h.Vendor, Product = h.Product, Revision = h.Revision }, h.Priority);
            }
            else
            {
                byte[] utf8 = ShippedProfileFiles.Content(i).ToArray();
                try { head = ProfileHead.Scan(utf8); }
                catch (JsonException)
                {
                    // The full parse words the problem (file, member, line).
                    var p = Parse(utf8, file);
                    head = new ProfileHead(p.Name, p.Match, p.Priority);
                }
            }
            list.Add(ProfileEntry.Lazy(head, file, () => ParseShipped(ShippedProfileFiles.Content(index).ToArray(), file)));
        }
        return list;
    }
}

/// <summary>A profile's name, match and priority, read from its JSON without the rest (which is skipped, not bound).</summary>
internal readonly record struct ProfileHead(string Name, ProfileMatch Match, int Priority)
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static ProfileHead Scan(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8, Options);
        string name = "";
        int priority = 0;
        var match = new ProfileMatch();
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) throw new JsonException("not an object");
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("name"u8)) { r.Read(); name = r.GetString() ?? ""; }
            else if (r.ValueTextEquals("priority"u8)) { r.Read(); priority = r.GetInt32(); }
            else if (r.ValueTextEquals("match"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("match is not an object");
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.ValueTextEquals("vendor"u8)) { r.Read(); match.Vendor = r.GetString() ?? ".*"; }
                    else if (r.ValueTextEquals("product"u8)) { r.Read(); match.Product = r.GetString() ?? ".*"; }
                    else if (r.ValueTextEquals("revision"u8)) { r.Read(); match.Revision = r.GetString(); }
                    else { r.Read(); r.Skip(); }
                }
            }
            else { r.Read(); r.Skip(); }
        }
        if (name.Length == 0) throw new JsonException("no name");
        return new ProfileHead(name, match, priority);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true, UseStringEnumConverter = true, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, AllowDuplicateProperties = false)]
[JsonSerializable(typeof(HardwareProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
