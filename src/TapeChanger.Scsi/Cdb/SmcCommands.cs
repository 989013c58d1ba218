using System.Buffers.Binary;

namespace TapeChanger.Scsi.Cdb;

/// <summary>SMC-3 media changer commands. One factory per command; each byte names its spec field.</summary>
public static class SmcCommands
{
    /// <summary>Largest value of the 3-byte READ ELEMENT STATUS allocation length.</summary>
    public const int MaxAllocationLength = 0xFFFFFF;

    /// <summary>
    /// READ ELEMENT STATUS (B8h), SMC-3 §6.11. 12-byte CDB with a 3-byte allocation length.
    /// </summary>
    public static ScsiCommand ReadElementStatus(
        ElementType type, ushort startAddress, ushort count, int allocationLength,
        bool volumeTag = true, bool deviceId = false, bool currentData = false)
    {
        if (allocationLength is < 8 or > MaxAllocationLength) throw new ArgumentOutOfRangeException(nameof(allocationLength));
        if ((byte)type > 0x0F) throw new ArgumentOutOfRangeException(nameof(type));
        var cdb = new byte[12];
        cdb[0] = OpCode.ReadElementStatus;              // byte 0    OPERATION CODE
        cdb[1] = (byte)((volumeTag ? 0x10 : 0) | ((byte)type & 0x0F)); // byte 1 bit 4 VOLTAG, bits 3-0 ELEMENT TYPE CODE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), startAddress); // bytes 2-3 STARTING ELEMENT ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(4), count);        // bytes 4-5 NUMBER OF ELEMENTS
        cdb[6] = (byte)((currentData ? 0x02 : 0) | (deviceId ? 0x01 : 0));  // byte 6 bit 1 CURDATA, bit 0 DVCID
        cdb[7] = (byte)(allocationLength >> 16);        // bytes 7-9 ALLOCATION LENGTH (24-bit)
        cdb[8] = (byte)(allocationLength >> 8);
        cdb[9] = (byte)allocationLength;
        // byte 10 reserved; byte 11 CONTROL
        return new ScsiCommand("READ ELEMENT STATUS", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>MOVE MEDIUM (A5h), SMC-3 §6.6. Transport 0 selects the default picker.</summary>
    /// <remarks><paramref name="controlHighBits"/> goes to CONTROL bits 7-6 (vendor specific; mtx's "eepos" drives some
    /// libraries' mail-slot tray with it, mtx 1.3.12 mtxl.c MoveMedium).</remarks>
    public static ScsiCommand MoveMedium(ushort transport, ushort source, ushort destination, bool invert = false, byte controlHighBits = 0)
    {
        var cdb = new byte[12];
        cdb[0] = OpCode.MoveMedium;                     // byte 0    OPERATION CODE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), transport);   // bytes 2-3 MEDIUM TRANSPORT ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(4), source);      // bytes 4-5 SOURCE ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(6), destination); // bytes 6-7 DESTINATION ADDRESS
        // bytes 8-9 reserved
        cdb[10] = invert ? (byte)0x01 : (byte)0;        // byte 10 bit 0 INVERT
        cdb[11] = (byte)((controlHighBits & 0x03) << 6); // byte 11 CONTROL: bits 7-6 vendor specific
        return new ScsiCommand("MOVE MEDIUM", cdb, DataDirection.None, 0, CommandTimeouts.Move);
    }

    /// <summary>
    /// EXCHANGE MEDIUM (A6h), SMC-3 §6.3: source → first destination, first destination's medium → second destination.
    /// </summary>
    public static ScsiCommand ExchangeMedium(ushort transport, ushort source, ushort firstDestination, ushort secondDestination, bool invert1 = false, bool invert2 = false)
    {
        var cdb = new byte[12];
        cdb[0] = OpCode.ExchangeMedium;                 // byte 0    OPERATION CODE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), transport);         // bytes 2-3 MEDIUM TRANSPORT ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(4), source);            // bytes 4-5 SOURCE ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(6), firstDestination);  // bytes 6-7 FIRST DESTINATION ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(8), secondDestination); // bytes 8-9 SECOND DESTINATION ADDRESS
        cdb[10] = (byte)((invert1 ? 0x01 : 0) | (invert2 ? 0x02 : 0));          // byte 10 bit 1 INV2, bit 0 INV1
        return new ScsiCommand("EXCHANGE MEDIUM", cdb, DataDirection.None, 0, CommandTimeouts.Move);
    }

    /// <summary>
    /// Eject the changer's magazine or tray: opcode 1Bh laid out as START STOP UNIT (SBC-3 §5.25) with LOEJ=1 and
    /// START=0, sent to the changer itself. SMC-3 does not define 1Bh; autoloaders that have a magazine honour it.
    /// The bytes are those mtx 1.3.12 sends for "mtx eject" (mtxl.c LoadUnload with bLoad=0).
    /// </summary>
    public static ScsiCommand EjectMagazine()
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.LoadUnload;                     // byte 0    OPERATION CODE (1Bh)
        // bytes 1-3 reserved / IMMED=0
        cdb[4] = 0x02;                                  // byte 4    bit 1 LOEJ=1, bit 0 START=0
        // byte 5 CONTROL
        return new ScsiCommand("EJECT (START STOP UNIT)", cdb, DataDirection.None, 0, CommandTimeouts.Move);
    }

    /// <summary>POSITION TO ELEMENT (2Bh), SMC-3 §6.9. 10-byte CDB.</summary>
    public static ScsiCommand PositionToElement(ushort transport, ushort destination, bool invert = false)
    {
        var cdb = new byte[10];
        cdb[0] = OpCode.PositionToElement;              // byte 0    OPERATION CODE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), transport);   // bytes 2-3 MEDIUM TRANSPORT ADDRESS
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(4), destination); // bytes 4-5 DESTINATION ELEMENT ADDRESS
        // bytes 6-7 reserved
        cdb[8] = invert ? (byte)0x01 : (byte)0;         // byte 8 bit 0 INVERT
        // byte 9 CONTROL
        return new ScsiCommand("POSITION TO ELEMENT", cdb, DataDirection.None, 0, CommandTimeouts.Move);
    }

