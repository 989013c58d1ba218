using System.Text;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Virtual.Tests;

/// <summary>READ ELEMENT STATUS (docs/reference/mhvtl.md §7) as encode-then-decode round trips.</summary>
public class ReadElementStatusTests
{
    private readonly Harness _h = new();

    [Fact]
    public void AllTypes_Library10Layout_InAddressOrder()
    {
        var r = _h.Res();
        Assert.Equal(48, r.ElementsAvailable);
        Assert.Equal(1, r.FirstElementAddress);
        Assert.Equal(new[] { ElementType.MediumTransport, ElementType.ImportExport, ElementType.DataTransfer, ElementType.Storage }, r.Pages.Select(p => p.Type));
        Assert.Equal(1, r.Elements.Count(e => e.Type == ElementType.MediumTransport));
        Assert.Equal(new ushort[] { 10, 11, 12, 13 }, r.Elements.Where(e => e.Type == ElementType.ImportExport).Select(e => e.Address));
        Assert.Equal(new ushort[] { 500, 501, 502, 503 }, r.Elements.Where(e => e.Type == ElementType.DataTransfer).Select(e => e.Address));
        Assert.Equal(Enumerable.Range(1000, 39).Select(i => (ushort)i), r.Elements.Where(e => e.Type == ElementType.Storage).Select(e => e.Address));
        Assert.All(r.Pages, p => Assert.Equal(52, p.DescriptorLength));
        Assert.False(r.Truncated);
    }

    [Fact]
    public void Barcodes_MediumTypes_AndCleaners()
    {
        var r = _h.Res(ElementType.Storage);
        var slot = r.Elements.ToDictionary(e => e.Address);
        Assert.Equal("E01001L8", slot[1000].Barcode);
        Assert.Equal("E01020L8", slot[1019].Barcode);
        Assert.Null(slot[1020].Barcode);
        Assert.False(slot[1020].Full);
        Assert.Equal("CLN101L8", slot[1021].Barcode);
        Assert.Equal(MediumType.Cleaning, slot[1021].MediumType);
        Assert.Equal("CLN102L6", slot[1022].Barcode);
        Assert.Equal(MediumType.Cleaning, slot[1022].MediumType);
        Assert.Equal(MediumType.Data, slot[1000].MediumType);
        Assert.Equal("F01039L6", slot[1038].Barcode);
        Assert.All(r.Elements, e => Assert.Equal(e.Full ? (ElementFlags)0x09 : (ElementFlags)0x08, e.Flags));
        Assert.All(r.Elements, e => Assert.Null(e.SourceAddress));    // never moved: SValid=0
    }

    [Fact]
    public void WorkedExample_Slot1000_ExactBytes()
    {
        var d = _h.Ok(SmcCommands.ReadElementStatus(ElementType.Storage, 1000, 39, 0xFFFF));
        Assert.Equal("03 e8 00 27 00 00 07 f4", Harness.Hex(d[..8]));
        Assert.Equal("02 80 00 34 00 00 07 ec", Harness.Hex(d[8..16]));
        var desc = new List<byte>(Convert.FromHexString("03e8090000000000000100 00".Replace(" ", "")));
        desc.AddRange(Encoding.ASCII.GetBytes("E01001L8"));
        desc.AddRange(Enumerable.Repeat((byte)0x20, 24));
        desc.AddRange(new byte[8]);
        Assert.Equal(Harness.Hex(desc.ToArray()), Harness.Hex(d[16..68]));
        // empty element: 36 zero bytes of volume tag
        var empty = d.AsSpan(16 + 52 * 20, 52).ToArray();
        Assert.Equal("03 fc 08", Harness.Hex(empty[..3]));
        Assert.All(empty[12..], b => Assert.Equal(0, b));
    }

