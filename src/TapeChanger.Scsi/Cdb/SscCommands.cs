namespace TapeChanger.Scsi.Cdb;

/// <summary>SSC-3 commands sent to a tape drive (not the changer). One factory per command; each byte names its field.</summary>
public static class SscCommands
{
    /// <summary>
    /// LOAD UNLOAD (1Bh), SSC-3 §7.2. <paramref name="load"/> false unloads (rewinds and ejects) so the robot can
    /// take the cartridge: needed before a MOVE out of the drive on some libraries (docs/reference/library-behaviour.md §18).
    /// </summary>
    public static ScsiCommand LoadUnload(bool load, bool immediate = false)
    {
        var cdb = new byte[6];
        cdb[0] = OpCode.LoadUnload;                     // byte 0   OPERATION CODE
        cdb[1] = immediate ? (byte)0x01 : (byte)0;      // byte 1 bit 0 IMMED
        // bytes 2-3 reserved
        cdb[4] = load ? (byte)0x01 : (byte)0;           // byte 4 bit 0 LOAD (bit 1 RETEN, bit 2 EOT, bit 3 HOLD: 0)
        // byte 5 CONTROL
        return new ScsiCommand("LOAD UNLOAD", cdb, DataDirection.None, 0, CommandTimeouts.Move);
    }

    /// <summary>
    /// LOG SENSE (4Dh) of the TapeAlert response log page 12h (SSC-4, "TapeAlert response log page"; page code 12h, PC=01b
    /// cumulative): one parameter 0000h whose 8 bytes hold flags 01h-40h, flag 01h in bit 7 of the first byte. Unlike
    /// page 2Eh, reading it leaves the flags set. Public use: proxmox/proxmox-backup@16f6766a
    /// pbs-tape/src/sg_tape/tape_alert_flags.rs reads the same page for the same reason.
    /// </summary>
    public static ScsiCommand LogSenseTapeAlertResponse(ushort allocationLength = 64)
    {
        var cdb = new byte[10];
        cdb[0] = OpCode.LogSense;                       // byte 0   OPERATION CODE
        // byte 1 bit 1 PPC = 0, bit 0 SP = 0 (do not save parameters)
        cdb[2] = 0x40 | TapeAlertResponsePage;          // byte 2   PC = 01b (cumulative) | PAGE CODE 12h
        // byte 3 SUBPAGE CODE 0, byte 4 reserved, bytes 5-6 PARAMETER POINTER 0
        cdb[7] = (byte)(allocationLength >> 8);         // bytes 7-8 ALLOCATION LENGTH
        cdb[8] = (byte)allocationLength;
        // byte 9 CONTROL
        return new ScsiCommand("LOG SENSE page 12h", cdb, DataDirection.In, allocationLength, CommandTimeouts.Default);
    }

    /// <summary>Page code of the TapeAlert response log page.</summary>
    public const byte TapeAlertResponsePage = 0x12;
}
