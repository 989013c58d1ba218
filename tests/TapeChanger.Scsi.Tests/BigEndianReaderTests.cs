using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>The bounds-checked reader: values, positions, the offsets and counts its errors report, and ASCII padding.</summary>
public class BigEndianReaderTests
{
    [Fact]
    public void Values_are_big_endian_and_each_read_advances_by_its_width()
    {
        byte[] data = [0x12, 0x34, 0x56, 0x78, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xAB];
        var r = new BigEndianReader(data, "test");
        Assert.Equal(0x123456, r.U24("a"));
        Assert.Equal(3, r.Position);
        Assert.Equal(0x78, r.U8("b"));
        Assert.Equal(0x0102030405060708UL, r.U64("c"));
        Assert.Equal(12, r.Position);
        Assert.Equal(1, r.Remaining);
        Assert.Equal(0xAB, r.U8("d"));
        var top = new BigEndianReader([0xFF, 0xEE, 0xDD], "test");
        Assert.Equal(0xFFEEDD, top.U24("e"));
    }

    [Fact]
    public void Absolute_positions_add_the_origin_in_sub_readers_and_errors()
    {
        byte[] data = [1, 2, 3, 4, 5, 6];
        var r = new BigEndianReader(data, "reply", origin: 10);
        r.Skip(2, "x");
        Assert.Equal(12, r.AbsolutePosition);
        var sub = r.Sub(3, "sub");
        Assert.Equal(12, sub.AbsolutePosition);
        Assert.Equal(3, sub.Length);
        Assert.Equal(5, r.Position);
        Assert.Equal(("reply", "bad", 15), (r.Error("bad", "why").Context, r.Error("bad", "why").Field, r.Error("bad", "why").Offset));
        Assert.Equal("reply: why at offset 15 (bad)", r.Error("bad", "why").Message);
    }

    [Fact]
    public void A_read_past_the_end_reports_what_it_needed_and_what_was_left()
    {
        var e = Assert.Throws<ScsiDecodeException>(() =>
        {
            var r = new BigEndianReader([1, 2, 3], "reply", origin: 4);
            r.U8("first");
            r.U32("WIDE FIELD");
        });
        Assert.Equal(("WIDE FIELD", 5), (e.Field, e.Offset));
        Assert.Equal("reply: truncated at offset 5 reading WIDE FIELD (needs 4 byte(s), 2 left)", e.Message);
    }

    [Fact]
    public void Every_read_kind_checks_the_bounds_before_reading()
    {
        byte[] seven = new byte[7];
        Assert.Equal("U64", Assert.Throws<ScsiDecodeException>(() => new BigEndianReader(seven, "r").U64("U64")).Field);
        Assert.Equal("BYTES", Assert.Throws<ScsiDecodeException>(() => { new BigEndianReader(seven, "r").Bytes(8, "BYTES"); }).Field);
        Assert.Equal("SUB", Assert.Throws<ScsiDecodeException>(() => { new BigEndianReader(seven, "r").Sub(8, "SUB"); }).Field);
        Assert.Equal("NEG", Assert.Throws<ScsiDecodeException>(() => { new BigEndianReader(seven, "r").Bytes(-1, "NEG"); }).Field);
        Assert.Equal("U24", Assert.Throws<ScsiDecodeException>(() => new BigEndianReader([1, 2], "r").U24("U24")).Field);
    }

    [Fact]
    public void Ascii_text_turns_del_into_a_question_mark()
    {
        Assert.Equal("A?B~", AsciiText.Trim([0x41, 0x7F, 0x42, 0x7E]));
    }

    [Fact]
    public void Write_padded_pads_truncates_and_replaces_what_is_not_printable()
    {
        var d = new byte[6];
        AsciiText.WritePadded(d, "AB");
        Assert.Equal("AB    "u8.ToArray(), d);
        AsciiText.WritePadded(d, "ABCDEFGH");
        Assert.Equal("ABCDEF"u8.ToArray(), d);
        AsciiText.WritePadded(d, "A\u007Fé\u0001~", pad: 0);
        Assert.Equal([0x41, 0x3F, 0x3F, 0x3F, 0x7E, 0x00], d);
        AsciiText.WritePadded(d, null, pad: 0x2A);
        Assert.Equal("******"u8.ToArray(), d);
    }
}