    /// <summary>INITIALIZE ELEMENT STATUS (07h), SMC-3 §6.4: full inventory. Can take a very long time.</summary>
    public static ScsiCommand InitializeElementStatus()
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.InitializeElementStatus;        // byte 0    OPERATION CODE; bytes 1-4 reserved; 5 CONTROL
        return new ScsiCommand("INITIALIZE ELEMENT STATUS", cdb, DataDirection.None, 0, CommandTimeouts.Initialize);
    }

    /// <summary>
    /// INITIALIZE ELEMENT STATUS WITH RANGE (37h), SMC-3 §6.5. <paramref name="legacyOpcode"/> sends E7h instead,
    /// the vendor opcode mhVTL (before markh794/mhvtl pull 197; docs/reference/mhvtl.md §5) answers.
    /// </summary>
    public static ScsiCommand InitializeElementStatusWithRange(ushort startAddress, ushort count, bool fast = false, bool legacyOpcode = false)
    {
        var cdb = new byte[10];
        cdb[0] = legacyOpcode ? OpCode.InitializeElementStatusWithRangeLegacy : OpCode.InitializeElementStatusWithRange; // byte 0 OPERATION CODE
        cdb[1] = (byte)((fast ? 0x02 : 0) | 0x01);      // byte 1 bit 1 FAST, bit 0 RANGE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), startAddress); // bytes 2-3 STARTING ELEMENT ADDRESS
        // bytes 4-5 reserved
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(6), count);        // bytes 6-7 NUMBER OF ELEMENTS
        // byte 8 reserved; byte 9 CONTROL
        return new ScsiCommand("INITIALIZE ELEMENT STATUS WITH RANGE", cdb, DataDirection.None, 0, CommandTimeouts.Initialize);
    }

    /// <summary>PREVENT ALLOW MEDIUM REMOVAL (1Eh), SMC-3 §6.10: on a changer, locks the IE port/door/magazines.</summary>
    public static ScsiCommand PreventAllowMediumRemoval(bool prevent)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.PreventAllowMediumRemoval;      // byte 0    OPERATION CODE
        cdb[4] = prevent ? (byte)0x01 : (byte)0;        // byte 4 bits 1-0 PREVENT
        return new ScsiCommand(prevent ? "PREVENT MEDIUM REMOVAL" : "ALLOW MEDIUM REMOVAL", cdb, DataDirection.None, 0, CommandTimeouts.Default);
    }

    /// <summary>OPEN/CLOSE IMPORT/EXPORT ELEMENT (1Bh), SMC-3 §6.8. Action 0 = open, 1 = close.</summary>
    public static ScsiCommand OpenCloseImportExportElement(ushort element, bool open)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.OpenCloseImportExportElement;   // byte 0    OPERATION CODE
        BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), element); // bytes 2-3 ELEMENT ADDRESS
        cdb[4] = open ? (byte)0x00 : (byte)0x01;        // byte 4 bits 4-0 ACTION CODE
        return new ScsiCommand(open ? "OPEN IMPORT/EXPORT ELEMENT" : "CLOSE IMPORT/EXPORT ELEMENT", cdb, DataDirection.None, 0, CommandTimeouts.Move);
    }
}
