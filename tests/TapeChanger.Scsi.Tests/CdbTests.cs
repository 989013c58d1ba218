using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Scsi.Tests;

/// <summary>Exact CDB bytes for every factory in SpcCommands and SmcCommands.</summary>
public class CdbTests
{
    private static string Hex(ScsiCommand c) => Convert.ToHexString(c.Cdb).ToLowerInvariant();

    [Fact]
    public void TestUnitReady() => Assert.Equal("000000000000", Hex(SpcCommands.TestUnitReady()));

    [Fact]
    public void LoadUnloadEjects() => Assert.Equal("1b0000000000", Hex(SscCommands.LoadUnload(load: false)));

    [Fact]
    public void LoadUnloadLoadsImmediately() => Assert.Equal("1b0100000100", Hex(SscCommands.LoadUnload(load: true, immediate: true)));

    [Theory]
    [InlineData(96, false, "030000006000")]
    [InlineData(252, true, "03010000fc00")]
    public void RequestSense(byte alloc, bool desc, string expected)
    {
        var c = SpcCommands.RequestSense(alloc, desc);
        Assert.Equal(expected, Hex(c));
        Assert.Equal(DataDirection.In, c.Direction);
        Assert.Equal(alloc, c.TransferLength);
    }

    [Theory]
    [InlineData(36, "120000002400")]
    [InlineData(96, "120000006000")]
    [InlineData(0x4a, "120000004a00")]
    [InlineData(0x1234, "120000123400")]
    public void Inquiry(ushort alloc, string expected) => Assert.Equal(expected, Hex(SpcCommands.Inquiry(alloc)));

    [Theory]
    [InlineData(0x00, 0xfc, "12010000fc00")]
    [InlineData(0x80, 0xfc, "12018000fc00")]
    [InlineData(0x83, 255, "12018300ff00")]
    [InlineData(0x83, 0x0400, "120183040000")]
    public void InquiryVpd(byte page, ushort alloc, string expected) => Assert.Equal(expected, Hex(SpcCommands.InquiryVpd(page, alloc)));

    [Theory]
    [InlineData(0x1d, true, PageControl.Current, 0, 255, "1a081d00ff00")]
    [InlineData(0x1f, false, PageControl.Current, 0, 255, "1a001f00ff00")]
    [InlineData(0x1d, true, PageControl.Changeable, 0, 64, "1a085d004000")]
    [InlineData(0x0a, true, PageControl.Default, 1, 255, "1a088a01ff00")]
    [InlineData(0x3f, true, PageControl.Saved, 0xff, 255, "1a08ffffff00")]
    public void ModeSense6(byte page, bool dbd, PageControl pc, byte sub, byte alloc, string expected) =>
        Assert.Equal(expected, Hex(SpcCommands.ModeSense6(page, dbd, pc, sub, alloc)));

    [Theory]
    [InlineData(0x1d, false, PageControl.Current, 0, 0x1000, "5a001d00000000100000")]
    [InlineData(0x1e, true, PageControl.Current, 0, 1024, "5a081e00000000040000")]
    [InlineData(0x1f, true, PageControl.Default, 0, 0xfffe, "5a089f00000000fffe00")]
    public void ModeSense10(byte page, bool dbd, PageControl pc, byte sub, ushort alloc, string expected) =>
        Assert.Equal(expected, Hex(SpcCommands.ModeSense10(page, dbd, pc, sub, alloc)));

    [Theory]
    [InlineData(0x2e, PageControl.Changeable, 0, 0, 1024, "4d006e00000000040000")]
    [InlineData(0x00, PageControl.Current, 0, 0, 0xfc, "4d00000000000000fc00")]
    [InlineData(0x0d, PageControl.Current, 0xff, 0x0102, 0x0200, "4d000dff000102020000")]
    public void LogSense(byte page, PageControl pc, byte sub, ushort pointer, ushort alloc, string expected) =>
        Assert.Equal(expected, Hex(SpcCommands.LogSense(page, pc, sub, pointer, alloc)));

    [Fact]
    public void LogSenseTapeAlert_uses_cumulative_page_control_byte2_6E()
    {
        var c = SpcCommands.LogSenseTapeAlert();
        Assert.Equal("4d006e00000000040000", Hex(c));
        Assert.Equal(0x6E, c.Cdb[2]);
    }

    [Fact]
    public void LogSenseTapeAlertResponse_is_page_12h_cumulative_byte2_52()
    {
        var c = SscCommands.LogSenseTapeAlertResponse();
        // 4D | 00 | PC 01b + page 12h = 52h | subpage 0 | reserved | pointer 0000 | allocation 0040 | control 0
        Assert.Equal("4d005200000000004000", Hex(c));
        Assert.Equal(64, c.TransferLength);
        Assert.Equal("4d00520000000001000" + "0", Hex(SscCommands.LogSenseTapeAlertResponse(0x0100)));
    }

    [Fact]
    public void LogSenseSupportedPages_is_page_00h() => Assert.Equal("4d004000000000010000", Hex(SpcCommands.LogSenseSupportedPages()));

    [Theory]
    [InlineData(4096u, 0, "a00000000000000010000000")]
    [InlineData(16u, 2, "a00002000000000000100000")]
    [InlineData(0x01020304u, 0, "a00000000000010203040000")]
    public void ReportLuns(uint alloc, byte select, string expected) => Assert.Equal(expected, Hex(SpcCommands.ReportLuns(alloc, select)));

