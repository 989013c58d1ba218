using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Virtual.Tests;

/// <summary>MOVE / EXCHANGE / POSITION / INIT / 1Bh / 1Eh (docs/reference/mhvtl.md §8, docs/reference/mhvtl.md §5).</summary>
public class MoveTests
{
    private readonly Harness _h = new();

    private static ScsiCommand MoveRaw(ushort t, ushort s, ushort d, byte b10 = 0, byte control = 0)
        => Harness.Raw(0xA5, 0, (byte)(t >> 8), (byte)t, (byte)(s >> 8), (byte)s, (byte)(d >> 8), (byte)d, 0, 0, b10, control);

    [Fact]
    public void SlotToDriveToSlot_FlagsAndSource()
    {
        _h.Move(1000, 500);
        var drive = _h.At(500);
        Assert.Equal((ElementFlags)0x01, drive.Flags);          // Full, Access cleared by the robot load
        Assert.Equal("E01001L8", drive.Barcode);
        Assert.Equal((ushort)1000, drive.SourceAddress);
        Assert.Equal((ElementFlags)0x08, _h.At(1000).Flags);
        _h.Move(500, 1020);
        var slot = _h.At(1020);
        Assert.Equal("E01001L8", slot.Barcode);
        Assert.Equal((ushort)1000, slot.SourceAddress);          // home slot, not the drive (later upstream mhVTL)
        Assert.Equal((ElementFlags)0x08, _h.At(500).Flags);
        _h.Move(1020, 1000);
        Assert.Equal((ushort)1020, _h.At(1000).SourceAddress);   // source updated: previous element was a slot
    }

    [Fact]
    public void HostUnload_SetsDtAccess()
    {
        _h.Move(1000, 500);
        _h.Ok(Harness.Raw(0x1B, 0, 0, 0, 0x00, 0), lun: 1);       // UNLOAD
        Assert.Equal((ElementFlags)0x09, _h.At(500).Flags);
        _h.Expect("02/3A/00", SpcCommands.TestUnitReady(), lun: 1);
    }

    [Fact]
    public void LtoGenerationMismatch_0404003_CartridgeStays()
    {
        _h.Expect("04/04/03", SmcCommands.MoveMedium(0, 1000, 502));   // LTO-8 into TD6
        Assert.Equal("E01001L8", _h.At(1000).Barcode);
        Assert.False(_h.At(502).Full);
        _h.Expect("04/04/03", SmcCommands.MoveMedium(0, 1029, 500));   // LTO-6 into TD8
        _h.Expect("04/04/03", SmcCommands.MoveMedium(0, 1021, 502));   // CLN101L8 into TD6
        _h.Expect("04/04/03", SmcCommands.MoveMedium(0, 1022, 500));   // CLN102L6 into TD8
        _h.Move(1029, 502);
        _h.Move(1021, 501);
    }

    [Fact]
    public void CdbChecks()
    {
        _h.Expect("05/24/00", MoveRaw(0, 1000, 1020, b10: 1), 10);
        _h.Expect("05/24/00", MoveRaw(0, 1000, 1020, control: 0xC0), 11);
        _h.Expect("05/24/00", MoveRaw(0, 1000, 1020, control: 0x01), 11);
        _h.Ok(MoveRaw(0, 1000, 1020, control: 0x80));                   // vendor extend/retract: GOOD no-op
        Assert.Equal("E01001L8", _h.At(1000).Barcode);
    }

    [Fact]
    public void InvalidAddresses_LastFailingWins()
    {
        _h.Expect("05/21/01", SmcCommands.MoveMedium(1000, 1000, 1020), 2);
        _h.Expect("05/21/01", SmcCommands.MoveMedium(0, 5, 1020), 4);
        _h.Expect("05/21/01", SmcCommands.MoveMedium(0, 1000, 2000), 6);
        _h.Expect("05/21/01", SmcCommands.MoveMedium(7, 5, 2000), 6);
        _h.Expect("05/21/01", SmcCommands.MoveMedium(7, 5, 1001), 4);
    }

    [Fact]
    public void EmptySource_FullDestination()
    {
        _h.Expect("05/3B/0E", SmcCommands.MoveMedium(0, 1020, 1023));
        _h.Expect("05/3B/0D", SmcCommands.MoveMedium(0, 1000, 1001));
        _h.Expect("05/3B/0D", SmcCommands.MoveMedium(0, 1000, 1000));  // slot src==dst
        _h.Expect("05/3B/0E", SmcCommands.MoveMedium(0, 500, 1020));    // empty drive
        _h.Move(1000, 500);
        _h.Expect("05/3B/0D", SmcCommands.MoveMedium(0, 1001, 500));    // occupied drive
        _h.Ok(SmcCommands.MoveMedium(0, 500, 500));                     // drive->drive same: GOOD
        _h.Move(500, 501);                                               // drive->drive
        Assert.Equal("E01001L8", _h.At(501).Barcode);
        Assert.Equal((ushort)1000, _h.At(501).SourceAddress);
    }

