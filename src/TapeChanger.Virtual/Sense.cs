namespace TapeChanger.Virtual;

/// <summary>A CHECK CONDITION raised inside the emulator; carries the sense bytes.</summary>
internal sealed class CheckConditionException(byte[] sense) : Exception("CHECK CONDITION")
{
    public byte[] Sense { get; } = sense;
}

/// <summary>Builds mhVTL-style fixed sense (docs/reference/mhvtl.md §6), byte by byte.</summary>
internal static class SenseBytes
{
    public const int BufferSize = 96;

    /// <summary>
    /// Fixed format, 96 bytes, additional length 0x58. Response code 0xF0 (70h with VALID), or 0x70 for the
    /// 29h and 2A/01 unit attentions. With a field pointer: byte 15 = C0 (SKSV|C/D), bytes 16-17 = pointer.
    /// </summary>
    public static byte[] Fixed(byte key, byte asc, byte ascq, int? fieldPointer = null)
    {
        var s = new byte[BufferSize];
        bool plain = asc == 0x29 || (asc == 0x2A && ascq == 0x01);
        s[0] = plain ? (byte)0x70 : (byte)0xF0;   // byte 0 VALID | RESPONSE CODE
        s[2] = key;                                 // byte 2 SENSE KEY
        s[7] = 0x58;                                // byte 7 ADDITIONAL SENSE LENGTH (96 - 8)
        s[12] = asc;                                // byte 12 ASC
        s[13] = ascq;                               // byte 13 ASCQ
        if (fieldPointer is int fp)
        {
            s[15] = 0xC0;                           // byte 15 SKSV | C/D (error in the CDB)
            s[16] = (byte)(fp >> 8);                // bytes 16-17 FIELD POINTER
            s[17] = (byte)fp;
        }
        return s;
    }

    /// <summary>NO SENSE, returned by REQUEST SENSE when nothing is pending.</summary>
    public static byte[] NoSense()
    {
        var s = new byte[BufferSize];
        s[0] = 0x70;
        s[7] = 0x58;
        return s;
    }

    public static CheckConditionException Check(byte key, byte asc, byte ascq, int? fieldPointer = null) => new(Fixed(key, asc, ascq, fieldPointer));

    // Common conditions.
    public static CheckConditionException InvalidField(int fp) => Check(0x05, 0x24, 0x00, fp);
    public static CheckConditionException InvalidOpcode() => Check(0x05, 0x20, 0x00, 0);
    public static CheckConditionException InvalidElement(int fp) => Check(0x05, 0x21, 0x01, fp);
    public static CheckConditionException SourceEmpty() => Check(0x05, 0x3B, 0x0E);
    public static CheckConditionException DestinationFull() => Check(0x05, 0x3B, 0x0D);
    public static CheckConditionException MapOpen() => Check(0x02, 0x3A, 0x02);
    public static CheckConditionException DriveRejected() => Check(0x04, 0x04, 0x03);
    public static CheckConditionException DoorOpen() => Check(0x02, 0x04, 0x18);
    public static CheckConditionException MagazineNotAccessible() => Check(0x02, 0x3B, 0x11);
    public static CheckConditionException MediumNotPresent() => Check(0x02, 0x3A, 0x00);
    public static CheckConditionException CleaningCartridge() => Check(0x02, 0x30, 0x03);
}
