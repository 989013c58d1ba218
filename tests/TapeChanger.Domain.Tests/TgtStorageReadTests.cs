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

    /// <summary>The bench library's elements: (type, first address, count).</summary>
    private static readonly (ElementType Type, int First, int Count)[] Ranges =
        [(ElementType.MediumTransport, 1, 1), (ElementType.Storage, FirstSlot, Slots), (ElementType.ImportExport, 10, 64), (ElementType.DataTransfer, 500, 16)];

    /// <summary>
    /// tgt's one-type READ ELEMENT STATUS as docs/reference/tgt.md §4 describes it: 52-byte descriptors with VolTag, the
    /// number of elements in the CDB ignored (bug 4), the reply 8 bytes short of what it declares (bug 1), cut to the
    /// allocation. INQUIRY and MODE SENSE 1Dh answer as tools/tgt-library.sh's STK L700 does.
    /// </summary>
    private static ScsiResult TgtAnswer(ScsiCommand c, Memory<byte> dataIn)
    {
        var cdb = c.Cdb;
        if (cdb[0] == OpCode.Inquiry && (cdb[1] & 1) == 0)
        {
            var inq = new byte[36];
            inq[0] = 0x08; inq[1] = 0x80; inq[2] = 5; inq[3] = 2; inq[4] = 31;
            Encoding.ASCII.GetBytes("STK     L700            0108").CopyTo(inq, 8);
            return Copy(inq, cdb[4], dataIn);
        }
        if (cdb[0] == OpCode.ModeSense6 && (cdb[2] & 0x3F) == 0x1D)
        {
            byte[] page = [0x17, 0, 0, 0, 0x1d, 0x12, 0, 1, 0, 1, 0x03, 0xe8, 0x07, 0xd0, 0, 0x0a, 0, 0x40, 0x01, 0xf4, 0, 0x10, 0, 0];
            return Copy(page, cdb[4], dataIn);
        }
        if (cdb[0] != OpCode.ReadElementStatus) return ScsiResult.Good(0);
        var type = (ElementType)(cdb[1] & 0x0F);
        var range = Ranges.Single(r => r.Type == type);
        int start = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(2));
        int alloc = (cdb[7] << 16) | (cdb[8] << 8) | cdb[9];
        int first = Math.Max(start, range.First), n = Math.Max(0, range.First + range.Count - first);
        const int desc = 52;
        var reply = new byte[16 + n * desc];
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(0), (ushort)first);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), (ushort)n);
        int body = 8 + n * desc;
        reply[5] = (byte)(body >> 16); reply[6] = (byte)(body >> 8); reply[7] = (byte)body;
        reply[8] = (byte)type; reply[9] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), desc);
        reply[13] = (byte)((n * desc) >> 16); reply[14] = (byte)((n * desc) >> 8); reply[15] = (byte)(n * desc);
        for (int i = 0; i < n; i++)
        {
            var d = reply.AsSpan(16 + i * desc, desc);
            int address = first + i;
            BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)address);
            bool full = type == ElementType.Storage && (address - FirstSlot) % 9 == 0;
            d[2] = full ? (byte)0x01 : (byte)0;
            Encoding.ASCII.GetBytes((full ? $"B{address - FirstSlot:D5}" : "").PadRight(32)).CopyTo(d[12..]);
        }
        return Copy(reply.AsSpan(0, reply.Length - 8).ToArray(), alloc, dataIn);
    }

    private static ScsiResult Copy(byte[] reply, int alloc, Memory<byte> dataIn)
    {
        int sent = Math.Min(Math.Min(reply.Length, alloc), dataIn.Length);
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

    [Fact]
    public async Task A_warm_status_sends_one_read_element_status_per_element_type()
    {
        string state = Directory.CreateTempSubdirectory("tc-tgt-warm-").FullName;
        try
        {
            var quirks = HardwareProfiles.Select("STK", "L700", "0108").Profile.ToQuirks();
            var cold = new ScriptedTransport { Answer = TgtAnswer };
            await using (var c1 = new MediaChanger(new SmcClient(cold, quirks: quirks), new ChangerSettings { Cache = new FileLibraryCache(state, "iscsi://tgt") }))
                await c1.GetStatusAsync();
            Assert.Contains(OpCode.ModeSense6, cold.Sent.Select(c => c.Cdb[0]));

            var warm = new ScriptedTransport { Answer = TgtAnswer };
            LibraryStatus status;
            await using (var c2 = new MediaChanger(new SmcClient(warm, quirks: quirks), new ChangerSettings { Cache = new FileLibraryCache(state, "iscsi://tgt") }))
                status = await c2.GetStatusAsync();

            // Type, first address and number of elements of each command: one per type, storage whole.
            Assert.Equal(
                [(1, 1, 1), (2, FirstSlot, Slots), (3, 10, 64), (4, 500, 16)],
                warm.Sent.Select(c => (c.Cdb[0] == OpCode.ReadElementStatus ? c.Cdb[1] & 0x0F : -c.Cdb[0],
                    (int)BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(2)), (int)BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(4)))).ToArray());
            Assert.Equal(Slots, status.Elements.Count(e => e.Type == ElementType.Storage));
            Assert.Equal(223, status.Elements.Count(e => e.Full));
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }
}
