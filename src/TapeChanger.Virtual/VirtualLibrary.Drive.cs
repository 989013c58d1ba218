using TapeChanger.Scsi;
using TapeChanger.MhvtlConfig;

namespace TapeChanger.Virtual;

/// <summary>Drive LUNs 1..N: the parts of vtltape a changer driver sees (docs/reference/mhvtl.md §4 and §10).</summary>
public sealed partial class VirtualLibrary
{
    private byte[] ExecuteDrive(int lun, byte[] cdb)
    {
        byte op = cdb[0];
        var d = Drive(lun);
        var e = DriveElement(lun);
        var cfg = DriveConfig(lun)!;
        bool loaded = e.Barcode is not null && !d.Unloaded;
        // The 06/28/00 after a load lives in the pending status; any command but TUR overwrites it (docs/reference/mhvtl.md §10).
        if (op != OpCode.TestUnitReady) d.LoadAttention = false;
        switch (op)
        {
            case OpCode.Inquiry: return DriveInquiry(cdb, cfg);
            case OpCode.ReportLuns: return ReportLuns(cdb);
            case OpCode.RequestSense: return RequestSense(lun, cdb);
            case OpCode.TestUnitReady:
                if (!loaded) throw SenseBytes.MediumNotPresent();
                CheckCleaning(d, cfg);
                if (d.LoadAttention)
                {
                    d.LoadAttention = false;
                    throw SenseBytes.Check(0x06, 0x28, 0x00);
                }
                return [];
            case OpCode.LoadUnload:
                if ((cdb[4] & 0x01) == 0)
                {
                    // UNLOAD: the cartridge waits in the drive for the robot; the changer's DT Access bit is set.
                    if (!loaded) throw SenseBytes.MediumNotPresent();
                    d.Unloaded = true;
                    d.CleaningStarted = null;
                    e.Access = true;
                    return [];
                }
                if (e.Barcode is null) throw SenseBytes.MediumNotPresent();
                if (d.Unloaded)
                {
                    d.Unloaded = false;
                    e.Access = false;
                    if (Media.TypeOf(e.Barcode) == MediumType.Cleaning) d.CleaningStarted = _time.GetUtcNow();
                }
                return [];
            case OpCode.PreventAllowMediumRemoval:
                return [];                                                   // accepted and ignored, like mhVTL
            case OpCode.LogSense:
                return DriveLogSense(d, cdb);
            case 0x01:                                                       // REWIND
                if (!loaded) throw SenseBytes.MediumNotPresent();
                if (d.CleaningStarted is not null) throw SenseBytes.CleaningCartridge();
                return [];
            case 0x08 or 0x0A or 0x10 or 0x19 or 0x88 or 0x8A:               // READ/WRITE(6), WRITE FILEMARKS, ERASE, READ/WRITE(16)
                if (!loaded) throw SenseBytes.MediumNotPresent();
                if (d.CleaningStarted is not null) throw SenseBytes.CleaningCartridge();
                throw SenseBytes.InvalidOpcode();                            // data I/O is not emulated
            default:
                throw SenseBytes.InvalidOpcode();
        }
    }

    /// <summary>Cleaning cycle (docs/reference/mhvtl.md §10): 02/30/03 for T s, 02/04/00 for 3T s, then 02/04/02 "cleaning done".</summary>
    private void CheckCleaning(DriveState d, DriveStanza cfg)
    {
        if (d.CleaningStarted is not DateTimeOffset started) return;
        var elapsed = _time.GetUtcNow() - started;
        var stage1 = TimeSpan.FromSeconds(Config.Library.CleaningSeconds);
        if (elapsed < stage1) throw SenseBytes.CleaningCartridge();
        if (elapsed < stage1 * 4) throw SenseBytes.Check(0x02, 0x04, 0x00);
        // The cycle is over: the drive no longer asks for cleaning (TapeAlert 20 and 21 are cleared by a cleaning; read
        // through page 12h they would otherwise stay set).
        d.TapeAlert &= ~((1UL << 19) | (1UL << 20));
        throw SenseBytes.Check(0x02, 0x04, 0x02);
    }

    private static byte[] DriveInquiry(byte[] cdb, DriveStanza cfg)
    {
        int alloc = U16(cdb, 3);
        bool evpd = (cdb[1] & 0x01) != 0;
        if ((cdb[1] & 0x02) != 0 || (!evpd && cdb[2] != 0)) throw SenseBytes.InvalidField(1);
        byte[] d;
        if (!evpd)
        {
            d = new byte[64];
            d[0] = 0x01;                     // sequential-access device
            d[1] = 0x80;                     // RMB
            d[2] = 0x05;
            d[3] = 0x02;
            d[4] = 59;
            d[7] = 0x20;
            Ascii(d, 8, cfg.Vendor, 8);
            Ascii(d, 16, cfg.Product, 16);
            Ascii(d, 32, cfg.Revision, 4);
        }
        else
        {
            switch (cdb[2])
            {
                case 0x00:
                    d = [0x01, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83];
                    break;
                case 0x80:
                    // "%-10s" of the serial
                    int n = Math.Max(10, cfg.Serial.Length);
                    d = new byte[4 + n];
                    d[0] = 0x01; d[1] = 0x80; d[3] = (byte)n;
                    Ascii(d, 4, cfg.Serial, n);
                    break;
                case 0x83:
                    d = IdentificationPage(0x01, cfg.Vendor, cfg.Product, cfg.Serial, cfg.Naa);
                    break;
                default:
                    throw SenseBytes.InvalidField(2);
            }
        }
        return Cut(d, alloc);
    }

    /// <summary>
    /// Page 12h, the TapeAlert response log page (SSC-4): parameter 0000h, control 40h, length 8; flag 01h is bit 7 of
    /// the first byte, flag 40h bit 0 of the last. The state keeps flag N in bit N-1.
    /// </summary>
    private static byte[] TapeAlertResponsePage(ulong flags)
    {
        var d = new byte[4 + 12];
        d[0] = 0x12; d[3] = 12;                                               // page code, page length 12
        d[6] = 0x40; d[7] = 0x08;                                             // parameter 0000h: control, length 8
        for (int i = 0; i < 64; i++)
        {
            if (((flags >> i) & 1) != 0) d[8 + i / 8] |= (byte)(0x80 >> (i % 8));
        }
        return d;
    }

    private static byte[] DriveLogSense(DriveState d, byte[] cdb)
    {
        int page = cdb[2] & 0x3F;
        int alloc = U16(cdb, 7);
        switch (page)
        {
            case 0x00:                                                        // supported pages: 00h, 12h, 2Eh
                return Cut([0x00, 0x00, 0x00, 0x03, 0x00, 0x12, 0x2E], alloc);
            case 0x12:                                                        // TapeAlert response: read leaves the flags set
                return Cut(TapeAlertResponsePage(d.TapeAlert), alloc);
            case 0x2E:
                var p = TapeAlertPage(d.TapeAlert);
                if (alloc > 4) d.TapeAlert = 0;                               // ssc_log_sense -> set_TapeAlert(0) (docs/reference/mhvtl.md §10)
                return Cut(p, alloc);
            default:
                throw SenseBytes.InvalidField(2);
        }
    }
}
