using System.Buffers.Binary;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Linux.Tests;

/// <summary>SmcClient sizes READ ELEMENT STATUS by the transport's MaxTransferLength (the sg max_sectors_bytes case).</summary>
public class SmcClientTransferLimitTests
{
    private sealed class LimitedTransport(int max) : IScsiTransport
    {
        public List<ScsiCommand> Commands { get; } = [];
        public string Device => "fake:";
        public int MaxTransferLength => max;

        public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
        {
            Commands.Add(command);
            dataIn.Span.Clear();     // header: no elements; SmcClient stops after the first read
            return ValueTask.FromResult(ScsiResult.Good(8));
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Theory]
    [InlineData(4096, 4096, 40)]
    [InlineData(1 << 20, 0xFFFF, 655)]     // the 16-bit allocation cap still applies
    [InlineData(100, 124, 1)]              // never below one descriptor
    public async Task Read_element_status_fits_the_transport_limit(int max, int expectedAllocCap, int expectedElements)
    {
        var transport = new LimitedTransport(max);
        await using var client = new SmcClient(transport);
        await client.ReadElementStatusAsync(ElementType.Storage, 0x1000, 5000);
        var cdb = Assert.Single(transport.Commands).Cdb;
        int elements = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(4));
        int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
        Assert.Equal(expectedElements, elements);
        Assert.True(alloc <= expectedAllocCap, $"allocation {alloc} > {expectedAllocCap}");
    }

    [Fact]
    public void Tracing_transport_forwards_the_limit()
    {
        var t = new TracingTransport(new LimitedTransport(4096), TextWriter.Null, dumpData: false);
        Assert.Equal(4096, ((IScsiTransport)t).MaxTransferLength);
    }
}
