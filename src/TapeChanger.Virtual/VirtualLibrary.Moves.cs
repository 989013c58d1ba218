using TapeChanger.Scsi;

namespace TapeChanger.Virtual;

/// <summary>MOVE MEDIUM, EXCHANGE MEDIUM, POSITION TO ELEMENT, OPEN/CLOSE IE (docs/reference/mhvtl.md §8 and §5).</summary>
public sealed partial class VirtualLibrary
{
    /// <summary>An element a move may use: any configured address (MT allowed, later upstream mhVTL); a DT only if a drive is bound to it.</summary>
    private ElementState? Valid(ushort address)
    {
        if (!TryAt(address, out var e)) return null;
        if (e.Type == (byte)ElementType.DataTransfer && DriveConfig(e.Number) is null) return null;
        return e;
    }

    /// <summary>CDB control byte: C0h and any bit outside 7-6 -> 05/24/00 fp 11; bits 7-6 alone (vendor extend/retract) = GOOD no-op.</summary>
    private static bool ControlIsNoOp(byte control)
    {
        if (control == 0) return false;
        if (control == 0xC0 || (control & 0x3F) != 0) throw SenseBytes.InvalidField(11);
        return true;
    }

    private ElementState Transport(ushort address)
    {
        if (address == 0) return OfType(ElementType.MediumTransport).First();    // 0 = the default transport
        if (!TryAt(address, out var t) || t.Type != (byte)ElementType.MediumTransport) throw SenseBytes.InvalidElement(2);
        return t;
    }

    private void MoveMedium(byte[] cdb)
    {
        if (cdb[10] != 0) throw SenseBytes.InvalidField(10);                   // cannot invert
        if (ControlIsNoOp(cdb[11])) return;
        // Transport, source and destination are all checked; the last failing one's sense wins (docs/reference/mhvtl.md §8).
        CheckConditionException? failure = null;
        try { Transport(U16(cdb, 2)); } catch (CheckConditionException cc) { failure = cc; }
        var src = Valid(U16(cdb, 4));
        if (src is null) failure = SenseBytes.InvalidElement(4);
        var dst = Valid(U16(cdb, 6));
        if (dst is null) failure = SenseBytes.InvalidElement(6);
        if (failure is not null) throw failure;

        bool dt(ElementState e) => e.Type == (byte)ElementType.DataTransfer;
        if (dt(src!) && dt(dst!) && src!.Address == dst!.Address) return;    // drive->drive same address: GOOD no-op
        CheckReachable(src!);
        CheckReachable(dst!);
        if (src!.Barcode is null) throw SenseBytes.SourceEmpty();
        if (dst!.Barcode is not null) throw SenseBytes.DestinationFull();      // so src==dst (slots) gives 3B/0D
        CheckCap(src);
        CheckCap(dst);
        if (dt(dst)) CheckDriveAccepts(dst, src.Barcode);
        FireHalfMove(cdb, src);
        Place(dst, Take(src));
    }

    private void ExchangeMedium(byte[] cdb)
    {
        if ((cdb[10] & 0x03) != 0) throw SenseBytes.InvalidField(10);          // INV1/INV2: cannot invert
        if (ControlIsNoOp(cdb[11])) return;
        CheckConditionException? failure = null;
        try { Transport(U16(cdb, 2)); } catch (CheckConditionException cc) { failure = cc; }
        var src = Valid(U16(cdb, 4));
        if (src is null) failure = SenseBytes.InvalidElement(4);
        var dst1 = Valid(U16(cdb, 6));
        if (dst1 is null) failure = SenseBytes.InvalidElement(6);
        var dst2 = Valid(U16(cdb, 8));
        if (dst2 is null) failure = SenseBytes.InvalidElement(8);
        if (failure is not null) throw failure;
        CheckReachable(src!); CheckReachable(dst1!); CheckReachable(dst2!);
        // SMC-3 6.3: source medium -> first destination, first destination's medium -> second destination.
        if (src!.Barcode is null || dst1!.Barcode is null) throw SenseBytes.SourceEmpty();
        if (dst2!.Barcode is not null && dst2 != src) throw SenseBytes.DestinationFull();
        CheckCap(src); CheckCap(dst1); CheckCap(dst2);
        if (dst1.Type == (byte)ElementType.DataTransfer) CheckDriveAccepts(dst1, src.Barcode);
        if (dst2.Type == (byte)ElementType.DataTransfer) CheckDriveAccepts(dst2, dst1.Barcode);
        FireHalfMove(cdb, src);
        var a = Take(src);
        var b = Take(dst1);
        Place(dst1, a);
        Place(dst2, b);
    }

