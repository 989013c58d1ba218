using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Virtual.Tests;

/// <summary>Drive LUNs (docs/reference/mhvtl.md §10), unit attentions (docs/reference/mhvtl.md §11), door, magazines and the operator API (docs/reference/mhvtl.md §9).</summary>
public class DriveAndOperatorTests
{
    private readonly Harness _h = new();

    [Fact]
    public void ResetUnitAttention_OnceAfterCreationAndReset_ExemptCommandsPass()
    {
        var h = new Harness(consumeReset: false);
        h.Ok(SpcCommands.Inquiry());                         // exempt
        h.Ok(SpcCommands.ReportLuns());                      // exempt
        var rs = h.Ok(SpcCommands.RequestSense());           // exempt, nothing pending
        Assert.Equal(SenseKey.NoSense, SenseDecoder.Decode(rs).Key);
        var (r, _) = h.Run(SpcCommands.TestUnitReady());
        Assert.Equal(0x70, r.Sense[0]);                      // 29h UAs use 70h
        Assert.Equal("06/29/00", SenseDecoder.Decode(r.Sense).Triplet);
        h.Ok(SpcCommands.TestUnitReady());
        h.Library.Reset();
        h.Expect("06/29/00", SmcCommands.ReadElementStatus(ElementType.All, 0, 10, 4096));
        h.Ok(SpcCommands.TestUnitReady());
    }

    [Fact]
    public void RequestSense_ReturnsAndClearsPendingSense()
    {
        var (r, _) = _h.Run(SmcCommands.MoveMedium(0, 1020, 1023));
        Assert.Equal(0xF0, r.Sense[0]);
        var s = SenseDecoder.Decode(_h.Ok(SpcCommands.RequestSense()));
        Assert.Equal("05/3B/0E", s.Triplet);
        Assert.Equal(SenseKey.NoSense, SenseDecoder.Decode(_h.Ok(SpcCommands.RequestSense())).Key);
    }

    [Fact]
    public void Reset_RestoresConfiguredContents()
    {
        _h.Move(1000, 500);
        _h.Library.Reset();
        _h.Ok(SpcCommands.RequestSense());
        _h.Expect("06/29/00", SpcCommands.TestUnitReady());
        Assert.Equal("E01001L8", _h.At(1000).Barcode);
        Assert.False(_h.At(500).Full);
    }

    [Fact]
    public void Drive_TurSequence_EmptyLoadAttentionGood()
    {
        _h.Expect("02/3A/00", SpcCommands.TestUnitReady(), lun: 1);
        _h.Move(1000, 500);
        _h.Expect("06/28/00", SpcCommands.TestUnitReady(), lun: 1);
        _h.Ok(SpcCommands.TestUnitReady(), lun: 1);
        _h.Move(1001, 501);
        _h.Ok(SpcCommands.Inquiry(), lun: 2);                // another command overwrites the pending UA
        _h.Ok(SpcCommands.TestUnitReady(), lun: 2);
        _h.Ok(Harness.Raw(0x1E, 0, 0, 0, 1, 0), lun: 1);      // PREVENT on a drive: accepted, ignored
        _h.Move(500, 1000);                                  // the robot force-unloads anyway
        _h.Expect("02/3A/00", SpcCommands.TestUnitReady(), lun: 1);
    }

    [Fact]
    public void Cleaning_TimedTurSequence_WithFakeClock()
    {
        _h.Move(1021, 500);                                  // CLN101L8 into the TD8
        var e = _h.At(500);
        Assert.Equal(MediumType.Cleaning, e.MediumType);
        Assert.Equal((ElementFlags)0x01, e.Flags);
        Assert.Equal((ushort)1021, e.SourceAddress);
        _h.Expect("02/30/03", SpcCommands.TestUnitReady(), lun: 1);
        _h.Expect("02/30/03", Harness.Raw(0x08, 0, 0, 0, 1, 0), lun: 1);   // READ
        _h.Expect("02/30/03", Harness.Raw(0x0A, 0, 0, 0, 1, 0), lun: 1);   // WRITE
        _h.Expect("02/30/03", Harness.Raw(0x10, 0, 0, 0, 1, 0), lun: 1);   // WRITE FILEMARKS
        _h.Time.Advance(TimeSpan.FromSeconds(29));
        _h.Expect("02/30/03", SpcCommands.TestUnitReady(), lun: 1);
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        _h.Expect("02/04/00", SpcCommands.TestUnitReady(), lun: 1);
        _h.Time.Advance(TimeSpan.FromSeconds(88));
        _h.Expect("02/04/00", SpcCommands.TestUnitReady(), lun: 1);
        _h.Time.Advance(TimeSpan.FromSeconds(2));
        _h.Expect("02/04/02", SpcCommands.TestUnitReady(), lun: 1);
        Assert.True(_h.At(500).Full);                        // never ejected automatically
        _h.Move(500, 1021);
    }

