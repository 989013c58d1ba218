using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Virtual;

/// <summary>The SCSI target: dispatch and the changer (LUN 0) commands.</summary>
public sealed partial class VirtualLibrary
{
    /// <summary>
    /// Executes one command at <paramref name="lun"/> (0 = changer, 1..N = drives). Data-in is copied into
    /// <paramref name="dataIn"/>, cut to the command's allocation length. Never throws for SCSI outcomes;
    /// throws <see cref="ScsiTransportException"/> only for an injected timeout or drop (<see cref="FaultKind"/>).
    /// </summary>
    public ScsiResult Execute(int lun, ScsiCommand command, Span<byte> dataIn)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            byte[] cdb = command.Cdb;
            FaultSpec? lostReply = null;
            try
            {
                if (FirePreFault(lun, command, out lostReply) is ScsiResult faulted) return faulted;
                byte[] data;
                if (lun == 0) data = ExecuteChanger(cdb);
                else if (lun >= 1 && lun <= DriveCount && DriveConfig(lun) is not null) data = ExecuteDrive(lun, cdb);
                else throw SenseBytes.Check(0x05, 0x25, 0x00);   // LOGICAL UNIT NOT SUPPORTED
                if (cdb[0] != OpCode.RequestSense) SetPendingSense(lun, null);
                int n = Math.Min(data.Length, Math.Min(command.TransferLength, dataIn.Length));
                data.AsSpan(0, n).CopyTo(dataIn);
                if (lostReply is not null) throw TransportFault(lostReply, command);
                return ScsiResult.Good(n);
            }
            catch (CheckConditionException cc)
            {
                SetPendingSense(lun, cc.Sense);
                if (lostReply is not null) throw TransportFault(lostReply, command);
                return ScsiResult.CheckCondition(cc.Sense);
            }
        }
    }

    /// <summary>
    /// True when <paramref name="opcode"/> on <paramref name="lun"/>, answered GOOD, leaves the state as it was: the
    /// commands that only report (INQUIRY, REPORT LUNS, MODE SENSE, READ ELEMENT STATUS) with no fault injected and no
    /// sense pending (a GOOD command clears it). The transport then skips serialising the state: a status of a large
    /// library sends one READ ELEMENT STATUS per 1000 elements.
    /// </summary>
    public bool LeavesStateUnchanged(int lun, byte opcode)
    {
        lock (_gate)
        {
            if (opcode is not (OpCode.Inquiry or OpCode.ReportLuns or OpCode.ModeSense6 or OpCode.ModeSense10 or OpCode.ReadElementStatus)) return false;
            if (_state.Faults.Count > 0) return false;
            if (lun == 0) return _state.PendingSense is null;
            return lun <= DriveCount && _state.Drives.FirstOrDefault(d => d.Lun == lun) is { PendingSense: null };
        }
    }

    private void SetPendingSense(int lun, byte[]? sense)
    {
        if (lun == 0) _state.PendingSense = sense;
        else if (lun <= DriveCount) Drive(lun).PendingSense = sense;
    }

    private byte[] PendingSense(int lun) => (lun == 0 ? _state.PendingSense : Drive(lun).PendingSense) ?? SenseBytes.NoSense();

    private static ushort U16(byte[] cdb, int i) => (ushort)((cdb[i] << 8) | cdb[i + 1]);

    private static int U24(byte[] cdb, int i) => (cdb[i] << 16) | (cdb[i + 1] << 8) | cdb[i + 2];

    private static byte At(byte[] cdb, int i) => i < cdb.Length ? cdb[i] : (byte)0;

    private static bool IsRobotCommand(byte op) => op is OpCode.MoveMedium or OpCode.ExchangeMedium or OpCode.PositionToElement
        or OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy;

    private byte[] ExecuteChanger(byte[] cdb)
    {
        byte op = cdb[0];
        // INQUIRY, REPORT LUNS and REQUEST SENSE (and MODE SELECT) are always processed (vtllibrary.c:processCommand; docs/reference/mhvtl.md §5).
        switch (op)
        {
            case OpCode.Inquiry: return ChangerInquiry(cdb);
            case OpCode.ReportLuns: return ReportLuns(cdb);
            case OpCode.RequestSense: return RequestSense(0, cdb);
        }
        if (_state.Offline) throw SenseBytes.Check(0x02, 0x04, 0x12);
        if (_state.ResetPending)
        {
            _state.ResetPending = false;
            throw SenseBytes.Check(0x06, 0x29, 0x00);
        }
        if (_state.DoorClosedPending)
        {
            _state.DoorClosedPending = false;
            throw SenseBytes.Check(0x06, 0x28, 0x00);
        }
        // Door open: the robot stops, and (like real libraries, SPC 04/18) TEST UNIT READY reports it, so a host can
        // tell when the operator has closed the door. mhVTL has no door; this is TapeChanger's extension.
        if (_state.DoorOpen && (IsRobotCommand(op) || op == OpCode.TestUnitReady)) throw SenseBytes.DoorOpen();
        switch (op)
        {
            case OpCode.TestUnitReady:
                return [];
            case OpCode.ModeSelect6 or OpCode.ModeSelect10:
            case 0x16 or 0x17 or 0x56 or 0x57:                    // RESERVE / RELEASE: no-op GOOD
                return [];
            case OpCode.InitializeElementStatus:
            case OpCode.InitializeElementStatusWithRange:          // 37h (later upstream mhVTL) and E7h both accepted
            case OpCode.InitializeElementStatusWithRangeLegacy:
                return [];
            case OpCode.ModeSense6:
            case OpCode.ModeSense10:
                return ModeSense(cdb);
            case OpCode.LogSense:
                return ChangerLogSense(cdb);
            case OpCode.ReadElementStatus:
                return ReadElementStatus(cdb);
            case OpCode.MoveMedium:
                MoveMedium(cdb);
                return [];
            case OpCode.ExchangeMedium:
                if (!Config.Library.Exchange) throw SenseBytes.InvalidOpcode();
                ExchangeMedium(cdb);
                return [];
            case OpCode.PositionToElement:
                PositionToElement(cdb);
                return [];
            case OpCode.PreventAllowMediumRemoval:
                _state.RemovalPrevented = (cdb[4] & 0x01) != 0;   // byte 4 bits 1-0 PREVENT
                return [];
            case OpCode.OpenCloseImportExportElement:
                OpenCloseImportExport(cdb);
                return [];
            default:
                throw SenseBytes.InvalidOpcode();
        }
    }

    private byte[] RequestSense(int lun, byte[] cdb)
    {
        var s = PendingSense(lun);
        SetPendingSense(lun, null);
        int alloc = cdb[4];                                        // byte 4 ALLOCATION LENGTH
        return s.AsSpan(0, Math.Min(alloc, s.Length)).ToArray();
    }

    private byte[] ReportLuns(byte[] cdb)
    {
        var luns = new List<int> { 0 };
        for (int i = 1; i <= DriveCount; i++)
        {
            if (DriveConfig(i) is not null) luns.Add(i);
        }
        var d = new byte[8 + 8 * luns.Count];
        int len = 8 * luns.Count;
        d[0] = (byte)(len >> 24); d[1] = (byte)(len >> 16); d[2] = (byte)(len >> 8); d[3] = (byte)len; // LUN LIST LENGTH
        for (int i = 0; i < luns.Count; i++)
        {
            d[8 + 8 * i] = (byte)((luns[i] >> 8) & 0x3F);         // peripheral device addressing
            d[8 + 8 * i + 1] = (byte)luns[i];
        }
        return d;
    }

    // ------------------------------------------------------------------ INQUIRY (docs/reference/mhvtl.md §4)

    private static void Ascii(byte[] d, int at, string s, int width)
    {
        for (int i = 0; i < width; i++) d[at + i] = i < s.Length ? (byte)s[i] : (byte)' ';
    }

    private byte[] ChangerInquiry(byte[] cdb)
    {
        int alloc = U16(cdb, 3);
        bool evpd = (cdb[1] & 0x01) != 0;
        if ((cdb[1] & 0x02) != 0 || (!evpd && cdb[2] != 0)) throw SenseBytes.InvalidField(1); // CmdDt, or page without EVPD
        var lib = Config.Library;
        byte[] d;
        if (!evpd)
        {
            bool stk = Personality.StkInquiry;
            d = new byte[stk ? 64 : 66];
            d[0] = 0x08;                     // peripheral device type 08h medium changer
            d[1] = 0x80;                     // RMB
            d[2] = 0x05;                     // version SPC-3
            d[3] = 0x02;                     // response data format 2
            d[4] = (byte)(d.Length - 5);     // additional length (59 for STK)
            d[6] = 0x01;                     // Addr16
            d[7] = 0x20;                     // WBus16
            Ascii(d, 8, lib.Vendor, 8);
            Ascii(d, 16, lib.Product, 16);
            Ascii(d, 32, lib.Revision, 4);
            if (stk)
            {
                // version descriptors 0300 0960 0200 at bytes 58/60/62
                d[58] = 0x03; d[59] = 0x00; d[60] = 0x09; d[61] = 0x60; d[62] = 0x02; d[63] = 0x00;
            }
            else
            {
                Ascii(d, 38, lib.Serial, 12);                         // serial at 38..49
                d[55] = 0x01;                                         // barcode reader
                byte[] vd = [0x00, 0x5c, 0x0b, 0x56, 0x02, 0xfe, 0x03, 0x0f];
                vd.CopyTo(d, 58);
            }
        }
        else
        {
            d = cdb[2] switch
            {
                0x00 => Personality.StkInquiry ? [0x08, 0x00, 0x00, 0x02, 0x00, 0x80] : [0x08, 0x00, 0x00, 0x03, 0x00, 0x80, 0x83],
                0x80 => ChangerSerialPage(),
                0x83 when !Personality.StkInquiry => IdentificationPage(0x08, lib.Vendor, lib.Product, lib.Serial, lib.Naa),
                _ => throw SenseBytes.InvalidField(2),
            };
        }
        return Cut(d, alloc);
    }

    private byte[] ChangerSerialPage()
    {
        // STK: "%-12.12s" of the serial then zeros, page length 0x12 (docs/reference/mhvtl.md §4). HP: "%-10.10s" in 0x12 bytes.
        var d = new byte[4 + 0x12];
        d[0] = 0x08; d[1] = 0x80; d[3] = 0x12;
        string serial = Config.Library.Serial;
        int width = Personality.StkInquiry ? 12 : 10;
        Ascii(d, 4, serial.Length > width ? serial[..width] : serial, width);
        return d;
    }

    /// <summary>VPD 83h: T10 vendor-ID designator (vendor + product + serial[10]) and NAA with first nibble 5 (docs/reference/mhvtl.md §4).</summary>
    private static byte[] IdentificationPage(byte pdt, string vendor, string product, string serial, byte[]? naa)
    {
        var body = new List<byte> { 0x02, 0x01, 0x00, 0x22 };      // ASCII, T10 vendor ID, length 34
        var t10 = new byte[34];
        Ascii(t10, 0, vendor, 8);
        Ascii(t10, 8, product, 16);
        Ascii(t10, 24, serial.Length > 10 ? serial[..10] : serial, 10);
        body.AddRange(t10);
        if (naa is not null)
        {
            body.AddRange([0x01, 0x03, 0x00, 0x08]);                // binary, NAA, length 8
            body.Add((byte)(0x50 | (naa[0] & 0x0F)));
            body.AddRange(naa.AsSpan(1).ToArray());
        }
        var d = new byte[4 + body.Count];
        d[0] = pdt; d[1] = 0x83; d[2] = (byte)(body.Count >> 8); d[3] = (byte)body.Count;
        body.CopyTo(d, 4);
        return d;
    }

    private static byte[] Cut(byte[] d, int alloc) => d.Length <= alloc ? d : d.AsSpan(0, alloc).ToArray();

    // ------------------------------------------------------------------ MODE SENSE (docs/reference/mhvtl.md §4)

    private byte[] Page1D()
    {
        var c = Config.Contents;
        var p = new byte[20];
        p[0] = 0x1D; p[1] = 0x12;
        void Put(int at, int v) { p[at] = (byte)(v >> 8); p[at + 1] = (byte)v; }
        Put(2, Personality.TransportStart); Put(4, c.Pickers.Count);
        Put(6, Personality.StorageStart); Put(8, c.Slots.Count);
        Put(10, Personality.ImportExportStart); Put(12, c.Maps.Count);
        Put(14, Personality.DataTransferStart); Put(16, DriveCount);
        return p;
    }

    private static byte[] Page1E() => [0x1E, 0x02, 0x00, 0x00];

    private byte[] Page1F()
    {
        // StorMT|StorST|StorIE|StorDT, byte 3 0x07 as mhVTL writes, every move allowed; exchange bytes 12-15 only with "Exchange: yes".
        byte x = Config.Library.Exchange ? (byte)0x0F : (byte)0x00;
        return [0x1F, 0x12, 0x0F, 0x07, 0x0F, 0x0F, 0x0F, 0x0F, 0, 0, 0, 0, x, x, x, x, 0, 0, 0, 0];
    }

    private byte[] ModeSense(byte[] cdb)
    {
        bool six = cdb[0] == OpCode.ModeSense6;
        bool dbd = (cdb[1] & 0x08) != 0;
        int pc = cdb[2] >> 6;
        int page = cdb[2] & 0x3F;
        int alloc = six ? cdb[4] : U16(cdb, 7);
        if (pc == 3) throw SenseBytes.Check(0x05, 0x39, 0x00);   // SAVING PARAMETERS NOT SUPPORTED
        var pages = new List<byte[]>();
        switch (page)
        {
            case 0x1D: pages.Add(Page1D()); break;
            case 0x1E: pages.Add(Page1E()); break;
            case 0x1F: pages.Add(Page1F()); break;
            case 0x3F: pages.Add(Page1D()); pages.Add(Page1E()); pages.Add(Page1F()); break;
            default: throw SenseBytes.InvalidField(2);
        }
        if (pc == 1)
        {
            // Changeable values: nothing is changeable; keep code and length, zero the body.
            foreach (var p in pages) Array.Clear(p, 2, p.Length - 2);
        }
        int header = six ? 4 : 8;
        int bd = dbd ? 0 : 8;
        int total = header + bd + pages.Sum(p => p.Length);
        var d = new byte[total];
        if (six)
        {
            d[0] = (byte)(total - 1);       // MODE DATA LENGTH
            d[2] = 0x10;                    // device-specific: always 0x10 in mhVTL
            d[3] = (byte)bd;                // BLOCK DESCRIPTOR LENGTH
        }
        else
        {
            d[0] = (byte)((total - 2) >> 8); d[1] = (byte)(total - 2);
            d[3] = 0x10;
            d[7] = (byte)bd;
        }
        int at = header + bd;               // the 8-byte block descriptor is all zeros
        foreach (var p in pages) { p.CopyTo(d, at); at += p.Length; }
        return Cut(d, alloc);
    }

    // ------------------------------------------------------------------ LOG SENSE (docs/reference/mhvtl.md §4)

    private byte[] ChangerLogSense(byte[] cdb)
    {
        int page = cdb[2] & 0x3F;
        int alloc = U16(cdb, 7);
        byte[] d = page switch
        {
            0x00 => [0x00, 0x00, 0x00, 0x03, 0x00, 0x0D, 0x2E],
            0x0D => [0x0D, 0x00, 0x00, 0x06, 0x00, 0x00, 0x03, 0x02, 0x00, 0x23],   // temperature 35 C
            0x2E => TapeAlertPage(_state.LibraryTapeAlert),                          // never cleared on the changer
            _ => throw SenseBytes.InvalidField(2),
        };
        return Cut(d, alloc);
    }

    /// <summary>Page 2Eh: 64 parameters 0001h..0040h, control C0h, length 1, value bit 0 = flag (SSC-4 TapeAlert).</summary>
    private static byte[] TapeAlertPage(ulong flags)
    {
        var d = new byte[4 + 64 * 5];
        d[0] = 0x2E; d[2] = (64 * 5) >> 8; d[3] = (64 * 5) & 0xFF;
        for (int i = 0; i < 64; i++)
        {
            int at = 4 + 5 * i;
            d[at + 1] = (byte)(i + 1);
            d[at + 2] = 0xC0;
            d[at + 3] = 0x01;
            d[at + 4] = (byte)((flags >> i) & 1);
        }
        return d;
    }

    // ------------------------------------------------------------------ READ ELEMENT STATUS (docs/reference/mhvtl.md §7)

    /// <summary>Status byte as reported: MAP Access follows the CAP state; removed magazine slots are Except.</summary>
    private byte ReportedStatus(ElementState e)
    {
        bool full = e.Barcode is not null;
        switch ((ElementType)e.Type)
        {
            case ElementType.MediumTransport:
                return full ? (byte)0x01 : (byte)0x00;
            case ElementType.Storage:
                if (MagazineRemoved(e)) return 0x04;                            // Except, Access=0, Full=0
                return (byte)(0x08 | (full ? 0x01 : 0));
            case ElementType.ImportExport:
                return (byte)(0x30 | (_state.ImportExportOpen ? 0 : 0x08) | (e.ImpExp ? 0x02 : 0) | (full ? 0x01 : 0));
            default:
                return (byte)((full ? 0x01 : 0) | (!full || e.Access ? 0x08 : 0));
        }
    }

    private byte[] ReadElementStatus(byte[] cdb)
    {
        bool volTag = (cdb[1] & 0x10) != 0;
        int type = cdb[1] & 0x0F;
        ushort start = U16(cdb, 2);
        int count = U16(cdb, 4);
        bool dvcid = (cdb[6] & 0x01) != 0;
        int alloc = U24(cdb, 7);
        if (cdb[11] != 0) throw SenseBytes.InvalidField(11);
        if (type > 4) throw SenseBytes.InvalidField(1);
        // From the first address at or after 'start' (binary search over the address-ordered index): a large library's
        // status reads it in chunks of 1000, and each chunk no longer sorts every element.
        int from = LowerBound(start);
        var matching = new List<ElementState>();
        bool any = false;
        for (int k = from; k < _byAddressOrder.Length; k++)
        {
            var e = _byAddressOrder[k];
            if (type != 0 && e.Type != type) continue;
            any = true;
            if (matching.Count >= count) break;
            matching.Add(e);
        }
        if (!any) throw SenseBytes.InvalidField(2);
        var selected = matching;                                // at most count: 0 = report nothing (later upstream mhVTL)

        // Group consecutive same-type elements into pages (type 0 is address order, docs/reference/mhvtl.md §7).
        var body = new List<byte>(selected.Count * (16 + (volTag ? 36 : 0)) + 64);
        var cuts = new List<int> { 8 };                         // descriptor boundaries, for trimming
        int i = 0;
        while (i < selected.Count)
        {
            byte t = selected[i].Type;
            int j = i;
            while (j < selected.Count && selected[j].Type == t) j++;
            bool withId = t == (byte)ElementType.DataTransfer && (dvcid || Personality.AlwaysDvcid);
            int len = 16 + (volTag ? 36 : 0) + (withId ? Personality.DvcidLength : 0);
            int pageBytes = len * (j - i);
            body.Add(t);
            body.Add(volTag ? (byte)0x80 : (byte)0);               // PVolTag; AVolTag never (later upstream mhVTL)
            body.Add((byte)(len >> 8)); body.Add((byte)len);
            body.Add(0);
            body.Add((byte)(pageBytes >> 16)); body.Add((byte)(pageBytes >> 8)); body.Add((byte)pageBytes);
            for (int k = i; k < j; k++)
            {
                WriteDescriptor(body, selected[k], volTag, withId);
                cuts.Add(8 + body.Count);
            }
            i = j;
        }
        var d = new byte[8 + body.Count];
        ushort first = selected.Count > 0 ? selected[0].Address : (ushort)0;
        d[0] = (byte)(first >> 8); d[1] = (byte)first;
        d[2] = (byte)(selected.Count >> 8); d[3] = (byte)selected.Count;
        d[5] = (byte)(body.Count >> 16); d[6] = (byte)(body.Count >> 8); d[7] = (byte)body.Count;
        body.CopyTo(d, 8);
        if (alloc >= d.Length) return d;
        // Trim the transfer to a descriptor boundary (later upstream mhVTL); below the header, send what fits.
        int keep = cuts.Where(c => c <= alloc).DefaultIfEmpty(0).Max();
        if (keep == 0) keep = alloc;
        return d.AsSpan(0, keep).ToArray();
    }

    private void WriteDescriptor(List<byte> o, ElementState e, bool volTag, bool withId)
    {
        bool full = e.Barcode is not null && !MagazineRemoved(e);
        bool removed = MagazineRemoved(e);
        o.Add((byte)(e.Address >> 8)); o.Add((byte)e.Address);  // 0-1 element address
        o.Add(ReportedStatus(e));                               // 2 status
        o.Add(0);                                               // 3 reserved
        o.Add(removed ? (byte)0x3B : (byte)0);                   // 4 ASC (3B/12 magazine removed)
        o.Add(removed ? (byte)0x12 : (byte)0);                   // 5 ASCQ
        o.Add(0); o.Add(0); o.Add(0);                           // 6-8: no ID VALID, bus address 0, reserved
        byte b9 = 0;
        if (full)
        {
            b9 = (byte)((byte)Media.TypeOf(e.Barcode!) & 0x07);
            if (e.Home != 0) b9 |= 0x80;                        // SValid
        }
        o.Add(b9);                                              // 9 SValid | medium type
        ushort src = full && e.Home != 0 ? e.Home : (ushort)0;
        o.Add((byte)(src >> 8)); o.Add((byte)src);              // 10-11 source storage element address
        if (volTag)
        {
            // 32 bytes space-padded barcode + 4 zero bytes; empty or NOBAR: 36 zeros (later upstream mhVTL).
            bool label = full && Media.HasLabel(e.Barcode!);
            for (int k = 0; k < 32; k++) o.Add(!label ? (byte)0 : k < e.Barcode!.Length ? (byte)e.Barcode[k] : (byte)' ');
            for (int k = 0; k < 4; k++) o.Add(0);
        }
        if (!withId)
        {
            for (int k = 0; k < 4; k++) o.Add(0);               // identifier header: none
            return;
        }
        var drive = DriveConfig(e.Number);
        string serial = drive?.Serial ?? "";
        int len = Personality.DvcidLength;
        var id = new byte[len];
        if (Personality.Dvcid == DvcidStyle.T10VendorId)
        {
            o.AddRange([0x02, 0x01, 0x00, (byte)len]);          // ASCII, T10 vendor ID
            Ascii(id, 0, drive?.Vendor ?? "", 8);
            Ascii(id, 8, drive?.Product ?? "", 16);
            Ascii(id, 24, serial.Length > 10 ? serial[..10] : serial, len - 24);
        }
        else
        {
            o.AddRange([0x02, 0x00, 0x00, (byte)len]);          // ASCII, vendor-specific (serial only)
            Ascii(id, 0, serial.Length > len ? serial[..len] : serial, len);
        }
        o.AddRange(id);
    }
}
