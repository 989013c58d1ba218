using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

public class TruncationTests
{
    private const string Drive = "IBM     ULT3580-TD8     XYZZY_A1  "; // 34-byte T10 vendor ID

    private static byte[] MixedReply() => new ResBuilder()
        .Page(4, pvol: true, descLength: 86)                  // DT page first, 12 + 36 + 4 + 34
        .Element(0x01f4, 0x09, 0x81, 0x03e8, "E01001L8", Drive)
        .Element(0x01f5, 0x08, t10Id: "IBM     ULT3580-TD8     XYZZY_A2  ")
        .Page(2, pvol: true, descLength: 52)                  // then ST, 12 + 36 + 4
        .Element(0x03e8, 0x08)
        .Element(0x03e9, 0x09, 0x01, 0, "E01002L8")
        .Element(0x03ea, 0x09, 0x02, 0, "CLN001L1")
        .Page(1, pvol: true, descLength: 52)                  // MT last
        .Element(0x0001, 0x00)
        .Build(first: 0x01f4);

    [Fact]
    public void Pages_in_any_order_with_different_descriptor_lengths()
    {
        var r = ElementStatusDecoder.Decode(MixedReply());
        Assert.Equal([ElementType.DataTransfer, ElementType.Storage, ElementType.MediumTransport], r.Pages.Select(p => p.Type));
        Assert.Equal([86, 52, 52], r.Pages.Select(p => p.DescriptorLength));
        Assert.Equal(6, r.Elements.Count);
        Assert.False(r.Truncated);
        Assert.Equal("XYZZY_A1", r.Elements[0].Identifier!.SerialNumber);
        Assert.Equal("E01001L8", r.Elements[0].Barcode);
        Assert.Equal((ushort)0x03e8, r.Elements[0].SourceAddress);
        Assert.Equal("XYZZY_A2", r.Elements[1].Identifier!.SerialNumber);
        Assert.Equal(MediumType.Cleaning, r.Elements[4].MediumType);
        Assert.Equal("CLN001L1", r.Elements[4].Barcode);
        Assert.Null(r.Elements[2].Identifier);
    }

    [Fact]
    public void Tgt_style_reply_8_bytes_short_keeps_complete_descriptors_and_partial_barcode()
    {
        var full = new ResBuilder().Page(2, true, 52)
            .Element(1000, 0x01, 0, 0, "AAA001L8").Element(1001, 0x01, 0, 0, "AAA002L8").Element(1002, 0x01, 0, 0, "AAA003L8")
            .Build(first: 1000);
        var cut = full[..^8];
        var r = ElementStatusDecoder.Decode(cut);
        Assert.Equal(8, r.MissingBytes);
        Assert.True(r.Truncated);
        Assert.Equal(3, r.Elements.Count);
        Assert.False(r.Elements[1].Partial);
        Assert.True(r.Elements[2].Partial);
        Assert.Equal("AAA003L8", r.Elements[2].Barcode);      // bytes 12-43 survive the 8-byte loss
        Assert.True(r.Pages[0].Truncated);
    }

    [Fact]
    public void Tgt_dvcid_reply_loses_the_last_serial()
    {
        var full = new ResBuilder().Page(4, true, 86)
            .Element(500, 0x01, t10Id: "IBM     ULT3580-TD8     DRV00001\0\0")
            .Element(501, 0x00, t10Id: "IBM     ULT3580-TD8     DRV00002\0\0")
            .Build(first: 500);
        var r = ElementStatusDecoder.Decode(full[..^8]);
        Assert.Equal("DRV00001", r.Elements[0].Identifier!.SerialNumber); // NUL padding trimmed
        var last = r.Elements[1].Identifier!;
        Assert.True(last.Truncated);
        Assert.Equal("DR", last.SerialNumber);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(4096)]
    public void Padding_after_the_declared_byte_count_is_ignored(int pad)
    {
        var exact = MixedReply();
        var padded = exact.Concat(Enumerable.Repeat((byte)0xA5, pad)).ToArray();
        var a = ElementStatusDecoder.Decode(exact);
        var b = ElementStatusDecoder.Decode(padded);
        Assert.Equal(a.Elements.Count, b.Elements.Count);
        Assert.False(b.Truncated);
        Assert.Equal(0, b.MissingBytes);
        Assert.Equal(a.Elements.Select(e => e.Address), b.Elements.Select(e => e.Address));
    }