    [Fact]
    public void Cleaning_ConfigurableTime()
    {
        var h = new Harness(TestConfigs.Library10(cleaningSeconds: 5));
        h.Move(1022, 502);                                    // CLN102L6 into a TD6
        h.Time.Advance(TimeSpan.FromSeconds(6));
        h.Expect("02/04/00", SpcCommands.TestUnitReady(), lun: 3);
        h.Time.Advance(TimeSpan.FromSeconds(15));
        h.Expect("02/04/02", SpcCommands.TestUnitReady(), lun: 3);
    }

    [Fact]
    public void DriveTapeAlert_CleanerFlag11_ClearOnRead()
    {
        _h.Move(1021, 500);
        var d = _h.Ok(SpcCommands.LogSenseTapeAlert(), lun: 1);
        Assert.Equal(4 + 64 * 5, d.Length);
        Assert.Equal("00 0b c0 01 01", Harness.Hex(d.AsSpan(4 + 10 * 5, 5).ToArray()));
        d = _h.Ok(SpcCommands.LogSenseTapeAlert(), lun: 1);
        Assert.All(Enumerable.Range(0, 64), i => Assert.Equal(0, d[4 + i * 5 + 4]));
        _h.Library.SetDriveTapeAlert(2, 1UL << 19);           // flag 20: clean now
        _h.Ok(SpcCommands.LogSenseTapeAlert(allocationLength: 4), lun: 2);   // header only: not cleared
        d = _h.Ok(SpcCommands.LogSenseTapeAlert(), lun: 2);
        Assert.Equal(1, d[4 + 19 * 5 + 4]);
        d = _h.Ok(SpcCommands.LogSenseTapeAlert(), lun: 2);
        Assert.Equal(0, d[4 + 19 * 5 + 4]);
        Assert.Throws<VirtualOperatorException>(() => _h.Library.SetDriveTapeAlert(5, 1));
    }

    [Fact]
    public void IncompatibleLoad_SetsDriveFlag12()
    {
        _h.Expect("04/04/03", SmcCommands.MoveMedium(0, 1000, 503));
        var d = _h.Ok(SpcCommands.LogSenseTapeAlert(), lun: 4);
        Assert.Equal(1, d[4 + 11 * 5 + 4]);
    }

    [Fact]
    public void DriveLoadUnload_1B()
    {
        _h.Move(1029, 502);
        _h.Ok(Harness.Raw(0x1B, 0, 0, 0, 0x00, 0), lun: 3);
        Assert.True(_h.At(502).Access);
        _h.Ok(Harness.Raw(0x1B, 0, 0, 0, 0x01, 0), lun: 3);   // LOAD again
        Assert.False(_h.At(502).Access);
        _h.Expect("02/3A/00", Harness.Raw(0x1B, 0, 0, 0, 0x00, 0), lun: 4);
        _h.Expect("05/20/00", Harness.Raw(0xC5, 0, 0, 0, 0, 0), fieldPointer: 0, lun: 1);
    }

    [Fact]
    public void Door_BlocksRobot_AndTestUnitReady_ThenUnitAttention()
    {
        _h.Library.OpenDoor();
        _h.Expect("02/04/18", SmcCommands.MoveMedium(0, 1000, 1020));
        _h.Expect("02/04/18", SmcCommands.PositionToElement(0, 1000));
        _h.Expect("02/04/18", SmcCommands.InitializeElementStatus());
        _h.Expect("02/04/18", SmcCommands.InitializeElementStatusWithRange(1000, 1));
        _h.Expect("02/04/18", SpcCommands.TestUnitReady());     // TapeChanger extension: TUR tells the host the door is open
        _h.Library.InsertIntoSlot(1020, "NEW001L8");
        Assert.Equal("E01002L8", _h.Library.RemoveFromSlot(1001));
        _h.Library.CloseDoor();
        _h.Expect("06/28/00", SpcCommands.TestUnitReady());
        _h.Ok(SpcCommands.TestUnitReady());
        Assert.Equal("NEW001L8", _h.At(1020).Barcode);
        Assert.False(_h.At(1001).Full);
        var ex = Assert.Throws<VirtualOperatorException>(() => _h.Library.InsertIntoSlot(1023, "X"));
        Assert.Contains("door is closed", ex.Message);
    }

