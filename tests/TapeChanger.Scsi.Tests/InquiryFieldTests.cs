using System.Text;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// Standard INQUIRY (SPC-4 §6.6.2) and VPD page 83h (SPC-4 §7.8.6) field by field, and the records built from them
/// (designator names and text, DVCID vendor/product/serial, the exchange capability of page 1Fh).
/// </summary>
public class InquiryFieldTests
{
    /// <summary>A standard INQUIRY reply of <paramref name="length"/> bytes declaring ADDITIONAL LENGTH = length - 5.</summary>
    private static byte[] Standard(int length, byte b0 = 0x08, byte b1 = 0x80)
    {
        var d = new byte[length];
        d[0] = b0; d[1] = b1; d[2] = 0x06; d[3] = 0x12; d[4] = (byte)(length - 5); d[6] = 0x08;
        Encoding.ASCII.GetBytes("HP      MSL G3 Series   3350").CopyTo(d, 8);
        return d;
    }

    [Fact]
    public void Peripheral_qualifier_is_the_top_three_bits_and_rmb_is_bit_7_of_byte_1()
    {
        var i = InquiryDecoder.DecodeStandard(Standard(36, b0: 0x68, b1: 0x7F));
        Assert.Equal((3, 0x08, false), (i.PeripheralQualifier, i.PeripheralDeviceType, i.Removable));
        var j = InquiryDecoder.DecodeStandard(Standard(36, b0: 0x08, b1: 0x80));
        Assert.Equal((0, true), (j.PeripheralQualifier, j.Removable));
    }

    [Fact]
    public void Vendor_specific_bytes_are_text_only_when_printable_and_not_blank()
    {
        var d = Standard(56);
        Encoding.ASCII.GetBytes("FW 3350 DRIVE").CopyTo(d, 36);
        Assert.Equal("FW 3350 DRIVE", InquiryDecoder.DecodeStandard(d).VendorSpecific);
        d[40] = 0x7F;                                                   // DEL is not printable
        Assert.Null(InquiryDecoder.DecodeStandard(d).VendorSpecific);
        d[40] = 0x01;
        Assert.Null(InquiryDecoder.DecodeStandard(d).VendorSpecific);
        var blank = Standard(56);
        Encoding.ASCII.GetBytes(new string(' ', 20)).CopyTo(blank, 36);
        Assert.Null(InquiryDecoder.DecodeStandard(blank).VendorSpecific);
        // One byte past byte 35 is enough to be read.
        var one = Standard(37);
        one[36] = (byte)'X';
        Assert.Equal("X", InquiryDecoder.DecodeStandard(one).VendorSpecific);
    }

    [Fact]
    public void Eight_version_descriptors_are_read_up_to_byte_73_and_a_half_one_is_dropped()
    {
        var d = Standard(74);
        for (int k = 0; k < 8; k++) { d[58 + 2 * k] = 0x01; d[59 + 2 * k] = (byte)(0x10 + k); }
        Assert.Equal(Enumerable.Range(0, 8).Select(k => (ushort)(0x0110 + k)), InquiryDecoder.DecodeStandard(d).VersionDescriptors);
        // A reply ending at byte 60 holds one descriptor and half of the next.
        var cut = Standard(61);
        cut[58] = 0x04; cut[59] = 0x60; cut[60] = 0x05;
        Assert.Equal([(ushort)0x0460], InquiryDecoder.DecodeStandard(cut).VersionDescriptors);
        // Byte 59 alone holds no descriptor.
        Assert.Empty(InquiryDecoder.DecodeStandard(Standard(60)).VersionDescriptors);
    }

    private static byte[] Vpd83(int declaredBody, params byte[][] descriptors)
    {
        var body = descriptors.SelectMany(x => x).ToArray();
        return [0x08, 0x83, (byte)(declaredBody >> 8), (byte)declaredBody, .. body];
    }

    [Fact]
    public void Designator_header_bits_are_split_as_the_standard_lays_them_out()
    {
        // Protocol 6 (SAS), code set 2 (ASCII); PIV set, association 2 (target device), type 8 (SCSI name string).
        var id = Assert.Single(InquiryDecoder.DecodeDeviceIdentification(Vpd83(8, [0x62, 0xA8, 0x00, 0x04, .. "ABCD"u8])));
        Assert.Equal((6, 2, true, 2, 8), (id.ProtocolIdentifier, id.CodeSet, id.Piv, id.Association, id.DesignatorType));
        Assert.Equal("ABCD", id.Text);
        var binary = Assert.Single(InquiryDecoder.DecodeDeviceIdentification(Vpd83(6, [0xF1, 0x03, 0x00, 0x02, 0xAB, 0x01])));
        Assert.Equal((15, 1, false, 0, 3), (binary.ProtocolIdentifier, binary.CodeSet, binary.Piv, binary.Association, binary.DesignatorType));
        Assert.Equal("ab01", binary.Text);
    }

    [Fact]
    public void An_empty_designator_at_the_end_of_the_page_is_kept()
    {
        var list = InquiryDecoder.DecodeDeviceIdentification(Vpd83(10, [0x02, 0x01, 0, 2, (byte)'A', (byte)'B'], [0x02, 0x00, 0, 0]));
        Assert.Equal(2, list.Count);
        Assert.Empty(list[1].Value);
    }

