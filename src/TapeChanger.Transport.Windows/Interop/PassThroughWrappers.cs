using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// "With sense" wrappers after WDS spti.h (SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER / SCSI_PASS_THROUGH_WITH_BUFFERS):
// the pass-through header, a ULONG Filler, then a 32-byte sense buffer whose offset goes in SenseInfoOffset.
//
//   wrapper            x64/arm64                      x86 / 32-bit process
//   SPTD + sense       Filler 56, Sense 60, size 96   Filler 44, Sense 48, size 80
//   SPT + sense        Filler 56, Sense 60, size 96   Filler 44, Sense 48, size 80   (data follows at sizeof)
//
// For buffered SPT the data is placed right after the wrapper (offset 96 / 80). WDS puts a fixed 512-byte DataBuf at
// offset 92 / 80; any offset inside the one buffer given to DeviceIoControl works, and 96 keeps the data 8-aligned.

/// <summary>Fields common to one pass-through request, independent of the ABI.</summary>
internal readonly record struct PassThroughParameters(
    byte[] Cdb, byte DataIn, uint DataTransferLength, uint TimeoutSeconds, byte PathId, byte TargetId, byte Lun, byte PortNumber = 0);

/// <summary>A pass-through header plus sense buffer for one ABI and one IOCTL flavour.</summary>
internal interface IPassThroughRequest<TSelf> where TSelf : unmanaged, IPassThroughRequest<TSelf>
{
    /// <summary>True for IOCTL_SCSI_PASS_THROUGH_DIRECT (data pointer), false for IOCTL_SCSI_PASS_THROUGH (data offset).</summary>
    static abstract bool IsDirect { get; }

    /// <summary>The IOCTL this wrapper goes with.</summary>
    static abstract uint IoControlCode { get; }

    /// <summary>Fills the header; <paramref name="dataBufferOrOffset"/> is a pointer (direct) or an offset from the struct start (buffered).</summary>
    static abstract TSelf Create(in PassThroughParameters p, ulong dataBufferOrOffset);

    byte ScsiStatus { get; }
    uint DataTransferLength { get; }
    byte[] CopySense();
}

internal static class PassThroughConstants
{
    /// <summary>SPT_SENSE_LENGTH in WDS spti.h.</summary>
    internal const int SenseLength = 32;
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER, x64/arm64 (96 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 96)]
internal unsafe struct SptdWithSense64 : IPassThroughRequest<SptdWithSense64>
{
    [FieldOffset(0)] public ScsiPassThroughDirect64 Sptd;
    [FieldOffset(56)] public uint Filler;
    [FieldOffset(60)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int SenseOffset = 60;

    public static bool IsDirect => true;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT;

    public static SptdWithSense64 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptdWithSense64);
        w.Sptd.Length = 56;
        w.Sptd.PathId = p.PathId;
        w.Sptd.TargetId = p.TargetId;
        w.Sptd.Lun = p.Lun;
        w.Sptd.CdbLength = (byte)p.Cdb.Length;
        w.Sptd.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Sptd.DataIn = p.DataIn;
        w.Sptd.DataTransferLength = p.DataTransferLength;
        w.Sptd.TimeOutValue = p.TimeoutSeconds;
        w.Sptd.DataBuffer = dataBufferOrOffset;
        w.Sptd.SenseInfoOffset = SenseOffset;
        for (int i = 0; i < p.Cdb.Length; i++) w.Sptd.Cdb[i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Sptd.ScsiStatus;
    public readonly uint DataTransferLength => Sptd.DataTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Sptd.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER, x86 / 32-bit process (80 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct SptdWithSense32 : IPassThroughRequest<SptdWithSense32>
{
    [FieldOffset(0)] public ScsiPassThroughDirect32 Sptd;
    [FieldOffset(44)] public uint Filler;
    [FieldOffset(48)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int SenseOffset = 48;

    public static bool IsDirect => true;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT;

    public static SptdWithSense32 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        if (dataBufferOrOffset > uint.MaxValue) throw new ArgumentOutOfRangeException(nameof(dataBufferOrOffset), "a 32-bit process has 32-bit pointers");
        var w = default(SptdWithSense32);
        w.Sptd.Length = 44;
        w.Sptd.PathId = p.PathId;
        w.Sptd.TargetId = p.TargetId;
        w.Sptd.Lun = p.Lun;
        w.Sptd.CdbLength = (byte)p.Cdb.Length;
        w.Sptd.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Sptd.DataIn = p.DataIn;
        w.Sptd.DataTransferLength = p.DataTransferLength;
        w.Sptd.TimeOutValue = p.TimeoutSeconds;
        w.Sptd.DataBuffer = (uint)dataBufferOrOffset;
        w.Sptd.SenseInfoOffset = SenseOffset;
        for (int i = 0; i < p.Cdb.Length; i++) w.Sptd.Cdb[i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Sptd.ScsiStatus;
    public readonly uint DataTransferLength => Sptd.DataTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Sptd.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}

/// <summary>SCSI_PASS_THROUGH + sense, x64/arm64 (96 bytes; data follows at offset 96).</summary>
[StructLayout(LayoutKind.Explicit, Size = 96)]
internal unsafe struct SptWithSense64 : IPassThroughRequest<SptWithSense64>
{
    [FieldOffset(0)] public ScsiPassThrough64 Spt;
    [FieldOffset(56)] public uint Filler;
    [FieldOffset(60)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int SenseOffset = 60;

    public static bool IsDirect => false;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH;

    public static SptWithSense64 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptWithSense64);
        w.Spt.Length = 56;
        w.Spt.PathId = p.PathId;
        w.Spt.TargetId = p.TargetId;
        w.Spt.Lun = p.Lun;
        w.Spt.CdbLength = (byte)p.Cdb.Length;
        w.Spt.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Spt.DataIn = p.DataIn;
        w.Spt.DataTransferLength = p.DataTransferLength;
        w.Spt.TimeOutValue = p.TimeoutSeconds;
        w.Spt.DataBufferOffset = dataBufferOrOffset;
        w.Spt.SenseInfoOffset = SenseOffset;
        for (int i = 0; i < p.Cdb.Length; i++) w.Spt.Cdb[i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Spt.ScsiStatus;
    public readonly uint DataTransferLength => Spt.DataTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Spt.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}

/// <summary>SCSI_PASS_THROUGH + sense, x86 / 32-bit process (80 bytes; data follows at offset 80).</summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct SptWithSense32 : IPassThroughRequest<SptWithSense32>
{
    [FieldOffset(0)] public ScsiPassThrough32 Spt;
    [FieldOffset(44)] public uint Filler;
    [FieldOffset(48)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int SenseOffset = 48;

    public static bool IsDirect => false;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH;

    public static SptWithSense32 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptWithSense32);
        w.Spt.Length = 44;
        w.Spt.PathId = p.PathId;
        w.Spt.TargetId = p.TargetId;
        w.Spt.Lun = p.Lun;
        w.Spt.CdbLength = (byte)p.Cdb.Length;
        w.Spt.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Spt.DataIn = p.DataIn;
        w.Spt.DataTransferLength = p.DataTransferLength;
        w.Spt.TimeOutValue = p.TimeoutSeconds;
        w.Spt.DataBufferOffset = checked((uint)dataBufferOrOffset);
        w.Spt.SenseInfoOffset = SenseOffset;
        for (int i = 0; i < p.Cdb.Length; i++) w.Spt.Cdb[i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Spt.ScsiStatus;
    public readonly uint DataTransferLength => Spt.DataTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Spt.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}
