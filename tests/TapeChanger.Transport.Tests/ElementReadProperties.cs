using System.Buffers.Binary;
using FsCheck.Xunit;
using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Tests;

/// <summary>
/// Property: whatever the element limit per command and however few descriptors the library puts in each reply, a
/// chunked READ ELEMENT STATUS returns exactly the library's elements in the asked range, once each, in address order,
/// and no command asks for more elements than the limit.
/// </summary>
public class ElementReadProperties
{
    [Property(MaxTest = 200)]
    public bool Chunked_reads_return_exactly_the_elements_in_range(byte size, byte from, byte count, byte perRead, byte perReply)
    {
        int n = size % 30, limit = 1 + perRead % 8, reply = 1 + perReply % 8;
        ushort start = (ushort)(1000 + from % 36);
        int asked = count % 40;
        var lib = new ResLibrary { MaxPerReply = reply }.Add(ElementType.Storage, 1000, n);
        var t = new ScriptedTransport { Answer = lib.Answer };
        var client = new SmcClient(t, quirks: new ChangerQuirks { MaxElementsPerRead = limit });
        var got = client.ReadElementStatusAsync(ElementType.Storage, start, asked).AsTask().GetAwaiter().GetResult();
        var expected = Enumerable.Range(1000, n).Where(a => a >= start && a < start + asked);
        return got.Select(d => (int)d.Address).SequenceEqual(expected)
            && t.Sent.All(c => BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(4)) <= limit)
            && (asked > 0 || t.Sent.Count == 0);
    }

    /// <summary>
    /// Maximum transfer lengths the transports report: sg's fallback when the kernel says nothing (64 KiB), mhVTL's
    /// wire limit (2 MiB), a small USB-style 4 KiB, and the smallest the client accepts (one descriptor per command).
    /// </summary>
    private static readonly int[] TransportMaxima = [64 * 1024, 2 * 1024 * 1024, 4096, 124];

    /// <summary>
    /// Property: reading a library chunked by a transport's maximum transfer length gives the same elements, field
    /// for field (tags as sent, identifiers), as reading it through a transport without a limit, whether the client
    /// reads all element types in one command or one type at a time; and no command asks for more than the limit.
    /// </summary>
    [Property(MaxTest = 150)]
    public bool Chunking_by_the_transfer_limit_does_not_change_the_result(byte slots, byte ies, byte drives, int maxTransfer, bool allTypes, byte fullEvery)
    {
        int storage = slots % 120, ie = ies % 6, dt = drives % 5, every = 1 + fullEvery % 4;
        // Half the runs use a transport's own maximum, the rest any length from the smallest accepted up.
        int limit = maxTransfer % 2 == 0 ? TransportMaxima[(maxTransfer >> 1 & 0x7FFFFFFF) % TransportMaxima.Length] : 124 + (maxTransfer & 0x7FFFFFFF) % 20_000;
        var lib = new ResLibrary()
            .Add(ElementType.MediumTransport, 0, 1)
            .Add(ElementType.ImportExport, 10, ie, i => i % every == 0 ? $"IE{i:D4}L8" : null)
            .Add(ElementType.DataTransfer, 500, dt, i => i % every == 1 ? $"DT{i:D4}L8" : null, i => $"IBM     ULT3580 SN{i:D2}")
            .Add(ElementType.Storage, 1000, storage, i => i % every == 0 ? $"S{i:D5}L8" : null);
        (ElementType, ushort, int)[] ranges = [(ElementType.MediumTransport, 0, 1), (ElementType.ImportExport, 10, ie), (ElementType.DataTransfer, 500, dt), (ElementType.Storage, 1000, storage)];
        var quirks = new ChangerQuirks { ReadStrategy = allTypes ? ReadElementStatusStrategy.AllTypes : ReadElementStatusStrategy.PerType };
        var whole = Read(new ScriptedTransport { Answer = lib.Answer }, quirks, ranges);
        var limited = new ScriptedTransport { Answer = lib.Answer, MaxTransferLength = limit };
        var chunked = Read(limited, quirks, ranges);
        return whole.Count == 1 + ie + dt + storage
            && chunked.SequenceEqual(whole)
            && limited.Sent.All(c => ((c.Cdb[7] << 16) | (c.Cdb[8] << 8) | c.Cdb[9]) <= limit);
    }

    private static List<string> Read(ScriptedTransport t, ChangerQuirks quirks, (ElementType, ushort, int)[] ranges)
    {
        var client = new SmcClient(t, quirks: quirks);
        var got = client.ReadAllElementStatusAsync(ranges).AsTask().GetAwaiter().GetResult();
        return got.OrderBy(d => d.Type).ThenBy(d => d.Address).Select(d =>
            $"{d.Type} {d.Address} {d.Flags} {d.SourceField} {d.Partial} [{d.PrimaryVolumeTag?.Field}] {d.Barcode} {d.Identifier?.Text} {d.Identifier?.Truncated}").ToList();
    }
}