    private void PositionToElement(byte[] cdb)
    {
        if ((cdb[8] & 0x01) != 0) throw SenseBytes.InvalidField(8);            // byte 8 INVERT
        Transport(U16(cdb, 2));
        if (Valid(U16(cdb, 4)) is null) throw SenseBytes.InvalidElement(4);
    }

    private void OpenCloseImportExport(byte[] cdb)
    {
        ushort a = U16(cdb, 2);
        if (!TryAt(a, out var e) || e.Type != (byte)ElementType.ImportExport) throw SenseBytes.InvalidElement(2);
        switch (cdb[4] & 0x1F)                                                  // byte 4 ACTION CODE
        {
            case 0: _state.ImportExportOpen = true; break;                      // open the CAP (library-wide flag)
            case 1: _state.ImportExportOpen = false; break;
            default: throw SenseBytes.InvalidField(4);
        }
    }

    private void CheckReachable(ElementState e)
    {
        if (MagazineRemoved(e)) throw SenseBytes.MagazineNotAccessible();
    }

    private void CheckCap(ElementState e)
    {
        if (e.Type == (byte)ElementType.ImportExport && _state.ImportExportOpen) throw SenseBytes.MapOpen();
    }

    private void CheckDriveAccepts(ElementState drive, string barcode)
    {
        var cfg = DriveConfig(drive.Number)!;
        if (!Media.DriveAccepts(cfg.Product, barcode))
        {
            Drive(drive.Number).TapeAlert |= 1UL << 11;                         // flag 12: media not supported (docs/reference/mhvtl.md §10)
            throw SenseBytes.DriveRejected();                                   // 04/04/03, cartridge stays at the source
        }
    }

    private readonly record struct Cartridge(string Barcode, ushort Home);

    private Cartridge Take(ElementState e)
    {
        // Home = the storage slot it came from (later upstream mhVTL, docs/reference/mhvtl.md §7: only updated when the source is a storage element).
        var c = new Cartridge(e.Barcode!, e.Type == (byte)ElementType.Storage ? e.Address : e.Home);
        if (e.Type == (byte)ElementType.DataTransfer)
        {
            // The library unloads the drive unconditionally, ignoring PREVENT (docs/reference/mhvtl.md §8).
            var d = Drive(e.Number);
            d.LoadAttention = false;
            d.Unloaded = false;
            d.CleaningStarted = null;
            e.Access = true;                                                    // drive after MOVE out of it: 0x08
        }
        e.Barcode = null;
        e.Home = 0;
        return c;
    }

    private void Place(ElementState e, Cartridge c)
    {
        e.Barcode = c.Barcode;
        e.Home = c.Home;
        if (e.Type == (byte)ElementType.ImportExport) e.ImpExp = false;        // placed by the robot
        if (e.Type == (byte)ElementType.DataTransfer)
        {
            e.Access = false;                                                   // robot can't grab it until the host unloads
            var d = Drive(e.Number);
            d.Unloaded = false;
            var type = Media.TypeOf(c.Barcode);
            if (type == MediumType.Cleaning)
            {
                d.CleaningStarted = _time.GetUtcNow();
                d.TapeAlert |= 1UL << 10;                                       // flag 11: cleaning media
            }
            else
            {
                d.LoadAttention = type == MediumType.Data;                      // 06/28/00 for data, not WORM (docs/reference/mhvtl.md §10)
            }
        }
    }
}
