using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>The TapeAlert response page 12h (flag 01h = bit 7 of the first flag byte) and the supported log pages page 00h.</summary>
public sealed class TapeAlertResponseTests
{
    private static byte[] Page(params byte[] flags) => [0x12, 0, 0, 12, 0x00, 0x00, 0x40, 0x08, .. flags];

    [Theory]
    [InlineData(1, 0, 0x80)]
    [InlineData(8, 0, 0x01)]
    [InlineData(9, 1, 0x80)]
    [InlineData(20, 2, 0x10)]
    [InlineData(21, 2, 0x08)]
    [InlineData(64, 7, 0x01)]
    public void Each_flag_is_its_bit_most_significant_first(int flag, int index, byte bit)
    {
        var flags = new byte[8];
        flags[index] = bit;
        var r = TapeAlertDecoder.DecodeResponse(Page(flags), TapeAlertSource.Drive);
        Assert.Equal([flag], r.Active.Select(f => f.Number));
        Assert.Equal((byte)0x12, r.PageCode);
        Assert.False(r.ClearedByRead);
    }

    [Fact]
    public void Names_come_from_the_drive_table()
    {
        var r = TapeAlertDecoder.DecodeResponse(Page(0, 0, 0x18, 0, 0, 0, 0, 0), TapeAlertSource.Drive);
        Assert.Equal(["Cleaning required", "Cleaning requested"], r.Active.Select(f => f.Name));
    }

    [Fact]
    public void Another_page_or_a_short_parameter_is_a_decode_error()
    {
        byte[] wrongPage = [0x2E, 0, 0, 12, 0, 0, 0x40, 8, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal("PAGE CODE", Assert.Throws<ScsiDecodeException>(() => TapeAlertDecoder.DecodeResponse(wrongPage, TapeAlertSource.Drive)).Field);
        byte[] shortParameter = [0x12, 0, 0, 8, 0, 0, 0x40, 4, 0, 0, 0x10, 0];
        Assert.Equal("PARAMETER LENGTH", Assert.Throws<ScsiDecodeException>(() => TapeAlertDecoder.DecodeResponse(shortParameter, TapeAlertSource.Drive)).Field);
        byte[] otherParameter = [0x12, 0, 0, 12, 0, 1, 0x40, 8, 0, 0, 0x10, 0, 0, 0, 0, 0];
        Assert.Throws<ScsiDecodeException>(() => TapeAlertDecoder.DecodeResponse(otherParameter, TapeAlertSource.Drive));
    }

    [Fact]
    public void Supported_pages_are_the_bytes_after_the_header()
    {
        Assert.Equal([0x00, 0x12, 0x2E], SupportedLogPagesDecoder.Decode([0x00, 0, 0, 3, 0x00, 0x12, 0x2E, 0xFF]));   // padding ignored
        Assert.Equal([0x00, 0x12], SupportedLogPagesDecoder.Decode([0x00, 0, 0, 3, 0x00, 0x12]));                    // cut by allocation
        Assert.Throws<ScsiDecodeException>(() => SupportedLogPagesDecoder.Decode([0x2E, 0, 0, 0]));
    }
}
