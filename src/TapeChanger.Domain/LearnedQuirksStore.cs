using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TapeChanger.Storage;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>What a library taught the driver at runtime.</summary>
public sealed class LearnedQuirks
{
    public int SchemaVersion { get; set; } = 1;
    public string Vendor { get; set; } = "";
    public string Product { get; set; } = "";
    public string Revision { get; set; } = "";
    public string Device { get; set; } = "";
    public ReadElementStatusStrategy? ReadStrategy { get; set; }
    public DeviceIdSupport? DeviceId { get; set; }
    public List<string> Reasons { get; set; } = [];
    public DateTimeOffset LearnedAt { get; set; }

    /// <summary>
    /// The profile's quirks with what was learned laid over them. Learning only ever makes requests more cautious, so the
    /// more cautious of the two wins: a later profile that is already more careful is not undone by an old record.
    /// </summary>
    public ChangerQuirks ApplyTo(ChangerQuirks quirks) => quirks with
    {
        ReadStrategy = ReadStrategy == ReadElementStatusStrategy.PerType ? ReadElementStatusStrategy.PerType : quirks.ReadStrategy,
        DeviceId = DeviceId is { } learned && learned > quirks.DeviceId ? learned : quirks.DeviceId,
    };
}

/// <summary>
/// One JSON file per library under STATE/learned/, keyed by INQUIRY identity and device. Read, merged and replaced
/// under <c>FILE.lock</c> (<see cref="FileLock"/>) with <see cref="AtomicFile"/>, so two sessions that learn at once
/// keep both reasons and a crash leaves the old or the new file; a corrupt file is ignored and rewritten.
/// </summary>
public static class LearnedQuirksStore
{
    public static string PathFor(string stateDirectory, string vendor, string product, string revision, string device)
    {
        string identity = $"{vendor.Trim()}\n{product.Trim()}\n{revision.Trim()}\n{device}";
        string hash = Convert.ToHexString(StateKeyHash.HashData(Encoding.UTF8.GetBytes(identity)), 0, 6).ToLowerInvariant();
        string readable = new([.. $"{vendor.Trim()}-{product.Trim()}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
        return Path.Combine(Path.GetFullPath(stateDirectory), "learned", $"{readable}-{hash}.json");
    }

    /// <summary>The learned record, or null when there is none or it cannot be read (it is only an optimisation).</summary>
    public static LearnedQuirks? Load(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), LearnedJsonContext.Default.LearnedQuirks) : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records the session's quirks (after learning) with the reasons; earlier reasons are kept.</summary>
    public static void Save(string path, LearnedQuirks identity, ChangerQuirks learned, IEnumerable<string> reasons, DateTimeOffset now)
    {
        AtomicFile.CreatePrivateDirectory(Path.GetDirectoryName(path)!);
        using var held = FileLock.Acquire(path + ".lock", LockTimeout);
        var previous = Load(path);
        var record = new LearnedQuirks
        {
            Vendor = identity.Vendor, Product = identity.Product, Revision = identity.Revision, Device = identity.Device,
            ReadStrategy = learned.ReadStrategy, DeviceId = learned.DeviceId,
            Reasons = [.. (previous?.Reasons ?? []).Concat(reasons).Distinct()],
            LearnedAt = now,
        };
        AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(record, LearnedJsonContext.Default.LearnedQuirks));
    }

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(10);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LearnedQuirks))]
internal sealed partial class LearnedJsonContext : JsonSerializerContext;
