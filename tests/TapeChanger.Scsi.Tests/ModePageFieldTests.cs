using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// MODE SENSE parameter data (SPC-4 §7.5.5) and the changer pages 1Dh/1Eh/1Fh (SMC-3 §7.3) field by field: the header
/// bytes, the page byte 0 bits, each page field at its offset, the masks, and every check that refuses a malformed page.
/// </summary>
public class ModePageFieldTests
{
    /// <summary>MODE SENSE(10) reply: 8-byte header (block descriptor length as given) then the pages.</summary>
    private static byte[] Reply10(byte mediumType, byte deviceSpecific, byte b4, int blockDescriptors, params byte[][] pages)
    {
        var body = new List<byte>();
        body.AddRange(new byte[blockDescriptors]);
        foreach (var p in pages) body.AddRange(p);
        int length = 6 + body.Count;
        return [(byte)(length >> 8), (byte)length, mediumType, deviceSpecific, b4, 0, (byte)(blockDescriptors >> 8), (byte)blockDescriptors, .. body];
    }

    [Fact]
    public void Mode_sense_10_header_fields_come_from_their_bytes()
    {
        var m = ModeSenseDecoder.Decode(Reply10(0x7C, 0x90, 0x01, 0), tenByte: true);
        Assert.Equal(new ModeParameterHeader(6, 0x7C, 0x90, true, 0), m.Header);
        Assert.Empty(m.Pages);
        Assert.False(m.Truncated);
        Assert.Equal(0, m.MissingBytes);
        // Only bit 0 of byte 4 is LONGLBA.
        Assert.False(ModeSenseDecoder.Decode(Reply10(0, 0, 0xFE, 0), tenByte: true).Header.LongLba);
    }

    [Fact]
    public void Mode_sense_6_header_fields_come_from_their_bytes()
    {
        byte[] reply = [3 + 4, 0x05, 0x10, 0, 0x1D, 0x02, 0xAA, 0xBB];
        var m = ModeSenseDecoder.Decode(reply, tenByte: false);
        Assert.Equal(new ModeParameterHeader(7, 0x05, 0x10, false, 0), m.Header);
        var page = Assert.Single(m.Pages);
        Assert.Equal((0x1D, 0, false), (page.PageCode, page.Subpage, page.ParametersSaveable));
        Assert.Equal([0x1D, 0x02, 0xAA, 0xBB], page.Data);
    }

    [Fact]
    public void Block_descriptors_are_skipped_by_their_declared_length()
    {
        var m = ModeSenseDecoder.Decode(Reply10(0, 0, 0, 8, [0x9F, 0x02, 0x11, 0x22]), tenByte: true);
        var page = Assert.Single(m.Pages);
        Assert.Equal((0x1F, true), (page.PageCode, page.ParametersSaveable));   // PS is bit 7, the code bits 5-0
        Assert.Equal([0x9F, 0x02, 0x11, 0x22], page.Data);
    }

    [Fact]
    public void Block_descriptors_running_past_the_reply_make_it_truncated_with_no_pages()
    {
        byte[] reply = [0, 14, 0, 0, 0, 0, 0, 16, .. new byte[8]];          // declares 16 bytes of descriptors, has 8
        var m = ModeSenseDecoder.Decode(reply, tenByte: true);
        Assert.True(m.Truncated);
        Assert.Empty(m.Pages);
        Assert.Equal(0, m.MissingBytes);
        // The same when the reply also declares more than it sent: the missing count is still reported.
        byte[] shortOfDeclared = [0, 30, 0, 0, 0, 0, 0, 16, .. new byte[8]];
        var s = ModeSenseDecoder.Decode(shortOfDeclared, tenByte: true);
        Assert.Equal((true, 16), (s.Truncated, s.MissingBytes));
    }

