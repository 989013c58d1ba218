using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Tests;

/// <summary>SmcClient sizes READ ELEMENT STATUS by the transport's MaxTransferLength (the sg max_sectors_bytes case).</summary>
public class SmcClientTransferLimitTests
{
    /// <summary>A device whose per-command maximum is <paramref name="max"/> and which reports no elements.</summary>
    private static ScriptedTransport LimitedTransport(int max) => new()
    {
        MaxTransferLength = max,
        Answer = (_, dataIn) =>
        {
            dataIn.Span.Clear();     // header: no elements; SmcClient stops after the first read
            return ScsiResult.Good(8);
        },
    };

    [Theory]
    [InlineData(4096, 4096, 40)]
    [InlineData(1 << 20, 0xFFFF, 655)]     // the 16-bit allocation cap still applies
    [InlineData(100, 124, 1)]              // never below one descriptor
    public async Task Read_element_status_fits_the_transport_limit(int max, int expectedAllocCap, int expectedElements)
    {
        var transport = LimitedTransport(max);
        await using var client = new SmcClient(transport);
        await client.ReadElementStatusAsync(ElementType.Storage, 0x1000, 5000);
        var cdb = Assert.Single(transport.Sent).Cdb;
        int elements = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(4));
        int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
        Assert.Equal(expectedElements, elements);
        Assert.True(alloc <= expectedAllocCap, $"allocation {alloc} > {expectedAllocCap}");
    }

    private static int Allocation(ScsiCommand c) => (c.Cdb[7] << 16) | (c.Cdb[8] << 8) | c.Cdb[9];

    /// <summary>Quirks that allow one read of 2,000 elements (a profile's 24-bit allocation, as tgt's).</summary>
    private static readonly ChangerQuirks Wide = new() { MaxElementsPerRead = 2000, MaxAllocation = 262144 };

    [Fact]
    public async Task A_refused_24_bit_allocation_is_read_again_within_16_bits()
    {
        var lib = new ResLibrary
        {
            Refuse = c => Allocation(c) > 0xFFFF ? ScsiResult.CheckCondition(SenseBuilder.Fixed(0x05, 0x24, 0x00)) : null,
        }.Add(ElementType.Storage, 1000, 2000, i => i % 7 == 0 ? $"T{i:D5}" : null);
        var transport = new ScriptedTransport { Answer = lib.Answer };
        await using var client = new SmcClient(transport, quirks: Wide);

        var got = await client.ReadElementStatusAsync(ElementType.Storage, 1000, 2000);

        Assert.Equal(Enumerable.Range(1000, 2000), got.Select(d => (int)d.Address));
        Assert.Equal(200_024, Allocation(transport.Sent[0]));
        Assert.All(transport.Sent.Skip(1), c => Assert.True(Allocation(c) <= 0xFFFF));
        Assert.Equal(1 + 4, transport.Sent.Count);      // the refused read, then 655 + 655 + 655 + 35
        Assert.Contains(client.Learned, l => l.Contains("200024", StringComparison.Ordinal) && l.Contains("65535", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cut_reply_whose_declared_allocation_is_refused_falls_back_to_16_bits_once()
    {
        // A one-element read answered as tgt does (every element after it) and cut after the page header, as an iSCSI
        // residual overflow looks through Linux sg: the header declares about 104 KB. The re-read with that declared
        // allocation is refused (05/24/00); the client must then read within 16 bits, not send the refused one again.
        var lib = new ResLibrary
        {
            Refuse = c => Allocation(c) > 0xFFFF ? ScsiResult.CheckCondition(SenseBuilder.Fixed(0x05, 0x24, 0x00)) : null,
        }.Add(ElementType.Storage, 1000, 2000, i => i % 5 == 0 ? $"C{i:D5}" : null);
        int calls = 0;
        var transport = new ScriptedTransport
        {
            Answer = (c, dataIn) =>
            {
                if (++calls > 20) throw new InvalidOperationException("the client kept reading");
                if (calls > 1) return lib.Answer(c, dataIn);
                ResLibrary.Build(lib.Elements, volTag: true, dvcid: false).AsSpan(0, 16).CopyTo(dataIn.Span);
                return ScsiResult.Good(16);
            },
        };
        await using var client = new SmcClient(transport, quirks: Wide);

        var got = await client.ReadElementStatusAsync(ElementType.Storage, 1000, 1);

        Assert.Equal([1000], got.Select(d => (int)d.Address));
        Assert.True(Allocation(transport.Sent[1]) > 0xFFFF, $"the second read asks for the declared allocation, not {Allocation(transport.Sent[1])}");
        Assert.All(transport.Sent.Skip(2), c => Assert.True(Allocation(c) <= 0xFFFF, $"allocation {Allocation(c)} after the refusal"));
        Assert.Equal(3, transport.Sent.Count);
    }

    [Theory]
    [InlineData(2000)]     // 200,024 & FFFFh = 3,416 bytes: 65 descriptors of 52, then the rest in smaller reads
    [InlineData(656)]      // 65,624 & FFFFh = 88 bytes: a header, a page header and one descriptor
    [InlineData(800)]      // 80,024 & FFFFh = 14,488 bytes
    public async Task A_library_that_takes_16_bits_of_the_allocation_still_yields_every_element(int count)
    {
        var lib = new ResLibrary { SixteenBitAllocation = true }.Add(ElementType.Storage, 1000, count, i => i % 3 == 0 ? $"S{i:D5}" : null);
        var transport = new ScriptedTransport { Answer = lib.Answer };
        await using var client = new SmcClient(transport, quirks: Wide);

        var got = await client.ReadElementStatusAsync(ElementType.Storage, 1000, count);

        Assert.Equal(Enumerable.Range(1000, count), got.Select(d => (int)d.Address));
        Assert.Equal(Enumerable.Range(0, count).Where(i => i % 3 == 0).Select(i => $"S{i:D5}"),
            got.Where(d => d.Full).Select(d => d.PrimaryVolumeTag!.Identifier.Trim()));
    }

    [Fact]
    public async Task A_24_bit_allocation_answered_with_no_element_is_read_again_within_16_bits()
    {
        // 1,966 elements: 196,624 & FFFFh = 16 bytes, the two headers and no descriptor. Without the fall-back the
        // read would end there with no element.
        const int count = 1966;
        var lib = new ResLibrary { SixteenBitAllocation = true }.Add(ElementType.Storage, 1000, count);
        var transport = new ScriptedTransport { Answer = lib.Answer };
        await using var client = new SmcClient(transport, quirks: Wide);

        var got = await client.ReadElementStatusAsync(ElementType.Storage, 1000, count);

        Assert.Equal(196_624, Allocation(transport.Sent[0]));
        Assert.Equal(Enumerable.Range(1000, count), got.Select(d => (int)d.Address));
        Assert.All(transport.Sent.Skip(1), c => Assert.True(Allocation(c) <= 0xFFFF));
        Assert.Single(client.Learned);
    }

    [Fact]
    public void Tracing_transport_forwards_the_limit()
    {
        var t = new TracingTransport(LimitedTransport(4096), TextWriter.Null, dumpData: false);
        Assert.Equal(4096, ((IScsiTransport)t).MaxTransferLength);
    }
}
