using System.Text;
using TapeChanger.Scsi.Capture;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// The capture parser at the edges of each form: which lines are offset lines, where the hex ends and the ascii
/// column begins, the "*" fill limit, and the exact messages of malformed text.
/// </summary>
public class CaptureParserEdgeTests
{
    private static string Message(string text) => Assert.Throws<CaptureFormatException>(() => CaptureParser.Parse(text)).Message;

    [Fact]
    public void Messages_name_line_and_problem()
    {
        Assert.Equal("line 2: not hex data: \"hello\"", Message("00\nhello\n"));
        Assert.Equal("line 1: \"011\" is not an even number of hex digits", Message("00 011\n"));
        Assert.Equal("line 1: \"011\" is not a hex byte", Message("00000000  00 011 02  |...|\n"));
        Assert.Equal("line 2: offset 20 does not follow the previous data (expected 10)",
            Message("00000000: 0001 0203 0405 0607 0809 0a0b 0c0d 0e0f  ................\n00000020: 0001  ..\n"));
        Assert.Equal("line 2: \"*\" repeat line without a following offset", Message("00000000  00 01  |..|\n*\n"));
        Assert.Equal("line 1: bad offset \"123456789\"", Message("123456789: 0001  ..\n"));
        Assert.Equal("line 2: expected a hex byte at column 11", Message(" 00     00 01\n 02     03 0g4\n"));
    }

    [Fact]
    public void Long_lines_are_shortened_to_40_characters_in_messages()
    {
        string forty = new('z', 40);
        Assert.Equal($"line 1: not hex data: \"{forty}\"", Message(forty));
        Assert.Equal($"line 1: not hex data: \"{forty}...\"", Message(forty + "z"));
    }

    [Fact]
    public void A_hexdump_line_holds_at_most_16_bytes()
    {
        string sixteen = string.Join(' ', Enumerable.Range(0, 16).Select(i => i.ToString("x2")));
        Assert.Equal(16, CaptureParser.Parse($"00000000  {sixteen}  |................|\n").Length);
        Assert.Equal("line 1: 17 bytes on a hexdump -C line (at most 16)", Message($"00000000  {sixteen} 10  |.................|\n"));
    }

    [Fact]
    public void A_repeat_may_fill_up_to_16_MiB_and_no_more()
    {
        string first = "00000000  01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10  |................|\n*\n";
        var b = CaptureParser.Parse(first + "01000000\n");
        Assert.Equal(16 * 1024 * 1024, b.Length);
        Assert.Equal(0x10, b[^1]);
        Assert.Equal(0x01, b[0x100000]);
        Assert.Equal("line 3: offset 1000001 repeats too much data", Message(first + "01000001\n"));
    }

    [Fact]
    public void The_xxd_ascii_column_starts_after_two_spaces_even_when_it_looks_like_hex()
    {
        Assert.Equal(Encoding.ASCII.GetBytes("abcd"), CaptureParser.Parse("00000000: 6162 6364  abcd\n"));
        Assert.Equal([0x61, 0x62], CaptureParser.Parse("00000000:6162  ab\n"));
    }

    [Fact]
    public void Xxd_dumps_restart_at_offset_zero_and_are_appended()
    {
        Assert.Equal([1, 2, 3, 4, 5, 6], CaptureParser.Parse("00000000: 0102 0304  ....\n00000000: 0506  ..\n"));
    }

    [Fact]
    public void An_sg_line_holds_at_most_16_bytes_and_its_ascii_follows_three_spaces()
    {
        // 16 bytes then an ascii column two spaces on: the line is full, "ab" is not read.
        Assert.Equal(Enumerable.Range(0, 16).Select(i => (byte)i), CaptureParser.Parse(" 00     00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  ab\n"));
        // A short line whose ascii column is exactly three spaces on.
        Assert.Equal([0x61, 0x62], CaptureParser.Parse(" 00     61 62   ab\n"));
    }

    [Fact]
    public void An_sg_offset_needs_three_spaces_before_the_bytes()
    {
        Assert.Equal([1, 2], CaptureParser.Parse("00   01 02\n"));                // sg: offset 00, two bytes
        Assert.Equal([0, 1, 2], CaptureParser.Parse("00  01 02\n"));            // plain: three bytes
    }

    [Fact]
    public void Sg_dumps_skip_every_line_that_is_not_an_sg_offset_line()
    {
        const string text = "Some heading 00 01\n00 01 02\n00000000: 0001  ..\n00000000  ff  |.|\n*\n 00     0a 0b\n";
        Assert.Equal([0x0A, 0x0B], CaptureParser.Parse(text));
    }

    [Fact]
    public void A_received_count_that_is_not_a_number_takes_everything()
    {
        Assert.Equal([1, 2, 3], CaptureParser.Parse("Received many bytes of data:\n 00     01 02 03\n"));
        Assert.Equal([1, 2], CaptureParser.Parse("Received 2 bytes of data:\n 00     01 02 03\n"));
    }

    [Fact]
    public void Seven_digit_hexdump_offsets_and_final_offset_lines()
    {
        Assert.Equal([0, 1], CaptureParser.Parse("0000000  00 01  |..|\n0000002\n"));
    }

    [Fact]
    public void Form_feeds_and_tabs_separate_like_spaces_and_uppercase_hex_is_read()
    {
        Assert.Equal([0xAB, 0xCD, 0xEF], CaptureParser.Parse("AB\fCD\tEF\r\n"));
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x30, 0x0C, 0x31, 0x31, 0x09, 0x0D, 0x0A }, new byte[] { 0x00, 0x11 })]  // text with FF, tab, CR, LF
    [InlineData(new byte[] { 0x30, 0x30, 0x7F }, new byte[] { 0x30, 0x30, 0x7F })]                           // DEL: binary
    [InlineData(new byte[] { 0x30, 0x30, 0x1B }, new byte[] { 0x30, 0x30, 0x1B })]                           // ESC: binary
    [InlineData(new byte[] { 0x30, 0x30, 0x00 }, new byte[] { 0x30, 0x30, 0x00 })]                           // NUL: binary
    [InlineData(new byte[] { 0x30, 0x30, 0x20, 0xC3, 0x28 }, new byte[] { 0x30, 0x30, 0x20, 0xC3, 0x28 })]   // not UTF-8: binary
    [InlineData(new byte[] { 0x30, 0x30, 0x20, 0x31, 0x31 }, new byte[] { 0x00, 0x11 })]                     // space is text
    public void Text_or_binary(byte[] file, byte[] expected)
    {
        var result = CaptureParser.ParseBytesOrText(file);
        Assert.Equal(expected, result);
        Assert.NotSame(file, result);
    }

    [Fact]
    public void Null_input_is_refused()
    {
        Assert.Throws<ArgumentNullException>(() => CaptureParser.Parse(null!));
        Assert.Throws<ArgumentNullException>(() => CaptureParser.ParseBytesOrText(null!));
    }

    [Fact]
    public void The_exception_keeps_line_and_problem()
    {
        var e = new CaptureFormatException(7, "odd");
        Assert.Equal((7, "odd", "line 7: odd"), (e.Line, e.Problem, e.Message));
    }

    [Fact]
    public void Report_luns_logical_unit_and_extended_addressing_keep_the_whole_first_two_bytes()
    {
        var data = CaptureParser.Parse("00 00 00 18 00 00 00 00  80 03 00 00 00 00 00 00  c1 02 00 00 00 00 00 00  7f ff 00 00 00 00 00 00");
        Assert.Equal([0x8003, 0xC102, 0x3FFF], ReportLunsDecoder.Decode(data));
    }
}