    [Fact]
    public void A_page_of_length_zero_that_ends_the_reply_is_a_page()
    {
        byte[] reply = [0, 6 + 2, 0, 0, 0, 0, 0, 0, 0x1D, 0x00];
        var m = ModeSenseDecoder.Decode(reply, tenByte: true);
        Assert.False(m.Truncated);
        Assert.Equal([0x1D, 0x00], Assert.Single(m.Pages).Data);
    }

    [Fact]
    public void A_missing_page_record_is_an_argument_error_and_a_page_without_data_a_decode_error()
    {
        Assert.Throws<ArgumentNullException>(() => ChangerModePages.ElementAddressAssignment(null!));
        var e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.ElementAddressAssignment(new ModePage(0x1D, 0, false, null!)));
        Assert.Equal(("PAGE CODE", 0), (e.Field, e.Offset));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(2, false)]   // the MSL3040 counts its 2-byte length field: not truncation
    [InlineData(3, true)]
    public void Missing_bytes_beyond_one_length_field_are_truncation(int missing, bool truncated)
    {
        // Two complete pages; MODE DATA LENGTH declares `missing` bytes more than were sent.
        var reply = Reply10(0, 0, 0, 0, [0x1D, 0x02, 0xAA, 0xBB], [0x1E, 0x04, 1, 2, 3, 4]);
        int declared = (reply[0] << 8 | reply[1]) + missing;
        reply[0] = (byte)(declared >> 8); reply[1] = (byte)declared;
        var m = ModeSenseDecoder.Decode(reply, tenByte: true);
        Assert.Equal(missing, m.MissingBytes);
        Assert.Equal(truncated, m.Truncated);
        Assert.Equal(2, m.Pages.Count);
    }

    [Fact]
    public void A_page_header_cut_in_half_is_truncation_and_earlier_pages_stay()
    {
        byte[] reply = [0, 6 + 4 + 1, 0, 0, 0, 0, 0, 0, 0x1D, 0x02, 0xAA, 0xBB, 0x1E];
        var m = ModeSenseDecoder.Decode(reply, tenByte: true);
        Assert.True(m.Truncated);
        Assert.Equal([(byte)0x1D], m.Pages.Select(p => p.PageCode));
    }

    [Fact]
    public void Zero_fill_inside_the_declared_length_is_padding_not_a_page()
    {
        byte[] reply = [0, 6 + 4 + 6, 0, 0, 0, 0, 0, 0, 0x1D, 0x02, 0xAA, 0xBB, 0, 0, 0, 0, 0, 0];
        var m = ModeSenseDecoder.Decode(reply, tenByte: true);
        Assert.False(m.Truncated);
        Assert.Equal([(byte)0x1D], m.Pages.Select(p => p.PageCode));
        // A page 00h with a non-zero byte after it is a page (vendor page 0), not padding.
        byte[] vendor0 = [0, 6 + 4, 0, 0, 0, 0, 0, 0, 0x00, 0x02, 0x01, 0x00];
        Assert.Equal([(byte)0x00], ModeSenseDecoder.Decode(vendor0, tenByte: true).Pages.Select(p => p.PageCode));
    }

    [Fact]
    public void A_sub_page_format_page_keeps_its_subpage_code_and_16_bit_length()
    {
        byte[] reply = [0, 6 + 6, 0, 0, 0, 0, 0, 0, 0x5D, 0x07, 0x00, 0x02, 0xAA, 0xBB];
        var page = Assert.Single(ModeSenseDecoder.Decode(reply, tenByte: true).Pages);
        Assert.Equal((0x1D, 0x07, false), (page.PageCode, page.Subpage, page.ParametersSaveable));
        Assert.Equal(6, page.Data.Length);
    }

    private static byte[] Page1D(byte length = 0x12) =>
        [0x1D, length, 0x00, 0x01, 0x00, 0x02, 0x03, 0xE8, 0x00, 0x27, 0x00, 0x0A, 0x00, 0x04, 0x01, 0xF4, 0x00, 0x06, 0, 0];

    [Fact]
    public void Element_address_assignment_reads_each_pair_of_bytes_in_order()
    {
        var a = ChangerModePages.ElementAddressAssignment(new ModePage(0x1D, 0, false, Page1D()));
        Assert.Equal(new ElementAddressAssignment(1, 2, 1000, 39, 10, 4, 500, 6), a);
    }

    [Theory]
    [InlineData(0x1E, 0x1D, "PAGE CODE", "page code 1Dh (record says 1Eh) is not 1Dh")]
    [InlineData(0x1D, 0x1E, "PAGE CODE", "page code 1Eh (record says 1Dh) is not 1Dh")]
    [InlineData(0x1D, 0x5D, "SPF", "sub_page format is not defined for this page")]
    public void A_page_of_another_code_or_in_sub_page_format_is_refused(byte recordCode, byte byte0, string field, string reason)
    {
        var data = Page1D();
        data[0] = byte0;
        var e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.ElementAddressAssignment(new ModePage(recordCode, 0, false, data)));
        Assert.Equal(("element address assignment page", field, 0), (e.Context, e.Field, e.Offset));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_page_below_the_minimum_length_or_shorter_than_it_declares_is_refused()
    {
        var e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.ElementAddressAssignment(new ModePage(0x1D, 0, false, Page1D(0x11))));
        Assert.Equal(("PAGE LENGTH", 1), (e.Field, e.Offset));
        Assert.Contains("page length 17 is below the required 18", e.Message);
        var f = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.DeviceCapabilities(new ModePage(0x1F, 0, false, [0x1F, 0x11, .. new byte[18]])));
        Assert.Contains("page length 17 is below the required 18", f.Message);
        // Exactly the minimum is accepted; one byte short of the declared length is not.
        Assert.Equal(1000, ChangerModePages.ElementAddressAssignment(new ModePage(0x1D, 0, false, Page1D()[..20])).FirstStorage);
        var g = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.ElementAddressAssignment(new ModePage(0x1D, 0, false, Page1D()[..19])));
        Assert.Equal(("page data", 19), (g.Field, g.Offset));
        Assert.Contains("needs 1 byte(s)", g.Message);
    }

    [Fact]
    public void Transport_geometry_has_one_rotate_bit_and_member_number_per_transport()
    {
        var tg = ChangerModePages.TransportGeometry(new ModePage(0x1E, 0, false, [0x1E, 0x06, 0x01, 0x00, 0xFE, 0x01, 0x03, 0x07]));
        Assert.Equal([new(true, 0), new(false, 1), new(true, 7)], tg.Transports);
        Assert.Empty(ChangerModePages.TransportGeometry(new ModePage(0x1E, 0, false, [0x1E, 0x00])).Transports);
    }

    [Fact]
    public void Transport_geometry_of_odd_length_is_refused()
    {
        var e = Assert.Throws<ScsiDecodeException>(() => ChangerModePages.TransportGeometry(new ModePage(0x1E, 0, false, [0x1E, 0x03, 1, 0, 1])));
        Assert.Equal(("transport geometry page", "PAGE LENGTH", 1), (e.Context, e.Field, e.Offset));
        Assert.Contains("page length 3 is not a multiple of the 2-byte descriptor", e.Message);
    }

    [Fact]
    public void Device_capabilities_read_each_byte_at_its_offset_and_keep_the_low_four_bits()
    {
        byte[] page = [0x1F, 0x12, 0xF1, 0x07, 0xF2, 0xE3, 0xD4, 0xC5, 0xFF, 0xFF, 0xFF, 0xFF, 0xB6, 0xA7, 0x98, 0x89, 0, 0, 0, 0];
        var c = ChangerModePages.DeviceCapabilities(new ModePage(0x1F, 0, false, page));
        Assert.Equal(new DeviceCapabilities(0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09), c);
    }
}
