using System.Buffers.Binary;

namespace TapeChanger.Transport.Usb;

/// <summary>bCSWStatus (BOT §5.2).</summary>
public enum CswStatus : byte
{
    /// <summary>Command passed.</summary>
    Passed = 0,
    /// <summary>Command failed: fetch sense with REQUEST SENSE.</summary>
    Failed = 1,
    /// <summary>Phase error: the host must do reset recovery.</summary>
    PhaseError = 2,
}

/// <summary>Why a CSW was rejected.</summary>
public enum CswError
{
    /// <summary>Not 13 bytes.</summary>
    Length,
    /// <summary>dCSWSignature is not "USBS".</summary>
    Signature,
    /// <summary>dCSWTag differs from the CBW's tag.</summary>
    TagMismatch,
    /// <summary>bCSWStatus above 2.</summary>
    Status,
}

/// <summary>A Command Status Wrapper that is not valid (BOT §6.3). The transport answers with reset recovery.</summary>
public sealed class InvalidCswException : Exception
{
    public InvalidCswException(CswError error, string message) : base(message) => Error = error;

    public CswError Error { get; }
}

/// <summary>
/// Bulk-Only Transport Command Status Wrapper (USB MSC BOT 1.0 §5.2; Linux include/linux/usb/storage.h struct bulk_cs_wrap): 13 bytes, little-endian.
/// </summary>
public readonly record struct CommandStatusWrapper(uint Tag, uint DataResidue, CswStatus Status)
{
    public const int Length = 13;
    /// <summary>dCSWSignature, "USBS" as bytes 55 53 42 53.</summary>
    public const uint Signature = 0x53425355;

    /// <summary>Decodes and validates; throws only <see cref="InvalidCswException"/>.</summary>
    public static CommandStatusWrapper Decode(ReadOnlySpan<byte> csw, uint? expectedTag = null)
    {
        if (csw.Length != Length)
            throw new InvalidCswException(CswError.Length, $"CSW is {csw.Length} byte(s), expected {Length}");
        uint signature = BinaryPrimitives.ReadUInt32LittleEndian(csw);            // bytes 0-3  dCSWSignature
        if (signature != Signature)
            throw new InvalidCswException(CswError.Signature, $"CSW signature is {signature:X8}h, expected {Signature:X8}h (\"USBS\")");
        uint tag = BinaryPrimitives.ReadUInt32LittleEndian(csw[4..]);             // bytes 4-7  dCSWTag
        if (expectedTag is { } want && tag != want)
            throw new InvalidCswException(CswError.TagMismatch, $"CSW tag {tag} does not match CBW tag {want}");
        uint residue = BinaryPrimitives.ReadUInt32LittleEndian(csw[8..]);         // bytes 8-11 dCSWDataResidue
        byte status = csw[12];                                                    // byte 12    bCSWStatus
        if (status > (byte)CswStatus.PhaseError)
            throw new InvalidCswException(CswError.Status, $"CSW status {status:X2}h is not 0, 1 or 2");
        return new CommandStatusWrapper(tag, residue, (CswStatus)status);
    }

    public byte[] Encode()
    {
        var b = new byte[Length];
        BinaryPrimitives.WriteUInt32LittleEndian(b, Signature);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), Tag);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), DataResidue);
        b[12] = (byte)Status;
        return b;
    }
}
