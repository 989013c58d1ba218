using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Sense;

/// <summary>SPC-4 sense keys (fixed byte 2 bits 3-0 / descriptor byte 1 bits 3-0).</summary>
public enum SenseKey : byte
{
    NoSense = 0x0,
    RecoveredError = 0x1,
    NotReady = 0x2,
    MediumError = 0x3,
    HardwareError = 0x4,
    IllegalRequest = 0x5,
    UnitAttention = 0x6,
    DataProtect = 0x7,
    BlankCheck = 0x8,
    VendorSpecific = 0x9,
    CopyAborted = 0xA,
    AbortedCommand = 0xB,
    Obsolete = 0xC,
    VolumeOverflow = 0xD,
    Miscompare = 0xE,
    Reserved = 0xF,
}

/// <summary>Sense-key specific field pointer (ILLEGAL REQUEST with SKSV=1), SPC-4 §4.5.2.4.2.</summary>
public sealed record FieldPointer(bool InCdb, int ByteIndex, int? BitIndex);

/// <summary>
/// Fixed (70h/71h) or descriptor (72h/73h) sense normalised to one shape (SPC-4 §4.5).
/// </summary>
public sealed record SenseData(
    byte ResponseCode,
    SenseKey Key,
    byte Asc,
    byte Ascq,
    bool Deferred,
    bool DescriptorFormat,
    uint? Information,
    FieldPointer? FieldPointer,
    int? Progress,
    bool Filemark,
    bool EndOfMedium,
    bool IncorrectLength)
{
    public string KeyName => SenseKeyText.Name(Key);

    /// <summary>The ASC/ASCQ meaning from the table (SPC-4 Annex D subset).</summary>
    public string Meaning => AscAscqTable.Describe(Asc, Ascq);

    /// <summary>"ILLEGAL REQUEST 05/3B/0E: medium source element empty".</summary>
    public string Describe()
    {
        var s = $"{KeyName} {(byte)Key:X2}/{Asc:X2}/{Ascq:X2}: {Meaning}";
        if (FieldPointer is { } fp)
        {
            s += $" (invalid {(fp.InCdb ? "CDB" : "parameter")} byte {fp.ByteIndex}{(fp.BitIndex is int b ? $" bit {b}" : "")})";
        }
        return s;
    }

    public string Triplet => $"{(byte)Key:X2}/{Asc:X2}/{Ascq:X2}";
}

public static class SenseKeyText
{
    public static string Name(SenseKey key) => key switch
    {
        SenseKey.NoSense => "NO SENSE",
        SenseKey.RecoveredError => "RECOVERED ERROR",
        SenseKey.NotReady => "NOT READY",
        SenseKey.MediumError => "MEDIUM ERROR",
        SenseKey.HardwareError => "HARDWARE ERROR",
        SenseKey.IllegalRequest => "ILLEGAL REQUEST",
        SenseKey.UnitAttention => "UNIT ATTENTION",
        SenseKey.DataProtect => "DATA PROTECT",
        SenseKey.BlankCheck => "BLANK CHECK",
        SenseKey.VendorSpecific => "VENDOR SPECIFIC",
        SenseKey.CopyAborted => "COPY ABORTED",
        SenseKey.AbortedCommand => "ABORTED COMMAND",
        SenseKey.Obsolete => "EQUAL (obsolete)",
        SenseKey.VolumeOverflow => "VOLUME OVERFLOW",
        SenseKey.Miscompare => "MISCOMPARE",
        _ => "RESERVED",
    };
}

/// <summary>Decodes fixed and descriptor sense data (SPC-4 §4.5.2, §4.5.3).</summary>
public static class SenseDecoder
{
    private const string Context = "sense data";

    /// <summary>
    /// Decodes <paramref name="sense"/>. The device's additional length is honoured but clipped to the buffer
    /// (drivers often return fewer bytes than the device declared). Throws <see cref="ScsiDecodeException"/>
    /// when the response code is not sense or the minimum fields are missing.
    /// </summary>
    public static SenseData Decode(ReadOnlySpan<byte> sense)
    {
        var r = new BigEndianReader(sense, Context);
        byte b0 = r.U8("RESPONSE CODE");
        byte code = (byte)(b0 & 0x7F);
        return code switch
        {
            0x70 or 0x71 => DecodeFixed(sense, b0),
            0x72 or 0x73 => DecodeDescriptor(sense, code),
            _ => throw new ScsiDecodeException(Context, "RESPONSE CODE", 0, $"response code {code:X2}h is not sense data"),
        };
    }

    /// <summary>True when the bytes look like sense data (response code 70h-73h).</summary>
    public static bool IsSense(ReadOnlySpan<byte> sense) => sense.Length > 0 && (sense[0] & 0x7F) is >= 0x70 and <= 0x73;

