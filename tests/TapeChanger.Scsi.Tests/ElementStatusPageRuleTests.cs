using System.Text;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// READ ELEMENT STATUS page rules (SMC-3 §6.11.2): the element type code, the descriptor length each page's tag flags
/// require, a page's byte count against the report's, empty pages, the partial last descriptor, the identifier cut and
/// bounded by its length, and blank volume tags kept as sent.
/// </summary>
public class ElementStatusPageRuleTests
{
    /// <summary>Report header + one page header (type, flags, descriptor length, page byte count) + body bytes.</summary>
    private static byte[] Report(byte type, byte flags, int descLength, int pageBytes, byte[] body, int? reportBytes = null)
    {
        int count = reportBytes ?? 8 + body.Length;
        return [0, 1, 0, 1, 0, (byte)(count >> 16), (byte)(count >> 8), (byte)count,
            type, flags, (byte)(descLength >> 8), (byte)descLength, 0, (byte)(pageBytes >> 16), (byte)(pageBytes >> 8), (byte)pageBytes, .. body];
    }

    private static byte[] Fixed(ushort address, byte flags = 0x01) => [(byte)(address >> 8), (byte)address, flags, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    private static byte[] Tag(string id, byte r0 = 0, byte r1 = 0, ushort seq = 0)
    {
        var t = new byte[36];
        Encoding.Latin1.GetBytes(id.PadRight(32)).CopyTo(t, 0);
        t[32] = r0; t[33] = r1; t[34] = (byte)(seq >> 8); t[35] = (byte)seq;
        return t;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void An_element_type_code_outside_1_to_4_is_refused(byte type)
    {
        var e = Assert.Throws<ScsiDecodeException>(() => ElementStatusDecoder.Decode(Report(type, 0, 12, 12, Fixed(1000))));
        Assert.Equal(("ELEMENT TYPE CODE", 8), (e.Field, e.Offset));
        Assert.Contains($"invalid element type code {type:X2}h", e.Message);
    }

    [Fact]
    public void A_page_header_with_no_descriptors_at_the_end_of_the_report_is_still_a_page()
    {
        var r = ElementStatusDecoder.Decode(Report(3, 0, 0, 0, []));
        var page = Assert.Single(r.Pages);
        Assert.Equal((ElementType.ImportExport, 0, 0, 0), (page.Type, page.DescriptorLength, page.DeclaredByteCount, page.DescriptorsDecoded));
        Assert.Empty(r.Elements);
        Assert.False(r.Truncated);
    }

    [Fact]
    public void A_report_without_pages_is_not_truncated()
    {
        var r = ElementStatusDecoder.Decode([0, 1, 0, 0, 0, 0, 0, 0]);
        Assert.Empty(r.Pages);
        Assert.False(r.Truncated);
    }

    [Theory]
    [InlineData(0x80, 20, 48)]   // PVOLTAG: 12 fixed + 36
    [InlineData(0x00, 8, 12)]
    public void A_descriptor_shorter_than_its_flags_require_is_refused(byte flags, int descLength, int minimum)
    {
        var e = Assert.Throws<ScsiDecodeException>(() => ElementStatusDecoder.Decode(Report(2, flags, descLength, descLength, new byte[descLength])));
        Assert.Equal(("ELEMENT DESCRIPTOR LENGTH", 10), (e.Field, e.Offset));
        Assert.Contains($"descriptor length {descLength} is below the {minimum} bytes its page flags require", e.Message);
    }

    [Fact]
    public void An_alternate_tag_alone_needs_12_plus_36_bytes_and_is_read()
    {
        var r = ElementStatusDecoder.Decode(Report(2, 0x40, 48, 48, [.. Fixed(1000), .. Tag("ALT001")]));
        var d = Assert.Single(r.Elements);
        Assert.Null(d.PrimaryVolumeTag);
        Assert.Equal("ALT001", d.AlternateVolumeTag?.Identifier);
        Assert.True(Assert.Single(r.Pages).AlternateVolumeTag);
    }

    [Fact]
    public void A_page_declaring_more_bytes_than_the_report_is_refused()
    {
        var e = Assert.Throws<ScsiDecodeException>(() => ElementStatusDecoder.Decode(Report(2, 0, 12, 24, Fixed(1000), reportBytes: 20)));
        Assert.Equal(("BYTE COUNT OF DESCRIPTOR DATA AVAILABLE", 13), (e.Field, e.Offset));
        Assert.Contains("page declares 24 bytes, past the report's byte count 20", e.Message);
    }

    [Theory]
    [InlineData(30, 1)]   // the cut descriptor lacks part of its volume identifier: dropped
    [InlineData(44, 2)]   // fixed bytes and the 32-byte identifier arrived: decoded as partial
    public void A_cut_last_descriptor_with_a_primary_tag_needs_its_volume_identifier(int received, int decoded)
    {
        byte[] body = [.. Fixed(1000), .. Tag("A00001L8"), 0, 0, 0, 0, .. Fixed(1001), .. Tag("A00002L8"), 0, 0, 0, 0];
        var full = Report(2, 0x80, 52, 104, body);
        var r = ElementStatusDecoder.Decode(full[..(16 + 52 + received)]);
        Assert.Equal(decoded, r.Elements.Count);
        Assert.Equal(decoded, Assert.Single(r.Pages).DescriptorsDecoded);
        if (decoded == 2) Assert.Equal(("A00002L8", true), (r.Elements[1].PrimaryVolumeTag?.Identifier, r.Elements[1].Partial));
    }

    [Fact]
    public void An_identifier_header_without_room_for_its_value_is_an_empty_cut_identifier()
    {
        // 12 fixed bytes + identifier header declaring 8 bytes, and the descriptor ends there.
        var r = ElementStatusDecoder.Decode(Report(4, 0, 16, 16, [.. Fixed(500), 0x02, 0x01, 0, 8]));
        var id = Assert.Single(r.Elements).Identifier;
        Assert.NotNull(id);
        Assert.Empty(id.Value);
        Assert.True(id.Truncated);
    }

    [Fact]
    public void An_identifier_is_read_for_its_declared_length_only_and_its_piv_bit_is_bit_7()
    {
        var r = ElementStatusDecoder.Decode(Report(4, 0, 24, 24, [.. Fixed(500), 0x02, 0x01, 0, 4, .. "SER1"u8, 0x55, 0x55, 0x55, 0x55]));
        var id = Assert.Single(r.Elements).Identifier!;
        Assert.Equal("SER1"u8.ToArray(), id.Value);
        Assert.False(id.Truncated);
        Assert.False(id.Piv);
        var piv = ElementStatusDecoder.Decode(Report(4, 0, 20, 20, [.. Fixed(500), 0x02, 0x81, 0, 4, .. "SER1"u8])).Elements[0].Identifier!;
        Assert.True(piv.Piv);
    }

    [Theory]
    [InlineData("", 0x20, 0x00)]           // reserved bytes not zero: kept as sent
    [InlineData("", 0x00, 0x20)]
    [InlineData("\0", 0, 0)]               // spaces then one NUL at the end of the identifier
    public void A_blank_volume_tag_keeps_its_field_exactly_as_sent(string tail, byte r0, byte r1)
    {
        var tag = Tag(new string(' ', 31) + (tail.Length > 0 ? tail : " "), r0, r1);
        var r = ElementStatusDecoder.Decode(Report(2, 0x80, 48, 48, [.. Fixed(1000, 0), .. tag]));
        var t = Assert.Single(r.Elements).PrimaryVolumeTag!;
        Assert.Equal("", t.Identifier);
        Assert.Equal(Encoding.Latin1.GetString(tag), t.Field);
    }

    [Fact]
    public void Blank_volume_tags_of_nuls_mixed_with_a_space_keep_their_field()
    {
        var spaceFirst = new byte[36];
        spaceFirst[0] = 0x20;
        var spaceLast = new byte[36];
        spaceLast[31] = 0x20;
        foreach (var tag in new[] { spaceFirst, spaceLast })
        {
            var r = ElementStatusDecoder.Decode(Report(2, 0x80, 48, 48, [.. Fixed(1000, 0), .. tag]));
            var t = Assert.Single(r.Elements).PrimaryVolumeTag!;
            Assert.Equal(("", Encoding.Latin1.GetString(tag)), (t.Identifier, t.Field));
        }
        // The two usual blanks: 32 spaces or 36 NULs, each with zero reserved and sequence bytes.
        var spaces = ElementStatusDecoder.Decode(Report(2, 0x80, 48, 48, [.. Fixed(1000, 0), .. Tag("")])).Elements[0].PrimaryVolumeTag!;
        Assert.Equal(("", new string(' ', 32) + "\0\0\0\0", (ushort)0), (spaces.Identifier, spaces.Field, spaces.SequenceNumber));
        var zeros = ElementStatusDecoder.Decode(Report(2, 0x80, 48, 48, [.. Fixed(1000, 0), .. new byte[36]])).Elements[0].PrimaryVolumeTag!;
        Assert.Equal(("", new string('\0', 36)), (zeros.Identifier, zeros.Field));
        Assert.Equal("", new VolumeTag("X", 0).Field);
    }
}
