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
}