    [Fact]
    public void TransportAsEndpoint_Allowed()
    {
        _h.Move(1000, 1);
        Assert.Equal((ElementFlags)0x01, _h.At(1).Flags);
        _h.Move(1, 1020);
        Assert.Equal((ushort)1000, _h.At(1020).SourceAddress);
    }

    [Fact]
    public void MapOpen_0203A02_AndImpExp()
    {
        _h.Library.OpenImportExport();
        _h.Library.InsertIntoImportExport("CLN201L8");
        _h.Expect("02/3A/02", SmcCommands.MoveMedium(0, 10, 1020));     // source MAP, CAP open
        _h.Expect("02/3A/02", SmcCommands.MoveMedium(0, 1000, 11));     // destination MAP, CAP open
        _h.Library.CloseImportExport();
        _h.Move(10, 1020);                                               // import
        Assert.Equal((ElementFlags)0x3A, _h.At(10).Flags);              // ImpExp stays after import
        Assert.Equal(MediumType.Cleaning, _h.At(1020).MediumType);
        Assert.Null(_h.At(1020).SourceAddress);                          // came from a MAP, no home slot yet
        _h.Move(1000, 11);                                               // export
        Assert.Equal((ElementFlags)0x39, _h.At(11).Flags);              // ImpExp cleared: placed by robot
        Assert.Equal((ushort)1000, _h.At(11).SourceAddress);
        _h.Move(11, 1000);
        Assert.Equal((ElementFlags)0x38, _h.At(11).Flags);
    }

    [Fact]
    public void OpenCloseImportExportElement_1B()
    {
        _h.Ok(SmcCommands.OpenCloseImportExportElement(10, open: true));
        Assert.True(_h.Library.ImportExportOpen);
        Assert.False(_h.At(12).Access);
        _h.Ok(SmcCommands.OpenCloseImportExportElement(13, open: false));
        Assert.False(_h.Library.ImportExportOpen);
        _h.Expect("05/21/01", SmcCommands.OpenCloseImportExportElement(1000, open: true), 2);
        _h.Expect("05/24/00", Harness.Raw(0x1B, 0, 0, 10, 0x05, 0), 4);
    }

    [Fact]
    public void ExchangeMedium_DisabledByDefault() => _h.Expect("05/20/00", SmcCommands.ExchangeMedium(0, 1000, 1001, 1020), 0);

    [Fact]
    public void ExchangeMedium_WhenEnabled()
    {
        var h = new Harness(TestConfigs.Library10(exchange: true));
        h.Ok(SmcCommands.ExchangeMedium(0, 1000, 1001, 1020));
        Assert.Equal("E01001L8", h.At(1001).Barcode);
        Assert.Equal("E01002L8", h.At(1020).Barcode);
        Assert.False(h.At(1000).Full);
        h.Ok(SmcCommands.ExchangeMedium(0, 1001, 1020, 1001));           // swap
        Assert.Equal("E01002L8", h.At(1001).Barcode);
        Assert.Equal("E01001L8", h.At(1020).Barcode);
        h.Expect("05/3B/0E", SmcCommands.ExchangeMedium(0, 1023, 1001, 1024));
        h.Expect("05/3B/0D", SmcCommands.ExchangeMedium(0, 1001, 1002, 1003));
        h.Expect("05/21/01", SmcCommands.ExchangeMedium(0, 1001, 1002, 3000), 8);
        h.Expect("05/24/00", SmcCommands.ExchangeMedium(0, 1001, 1002, 1023, invert1: true), 10);
        h.Move(1002, 500);
        h.Expect("04/04/03", SmcCommands.ExchangeMedium(0, 1029, 500, 1023));   // LTO-6 into the TD8
        Assert.Equal("F01030L6", h.At(1029).Barcode);
        Assert.Equal("E01003L8", h.At(500).Barcode);
    }

    [Fact]
    public void PositionToElement_2B()
    {
        _h.Ok(SmcCommands.PositionToElement(0, 1000));
        _h.Ok(SmcCommands.PositionToElement(1, 500));
        _h.Expect("05/21/01", SmcCommands.PositionToElement(0, 3000), 4);
        _h.Expect("05/21/01", SmcCommands.PositionToElement(10, 1000), 2);
    }

    [Fact]
    public void InitializeElementStatus_AllOpcodes()
    {
        _h.Ok(SmcCommands.InitializeElementStatus());
        _h.Ok(SmcCommands.InitializeElementStatusWithRange(1000, 10));
        _h.Ok(SmcCommands.InitializeElementStatusWithRange(1000, 10, legacyOpcode: true));
    }

    [Fact]
    public void UnsupportedOpcode_Fp0() => _h.Expect("05/20/00", Harness.Raw(0xB5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0);

    [Fact]
    public void Prevent_LocksIePortAgainstOperator()
    {
        _h.Ok(SmcCommands.PreventAllowMediumRemoval(true));
        Assert.True(_h.Library.RemovalPrevented);
        var ex = Assert.Throws<VirtualOperatorException>(() => _h.Library.OpenImportExport());
        Assert.Contains("PREVENT", ex.Message);
        _h.Ok(SmcCommands.PreventAllowMediumRemoval(false));
        _h.Library.OpenImportExport();
        Assert.True(_h.Library.ImportExportOpen);
    }
}
