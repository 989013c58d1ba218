using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace TapeChanger.Domain;

/// <summary>One hw-profiles/*.json file: how a library model behaves, with the source of every fact.</summary>
public sealed class HardwareProfile
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public ProfileMatch Match { get; set; } = new();
    public int Priority { get; set; }
    public CleaningProfile Cleaning { get; set; } = new();
    public List<string> Sources { get; set; } = [];

    public bool Matches(string vendor, string product) =>
        Regex.IsMatch(vendor.Trim(), Match.Vendor, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
        && Regex.IsMatch(product.Trim(), Match.Product, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
}

public sealed class ProfileMatch
{
    public string Vendor { get; set; } = ".*";
    public string Product { get; set; } = ".*";
}

public sealed class CleaningProfile
{
    /// <summary>Cleaning cycle time assumed when the drive cannot be polled.</summary>
    public int Seconds { get; set; } = 300;
    public string LabelPrefix { get; set; } = "CLN";
}

/// <summary>The profile chosen for a library and why.</summary>
public sealed record ProfileSelection(HardwareProfile Profile, string Reason);

/// <summary>The shipped profiles (embedded from hw-profiles/*.json) and the matching rule.</summary>
public static class HardwareProfiles
{
    private static readonly Lazy<IReadOnlyList<HardwareProfile>> Shipped = new(LoadShipped);

    public static IReadOnlyList<HardwareProfile> All => Shipped.Value;

    public static HardwareProfile Parse(string json, string source)
    {
        try
        {
            var p = JsonSerializer.Deserialize(json, ProfileJsonContext.Default.HardwareProfile) ?? throw new JsonException("empty document");
            if (string.IsNullOrWhiteSpace(p.Name)) throw new JsonException("profile has no name");
            if (p.Cleaning.Seconds is < 1 or > 86400) throw new JsonException("cleaning.seconds must be 1 to 86400");
            _ = new Regex(p.Match.Vendor);
            _ = new Regex(p.Match.Product);
            return p;
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"hardware profile {source} is invalid: {e.Message}", e);
        }
    }

    /// <summary>The highest-priority profile matching the INQUIRY vendor and product.</summary>
    public static ProfileSelection Select(string vendor, string product, IEnumerable<HardwareProfile>? profiles = null)
    {
        var match = (profiles ?? All).Where(p => p.Matches(vendor, product)).OrderByDescending(p => p.Priority).FirstOrDefault()
            ?? throw new InvalidDataException("no hardware profile matches, not even generic-smc");
        string reason = match.Name == "generic-smc"
            ? $"no specific profile for {vendor} {product}; using the generic SMC profile"
            : $"INQUIRY vendor '{vendor}' matches /{match.Match.Vendor}/ and product '{product}' matches /{match.Match.Product}/";
        return new ProfileSelection(match, reason);
    }

    private static IReadOnlyList<HardwareProfile> LoadShipped()
    {
        var asm = typeof(HardwareProfiles).Assembly;
        var list = new List<HardwareProfile>();
        foreach (var name in asm.GetManifestResourceNames().Where(n => n.StartsWith("hw-profiles.", StringComparison.Ordinal)).Order())
        {
            using var s = asm.GetManifestResourceStream(name)!;
            using var r = new StreamReader(s);
            list.Add(Parse(r.ReadToEnd(), name));
        }
        return list;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, ReadCommentHandling = JsonCommentHandling.Skip)]
[JsonSerializable(typeof(HardwareProfile))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
