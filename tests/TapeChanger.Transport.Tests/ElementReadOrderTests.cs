using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Transport.Tests;

/// <summary>The chunked READ ELEMENT STATUS result: one descriptor per address, the last read winning, in address order.</summary>
public class ElementReadOrderTests
{
    private static ElementDescriptor D(ushort address, bool full = false) =>
        new(ElementType.Storage, address, full ? ElementFlags.Full : 0, 0, 0, null, MediumType.Unspecified, false, false, null, null, null, null, null, false);

    [Fact]
    public void Ascending_reads_come_back_as_they_are()
    {
        var read = new List<ElementDescriptor> { D(1000), D(1001), D(1005) };
        Assert.Same(read, SmcClient.LastPerAddressInOrder(read));
    }

    [Fact]
    public void Overlapping_or_unordered_reads_keep_the_last_of_each_address_in_order()
    {
        var read = new List<ElementDescriptor> { D(1002), D(1000), D(1001), D(1000, full: true), D(1001) };
        var result = SmcClient.LastPerAddressInOrder(read);
        Assert.Equal([1000, 1001, 1002], result.Select(d => (int)d.Address));
        Assert.True(result[0].Full);
    }
}
