using System.Text;
using TapeChanger.Scsi.Capture;

namespace TapeChanger.Scsi.Tests;

public class CaptureParserTests
{
    // remanence inquiry/standard/changer1.bin as shown with xxd
    private const string Xxd = """
        00000000: 0880 0502 4500 1102 4850 4520 2020 2020  ....E...HPE     
        00000010: 4d53 4c33 3034 3020 2020 2020 2020 2020  MSL3040         
        00000020: 3333 3530 0000 0000 001c 0001 0000 0000  3350............
        00000030: 0000 0000 0000 0001 0000 005c 0000 030f  ...........\....
        00000040: 02fe 0000 0000 0000 0000                 ..........
        """;

    // remanence log-sense/changer1-p0d.hex, sg_logs -H style with a heading line
    private const string SgLogs = """
        Log page code=0xd, DS=0, SPF=0, page_len=0xc
         00     0d 00 00 0c 00 00 40 02  00 2f 00 01 40 02 00 5f
        """;

    [Fact]
    public void Xxd_matches_the_plain_fixture()
    {
        Assert.Equal(Fixture.Load("hpe-msl3040-inquiry-standard.hex"), CaptureParser.Parse(Xxd));
    }

    [Fact]
    public void Sg_logs_lines_with_heading()
    {
        Assert.Equal(Fixture.Hex("0d 00 00 0c 00 00 40 02 00 2f 00 01 40 02 00 5f"), CaptureParser.Parse(SgLogs));
    }

    [Fact]
    public void Sg_raw_output_stops_at_the_received_count_and_skips_the_ascii_column()
    {
        const string text = """
                cdb to send: [b8 10 00 00 01 00 02 01 00 00 00 00]
            SCSI Status: Good 

            Received 20 bytes of data:
             00     00 00 00 2b 00 00 08 d4  01 80 00 34 00 00 00 34    ...+.......4...4
             10     00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00    ................
            """;
        var b = CaptureParser.Parse(text);
        Assert.Equal(20, b.Length);
        Assert.Equal(Fixture.Load("hpe-msl3040-res-all-voltag-curdata.hex")[..20], b);
    }

    [Fact]
    public void Sg_ascii_column_that_looks_like_hex_is_ignored()
    {
        // bytes "ab cd ef 12" print as ascii "....", and a short last line whose ascii is hex letters
        const string text = " 00     61 62 63 64 65 66 30 31  32 33 34 35 36 37 38 39    abcdef0123456789\n 10     61 62                                               ab\n";
        Assert.Equal(Encoding.ASCII.GetBytes("abcdef0123456789ab"), CaptureParser.Parse(text));
    }

    [Fact]
    public void Sg_modes_blocks_restart_at_offset_zero()
    {
        const string text = """
            > General mode parameter block descriptors:
             00     00 00 00 00 00 00 00 00

            >> Element address assignment, page_control: current
             00     9d 12 00 00 00 01 03 e9  00 28 00 65 00 00 00 01
             10     00 02 00 00
            """;
        Assert.Equal(Fixture.Load("hpe-msl3040-modesense10-page1d.hex")[8..], CaptureParser.Parse(text));
    }

    [Fact]
    public void Hexdump_C_with_repeat_star_and_final_offset()
    {
        const string text = """
            00000000  01 02 03 04 05 06 07 08  09 0a 0b 0c 0d 0e 0f 10  |................|
            00000010  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  |................|
            *
            00000040  7c 41 42 43                                       ||ABC|
            00000044
            """;
        var b = CaptureParser.Parse(text);
        Assert.Equal(0x44, b.Length);
        Assert.Equal(0x10, b[15]);
        Assert.All(b[0x10..0x40], x => Assert.Equal(0, x));
        Assert.Equal(new byte[] { 0x7c, 0x41, 0x42, 0x43 }, b[0x40..]);
    }

    [Fact]
    public void Plain_hex_with_comments_and_0x_prefixes()
    {
        const string text = "# header\n00 01 0x02 0304 # trailing comment\n\n  0A0b  \r\n\t0c\t0d\r\n";
        Assert.Equal(new byte[] { 0, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d }, CaptureParser.Parse(text));
    }

