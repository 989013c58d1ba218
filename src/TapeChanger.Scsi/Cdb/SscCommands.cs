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
}