    [Fact]
    public void ReportLuns_rejects_allocation_below_16() => Assert.Throws<ArgumentOutOfRangeException>(() => SpcCommands.ReportLuns(15));

    [Theory]
    // MSL3040 capture CDB 'safe': b8 10 0000 0100 02 010000 00 00
    [InlineData(ElementType.All, 0, 0x100, 0x10000, true, false, true, "b81000000100020100000000")]
    // MSL3040 capture CDB 'big': count ffff, alloc ffff00 (3-byte allocation length)
    [InlineData(ElementType.All, 0, 0xffff, 0xffff00, true, false, true, "b8100000ffff02ffff000000")]
    [InlineData(ElementType.DataTransfer, 1, 2, 0xffff, false, true, false, "b804000100020100ffff0000")]
    [InlineData(ElementType.DataTransfer, 1, 2, 0xffff, true, true, true, "b814000100020300ffff0000")]
    [InlineData(ElementType.Storage, 0x03e9, 40, 0x123456, true, false, false, "b81203e90028001234560000")]
    [InlineData(ElementType.ImportExport, 0, 1, 8, false, false, false, "b80300000001000000080000")]
    [InlineData(ElementType.MediumTransport, 0, 1, SmcCommands.MaxAllocationLength, true, false, false, "b8110000000100ffffff0000")]
    public void ReadElementStatus(ElementType type, ushort start, ushort count, int alloc, bool voltag, bool dvcid, bool curdata, string expected)
    {
        var c = SmcCommands.ReadElementStatus(type, start, count, alloc, voltag, dvcid, curdata);
        Assert.Equal(expected, Hex(c));
        Assert.Equal(alloc, c.TransferLength);
        Assert.Equal(DataDirection.In, c.Direction);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(0x1000000)]
    public void ReadElementStatus_rejects_bad_allocation(int alloc) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SmcCommands.ReadElementStatus(ElementType.All, 0, 1, alloc));

    [Theory]
    [InlineData(0, 0x040a, 0x0001, false, "a5000000040a000100000000")]
    [InlineData(0, 0x03e9, 0x03ea, true, "a500000003e903ea00000100")]
    [InlineData(0x02c0, 0x0400, 0x01f4, false, "a50002c0040001f400000000")]
    public void MoveMedium(ushort transport, ushort src, ushort dst, bool invert, string expected)
    {
        var c = SmcCommands.MoveMedium(transport, src, dst, invert);
        Assert.Equal(expected.Replace(" ", ""), Hex(c));
        Assert.Equal(DataDirection.None, c.Direction);
        Assert.Equal(CommandTimeouts.Move, c.Timeout);
    }

    [Theory]
    [InlineData(false, false, "a6000000040a000103e90000")]
    [InlineData(true, false, "a6000000040a000103e90100")]
    [InlineData(false, true, "a6000000040a000103e90200")]
    [InlineData(true, true, "a6000000040a000103e90300")]
    public void ExchangeMedium_inv1_is_bit0_inv2_is_bit1(bool inv1, bool inv2, string expected)
    {
        var c = SmcCommands.ExchangeMedium(0, 0x040a, 0x0001, 0x03e9, inv1, inv2);
        Assert.Equal(expected, Hex(c));
        Assert.Equal(DataDirection.None, c.Direction);
    }

    [Fact]
    public void ExchangeMedium_all_fields()
    {
        var c = SmcCommands.ExchangeMedium(0x1122, 0x3344, 0x5566, 0x7788, true, true);
        Assert.Equal("a6001122334455667788" + "0300", Hex(c));
    }

    [Theory]
    [InlineData(0, 0x03e9, false, "2b00000003e9000000 00")]
    [InlineData(0x02c0, 0x0001, true, "2b0002c00001000001 00")]
    public void PositionToElement(ushort transport, ushort dst, bool invert, string expected) =>
        Assert.Equal(expected.Replace(" ", ""), Hex(SmcCommands.PositionToElement(transport, dst, invert)));

    [Fact]
    public void InitializeElementStatus()
    {
        var c = SmcCommands.InitializeElementStatus();
        Assert.Equal("070000000000", Hex(c));
        Assert.Equal(CommandTimeouts.Initialize, c.Timeout);
    }

    [Theory]
    [InlineData(0x03e9, 40, false, false, "370103e9000000280000")]
    [InlineData(0x03e9, 40, true, false, "370303e9000000280000")]
    [InlineData(0x0001, 2, false, true, "e7010001000000020000")]
    [InlineData(0x0001, 2, true, true, "e7030001000000020000")]
    public void InitializeElementStatusWithRange_including_E7_legacy(ushort start, ushort count, bool fast, bool legacy, string expected) =>
        Assert.Equal(expected, Hex(SmcCommands.InitializeElementStatusWithRange(start, count, fast, legacy)));

    [Theory]
    [InlineData(true, "1e0000000100")]
    [InlineData(false, "1e0000000000")]
    public void PreventAllowMediumRemoval(bool prevent, string expected) =>
        Assert.Equal(expected, Hex(SmcCommands.PreventAllowMediumRemoval(prevent)));

    [Theory]
    [InlineData(0x0065, true, "1b0000650000")]
    [InlineData(0x0065, false, "1b0000650100")]
    public void OpenCloseImportExportElement(ushort element, bool open, string expected) =>
        Assert.Equal(expected, Hex(SmcCommands.OpenCloseImportExportElement(element, open)));
}