    [Fact]
    public void A_lone_8_digit_line_is_plain_hex_unless_it_ends_a_hexdump()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 0x2b, 0, 0, 8, 0xd4 }, CaptureParser.Parse("0000002b\n000008d4\n"));
        Assert.Equal(new byte[] { 0xaa }, CaptureParser.Parse("00000000  aa                                                |.|\n00000001\n"));
    }

    [Theory]
    [InlineData("00 01\n02 0g\n", 2)]
    [InlineData("00 011\n", 1)]
    [InlineData("# c\nhello world\n", 2)]
    [InlineData("00000000: 0001 0203  ....\n00000008: 0405  ..\n", 2)]    // offset gap
    [InlineData("00000000: 0001 02x3  ....\n", 1)]
    [InlineData("00000000  00 01 02  |...|\n*\n", 2)]                      // star with no following offset
    [InlineData("00000000  00  |.|\n*\n7fffffff  00  |.|\n", 3)]          // star asking for 2 GiB
    public void Malformed_text_names_the_line(string text, int line)
    {
        var ex = Assert.Throws<CaptureFormatException>(() => CaptureParser.Parse(text));
        Assert.Equal(line, ex.Line);
        Assert.StartsWith($"line {line}:", ex.Message);
        Assert.IsAssignableFrom<FormatException>(ex);
    }

    [Fact]
    public void Binary_files_are_returned_as_is_and_text_files_are_parsed()
    {
        byte[] binary = [0x08, 0x80, 0x00, 0x0f, 0x44, 0x45, 0x43];
        Assert.Equal(binary, CaptureParser.ParseBytesOrText(binary));
        Assert.Equal(new byte[] { 0xde, 0xad }, CaptureParser.ParseBytesOrText(Encoding.UTF8.GetBytes("# héllo – comment\nde ad\n")));
        Assert.Empty(CaptureParser.ParseBytesOrText([]));
    }

    [Fact]
    public void Every_fixture_parses_and_declares_its_source()
    {
        foreach (var name in Fixture.All())
        {
            var text = File.ReadAllText(Fixture.PathOf(name));
            Assert.StartsWith("# source: ", text);
            var bytes = Fixture.Load(name);
            Assert.NotEmpty(bytes);
            var declared = text.Split('\n').Single(l => l.StartsWith("# ") && l.EndsWith(" bytes") && int.TryParse(l[2..^6], out _));
            Assert.Equal(int.Parse(declared[2..^6]), bytes.Length);
        }
    }

    // --- formatters used by the round-trip properties ---

    internal static string ToXxd(byte[] data)
    {
        var sb = new StringBuilder();
        for (int o = 0; o < data.Length; o += 16)
        {
            var line = data.AsSpan(o, Math.Min(16, data.Length - o));
            sb.Append($"{o:x8}: ");
            var hex = new StringBuilder();
            for (int i = 0; i < line.Length; i++)
            {
                hex.Append($"{line[i]:x2}");
                if (i % 2 == 1) hex.Append(' ');
            }
            sb.Append(hex.ToString().TrimEnd().PadRight(39)).Append("  ").Append(Ascii(line)).Append('\n');
        }
        return sb.ToString();
    }

    internal static string ToHexdumpC(byte[] data)
    {
        var sb = new StringBuilder();
        byte[]? prev = null;
        bool starred = false;
        for (int o = 0; o < data.Length; o += 16)
        {
            var line = data.AsSpan(o, Math.Min(16, data.Length - o)).ToArray();
            if (prev is not null && line.Length == 16 && line.AsSpan().SequenceEqual(prev))
            {
                if (!starred) sb.Append("*\n");
                starred = true;
                continue;
            }
            starred = false;
            prev = line;
            var hex = new StringBuilder();
            for (int i = 0; i < line.Length; i++) hex.Append($"{line[i]:x2} ").Append(i == 7 ? " " : "");
            sb.Append($"{o:x8}  ").Append(hex.ToString().PadRight(49)).Append(" |").Append(Ascii(line)).Append("|\n");
        }
        if (data.Length > 0) sb.Append($"{data.Length:x8}\n");
        return sb.ToString();
    }

    internal static string ToSg(byte[] data, bool withReceived)
    {
        var sb = new StringBuilder();
        if (withReceived) sb.Append("SCSI Status: Good\n\n").Append($"Received {data.Length} bytes of data:\n");
        for (int o = 0; o < data.Length; o += 16)
        {
            var line = data.AsSpan(o, Math.Min(16, data.Length - o));
            var hex = new StringBuilder();
            for (int i = 0; i < line.Length; i++) hex.Append($"{line[i]:x2} ").Append(i == 7 ? " " : "");
            sb.Append($" {o:x2}     ").Append(hex.ToString().PadRight(49)).Append("   ").Append(Ascii(line)).Append('\n');
        }
        return sb.ToString();
    }

    internal static string ToPlain(byte[] data) =>
        "# plain\n" + string.Join('\n', data.Chunk(16).Select(c => string.Join(' ', c.Select(b => b.ToString("x2"))))) + "\n";

    private static string Ascii(ReadOnlySpan<byte> line)
    {
        var sb = new StringBuilder();
        foreach (byte b in line) sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        return sb.ToString();
    }
}
