using TapeChanger.Domain;
using TapeChanger.Scsi;

namespace TapeChanger.Cli.Mtx;

/// <summary>One mtx "Storage Element": a storage slot, or an import/export element numbered after them.</summary>
internal sealed class MtxSlot(ushort address, bool full, string primaryTag, string alternateTag, bool importExport, bool cleaner = false)
{
    /// <summary>Holds a cleaning cartridge (medium type or the cleaner barcode prefix); not part of mtx's text.</summary>
    public bool Cleaner { get; } = cleaner;
    public ushort Address { get; } = address;
    /// <summary>mtx flips this after its own moves in the same invocation, without re-reading.</summary>
    public bool Full { get; set; } = full;
    public string PrimaryTag { get; } = primaryTag;
    public string AlternateTag { get; } = alternateTag;
    public bool ImportExport { get; } = importExport;
}

/// <summary>One mtx "Data Transfer Element".</summary>
internal sealed class MtxDrive(ushort address, bool full, int source, string primaryTag, string alternateTag, bool cleaner = false)
{
    public bool Cleaner { get; } = cleaner;
    public ushort Address { get; } = address;
    public bool Full { get; set; } = full;
    /// <summary>0-based index into <see cref="MtxView.Slots"/> of the slot the cartridge came from, -1 unknown; for an empty drive the raw source field, as mtx keeps it.</summary>
    public int Source { get; } = source;
    public string PrimaryTag { get; } = primaryTag;
    public string AlternateTag { get; } = alternateTag;
}

/// <summary>
/// The library as mtx 1.3.12 numbers and remembers it (its ElementStatus_T, mtxl.c ReadElementStatus): storage
/// elements in the order reported, then the import/export elements; source slots translated and, where the
/// library's is unusable, guessed. Pure: built from a domain status read, no I/O.
/// </summary>
internal sealed class MtxView
{
    public required IReadOnlyList<MtxSlot> Slots { get; init; }
    public required IReadOnlyList<MtxDrive> Drives { get; init; }
    public required int ImportExportCount { get; init; }
    /// <summary>The first medium transport element, or 0 when the library reports none (mtx's default).</summary>
    public required ushort TransportAddress { get; init; }

    /// <summary>
    /// mtx 1.3.12 mtxl.c: storage elements with ASC/ASCQ 83h/02h and drives with 83h/04h are skipped (ATL/Exabyte
    /// "not installed"); a full drive's source is the slot index with that address when that slot is empty (pass 1),
    /// otherwise the next empty storage slot in reading order (pass 2; the same slot may be handed out twice), or -1.
    /// Tags are cut at the first byte outside 32..127 (copy_barcode) and kept with their padding.
    /// </summary>
    public static MtxView From(LibraryStatus status, bool barcodes)
    {
        // One pass sorts the elements by type, each type in reading order (four filtered passes over a 2,081-element
        // library were 0.7 million instructions, callgrind).
        var storage = new List<Element>(status.Elements.Count);
        var importExport = new List<Element>();
        var raw = new List<Element>();
        Element? picker = null;
        foreach (var e in status.Elements)
        {
            switch (e.Type)
            {
                case ElementType.Storage: storage.Add(e); break;
                case ElementType.ImportExport: importExport.Add(e); break;
                case ElementType.DataTransfer when !(e.Asc == 0x83 && e.Ascq == 0x04): raw.Add(e); break;
                case ElementType.MediumTransport: picker ??= e; break;
            }
        }
        var slots = new List<MtxSlot>(storage.Count + importExport.Count);
        var empties = new List<int>();
        foreach (var e in storage)
        {
            if (e.Asc == 0x83 && e.Ascq == 0x02) continue;
            if (!e.Full) empties.Add(slots.Count);
            slots.Add(new MtxSlot(e.Address, e.Full, Tag(e.PrimaryTagField, barcodes), Tag(e.AlternateTagField, barcodes), importExport: false, e.IsCleaner));
        }
        int ie = 0;
        foreach (var e in importExport)
        {
            slots.Add(new MtxSlot(e.Address, e.Full, Tag(e.PrimaryTagField, barcodes), Tag(e.AlternateTagField, barcodes), importExport: true, e.IsCleaner));
            ie++;
        }

        var sources = new int[raw.Count];
        for (int i = 0; i < raw.Count; i++)
        {
            sources[i] = raw[i].SourceField;
            if (!raw[i].Full) continue;
            int elnum = raw[i].SourceField;
            sources[i] = -1;
            for (int j = 0; j < slots.Count; j++)
            {
                if (slots[j].Address == elnum && !slots[j].Full) sources[i] = j;
            }
        }
        int next = 0;
        for (int i = 0; i < raw.Count; i++)
        {
            if (raw[i].Full && sources[i] < 0) sources[i] = next < empties.Count ? empties[next++] : -1;
        }
        var drives = raw.Select((e, i) => new MtxDrive(e.Address, e.Full, sources[i], Tag(e.PrimaryTagField, barcodes), Tag(e.AlternateTagField, barcodes), e.IsCleaner)).ToList();
        return new MtxView { Slots = slots, Drives = drives, ImportExportCount = ie, TransportAddress = picker?.Address ?? 0 };
    }

    /// <summary>mtx's copy_barcode: the 36-byte field up to the first byte below 32 or above 127.</summary>
    internal static string Tag(string? field, bool barcodes)
    {
        if (!barcodes || field is null) return "";
        int end = field.AsSpan().IndexOfAnyExceptInRange((char)32, (char)127);
        if (end < 0) end = field.Length;
        // An empty slot's usual tag: one string for all of them, not a copy each.
        return end == BlankTag.Length && field.AsSpan(0, end).SequenceEqual(BlankTag) ? BlankTag : field[..end];
    }

    /// <summary>A VOLUME IDENTIFIER of 32 spaces (SMC-3 §6.11.3), as copy_barcode keeps it.</summary>
    private static readonly string BlankTag = new(' ', 32);
}