    [Fact]
    public void Magazine_RemovedSlotsAreExcept_MovesFail_ReinsertRestores()
    {
        _h.Library.RemoveMagazine(1);                          // slots 1..13 = 1000..1012
        var e = _h.At(1000);
        Assert.Equal(ElementFlags.Except, e.Flags);
        Assert.Equal(0x3B, e.Asc);
        Assert.Equal(0x12, e.Ascq);
        Assert.Null(e.Barcode);
        Assert.Equal((ElementFlags)0x09, _h.At(1013).Flags);
        _h.Expect("02/3B/11", SmcCommands.MoveMedium(0, 1000, 500));
        _h.Expect("02/3B/11", SmcCommands.MoveMedium(0, 1013, 1012));
        Assert.Throws<VirtualOperatorException>(() => _h.Library.RemoveMagazine(1));
        Assert.Throws<VirtualOperatorException>(() => _h.Library.RemoveMagazine(4));
        _h.Library.InsertMagazine(1);
        Assert.Equal("E01001L8", _h.At(1000).Barcode);
        _h.Move(1000, 500);
    }

    [Fact]
    public void ImportExport_OperatorMisuse()
    {
        var lib = _h.Library;
        Assert.Contains("closed", Assert.Throws<VirtualOperatorException>(() => lib.InsertIntoImportExport("A00001L8")).Message);
        Assert.Throws<VirtualOperatorException>(() => lib.RemoveFromImportExport());
        lib.OpenImportExport();
        Assert.Contains("already in the library", Assert.Throws<VirtualOperatorException>(() => lib.InsertIntoImportExport("E01001L8")).Message);
        Assert.Contains("too long", Assert.Throws<VirtualOperatorException>(() => lib.InsertIntoImportExport("ABCDEFGHIJKLMNOPQ")).Message);
        Assert.Throws<VirtualOperatorException>(() => lib.InsertIntoImportExport("AB\u0007C"));
        Assert.Throws<VirtualOperatorException>(() => lib.InsertIntoImportExport("A00001L8", 1000));
        Assert.Equal((ushort)12, lib.InsertIntoImportExport("A00001L8", 12));
        Assert.Equal((ushort)10, lib.InsertIntoImportExport("A00002L8"));
        lib.InsertIntoImportExport("A00003L8");
        lib.InsertIntoImportExport("A00004L8");
        Assert.Contains("full", Assert.Throws<VirtualOperatorException>(() => lib.InsertIntoImportExport("A00005L8")).Message);
        Assert.Equal(new[] { "A00002L8" }, lib.RemoveFromImportExport(10));
        Assert.Throws<VirtualOperatorException>(() => lib.RemoveFromImportExport(10));
        Assert.Equal(3, lib.RemoveFromImportExport().Count);
        Assert.Empty(lib.ListImportExport());
        Assert.Equal((ElementFlags)0x32, _h.At(10).Flags);      // Full cleared only
    }

    [Fact]
    public void Offline_0204012()
    {
        _h.Library.SetOnline(false);
        _h.Expect("02/04/12", SpcCommands.TestUnitReady());
        _h.Ok(SpcCommands.Inquiry());
        _h.Library.SetOnline(true);
        _h.Ok(SpcCommands.TestUnitReady());
    }

    [Fact]
    public void UnknownLun_0252500() => _h.Expect("05/25/00", SpcCommands.TestUnitReady(), lun: 9);

    [Fact]
    public void Worm_And_Nobar()
    {
        _h.Library.OpenDoor();
        _h.Library.InsertIntoSlot(1023, "WORM01L8");
        _h.Library.InsertIntoSlot(1024, "NOBAR1L8");
        _h.Library.InsertIntoSlot(1025, "A00001LW");
        _h.Library.CloseDoor();
        _h.Expect("06/28/00", SpcCommands.TestUnitReady());
        Assert.Equal(MediumType.Worm, _h.At(1023).MediumType);
        Assert.Equal(MediumType.Worm, _h.At(1025).MediumType);
        var nobar = _h.At(1024);
        Assert.True(nobar.Full);
        Assert.Null(nobar.Barcode);
        Assert.Equal(MediumType.Data, nobar.MediumType);
    }
}
