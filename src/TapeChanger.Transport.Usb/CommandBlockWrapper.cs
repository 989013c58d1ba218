using System.Buffers.Binary;

namespace TapeChanger.Transport.Usb;

/// <summary>
/// Bulk-Only Transport Command Block Wrapper (USB MSC BOT 1.0 §5.1; Linux include/linux/usb/storage.h struct bulk_cb_wrap): exactly 31 bytes, little-endian.
/// The Linux C struct is 32 bytes because of tail padding; only 31 go on the wire.
/// </summary>
public static class CommandBlockWrapper
{
    public const int Length = 31;
    /// <summary>dCBWSignature, "USBC" as bytes 55 53 42 43.</summary>
    public const uint Signature = 0x43425355;
    /// <summary>bmCBWFlags bit 7: data-in (device to host).</summary>
    public const byte FlagDataIn = 0x80;
    public const int MaxCdbLength = 16;

    /// <summary>Writes the CBW into the first 31 bytes of <paramref name="destination"/>.</summary>
    public static void Encode(Span<byte> destination, uint tag, uint dataTransferLength, bool dataIn, byte lun, ReadOnlySpan<byte> cdb)
    {
        if (destination.Length < Length) throw new ArgumentException($"a CBW needs {Length} bytes", nameof(destination));
        if (cdb.Length is < 1 or > MaxCdbLength) throw new ArgumentOutOfRangeException(nameof(cdb), "CDB must be 1 to 16 bytes");
        if (lun > 15) throw new ArgumentOutOfRangeException(nameof(lun), "bCBWLUN has 4 bits");
        var cbw = destination[..Length];
        cbw.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(cbw, Signature);                 // bytes 0-3   dCBWSignature
        BinaryPrimitives.WriteUInt32LittleEndian(cbw[4..], tag);                  // bytes 4-7   dCBWTag
        BinaryPrimitives.WriteUInt32LittleEndian(cbw[8..], dataTransferLength);   // bytes 8-11  dCBWDataTransferLength
        cbw[12] = dataIn && dataTransferLength > 0 ? FlagDataIn : (byte)0;        // byte 12     bmCBWFlags (bit 7 = in)
        cbw[13] = lun;                                                            // byte 13     bCBWLUN (bits 3-0)
        cbw[14] = (byte)cdb.Length;                                               // byte 14     bCBWCBLength (bits 4-0)
        cdb.CopyTo(cbw[15..]);                                                    // bytes 15-30 CBWCB, zero-padded
    }

    public static byte[] Encode(uint tag, uint dataTransferLength, bool dataIn, byte lun, ReadOnlySpan<byte> cdb)
    {
        var b = new byte[Length];
        Encode(b, tag, dataTransferLength, dataIn, lun, cdb);
        return b;
    }
}
