using System.Buffers.Binary;
using System.Text;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// Replies of more elements than one of the decoder's result chunks holds (8,192 records, each chunk below the
/// large-object threshold), and volume tags whose identifier string is made on first read.
/// </summary>
public class LargeReplyTests
{
    /// <summary>One storage page of <paramref name="count"/> 48-byte descriptors (12 fixed + primary tag), addresses from 0, every third full.</summary>
    private static byte[] StoragePage(int count)
    {
        const int desc = 48;
        var data = new byte[16 + count * desc];
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2), (ushort)count);       // NUMBER OF ELEMENTS AVAILABLE
        int body = 8 + count * desc;
        data[5] = (byte)(body >> 16); data[6] = (byte)(body >> 8); data[7] = (byte)body; // BYTE COUNT OF REPORT AVAILABLE
        data[8] = 2;                                                                  // storage
        data[9] = 0x80;                                                               // PVOLTAG
        BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(10), desc);                // ELEMENT DESCRIPTOR LENGTH
        int page = count * desc;
        data[13] = (byte)(page >> 16); data[14] = (byte)(page >> 8); data[15] = (byte)page;
        for (int i = 0; i < count; i++)
        {
            Span<byte> d = data.AsSpan(16 + i * desc, desc);
            BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)i);
            d.Slice(12, 32).Fill((byte)' ');
            if (i % 3 == 0)
            {
                d[2] = 0x01;                                                          // FULL
                Encoding.ASCII.GetBytes($"V{i:D5}L8", d.Slice(12, 32));
                BinaryPrimitives.WriteUInt16BigEndian(d[46..], (ushort)(i & 0xFF));   // VOLUME SEQUENCE NUMBER
            }
        }
        return data;
    }

    [Theory]
    [InlineData(8_191)]
    [InlineData(8_192)]
    [InlineData(8_193)]
    [InlineData(20_000)]
    public void Every_descriptor_comes_back_in_order_across_chunks(int count)
    {
        var elements = ElementStatusDecoder.Decode(StoragePage(count)).Elements;

        Assert.Equal(count, elements.Count);
        foreach (int i in new[] { 0, 8_190, 8_191, 8_192, 8_193, 16_383, 16_384, count - 1 }.Where(i => i < count))
        {
            Assert.Equal((ushort)i, elements[i].Address);
            Assert.Equal(i % 3 == 0 ? $"V{i:D5}L8" : null, elements[i].Barcode);
        }
        // The enumerator walks the same records as the indexer, and stops at the count.
        Assert.Equal(Enumerable.Range(0, count).Select(i => (ushort)i), elements.Select(e => e.Address));
        Assert.Throws<ArgumentOutOfRangeException>(() => elements[count]);
        Assert.Throws<ArgumentOutOfRangeException>(() => elements[-1]);
    }

    [Fact]
    public void A_chunk_holds_no_more_room_than_its_records_need()
    {
        // 8,193 records: one full chunk of 8,192 references and one of 1. A second chunk sized like the first (or a
        // first one of 8,193, which would go to the large object heap) costs another 64 KiB; the one record more costs
        // one descriptor (every third element is full: descriptor 8,192 is empty, no tag) and the 32-byte chunk.
        byte[] full = StoragePage(8_193), whole = StoragePage(8_192);
        ElementStatusDecoder.Decode(full);
        ElementStatusDecoder.Decode(whole);
        long Allocated(byte[] page)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var report = ElementStatusDecoder.Decode(page);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(report);
            return bytes;
        }
        long extra = Allocated(full) - Allocated(whole);
        Assert.InRange(extra, 0, 16 * 1024);
    }

    [Fact]
    public void Descriptors_of_256_bytes_or_more_are_counted_with_both_length_bytes()
    {
        // ELEMENT DESCRIPTOR LENGTH 0100h (page bytes 2-3): two storage descriptors of 256 bytes, 12 fixed and the rest
        // vendor bytes. Counting from the low byte alone would make room for no descriptor.
        const int desc = 0x100;
        var data = new byte[16 + 2 * desc];
        data[3] = 2;                                          // NUMBER OF ELEMENTS AVAILABLE
        int body = 8 + 2 * desc;
        data[6] = (byte)(body >> 8); data[7] = (byte)body;    // BYTE COUNT OF REPORT AVAILABLE
        data[8] = 2;                                          // storage
        data[10] = desc >> 8; data[11] = desc & 0xFF;         // ELEMENT DESCRIPTOR LENGTH
        data[14] = (2 * desc) >> 8; data[15] = (2 * desc) & 0xFF;
        data[16 + 1] = 0x10;                                  // first descriptor: address 0010h
        data[16 + desc + 1] = 0x11;                           // second: 0011h
        var elements = ElementStatusDecoder.Decode(data).Elements;
        Assert.Equal([(ushort)0x10, (ushort)0x11], elements.Select(e => e.Address));
    }

    [Fact]
    public void A_cut_reply_has_only_the_descriptors_received()
    {
        // 9,000 announced, the reply cut inside descriptor 8,500: 8,500 whole ones, then a partial one with its tag.
        byte[] full = StoragePage(9_000);
        var elements = ElementStatusDecoder.Decode(full.AsSpan(0, 16 + 8_500 * 48 + 44)).Elements;
        Assert.Equal(8_501, elements.Count);
        Assert.True(elements[8_500].Partial);
        Assert.False(elements[8_499].Partial);
        Assert.Equal((ushort)8_500, elements[^1].Address);
    }

    [Fact]
    public void A_tag_read_later_or_copied_first_has_the_identifier_as_sent()
    {
        // The full 32 bytes used: the identifier kept as bytes inside the tag, its string made when first read.
        byte[] tag = [.. "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"u8, 0x00, 0x00, 0x12, 0x34];
        var page = StoragePage(1);
        tag.CopyTo(page, 16 + 12);
        var decoded = ElementStatusDecoder.Decode(page).Elements[0].PrimaryVolumeTag!;
        var copy = decoded with { SequenceNumber = 7 };   // copied before the identifier was ever read

        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", copy.Identifier);
        Assert.Equal((ushort)7, copy.SequenceNumber);
        Assert.Equal("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", decoded.Identifier);
        Assert.Equal(Encoding.Latin1.GetString(tag), decoded.Field);
        Assert.Equal(new VolumeTag("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", 0x1234) { Field = Encoding.Latin1.GetString(tag) }, decoded);
        // An identifier set explicitly replaces the bytes.
        Assert.Equal("X", (decoded with { Identifier = "X" }).Identifier);
    }
}