    [Fact]
    public void Every_truncation_point_of_the_msl3040_capture_decodes_or_throws_decode_error()
    {
        var data = Fixture.Load("hpe-msl3040-res-all-voltag-curdata.hex");
        for (int len = 0; len <= data.Length; len++)
        {
            try
            {
                var r = ElementStatusDecoder.Decode(data.AsSpan(0, len));
                Assert.Equal(data.Length - len, r.MissingBytes);
                Assert.True(len == data.Length || r.Truncated);
                Assert.All(r.Elements.Where(e => !e.Partial), e => Assert.True(e.Address <= 0x0410));
            }
            catch (ScsiDecodeException ex)
            {
                Assert.True(len < 8, $"length {len}: {ex.Message}");
            }
        }
    }

    [Fact]
    public void Page_whose_byte_count_is_not_a_multiple_of_the_descriptor_length_is_not_truncated()
    {
        // ST page declares 60 bytes of 52-byte descriptors: one descriptor and 8 leftover bytes.
        var d = new ResBuilder().Page(2, true, 52).Element(1000, 0x09, 0, 0, "X").Build();
        var body = d.Concat(new byte[8]).ToArray();
        body[7] = (byte)(body[7] + 8);   // header byte count
        body[15] = (byte)(body[15] + 8); // page byte count
        var r = ElementStatusDecoder.Decode(body);
        Assert.Single(r.Elements);
        Assert.False(r.Truncated);
    }

    [Fact]
    public void Mode_sense_cut_inside_a_page_keeps_complete_pages()
    {
        // 1Dh + 1Fh in one MODE SENSE(6) reply, cut inside the 1Fh page.
        byte[] p1d = Fixture.Load("tgt-modesense6-page1d.hex")[4..];
        byte[] p1f = Fixture.Hex("1f 12 0f 07 0f 0f 0f 0f 00 00 00 00 0f 0f 0f 0f 00 00 00 00");
        byte[] reply = [(byte)(3 + p1d.Length + p1f.Length), 0, 0, 0, .. p1f, .. p1d];
        var whole = ModeSenseDecoder.Decode(reply, tenByte: false);
        Assert.Equal([0x1F, 0x1D], whole.Pages.Select(p => p.PageCode));
        Assert.False(whole.Truncated);

        var cut = ModeSenseDecoder.Decode(reply.AsSpan(0, 4 + p1f.Length + 10), tenByte: false);
        Assert.True(cut.Truncated);
        Assert.Equal(0x1F, Assert.Single(cut.Pages).PageCode);

        var padded = ModeSenseDecoder.Decode([.. reply, 0xff, 0xff, 0x1d, 0x12], tenByte: false);
        Assert.Equal(2, padded.Pages.Count);
        Assert.False(padded.Truncated);
    }

    [Fact]
    public void Mode_sense_subpage_format_page_is_walked_by_its_16_bit_length()
    {
        // MODE SENSE(10): 0Ah/01h Control Extension (SPF) with page length 001Ch, then 1Eh.
        byte[] ctrlExt = [0x4a, 0x01, 0x00, 0x1c, .. new byte[0x1c]];
        byte[] p1e = [0x1e, 0x02, 0x01, 0x00];
        int len = 6 + ctrlExt.Length + p1e.Length;
        byte[] reply = [(byte)(len >> 8), (byte)len, 0, 0x10, 0, 0, 0, 0, .. ctrlExt, .. p1e];
        var m = ModeSenseDecoder.Decode(reply, tenByte: true);
        Assert.Equal(2, m.Pages.Count);
        Assert.Equal(0x0A, m.Pages[0].PageCode);
        Assert.Equal(0x01, m.Pages[0].Subpage);
        Assert.Equal(32, m.Pages[0].Data.Length);
        var tg = ChangerModePages.TransportGeometry(m.Find(0x1E)!);
        Assert.True(Assert.Single(tg.Transports).Rotate);
    }
    [Fact]
    public void Mhvtl_hp_msl_avoltag_flag_without_room_for_an_alternate_tag_is_ignored()
    {
        // mhVTL snapshot, HP MSL personality: DT page flags C0h, descriptor 16 + 36 + 20 (serial-only DVCID).
        var d = new ResBuilder().Page(4, true, 72).Element(0x0001, 0x09, 0x81, 0x01c0, "E01001L8", "XYZZY_A1".PadRight(20)).Build();
        d[9] = 0xC0;                          // page byte 1: PVOLTAG | AVOLTAG
        d[16 + 48 + 1] = 0x00;                // identifier type 0: vendor specific (serial only)
        var r = ElementStatusDecoder.Decode(d);
        var e = Assert.Single(r.Elements);
        Assert.Equal("E01001L8", e.Barcode);
        Assert.Null(e.AlternateVolumeTag);
        Assert.Equal("XYZZY_A1", e.Identifier!.SerialNumber);
        Assert.False(r.Pages[0].AlternateVolumeTag);
        Assert.False(r.Truncated);
    }
}
