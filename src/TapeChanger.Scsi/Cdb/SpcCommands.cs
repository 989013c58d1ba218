using System.Buffers.Binary;

namespace TapeChanger.Scsi.Cdb;

/// <summary>Page control field of MODE SENSE and LOG SENSE (bits 7-6 of byte 2).</summary>
public enum PageControl : byte
{
    Current = 0,
    Changeable = 1,
    Default = 2,
    Saved = 3,
}

/// <summary>SPC-4 primary commands a changer driver uses. One factory per command; each byte names its field.</summary>
public static class SpcCommands
{
    /// <summary>TEST UNIT READY (00h), SPC-4 §6.47. 6-byte CDB, no data.</summary>
    public static ScsiCommand TestUnitReady()
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.TestUnitReady;                  // byte 0   OPERATION CODE; bytes 1-4 reserved; 5 CONTROL
        return new ScsiCommand("TEST UNIT READY", cdb, DataDirection.None, 0, CommandTimeouts.Default);
    }

    /// <summary>REQUEST SENSE (03h), SPC-4 §6.39. Allocation length 1-255 (96 or 252 are usual).</summary>
    public static ScsiCommand RequestSense(byte allocationLength = 96, bool descriptorFormat = false)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.RequestSense;                   // byte 0   OPERATION CODE
        cdb[1] = descriptorFormat ? (byte)0x01 : (byte)0; // byte 1 bit 0 DESC
        cdb[4] = allocationLength;                      // byte 4   ALLOCATION LENGTH
        return new ScsiCommand("REQUEST SENSE", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>Standard INQUIRY (12h, EVPD=0), SPC-4 §6.6.</summary>
    public static ScsiCommand Inquiry(ushort allocationLength = 96)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.Inquiry;                        // byte 0   OPERATION CODE
        // byte 1 bit 0 EVPD = 0; byte 2 PAGE CODE = 0
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(3), allocationLength); // bytes 3-4 ALLOCATION LENGTH
        return new ScsiCommand("INQUIRY", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>INQUIRY for a vital product data page (EVPD=1): 00h supported pages, 80h serial, 83h identification.</summary>
    public static ScsiCommand InquiryVpd(byte pageCode, ushort allocationLength = 255)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.Inquiry;                        // byte 0   OPERATION CODE
        cdb[1] = 0x01;                                  // byte 1 bit 0 EVPD
        cdb[2] = pageCode;                              // byte 2   PAGE CODE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(3), allocationLength); // bytes 3-4 ALLOCATION LENGTH
        return new ScsiCommand($"INQUIRY VPD {pageCode:X2}h", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>MODE SENSE(6) (1Ah), SPC-4 §6.11. DBD=1 by default: changers have no block descriptors.</summary>
    public static ScsiCommand ModeSense6(byte pageCode, bool disableBlockDescriptors = true, PageControl pageControl = PageControl.Current, byte subpage = 0, byte allocationLength = 255)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.ModeSense6;                     // byte 0   OPERATION CODE
        cdb[1] = disableBlockDescriptors ? (byte)0x08 : (byte)0; // byte 1 bit 3 DBD
        cdb[2] = (byte)(((byte)pageControl << 6) | (pageCode & 0x3F)); // byte 2 PC (7-6) | PAGE CODE (5-0)
        cdb[3] = subpage;                               // byte 3   SUBPAGE CODE
        cdb[4] = allocationLength;                      // byte 4   ALLOCATION LENGTH
        return new ScsiCommand($"MODE SENSE(6) page {pageCode:X2}h", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>MODE SENSE(10) (5Ah), SPC-4 §6.12.</summary>
    public static ScsiCommand ModeSense10(byte pageCode, bool disableBlockDescriptors = true, PageControl pageControl = PageControl.Current, byte subpage = 0, ushort allocationLength = 1024)
    {
        var cdb = new byte[10];
        cdb[0] = OpCode.ModeSense10;                    // byte 0   OPERATION CODE
        cdb[1] = disableBlockDescriptors ? (byte)0x08 : (byte)0; // byte 1 bit 4 LLBAA=0, bit 3 DBD
        cdb[2] = (byte)(((byte)pageControl << 6) | (pageCode & 0x3F)); // byte 2 PC | PAGE CODE
        cdb[3] = subpage;                               // byte 3   SUBPAGE CODE
        // bytes 4-6 reserved
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), allocationLength); // bytes 7-8 ALLOCATION LENGTH
        return new ScsiCommand($"MODE SENSE(10) page {pageCode:X2}h", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>
    /// LOG SENSE (4Dh), SPC-4 §6.8. TapeAlert is page 2Eh read with PC=01b (cumulative), i.e. byte 2 = 6Eh.
    /// </summary>
    public static ScsiCommand LogSense(byte pageCode, PageControl pageControl = PageControl.Changeable, byte subpage = 0, ushort parameterPointer = 0, ushort allocationLength = 1024)
    {
        var cdb = new byte[10];
        cdb[0] = OpCode.LogSense;                       // byte 0   OPERATION CODE
        // byte 1 bit 1 PPC = 0, bit 0 SP = 0
        cdb[2] = (byte)(((byte)pageControl << 6) | (pageCode & 0x3F)); // byte 2 PC | PAGE CODE
        cdb[3] = subpage;                               // byte 3   SUBPAGE CODE
        // byte 4 reserved
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(5), parameterPointer); // bytes 5-6 PARAMETER POINTER
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(7), allocationLength); // bytes 7-8 ALLOCATION LENGTH
        return new ScsiCommand($"LOG SENSE page {pageCode:X2}h", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>LOG SENSE for TapeAlert (page 2Eh, cumulative values). Reading it clears the flags on most devices.</summary>
    public static ScsiCommand LogSenseTapeAlert(ushort allocationLength = 1024) => LogSense(0x2E, PageControl.Changeable, 0, 0, allocationLength);

    /// <summary>
    /// LOG SENSE of the supported log pages page 00h (SPC-4 §7.3.18): the list of page codes the device answers, read
    /// before a page it may not have (the TapeAlert response page 12h). PC=01b as for the other pages.
    /// </summary>
    public static ScsiCommand LogSenseSupportedPages(ushort allocationLength = 256) => LogSense(0x00, PageControl.Changeable, 0, 0, allocationLength);

    /// <summary>REPORT LUNS (A0h), SPC-4 §6.33. Allocation length must be at least 16.</summary>
    public static ScsiCommand ReportLuns(uint allocationLength = 4096, byte selectReport = 0)
    {
        if (allocationLength < 16) throw new ArgumentOutOfRangeException(nameof(allocationLength), "REPORT LUNS needs at least 16 bytes");
        var cdb = new byte[12];
        cdb[0] = OpCode.ReportLuns;                     // byte 0   OPERATION CODE
        cdb[2] = selectReport;                          // byte 2   SELECT REPORT
        BinaryPrimitives.WriteUInt32BigEndian(cdb.AsSpan(6), allocationLength); // bytes 6-9 ALLOCATION LENGTH
        return new ScsiCommand("REPORT LUNS", cdb, DataDirection.In, (int)allocationLength, CommandTimeouts.Default);
    }
}
