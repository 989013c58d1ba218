using TapeChanger.State;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>
/// The one mapping between <see cref="LearnedQuirks"/> and its tables (Migrations/0003_learned_quirks.sql in
/// TapeChanger.State): a new field is one line here plus a migration adding its column.
/// </summary>
internal static class LearnedQuirksRows
{
    private static readonly RowMap<LearnedQuirks> Record = new RowMap<LearnedQuirks>("learned_quirks", ["quirks_key"], ["quirks_key"])
        .Map("vendor", q => q.Vendor, (q, v) => q.Vendor = v.TextOrEmpty)
        .Map("product", q => q.Product, (q, v) => q.Product = v.TextOrEmpty)
        .Map("revision", q => q.Revision, (q, v) => q.Revision = v.TextOrEmpty)
        .Map("device", q => q.Device, (q, v) => q.Device = v.TextOrEmpty)
        .Map("read_strategy", q => q.ReadStrategy, (q, v) => q.ReadStrategy = v.EnumOrNull<ReadElementStatusStrategy>())
        .Map("device_id", q => q.DeviceId, (q, v) => q.DeviceId = v.EnumOrNull<DeviceIdSupport>())
        .Map("learned_at", q => q.LearnedAt, (q, v) => q.LearnedAt = v.Time);

    private sealed class Reason
    {
        public string Text { get; set; } = "";
    }

    private static readonly RowMap<Reason> Reasons = new RowMap<Reason>("learned_quirk_reasons", ["quirks_key", "seq"], ["quirks_key", "seq"])
        .Map("reason", r => r.Text, (r, v) => r.Text = v.TextOrEmpty);

    public static LearnedQuirks? Load(StateTransaction tx, string key)
    {
        var record = Record.Select(tx, "quirks_key = @k", ("k", key)).Select(r => r.Item).FirstOrDefault();
        if (record is null) return null;
        record.Reasons = [.. Reasons.Select(tx, "quirks_key = @k ORDER BY seq", ("k", key)).Select(r => r.Item.Text)];
        return record;
    }

    /// <summary>Writes <paramref name="now"/> over <paramref name="before"/> (null: no record yet), touching only what changed.</summary>
    public static void Write(StateTransaction tx, string key, LearnedQuirks? before, LearnedQuirks now)
    {
        Record.Sync(tx, before is null ? [] : [Record.Image(before, key)], [Record.Image(now, key)]);
        Reasons.Sync(tx, Images(key, before), Images(key, now));
    }

    private static List<RowImage> Images(string key, LearnedQuirks? q) =>
        q is null ? [] : [.. q.Reasons.Select((r, i) => Reasons.Image(new Reason { Text = r }, key, i))];
}