    private static SenseData DecodeFixed(ReadOnlySpan<byte> sense, byte b0)
    {
        var r = new BigEndianReader(sense, Context);
        r.Skip(1, "RESPONSE CODE");
        r.Skip(1, "obsolete");                          // byte 1: obsolete
        byte b2 = r.U8("SENSE KEY");                    // byte 2: FILEMARK, EOM, ILI, SENSE KEY
        uint info = r.U32("INFORMATION");               // bytes 3-6
        // Byte 7 ADDITIONAL SENSE LENGTH: total = 8 + n. Short sense (8 bytes) is legal and has no ASC.
        int additional = sense.Length > 7 ? r.U8("ADDITIONAL SENSE LENGTH") : 0;
        int end = Math.Min(sense.Length, 8 + additional);
        byte asc = 0, ascq = 0;
        FieldPointer? fp = null;
        int? progress = null;
        if (end >= 14)
        {
            r.Skip(4, "COMMAND-SPECIFIC INFORMATION");  // bytes 8-11
            asc = r.U8("ADDITIONAL SENSE CODE");        // byte 12
            ascq = r.U8("ADDITIONAL SENSE CODE QUALIFIER"); // byte 13
        }
        var key = (SenseKey)(b2 & 0x0F);
        if (end >= 18)
        {
            r.Skip(1, "FRU CODE");                      // byte 14
            var sks = r.Bytes(3, "SENSE KEY SPECIFIC"); // bytes 15-17
            (fp, progress) = DecodeSks(key, sks);
        }
        return new SenseData(
            ResponseCode: (byte)(b0 & 0x7F),
            Key: key,
            Asc: asc,
            Ascq: ascq,
            Deferred: (b0 & 0x7F) == 0x71,
            DescriptorFormat: false,
            Information: (b0 & 0x80) != 0 ? info : null,
            FieldPointer: fp,
            Progress: progress,
            Filemark: (b2 & 0x80) != 0,
            EndOfMedium: (b2 & 0x40) != 0,
            IncorrectLength: (b2 & 0x20) != 0);
    }

    private static SenseData DecodeDescriptor(ReadOnlySpan<byte> sense, byte code)
    {
        var r = new BigEndianReader(sense, Context);
        r.Skip(1, "RESPONSE CODE");
        var key = (SenseKey)(r.U8("SENSE KEY") & 0x0F);  // byte 1
        byte asc = r.U8("ADDITIONAL SENSE CODE");        // byte 2
        byte ascq = r.U8("ADDITIONAL SENSE CODE QUALIFIER"); // byte 3
        r.Skip(3, "reserved");                            // bytes 4-6
        int additional = r.U8("ADDITIONAL SENSE LENGTH"); // byte 7
        int end = Math.Min(sense.Length, 8 + additional);
        uint? info = null;
        FieldPointer? fp = null;
        int? progress = null;
        bool filemark = false, eom = false, ili = false;
        while (r.Position + 2 <= end)
        {
            int start = r.Position;
            byte type = r.U8("DESCRIPTOR TYPE");               // descriptor byte 0
            int len = r.U8("ADDITIONAL LENGTH");                // descriptor byte 1
            if (start + 2 + len > 8 + additional)
            {
                throw r.Error("sense descriptor", $"descriptor {type:X2}h declares {len} bytes past the end of sense data");
            }
            if (start + 2 + len > end)
            {
                break;                                          // cut by the sense buffer, not malformed: keep what we have
            }
            var d = r.Sub(len, "sense descriptor");
            switch (type)
            {
                case 0x00 when len >= 10:                 // Information: byte 2 VALID, bytes 4-11
                    byte valid = d.U8("VALID");
                    d.Skip(1, "reserved");
                    ulong value = d.U64("INFORMATION");
                    if ((valid & 0x80) != 0) info = (uint)Math.Min(value, uint.MaxValue);
                    break;
                case 0x02 when len >= 6:                  // Sense key specific: bytes 4-6
                    d.Skip(2, "reserved");
                    (fp, progress) = DecodeSks(key, d.Bytes(3, "SENSE KEY SPECIFIC"));
                    break;
                case 0x04 when len >= 2:                  // Stream commands: FILEMARK, EOM, ILI in byte 3
                    d.Skip(1, "reserved");
                    byte flags = d.U8("stream flags");
                    filemark = (flags & 0x80) != 0;
                    eom = (flags & 0x40) != 0;
                    ili = (flags & 0x20) != 0;
                    break;
            }
        }
        return new SenseData(code, key, asc, ascq, code == 0x73, true, info, fp, progress, filemark, eom, ili);
    }

    private static (FieldPointer?, int?) DecodeSks(SenseKey key, ReadOnlySpan<byte> sks)
    {
        if ((sks[0] & 0x80) == 0) return (null, null);       // SKSV clear
        int value = (sks[1] << 8) | sks[2];
        return key switch
        {
            // ILLEGAL REQUEST: C/D bit 6, BPV bit 3, BIT POINTER bits 2-0, FIELD POINTER bytes 1-2.
            SenseKey.IllegalRequest => (new FieldPointer((sks[0] & 0x40) != 0, value, (sks[0] & 0x08) != 0 ? sks[0] & 0x07 : null), null),
            // NO SENSE / NOT READY: PROGRESS INDICATION.
            SenseKey.NoSense or SenseKey.NotReady => (null, value),
            _ => (null, null),
        };
    }
}
