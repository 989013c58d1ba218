using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Testing;

/// <summary>Sense data as a device sends it (SPC-4 §4.5.3 fixed format, §4.5.2 descriptor format), and CHECK CONDITION results.</summary>
public static class SenseBuilder
{
    /// <summary>Fixed-format sense (response code 70h), 18 bytes: key in byte 2, ASC/ASCQ in bytes 12-13.</summary>
    public static byte[] Fixed(byte key, byte asc, byte ascq, bool deferred = false)
    {
        var s = new byte[18];
        s[0] = deferred ? (byte)0x71 : (byte)0x70;
        s[2] = key;
        s[7] = 10;                      // additional sense length: bytes 8-17
        s[12] = asc;
        s[13] = ascq;
        return s;
    }

    /// <summary>Descriptor-format sense (response code 72h), 8-byte header without descriptors.</summary>
    public static byte[] Descriptor(byte key, byte asc, byte ascq) => [0x72, key, asc, ascq, 0, 0, 0, 0];

    /// <summary>CHECK CONDITION with fixed-format sense.</summary>
    public static ScsiResult Check(byte key, byte asc, byte ascq) => ScsiResult.CheckCondition(Fixed(key, asc, ascq));

    /// <summary>GOOD with no data.</summary>
    public static ScsiResult Good { get; } = ScsiResult.Good(0);

    /// <summary>A status without sense (BUSY, RESERVATION CONFLICT).</summary>
    public static ScsiResult Status(ScsiStatus status) => new(status, 0, []);
}
