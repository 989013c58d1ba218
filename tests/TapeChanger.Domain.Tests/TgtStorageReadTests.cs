using System.Buffers.Binary;
using System.Text;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The profiles a tgt library gets (its default identity, and STK L700 as tools/tgt-library.sh configures it) read the
/// 2,000 storage elements of the bench library in one READ ELEMENT STATUS, as tgt answers it (docs/reference/tgt.md §4).
/// </summary>
public class TgtStorageReadTests
{
    private const ushort FirstSlot = 1000;
    private const int Slots = 2000;

    /// <summary>
    /// tgt's storage page as docs/reference/tgt.md §4 describes it: 52-byte descriptors with VolTag, the number of
    /// elements in the CDB ignored (bug 4), the reply 8 bytes short of what it declares (bug 1), cut to the allocation.
    /// </summary>
    private static ScsiResult TgtAnswer(ScsiCommand c, Memory<byte> dataIn)
    {
        var cdb = c.Cdb;
        if (cdb[0] != OpCode.ReadElementStatus || (cdb[1] & 0x0F) != (byte)ElementType.Storage) return ScsiResult.Good(0);
        int start = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(2));
        int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
        int first = Math.Max(start, FirstSlot), n = Math.Max(0, FirstSlot + Slots - first);
        const int desc = 52;
        var reply = new byte[16 + n * desc];
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(0), (ushort)first);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), (ushort)n);
        int body = 8 + n * desc;
        reply[5] = (byte)(body >> 16); reply[6] = (byte)(body >> 8); reply[7] = (byte)body;
        reply[8] = (byte)ElementType.Storage; reply[9] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), desc);
        reply[13] = (byte)((n * desc) >> 16); reply[14] = (byte)((n * desc) >> 8); reply[15] = (byte)(n * desc);
        for (int i = 0; i < n; i++)
        {
            var d = reply.AsSpan(16 + i * desc, desc);
            int address = first + i;
            BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)address);
            bool full = (address - FirstSlot) % 9 == 0;
            d[2] = full ? (byte)0x01 : (byte)0;
            Encoding.ASCII.GetBytes((full ? $"B{address - FirstSlot:D5}" : "").PadRight(32)).CopyTo(d[12..]);
        }
        int sent = Math.Min(Math.Min(reply.Length - 8, alloc), dataIn.Length);
        reply.AsSpan(0, sent).CopyTo(dataIn.Span);
        return ScsiResult.Good(sent);
    }

    [Theory]
    [InlineData("STK", "L700", "0108")]             // tools/tgt-library.sh's identity (and mhVTL library 10's)
    [InlineData("IET", "VIRTUAL-CHANGER", "0001")]  // tgt's own
    public async Task Two_thousand_storage_elements_are_read_in_one_command(string vendor, string product, string revision)
    {
        var quirks = HardwareProfiles.Select(vendor, product, revision).Profile.ToQuirks();
        var transport = new ScriptedTransport { Answer = TgtAnswer };
        await using var client = new SmcClient(transport, quirks: quirks);

        var elements = await client.ReadElementStatusAsync(ElementType.Storage, FirstSlot, Slots);

        var cdb = Assert.Single(transport.Sent).Cdb;
        Assert.Equal(OpCode.ReadElementStatus, cdb[0]);
        Assert.Equal(FirstSlot, BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(2)));
        Assert.Equal(Slots, BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(4)));
        int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
        Assert.True(alloc >= 16 + Slots * 52 + 8, $"allocation {alloc} leaves no room for 2,000 descriptors and tgt's missing 8 bytes");
        Assert.Equal(Enumerable.Range(FirstSlot, Slots), elements.Select(e => (int)e.Address));
        Assert.Equal(Enumerable.Range(0, Slots).Where(i => i % 9 == 0).Select(i => $"B{i:D5}"),
            elements.Where(e => e.Full).Select(e => e.PrimaryVolumeTag!.Identifier.Trim()));
    }
}