    [Fact]
    public void Dvcid_DrivePagesAre86Bytes_WithT10Identifier()
    {
        var r = _h.Res(dvcid: true);
        Assert.Equal(86, r.Pages.Single(p => p.Type == ElementType.DataTransfer).DescriptorLength);
        Assert.All(r.Pages.Where(p => p.Type != ElementType.DataTransfer), p => Assert.Equal(52, p.DescriptorLength));
        var drives = r.Elements.Where(e => e.Type == ElementType.DataTransfer).ToList();
        Assert.Equal(new[] { "XYZZY_A1", "XYZZY_A2", "XYZZY_A3", "XYZZY_A4" }, drives.Select(d => d.Identifier!.SerialNumber));
        Assert.Equal("IBM", drives[0].Identifier!.Vendor);
        Assert.Equal("ULT3580-TD6", drives[2].Identifier!.Product);
        Assert.Equal(34, drives[0].Identifier!.Value.Length);
        Assert.Equal(1, drives[0].Identifier!.IdentifierType);
    }

    [Fact]
    public void NoVolTag_DvcidOnly_Is50Bytes()
    {
        var r = _h.Res(ElementType.DataTransfer, volTag: false, dvcid: true);
        Assert.Equal(50, r.Pages.Single().DescriptorLength);
        Assert.Equal("XYZZY_A2", r.Elements[1].Identifier!.SerialNumber);
        Assert.Equal(16, _h.Res(ElementType.Storage, volTag: false).Pages.Single().DescriptorLength);
    }

    [Fact]
    public void MapFlags_FollowTheCap()
    {
        _h.Library.OpenImportExport();
        _h.Library.InsertIntoImportExport("IMP001L8");
        var open = _h.Res(ElementType.ImportExport).Elements;
        Assert.Equal((ElementFlags)0x33, open[0].Flags);      // InEnab|ExEnab|ImpExp|Full, Access cleared
        Assert.Equal((ElementFlags)0x32, open[1].Flags);
        _h.Library.CloseImportExport();
        var closed = _h.Res(ElementType.ImportExport).Elements;
        Assert.Equal((ElementFlags)0x3B, closed[0].Flags);
        Assert.Equal((ElementFlags)0x3A, closed[1].Flags);
        Assert.Equal("IMP001L8", closed[0].Barcode);
    }

    [Fact]
    public void Start_And_Count()
    {
        var r = _h.Res(ElementType.Storage, start: 1010, count: 3);
        Assert.Equal(1010, r.FirstElementAddress);
        Assert.Equal(new ushort[] { 1010, 1011, 1012 }, r.Elements.Select(e => e.Address));
        var type0 = _h.Res(ElementType.All, start: 502, count: 4);
        Assert.Equal(new ushort[] { 502, 503, 1000, 1001 }, type0.Elements.Select(e => e.Address));
        Assert.Equal(2, type0.Pages.Count);
    }

    [Fact]
    public void CountZero_ReportsNothing()
    {
        var d = _h.Ok(SmcCommands.ReadElementStatus(ElementType.Storage, 1000, 0, 0xFFFF));
        Assert.Equal(8, d.Length);
        var r = ElementStatusDecoder.Decode(d);
        Assert.Equal(0, r.ElementsAvailable);
        Assert.Empty(r.Elements);
    }

    [Fact]
    public void AllocationLength_TrimsToDescriptorBoundary()
    {
        var d = _h.Ok(SmcCommands.ReadElementStatus(ElementType.Storage, 1000, 39, 8 + 8 + 52 * 2 + 30));
        Assert.Equal(8 + 8 + 52 * 2, d.Length);
        var r = ElementStatusDecoder.Decode(d);
        Assert.Equal(2, r.Elements.Count);
        Assert.True(r.MoreAvailable);
        Assert.Equal(39, r.ElementsAvailable);
    }

    [Fact]
    public void Errors()
    {
        _h.Expect("05/24/00", Harness.Raw(0xB8, 0x12, 0x03, 0xE8, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x01), 11);
        _h.Expect("05/24/00", Harness.Raw(0xB8, 0x15, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00), 1);
        _h.Expect("05/24/00", SmcCommands.ReadElementStatus(ElementType.Storage, 2000, 1, 0xFFFF), 2);
        _h.Expect("05/24/00", SmcCommands.ReadElementStatus(ElementType.DataTransfer, 504, 1, 0xFFFF), 2);
    }
}
