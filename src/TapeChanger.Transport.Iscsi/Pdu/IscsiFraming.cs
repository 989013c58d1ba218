using System.Buffers.Binary;

namespace TapeChanger.Transport.Iscsi.Pdu;

/// <summary>
/// PDU framing (RFC 7143 §11.2): BHS (48 bytes) + AHS (TotalAHSLength × 4 bytes) + data segment (DataSegmentLength bytes,
/// zero-padded to a multiple of 4). Digests are never negotiated, so there are none.
/// </summary>
public static class IscsiFraming
{
    /// <summary>Bytes that follow the BHS (AHS + padded data segment), read from BHS bytes 4-7.</summary>
    public static int RemainingLength(ReadOnlySpan<byte> bhs)
    {
        if (bhs.Length < IscsiConstants.BhsLength) throw new IscsiPduException("BHS", bhs.Length, $"header is {bhs.Length} bytes, needs {IscsiConstants.BhsLength}");
        int ahs = bhs[4] * 4;                                              // byte 4   TotalAHSLength (words)
        int data = DataSegmentLength(bhs);                                 // bytes 5-7 DataSegmentLength
        return ahs + Pad4(data);
    }

    public static int DataSegmentLength(ReadOnlySpan<byte> bhs) => (bhs[5] << 16) | (bhs[6] << 8) | bhs[7];

    public static int Pad4(int n) => (n + 3) & ~3;

    /// <summary>Assembles a PDU: <paramref name="bhs"/> gets its length fields filled in.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> bhs, ReadOnlySpan<byte> ahs, ReadOnlySpan<byte> data)
    {
        if (bhs.Length != IscsiConstants.BhsLength) throw new ArgumentException("BHS must be 48 bytes", nameof(bhs));
        if (ahs.Length % 4 != 0 || ahs.Length / 4 > 255) throw new ArgumentException("AHS must be a multiple of 4 bytes, at most 1020", nameof(ahs));
        if (data.Length > IscsiConstants.MaxDataSegmentLength) throw new ArgumentException("data segment longer than 16 MiB - 1", nameof(data));
        var pdu = new byte[IscsiConstants.BhsLength + ahs.Length + Pad4(data.Length)];
        bhs.CopyTo(pdu);
        pdu[4] = (byte)(ahs.Length / 4);
        pdu[5] = (byte)(data.Length >> 16);
        pdu[6] = (byte)(data.Length >> 8);
        pdu[7] = (byte)data.Length;
        ahs.CopyTo(pdu.AsSpan(IscsiConstants.BhsLength));
        data.CopyTo(pdu.AsSpan(IscsiConstants.BhsLength + ahs.Length));
        return pdu;
    }

    /// <summary>
    /// Checks the AHS chain (RFC 7143 §11.2.2: 2-byte AHSLength, 1-byte type, then AHSLength bytes padded to 4).
    /// </summary>
    internal static void ValidateAhs(ReadOnlySpan<byte> ahs)
    {
        int at = 0;
        while (at < ahs.Length)
        {
            if (ahs.Length - at < 4) throw new IscsiPduException("AHS", IscsiConstants.BhsLength + at, "truncated AHS header");
            int len = BinaryPrimitives.ReadUInt16BigEndian(ahs[at..]);
            int total = Pad4(3 + len);
            if (total > ahs.Length - at) throw new IscsiPduException("AHS", IscsiConstants.BhsLength + at, $"AHSLength {len} runs past TotalAHSLength");
            at += total;
        }
    }
}

/// <summary>Big-endian field access on a BHS (offsets as in RFC 7143 §11).</summary>
internal static class Bhs
{
    public static byte[] New(IscsiOpcode opcode, bool immediate, byte flags)
    {
        var b = new byte[IscsiConstants.BhsLength];
        b[0] = (byte)((byte)opcode | (immediate ? 0x40 : 0));              // byte 0  I bit + opcode
        b[1] = flags;                                                       // byte 1  opcode-specific flags
        return b;
    }

    public static uint U32(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt32BigEndian(b[offset..]);
    public static ushort U16(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt16BigEndian(b[offset..]);
    public static ulong U64(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt64BigEndian(b[offset..]);
    public static void Put(Span<byte> b, int offset, uint v) => BinaryPrimitives.WriteUInt32BigEndian(b[offset..], v);
    public static void Put(Span<byte> b, int offset, ushort v) => BinaryPrimitives.WriteUInt16BigEndian(b[offset..], v);
    public static void Put(Span<byte> b, int offset, ulong v) => BinaryPrimitives.WriteUInt64BigEndian(b[offset..], v);
}
