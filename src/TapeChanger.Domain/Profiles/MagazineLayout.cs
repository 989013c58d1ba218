using System.Globalization;

namespace TapeChanger.Domain;

// Magazines: how storage slots are grouped. SMC-3 READ ELEMENT STATUS (§6.11) reports storage elements one by one and
// has no magazine field, so the grouping is a fact of the model (its hardware profile) or of the device's own
// configuration (the virtual library's "Magazine size"), never of the element map.

/// <summary>The profile's <c>magazines</c>: equal magazines side by side from slot 1, or named ranges of slot numbers.</summary>
public sealed class MagazineProfile
{
    /// <summary>Storage slots per magazine, magazines side by side from slot 1 (the last may hold fewer).</summary>
    public int? Slots { get; set; }

    /// <summary>Magazines of different sizes, as ranges of storage slot numbers (1-based, as the CLI numbers slots).</summary>
    public List<MagazineRangeProfile>? Ranges { get; set; }

    public override string ToString() => Slots is int s
        ? "slots " + s.ToString(CultureInfo.InvariantCulture)
        : string.Join(", ", (Ranges ?? []).Select(r => r.ToString()));

    /// <summary>The layout this profile states (source: "profile NAME").</summary>
    public MagazineLayout ToLayout(string source) => Slots is int s
        ? MagazineLayout.Uniform(s, source)
        : new MagazineLayout(source, null, [.. (Ranges ?? []).Select(r => new MagazineRange(r.Name, r.First, r.Count))]);
}

public sealed class MagazineRangeProfile
{
    /// <summary>What the library's panel calls it ("left", "A"); null: numbered.</summary>
    public string? Name { get; set; }
    public int First { get; set; }
    public int Count { get; set; }

    public override string ToString() => $"{Name ?? "?"} {First}x{Count}";
}

/// <summary>One magazine as drawn: its number (1-based), name, first storage slot number and slot count.</summary>
public sealed record Magazine(int Number, string? Name, int FirstSlot, int Slots);

public sealed record MagazineRange(string? Name, int First, int Count);

/// <summary>
/// Where storage slots sit: equal magazines of <see cref="SlotsPerMagazine"/>, or <see cref="Ranges"/>; none of both:
/// one group. <see cref="Source"/> says where the layout comes from ("profile quantum-superloader3", "virtual library
/// configuration", "none").
/// </summary>
public sealed record MagazineLayout(string Source, int? SlotsPerMagazine, IReadOnlyList<MagazineRange> Ranges)
{
    public const string NoSource = "none";

    /// <summary>No magazine known: every storage slot in one group.</summary>
    public static MagazineLayout None { get; } = new(NoSource, null, []);

    public static MagazineLayout Uniform(int slotsPerMagazine, string source) =>
        slotsPerMagazine >= 1 ? new(source, slotsPerMagazine, []) : throw new ArgumentOutOfRangeException(nameof(slotsPerMagazine), "a magazine holds at least one slot");

    /// <summary>
    /// The magazines of a library with storage slots 1 to <paramref name="storageSlots"/>. Equal magazines: as many as
    /// needed, the last short when the count is not a multiple. Ranges: each clipped to the library; slots no range
    /// covers become unnamed groups of their own, so every slot is drawn exactly once. No layout: one group.
    /// </summary>
    public IReadOnlyList<Magazine> For(int storageSlots)
    {
        var list = new List<Magazine>();
        if (storageSlots <= 0) return list;
        if (SlotsPerMagazine is int per)
        {
            for (int first = 1; first <= storageSlots; first += per)
                list.Add(new Magazine(list.Count + 1, null, first, Math.Min(per, storageSlots - first + 1)));
            return list;
        }
        var covered = new bool[storageSlots + 1];
        var pieces = new List<(string? Name, int First, int Count)>();
        foreach (var r in Ranges.OrderBy(r => r.First))
        {
            int first = Math.Max(1, r.First);
            int last = Math.Min(storageSlots, r.First + r.Count - 1);
            // A range overlapping an earlier one keeps only its own slots.
            while (first <= last && covered[first]) first++;
            if (first > last) continue;
            int end = first;
            while (end < last && !covered[end + 1]) end++;
            for (int s = first; s <= end; s++) covered[s] = true;
            pieces.Add((r.Name, first, end - first + 1));
        }
        for (int s = 1; s <= storageSlots; s++)
        {
            if (covered[s]) continue;
            int end = s;
            while (end < storageSlots && !covered[end + 1]) end++;
            pieces.Add((null, s, end - s + 1));
            s = end;
        }
        foreach (var (name, first, count) in pieces.OrderBy(p => p.First)) list.Add(new Magazine(list.Count + 1, name, first, count));
        return list;
    }
}
