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
