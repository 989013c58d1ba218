using System.Text;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Virtual.Tests;

/// <summary>docs/reference/mhvtl.md §4: INQUIRY / VPD / mode pages of library 10 as exact bytes.</summary>
public class ExactBytesTests
{
    private readonly Harness _h = new();

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Fact]
    public void StandardInquiry_IsStkL700Rev0108()
    {
        var d = _h.Ok(SpcCommands.Inquiry(255));
        var expected = new byte[64];
        Bytes("08 80 05 02 3b 00 01 20").CopyTo(expected, 0);
        Encoding.ASCII.GetBytes("STK     L700            0108").CopyTo(expected, 8);
        Bytes("03 00 09 60 02 00").CopyTo(expected, 58);
        Assert.Equal(Harness.Hex(expected), Harness.Hex(d));
    }

    [Fact]
    public void Inquiry_TruncatedToAllocationLength()
    {
        Assert.Equal(Harness.Hex(Bytes("08 80 05 02 3b")), Harness.Hex(_h.Ok(SpcCommands.Inquiry(5))));
    }

    [Fact]
    public void Vpd00_ListsOnly00And80()
        => Assert.Equal("08 00 00 02 00 80", Harness.Hex(_h.Ok(SpcCommands.InquiryVpd(0x00))));

    [Fact]
    public void Vpd80_Is12CharSerialIn18Bytes()
    {
        var expected = new byte[22];
        Bytes("08 80 00 12").CopyTo(expected, 0);
        Encoding.ASCII.GetBytes("XYZZY_A     ").CopyTo(expected, 4);
        Assert.Equal(Harness.Hex(expected), Harness.Hex(_h.Ok(SpcCommands.InquiryVpd(0x80))));
    }

    [Fact]
    public void Vpd83_IsNotSupportedOnStk() => _h.Expect("05/24/00", SpcCommands.InquiryVpd(0x83), 2);

    [Fact]
    public void Inquiry_PageWithoutEvpd_Fp1() => _h.Expect("05/24/00", Harness.Raw(0x12, 0x00, 0x80, 0x00, 0xFF, 0x00), 1);

    [Fact]
    public void Inquiry_CmdDt_Fp1() => _h.Expect("05/24/00", Harness.Raw(0x12, 0x03, 0x00, 0x00, 0xFF, 0x00), 1);

    [Fact]
    public void ModeSense6_1D_Dbd_MatchesMhvtlCapture()
        => Assert.Equal("17 00 10 00 1d 12 00 01 00 01 03 e8 00 27 00 0a 00 04 01 f4 00 04 00 00", Harness.Hex(_h.Ok(SpcCommands.ModeSense6(0x1D))));

    [Fact]
    public void ModeSense6_1D_WithBlockDescriptor()
        => Assert.Equal("1f 00 10 08 00 00 00 00 00 00 00 00 1d 12 00 01 00 01 03 e8 00 27 00 0a 00 04 01 f4 00 04 00 00",
            Harness.Hex(_h.Ok(SpcCommands.ModeSense6(0x1D, disableBlockDescriptors: false))));

    [Fact]
    public void ModeSense10_1E()
        => Assert.Equal("00 0a 00 10 00 00 00 00 1e 02 00 00", Harness.Hex(_h.Ok(SpcCommands.ModeSense10(0x1E))));

    [Fact]
    public void ModeSense10_1F_ExchangeZero()
        => Assert.Equal("00 1a 00 10 00 00 00 00 1f 12 0f 07 0f 0f 0f 0f 00 00 00 00 00 00 00 00 00 00 00 00",
            Harness.Hex(_h.Ok(SpcCommands.ModeSense10(0x1F))));

    [Fact]
    public void ModeSense6_AllPages()
        => Assert.Equal("2f 00 10 00 1d 12 00 01 00 01 03 e8 00 27 00 0a 00 04 01 f4 00 04 00 00 1e 02 00 00 1f 12 0f 07 0f 0f 0f 0f 00 00 00 00 00 00 00 00 00 00 00 00",
            Harness.Hex(_h.Ok(SpcCommands.ModeSense6(0x3F))));

    [Fact]
    public void ModeSense_SavedValues_0539() => _h.Expect("05/39/00", SpcCommands.ModeSense6(0x1D, pageControl: PageControl.Saved));

    [Fact]
    public void ModeSense_UnknownPage_Fp2() => _h.Expect("05/24/00", SpcCommands.ModeSense10(0x0B), 2);

    [Fact]
    public void ExchangeEnabled_Page1FAdvertisesIt()
    {
        var cfg = TestConfigs.Library10(exchange: true);
        var h = new Harness(cfg);
        Assert.EndsWith("0f 0f 0f 0f 00 00 00 00", Harness.Hex(h.Ok(SpcCommands.ModeSense6(0x1F))));
    }

    [Fact]
    public void ReportLuns_ChangerAndFourDrives()
        => Assert.Equal("00 00 00 28 00 00 00 00 " + string.Join(' ', Enumerable.Range(0, 5).Select(i => $"00 {i:x2} 00 00 00 00 00 00")),
            Harness.Hex(_h.Ok(SpcCommands.ReportLuns())));

    [Fact]
    public void DriveInquiry_AndVpd()
    {
        var d = _h.Ok(SpcCommands.Inquiry(255), lun: 1);
        Assert.Equal(0x01, d[0]);
        Assert.Equal("IBM     ULT3580-TD8     2160", Encoding.ASCII.GetString(d, 8, 28));
        Assert.Equal("01 80 00 0a " + Harness.Hex(Encoding.ASCII.GetBytes("XYZZY_A3  ")), Harness.Hex(_h.Ok(SpcCommands.InquiryVpd(0x80), lun: 3)));
        var vpd83 = _h.Ok(SpcCommands.InquiryVpd(0x83), lun: 1);
        var expected = new List<byte>(Bytes("01 83 00 32 02 01 00 22"));
        expected.AddRange(Encoding.ASCII.GetBytes("IBM     ULT3580-TD8     XYZZY_A1  "));
        expected.AddRange(Bytes("01 03 00 08 50 22 33 44 ab 00 01 00"));
        Assert.Equal(Harness.Hex(expected.ToArray()), Harness.Hex(vpd83));
    }

    [Fact]
    public void ChangerLogSense_Page00_AndTapeAlertNotCleared()
    {
        Assert.Equal("00 00 00 03 00 0d 2e", Harness.Hex(_h.Ok(SpcCommands.LogSense(0x00))));
        _h.Library.SetLibraryTapeAlert(1UL << 15);   // flag 16, library door
        for (int i = 0; i < 2; i++)
        {
            var d = _h.Ok(SpcCommands.LogSenseTapeAlert());
            Assert.Equal(4 + 64 * 5, d.Length);
            Assert.Equal("2e 00 01 40", Harness.Hex(d[..4]));
            Assert.Equal("00 10 c0 01 01", Harness.Hex(d.AsSpan(4 + 15 * 5, 5).ToArray()));
        }
    }
}
