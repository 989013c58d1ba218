using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

public class ElementStatusCaptureTests
{
    [Fact]
    public void Msl3040_all_types_with_voltag_decodes_43_elements()
    {
        var data = Fixture.Load("hpe-msl3040-res-all-voltag-curdata.hex");
        Assert.Equal(2268, data.Length);
        var report = ElementStatusDecoder.Decode(data);

        Assert.Equal(0x0000, report.FirstElementAddress);
        Assert.Equal(43, report.ElementsAvailable);
        Assert.Equal(2260, report.DeclaredByteCount);
        Assert.Equal(0, report.MissingBytes);
        Assert.False(report.Truncated);
        Assert.False(report.MoreAvailable);
        Assert.Equal(43, report.Elements.Count);
        Assert.Equal(1, report.Elements.Count(e => e.Type == ElementType.MediumTransport));
        Assert.Equal(2, report.Elements.Count(e => e.Type == ElementType.DataTransfer));
        Assert.Equal(40, report.Elements.Count(e => e.Type == ElementType.Storage));
        Assert.Equal(0, report.Elements.Count(e => e.Type == ElementType.ImportExport));
        Assert.Equal([ElementType.MediumTransport, ElementType.DataTransfer, ElementType.Storage], report.Pages.Select(p => p.Type));
        Assert.All(report.Pages, p => { Assert.Equal(52, p.DescriptorLength); Assert.True(p.PrimaryVolumeTag); Assert.False(p.Truncated); });

        var drive1 = report.Elements.Single(e => e.Type == ElementType.DataTransfer && e.Address == 0x0001);
        Assert.True(drive1.Full);
        Assert.True(drive1.Access);
        Assert.Equal((ushort)0x040a, drive1.SourceAddress);
        Assert.Equal("S30002L9", drive1.Barcode);
        Assert.Equal(MediumType.Data, drive1.MediumType);
        Assert.Null(drive1.Identifier);

        var drive2 = report.Elements.Single(e => e.Type == ElementType.DataTransfer && e.Address == 0x0002);
        Assert.Equal((ushort)0x03ee, drive2.SourceAddress);
        Assert.Equal("Z20001L9", drive2.Barcode);

        var cleaner = report.Elements.Single(e => e.Address == 0x03e9);
        Assert.Equal(ElementType.Storage, cleaner.Type);
        Assert.Equal("CLNU01L9", cleaner.Barcode);
        Assert.Equal(MediumType.Cleaning, cleaner.MediumType);
        Assert.False(cleaner.Except);
        Assert.Null(cleaner.SourceAddress);
        Assert.True(cleaner.Full);

        var empty = report.Elements.Single(e => e.Address == 0x03eb);
        Assert.False(empty.Full);
        Assert.True(empty.Access);
        Assert.Null(empty.Barcode);

        var slots = report.Elements.Where(e => e.Type == ElementType.Storage).Select(e => (int)e.Address).ToArray();
        Assert.Equal(Enumerable.Range(0x03e9, 40), slots);
        Assert.Equal(0x0000, report.Elements.Single(e => e.Type == ElementType.MediumTransport).Address);
    }

    [Fact]
    public void Mhvtl_ltfs354_dvcid_identifiers_and_cut_reply()
    {
        var data = Fixture.Load("mhvtl-ltfs354-res-dt-dvcid-cut.hex");
        Assert.Equal(194, data.Length);
        var report = ElementStatusDecoder.Decode(data);

        Assert.Equal(0x01f4, report.FirstElementAddress);
        Assert.Equal(0, report.ElementsAvailable);             // the count-0 quirk
        Assert.Equal(216 - 194, report.MissingBytes);
        Assert.True(report.Truncated);
        var page = Assert.Single(report.Pages);
        Assert.Equal(50, page.DescriptorLength);
        Assert.False(page.PrimaryVolumeTag);

        Assert.Equal(4, report.Elements.Count);
        var d0 = report.Elements[0];
        Assert.Equal(0x01f4, d0.Address);
        Assert.True(d0.Access);
        Assert.False(d0.Partial);
        var id = Assert.IsType<DeviceIdentifier>(d0.Identifier);
        Assert.Equal(2, id.CodeSet);
        Assert.Equal(1, id.IdentifierType);
        Assert.Equal("IBM", id.Vendor);
        Assert.Equal("ULT3580-TD8", id.Product);
        Assert.Equal("XYZZY_A1", id.SerialNumber);
        Assert.Equal("IBM ULT3580-TD8 XYZZY_A1", id.Text);
        Assert.False(id.Truncated);
        Assert.Equal("XYZZY_A2", report.Elements[1].Identifier!.SerialNumber);
        Assert.Equal("ULT3580-TD6", report.Elements[2].Identifier!.Product);
        Assert.Equal("XYZZY_A3", report.Elements[2].Identifier!.SerialNumber);

        var last = report.Elements[3];
        Assert.Equal(0x01f7, last.Address);
        Assert.True(last.Partial);
        Assert.True(last.Identifier!.Truncated);
        Assert.Equal("IBM", last.Identifier.Vendor);
        Assert.Null(last.Identifier.SerialNumber);
    }

    [Fact]
    public void Tgt_mt_only_reply_8_bytes_short_reports_missing_bytes()
    {
        var report = ElementStatusDecoder.Decode(Fixture.Load("tgt-res-mt-only-8-bytes-short.hex"));
        Assert.Equal(0x01f5, report.FirstElementAddress);
        Assert.Equal(1, report.ElementsAvailable);
        Assert.Equal(8, report.MissingBytes);
        Assert.True(report.Truncated);
        var page = Assert.Single(report.Pages);
        Assert.Equal(ElementType.MediumTransport, page.Type);
        Assert.True(page.Truncated);
        Assert.Empty(report.Elements);                          // only 8 of the 12 fixed bytes arrived
        Assert.True(report.MoreAvailable);
    }
}