    [Fact]
    public void A_designator_running_past_the_page_length_names_its_length_field()
    {
        // Second descriptor at body offset 6 declares 5 bytes; the page declares 14 (6 + 4 + 4).
        var e = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeDeviceIdentification(
            Vpd83(14, [0x02, 0x01, 0, 2, (byte)'A', (byte)'B'], [0x02, 0x00, 0, 5, 1, 2, 3, 4, 5])));
        Assert.Equal(("INQUIRY VPD page 83h", "DESIGNATOR LENGTH", 13), (e.Context, e.Field, e.Offset));
        Assert.Contains("designator length 5 runs past the page length 14", e.Message);
        // One byte over on the first descriptor.
        var f = Assert.Throws<ScsiDecodeException>(() => InquiryDecoder.DecodeDeviceIdentification(Vpd83(10, [0x02, 0x00, 0, 7, 1, 2, 3, 4, 5, 6, 7])));
        Assert.Equal(7, f.Offset);
    }

    [Theory]
    [InlineData(0, "vendor specific")]
    [InlineData(1, "T10 vendor ID")]
    [InlineData(2, "EUI-64")]
    [InlineData(3, "NAA")]
    [InlineData(4, "relative target port")]
    [InlineData(5, "target port group")]
    [InlineData(6, "logical unit group")]
    [InlineData(7, "MD5 logical unit identifier")]
    [InlineData(8, "SCSI name string")]
    [InlineData(9, "protocol specific port identifier")]
    [InlineData(10, "UUID")]
    [InlineData(11, "type 11")]
    public void Designator_types_have_their_spc4_names(byte type, string name) =>
        Assert.Equal(name, new Designator(0, 1, false, 0, type, []).TypeName);

    private static DeviceIdentifier Dvcid(byte type, byte codeSet, string value) => new(0, codeSet, false, 0, type, Encoding.ASCII.GetBytes(value), false);

    [Fact]
    public void A_t10_vendor_id_identifier_splits_into_vendor_product_and_serial()
    {
        var full = Dvcid(1, 2, "IBM     ULT3580-TD8     1068093050");
        Assert.Equal(("IBM", "ULT3580-TD8", "1068093050", "IBM ULT3580-TD8 1068093050"), (full.Vendor, full.Product, full.SerialNumber, full.Text));
        // Exactly 24 bytes: vendor and product, no serial.
        var noSerial = Dvcid(1, 2, "IBM     ULT3580-TD8     ");
        Assert.Equal(("IBM", "ULT3580-TD8", null, "IBM ULT3580-TD8"), (noSerial.Vendor, noSerial.Product, noSerial.SerialNumber, noSerial.Text));
        // Exactly 8 bytes: the vendor only.
        var vendorOnly = Dvcid(1, 2, "QUANTUM ");
        Assert.Equal(("QUANTUM", null, null, "QUANTUM"), (vendorOnly.Vendor, vendorOnly.Product, vendorOnly.SerialNumber, vendorOnly.Text));
        // Seven bytes are not a vendor.
        Assert.Null(Dvcid(1, 2, "QUANTUM").Vendor);
    }

    [Fact]
    public void A_t10_vendor_id_too_short_for_a_product_is_shown_whole()
    {
        // 15 bytes: a vendor and half a product; the text keeps what arrived rather than the vendor alone.
        var cut = Dvcid(1, 2, "IBM     ULT3580");
        Assert.Equal(("IBM", null, "IBM     ULT3580"), (cut.Vendor, cut.Product, cut.Text));
    }

    [Fact]
    public void Only_a_text_t10_vendor_id_has_a_vendor_and_product()
    {
        var serialOnly = Dvcid(0, 2, "IBM     ULT3580-TD8     1068093050");
        Assert.Equal((null, null), (serialOnly.Vendor, serialOnly.Product));
        Assert.Equal("IBM     ULT3580-TD8     1068093050", serialOnly.Text);
        var binary = Dvcid(1, 1, "IBM     ULT3580-TD8     1068093050");
        Assert.Equal((null, null, null), (binary.Vendor, binary.Product, binary.SerialNumber));
    }

    [Theory]
    [InlineData(0x01, 0, 0, 0)]
    [InlineData(0, 0x02, 0, 0)]
    [InlineData(0, 0, 0x04, 0)]
    [InlineData(0, 0, 0, 0x08)]
    public void Any_exchange_source_means_exchange_is_supported(byte mt, byte st, byte ie, byte dt)
    {
        Assert.True(new DeviceCapabilities(0x0E, 0, 0, 0, 0, mt, st, ie, dt).SupportsExchange);
        Assert.False(new DeviceCapabilities(0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0, 0, 0, 0).SupportsExchange);
    }

    [Fact]
    public void Finding_a_mode_page_that_is_not_there_gives_null()
    {
        var m = ModeSenseDecoder.Decode([0, 6 + 4, 0, 0, 0, 0, 0, 0, 0x1D, 0x02, 0xAA, 0xBB], tenByte: true);
        Assert.NotNull(m.Find(0x1D));
        Assert.Null(m.Find(0x1F));
    }
}
