using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// A reply cut inside a fixed header fails with a decode error that names the field being read, the reply it belongs
/// to and the offset of that field: each header is cut at every byte and the error is checked against the layout of
/// the standard (SPC-4 §6.6.2 and §7.8 for INQUIRY, SPC-4 §7.5.5 for MODE SENSE, SMC-3 §6.11.1 for READ ELEMENT STATUS).
/// </summary>
public class TruncatedHeaderFieldTests
{
    private static void AssertCut(Func<byte[], object> decode, int length, string context, string field, int offset)
    {
        var e = Assert.Throws<ScsiDecodeException>(() => decode(new byte[length]));
        Assert.Equal(context, e.Context);
        Assert.Equal(field, e.Field);
        Assert.Equal(offset, e.Offset);
        Assert.Contains($"reading {field} ", e.Message);
    }

    [Theory]
    [InlineData(0, "MODE DATA LENGTH", 0)]
    [InlineData(1, "MODE DATA LENGTH", 0)]
    [InlineData(2, "MEDIUM TYPE", 2)]
    [InlineData(3, "DEVICE-SPECIFIC PARAMETER", 3)]
    [InlineData(4, "LONGLBA", 4)]
    [InlineData(5, "reserved", 5)]
    [InlineData(6, "BLOCK DESCRIPTOR LENGTH", 6)]
    [InlineData(7, "BLOCK DESCRIPTOR LENGTH", 6)]
    public void Mode_sense_10_header_cut_names_the_field(int length, string field, int offset) =>
        AssertCut(d => ModeSenseDecoder.Decode(d, tenByte: true), length, "MODE SENSE(10) data", field, offset);

    [Theory]
    [InlineData(0, "MODE DATA LENGTH", 0)]
    [InlineData(1, "MEDIUM TYPE", 1)]
    [InlineData(2, "DEVICE-SPECIFIC PARAMETER", 2)]
    [InlineData(3, "BLOCK DESCRIPTOR LENGTH", 3)]
    public void Mode_sense_6_header_cut_names_the_field(int length, string field, int offset) =>
        AssertCut(d => ModeSenseDecoder.Decode(d, tenByte: false), length, "MODE SENSE(6) data", field, offset);

    [Theory]
    [InlineData(0, "PERIPHERAL QUALIFIER/DEVICE TYPE")]
    [InlineData(1, "RMB")]
    [InlineData(2, "VERSION")]
    [InlineData(3, "RESPONSE DATA FORMAT")]
    [InlineData(4, "ADDITIONAL LENGTH")]
    [InlineData(5, "SCCS/ACC/TPGS/3PC/PROTECT")]
    [InlineData(6, "ENCSERV/VS/MULTIP/MCHNGR/ADDR16")]
    [InlineData(7, "WBUS16/SYNC/CMDQUE")]
    public void Standard_inquiry_cut_before_byte_8_names_the_field(int length, string field) =>
        AssertCut(d => InquiryDecoder.DecodeStandard(d), length, "standard INQUIRY data", field, length);

    [Theory]
    [InlineData(0, "PERIPHERAL QUALIFIER/DEVICE TYPE", 0)]
    [InlineData(1, "PAGE CODE", 1)]
    [InlineData(3, "PAGE LENGTH", 2)]
    public void Vpd_header_cut_names_the_field_for_each_page(int length, string field, int offset)
    {
        // A page code byte that matches, so a 3-byte reply reaches PAGE LENGTH.
        static byte[] Page(byte code, int length)
        {
            var d = new byte[length];
            if (length > 1) d[1] = code;
            return d;
        }
        var e = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeSupportedPages(Page(0x00, length)));
        Assert.Equal(("INQUIRY VPD page 00h", field, offset), (e.Context, e.Field, e.Offset));
        e = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeUnitSerialNumber(Page(0x80, length)));
        Assert.Equal(("INQUIRY VPD page 80h", field, offset), (e.Context, e.Field, e.Offset));
        e = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeDeviceIdentification(Page(0x83, length)));
        Assert.Equal(("INQUIRY VPD page 83h", field, offset), (e.Context, e.Field, e.Offset));
    }

    [Fact]
    public void Vpd_page_of_another_code_is_refused_naming_both_codes()
    {
        var e = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeUnitSerialNumber([0x08, 0x83, 0, 0]));
        Assert.Equal(("INQUIRY VPD page 80h", "PAGE CODE", 1), (e.Context, e.Field, e.Offset));
        Assert.Contains("page code 83h is not 80h", e.Message);
    }

    [Theory]
    [InlineData(0, "FIRST ELEMENT ADDRESS REPORTED", 0)]
    [InlineData(1, "FIRST ELEMENT ADDRESS REPORTED", 0)]
    [InlineData(2, "NUMBER OF ELEMENTS AVAILABLE", 2)]
    [InlineData(3, "NUMBER OF ELEMENTS AVAILABLE", 2)]
    [InlineData(4, "reserved", 4)]
    [InlineData(5, "BYTE COUNT OF REPORT AVAILABLE", 5)]
    [InlineData(7, "BYTE COUNT OF REPORT AVAILABLE", 5)]
    public void Element_status_header_cut_names_the_field(int length, string field, int offset) =>
        AssertCut(d => ElementStatusDecoder.Decode(d), length, "READ ELEMENT STATUS data", field, offset);

    [Theory]
    [InlineData(0, "PAGE CODE", 0)]
    [InlineData(1, "PAGE LENGTH", 1)]
    public void Changer_mode_page_record_too_short_for_its_header_names_the_field(int length, string field, int offset)
    {
        var e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.ElementAddressAssignment(new ModePage(0x1D, 0, false, new byte[length] is var b && length > 0 ? SetCode(b, 0x1D) : b)));
        Assert.Equal(("element address assignment page", field, offset), (e.Context, e.Field, e.Offset));
        e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.DeviceCapabilities(new ModePage(0x1F, 0, false, new byte[length] is var c && length > 0 ? SetCode(c, 0x1F) : c)));
        Assert.Equal(("device capabilities page", field, offset), (e.Context, e.Field, e.Offset));
        e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.TransportGeometry(new ModePage(0x1E, 0, false, new byte[length] is var g && length > 0 ? SetCode(g, 0x1E) : g)));
        Assert.Equal(("transport geometry page", field, offset), (e.Context, e.Field, e.Offset));
    }

    private static byte[] SetCode(byte[] b, byte code)
    {
        b[0] = code;
        return b;
    }
}
