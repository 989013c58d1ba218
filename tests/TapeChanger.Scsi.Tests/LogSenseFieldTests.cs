using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>LOG SENSE pages (SPC-4 §7.3) and the TapeAlert page 2Eh (SSC-4 TapeAlert) parameter by parameter.</summary>
public class LogSenseFieldTests
{
    /// <summary>A page from (code, control, value) parameters; the page length is the parameters' total unless given.</summary>
    private static byte[] Page(byte b0, byte subpage, (ushort Code, byte Control, byte[] Value)[] parameters, int? pageLength = null)
    {
        var body = new List<byte>();
        foreach (var (code, control, value) in parameters)
        {
            body.AddRange([(byte)(code >> 8), (byte)code, control, (byte)value.Length]);
            body.AddRange(value);
        }
        int length = pageLength ?? body.Count;
        return [b0, subpage, (byte)(length >> 8), (byte)length, .. body];
    }

    [Fact]
    public void Page_code_ignores_ds_and_spf_and_keeps_the_subpage()
    {
        var p = LogSenseDecoder.Decode(Page(0xED, 0x05, [(0x0102, 0x03, [9, 8])]));
        Assert.Equal(((byte)0x2D, (byte)0x05, false), (p.PageCode, p.Subpage, p.Truncated));
        var param = Assert.Single(p.Parameters);
        Assert.Equal(((ushort)0x0102, (byte)0x03), (param.Code, param.Control));
        Assert.Equal([9, 8], param.Value);
    }

    [Fact]
    public void Parameters_follow_each_other_by_their_lengths()
    {
        var p = LogSenseDecoder.Decode(Page(0x2E, 0, [(1, 0, [1]), (2, 0, []), (3, 0, [1, 2, 3])]));
        Assert.Equal([(ushort)1, (ushort)2, (ushort)3], p.Parameters.Select(x => x.Code));
        Assert.Equal([1, 0, 3], p.Parameters.Select(x => x.Value.Length));
    }

    [Fact]
    public void A_reply_cut_inside_a_parameter_keeps_the_whole_ones_and_says_so()
    {
        var full = Page(0x2E, 0, [(1, 0, [1]), (2, 0, [1, 1])]);
        var cutValue = LogSenseDecoder.Decode(full.AsSpan(0, full.Length - 1));
        Assert.True(cutValue.Truncated);
        Assert.Equal([(ushort)1], cutValue.Parameters.Select(x => x.Code));
        var cutHeader = LogSenseDecoder.Decode(full.AsSpan(0, 4 + 5 + 2));
        Assert.True(cutHeader.Truncated);
        Assert.Single(cutHeader.Parameters);
    }

    [Fact]
    public void Padding_after_the_page_length_is_ignored()
    {
        byte[] padded = [.. Page(0x2E, 0, [(1, 0, [1])]), 0, 0, 0, 0, 0, 0];
        var p = LogSenseDecoder.Decode(padded);
        Assert.False(p.Truncated);
        Assert.Single(p.Parameters);
    }

    [Fact]
    public void A_parameter_running_past_the_page_length_is_malformed()
    {
        var bad = Page(0x2E, 0, [(1, 0, [1, 2, 3])], pageLength: 6);
        var e = Assert.Throws<ScsiDecodeException>(() => LogSenseDecoder.Decode(bad));
        Assert.Equal("PARAMETER LENGTH", e.Field);
        Assert.Equal(7, e.Offset);
    }

    [Fact]
    public void Fewer_bytes_than_a_parameter_header_left_in_the_page_is_malformed()
    {
        var bad = Page(0x2E, 0, [(1, 0, [1])], pageLength: 5 + 3);
        byte[] withTail = [.. bad, 0, 0, 0];
        var e = Assert.Throws<ScsiDecodeException>(() => LogSenseDecoder.Decode(withTail));
        Assert.Equal("PARAMETER CODE", e.Field);
        Assert.Equal(9, e.Offset);
    }

    [Fact]
    public void An_empty_page_has_no_parameters()
    {
        var p = LogSenseDecoder.Decode(Page(0x2E, 0, []));
        Assert.Empty(p.Parameters);
        Assert.False(p.Truncated);
    }

    [Fact]
    public void TapeAlert_active_flags_are_those_with_bit_0_set_and_named_per_source()
    {
        byte[] page = Page(0x2E, 0, [(0x14, 0, [0x01]), (0x15, 0, [0x00]), (0x16, 0, [0xFE]), (0x01, 0, [0x03]), (0x40, 0, [0x01])]);
        var drive = TapeAlertDecoder.Decode(page, TapeAlertSource.Drive);
        Assert.Equal([20, 1, 64], drive.Active.Select(f => f.Number));
        Assert.Equal(["Cleaning required", "Read warning", "reserved"], drive.Active.Select(f => f.Name));
        Assert.Equal(5, drive.ParametersDecoded);
        Assert.Equal(TapeAlertSource.Drive, drive.Source);
        Assert.False(drive.Truncated);
        Assert.True(drive.IsSet(20));
        Assert.False(drive.IsSet(21));
        var changer = TapeAlertDecoder.Decode(page, TapeAlertSource.Changer);
        Assert.Equal(["Library Security Mode", "Library Hardware A", "flag 64"], changer.Active.Select(f => f.Name));
    }

    [Fact]
    public void TapeAlert_ignores_parameters_outside_1_to_64_and_empty_values()
    {
        byte[] page = Page(0x2E, 0, [(0x00, 0, [0x01]), (0x41, 0, [0x01]), (0x05, 0, []), (0x06, 0, [0x01])]);
        var r = TapeAlertDecoder.Decode(page, TapeAlertSource.Drive);
        Assert.Equal([6], r.Active.Select(f => f.Number));
        Assert.Equal(2, r.ParametersDecoded);
    }

    [Fact]
    public void TapeAlert_refuses_another_page_and_passes_truncation_on()
    {
        var e = Assert.Throws<ScsiDecodeException>(() => TapeAlertDecoder.Decode(Page(0x2D, 0, []), TapeAlertSource.Drive));
        Assert.Contains("2Dh", e.Message);
        var full = Page(0x2E, 0, [(1, 0, [1]), (2, 0, [1])]);
        Assert.True(TapeAlertDecoder.Decode(full.AsSpan(0, full.Length - 1), TapeAlertSource.Drive).Truncated);
    }

    [Theory]
    [InlineData(1, "Read warning", "Library Hardware A")]
    [InlineData(20, "Cleaning required", "Library Security Mode")]
    [InlineData(32, "Interface", "Unreadable Bar Code Labels")]
    [InlineData(33, "Eject media", "flag 33")]
    [InlineData(64, "reserved", "flag 64")]
    public void Flag_names_at_the_table_edges(int number, string drive, string changer)
    {
        Assert.Equal(drive, TapeAlertDecoder.FlagName(TapeAlertSource.Drive, number));
        Assert.Equal(changer, TapeAlertDecoder.FlagName(TapeAlertSource.Changer, number));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Flag_numbers_outside_1_to_64_are_refused(int number) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TapeAlertDecoder.FlagName(TapeAlertSource.Drive, number));
}
