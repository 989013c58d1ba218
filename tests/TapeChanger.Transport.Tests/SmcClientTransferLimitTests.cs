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

    [Fact]
    public void Tracing_transport_forwards_the_limit()
    {
        var t = new TracingTransport(LimitedTransport(4096), TextWriter.Null, dumpData: false);
        Assert.Equal(4096, ((IScsiTransport)t).MaxTransferLength);
    }
}
