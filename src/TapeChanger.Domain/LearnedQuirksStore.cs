using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TapeChanger.State;
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

/// <summary>Where one library's learned quirks are kept: the state directory and the record's key (INQUIRY identity and device).</summary>
public sealed record LearnedQuirksKey(string StateDirectory, string Key)
{
    /// <summary>The JSON file that held the record before the state database (imported once, then kept as <c>*.imported</c>).</summary>
    public string LegacyPath => Path.Combine(Path.GetFullPath(StateDirectory), "learned", Key + ".json");
}

/// <summary>
/// Learned quirks in the state database (tables <c>learned_quirks</c> and <c>learned_quirk_reasons</c>, mapping in
/// <see cref="LearnedQuirksRows"/>), one record per INQUIRY identity and device. A save merges with the stored reasons
/// in one write transaction, so two sessions that learn at once keep both. A record is only an optimisation: one that
/// cannot be read is treated as absent. An old <c>learned/KEY.json</c> is imported on first use.
/// </summary>
public static class LearnedQuirksStore
{
    public static LearnedQuirksKey For(string stateDirectory, string vendor, string product, string revision, string device)
    {
        string identity = $"{vendor.Trim()}\n{product.Trim()}\n{revision.Trim()}\n{device}";
        string hash = Convert.ToHexString(StateKeyHash.HashData(Encoding.UTF8.GetBytes(identity)), 0, 6).ToLowerInvariant();
        string readable = new([.. $"{vendor.Trim()}-{product.Trim()}".Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);
        return new LearnedQuirksKey(stateDirectory, $"{readable}-{hash}");
    }

    /// <summary>
    /// The learned record, or null when there is none or it cannot be read (it is only an optimisation). A state
    /// directory with neither a database nor an old record costs no database open.
    /// </summary>
    public static LearnedQuirks? Load(LearnedQuirksKey key)
    {
        if (!StateDatabase.ExistsIn(key.StateDirectory) && !File.Exists(key.LegacyPath)) return null;
        try
        {
            var db = Open(key);
            return db.Read(tx => LearnedQuirksRows.Load(tx, key.Key));
        }
        catch (Exception e) when (e is StateDatabaseException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Records the session's quirks (after learning) with the reasons; earlier reasons are kept.</summary>
    public static void Save(LearnedQuirksKey key, LearnedQuirks identity, ChangerQuirks learned, IEnumerable<string> reasons, DateTimeOffset now)
    {
        var db = Open(key);
        db.Write(tx =>
        {
            var previous = LearnedQuirksRows.Load(tx, key.Key);
            var record = new LearnedQuirks
            {
                Vendor = identity.Vendor, Product = identity.Product, Revision = identity.Revision, Device = identity.Device,
                ReadStrategy = learned.ReadStrategy, DeviceId = learned.DeviceId,
                Reasons = [.. (previous?.Reasons ?? []).Concat(reasons).Distinct()],
                LearnedAt = now,
            };
            LearnedQuirksRows.Write(tx, key.Key, previous, record);
        });
    }

    private static StateDatabase Open(LearnedQuirksKey key)
    {
        var db = StateDatabase.Open(key.StateDirectory);
        ImportLegacy(db, key);
        return db;
    }

    /// <summary>Imports <c>learned/KEY.json</c> once and keeps it as <c>*.imported</c>; a corrupt file is set aside the same way (a record is only an optimisation).</summary>
    private static void ImportLegacy(StateDatabase db, LearnedQuirksKey key)
    {
        string path = key.LegacyPath;
        if (!File.Exists(path)) return;
        LearnedQuirks? old = null;
        try
        {
            old = JsonSerializer.Deserialize(File.ReadAllText(path), LearnedJsonContext.Default.LearnedQuirks);
        }
        catch (JsonException)
        {
        }
        if (old is not null)
        {
            db.Write(tx =>
            {
                if (LearnedQuirksRows.Load(tx, key.Key) is null) LearnedQuirksRows.Write(tx, key.Key, null, old);
            });
        }
        try { File.Move(path, path + ".imported", overwrite: true); }
        catch (FileNotFoundException) { }
    }
}

// The format of the learned/*.json files written before the state database (read once, to import them).
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LearnedQuirks))]
internal sealed partial class LearnedJsonContext : JsonSerializerContext;
