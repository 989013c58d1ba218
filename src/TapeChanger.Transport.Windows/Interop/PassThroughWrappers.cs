using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// "With sense" wrappers after Windows-driver-samples storage/tools/spti/src/spti.h (SCSI_PASS_THROUGH_WITH_BUFFERS,
// SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER and their _EX forms): the pass-through header, then (EX only) the CDB buffer
// and the STOR_ADDR_BTL8, a ULONG Filler, then a 32-byte sense buffer whose offset goes in SenseInfoOffset. One
// declaration each; the offsets follow the ABI of the process:
//
//   wrapper            x64/arm64                                          x86 / 32-bit process
//   SPT(D) + sense     Filler 56, Sense 60, size 96                       Filler 44, Sense 48, size 80
//   SPT(D)_EX + sense  CdbBuf 64, Filler 96, StorAddr 100, Sense 112,     CdbBuf 52, Filler 84, StorAddr 88, Sense 100,
//                      size 144                                           size 132
//
// For buffered SPT the data is placed right after the wrapper (offset 96 / 80, 144 / 132). spti.h puts a fixed
// 512-byte DataBuf inside the wrapper; any offset inside the one buffer given to DeviceIoControl works.

/// <summary>Fields common to one pass-through request, independent of the ABI.</summary>
internal readonly record struct PassThroughParameters(
    byte[] Cdb, byte DataIn, uint DataTransferLength, uint TimeoutSeconds, byte PathId, byte TargetId, byte Lun, byte PortNumber = 0);

/// <summary>A pass-through header plus sense buffer for one IOCTL flavour.</summary>
internal interface IPassThroughRequest<TSelf> where TSelf : unmanaged, IPassThroughRequest<TSelf>
{
    /// <summary>True for the _DIRECT IOCTLs (data pointer), false for the buffered ones (data offset).</summary>
    static abstract bool IsDirect { get; }

    /// <summary>The IOCTL this wrapper goes with.</summary>
    static abstract uint IoControlCode { get; }

    /// <summary>Fills the header; <paramref name="dataBufferOrOffset"/> is a pointer (direct) or an offset from the struct start (buffered).</summary>
    static abstract TSelf Create(in PassThroughParameters p, nuint dataBufferOrOffset);

    byte ScsiStatus { get; }
    uint DataTransferLength { get; }
    byte[] CopySense();
}

internal static unsafe class PassThroughConstants
{
    /// <summary>SPT_SENSE_LENGTH in spti.h.</summary>
    internal const int SenseLength = 32;

    internal static byte[] CopySense(byte* senseBuf, byte senseInfoLength)
    {
        int n = Math.Min((int)senseInfoLength, SenseLength);
        return new ReadOnlySpan<byte>(senseBuf, n).ToArray();
    }

    /// <summary>Byte offset of <paramref name="field"/> inside <paramref name="owner"/> (both in one unmanaged struct).</summary>
    internal static int Offset(void* owner, void* field) => (int)((byte*)field - (byte*)owner);
}

/// <summary>SCSI_PASS_THROUGH_DIRECT + sense (spti.h SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER): 96 bytes on x64/arm64, 80 on x86.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SptdWithSense : IPassThroughRequest<SptdWithSense>
{
    public ScsiPassThroughDirect Sptd;
    public uint Filler;
    public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    /// <summary>Offset of SenseBuf: 60 on x64/arm64, 48 on x86.</summary>
    internal static readonly int SenseOffset = Layout();

    private static int Layout()
    {
        var w = default(SptdWithSense);
        return PassThroughConstants.Offset(&w, w.SenseBuf);
    }

    public static bool IsDirect => true;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT;

    public static SptdWithSense Create(in PassThroughParameters p, nuint dataBufferOrOffset)
    {
        var w = default(SptdWithSense);
        w.Sptd.Length = (ushort)sizeof(ScsiPassThroughDirect);
        w.Sptd.PathId = p.PathId;
        w.Sptd.TargetId = p.TargetId;
        w.Sptd.Lun = p.Lun;
        w.Sptd.CdbLength = (byte)p.Cdb.Length;
        w.Sptd.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Sptd.DataIn = p.DataIn;
        w.Sptd.DataTransferLength = p.DataTransferLength;
        w.Sptd.TimeOutValue = p.TimeoutSeconds;
        w.Sptd.DataBuffer = (nint)dataBufferOrOffset;
        w.Sptd.SenseInfoOffset = (uint)SenseOffset;
        for (int i = 0; i < p.Cdb.Length; i++) w.Sptd.Cdb[i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Sptd.ScsiStatus;
    public readonly uint DataTransferLength => Sptd.DataTransferLength;

    public readonly byte[] CopySense()
    {
        fixed (byte* s = SenseBuf) return PassThroughConstants.CopySense(s, Sptd.SenseInfoLength);
    }
}

/// <summary>SCSI_PASS_THROUGH + sense (spti.h SCSI_PASS_THROUGH_WITH_BUFFERS without DataBuf): 96 / 80 bytes; the data follows.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SptWithSense : IPassThroughRequest<SptWithSense>
{
    public ScsiPassThrough Spt;
    public uint Filler;
    public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    /// <summary>Offset of SenseBuf: 60 on x64/arm64, 48 on x86.</summary>
    internal static readonly int SenseOffset = Layout();

    private static int Layout()
    {
        var w = default(SptWithSense);
        return PassThroughConstants.Offset(&w, w.SenseBuf);
    }

    public static bool IsDirect => false;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH;

    public static SptWithSense Create(in PassThroughParameters p, nuint dataBufferOrOffset)
    {
        var w = default(SptWithSense);
        w.Spt.Length = (ushort)sizeof(ScsiPassThrough);
        w.Spt.PathId = p.PathId;
        w.Spt.TargetId = p.TargetId;
        w.Spt.Lun = p.Lun;
        w.Spt.CdbLength = (byte)p.Cdb.Length;
        w.Spt.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Spt.DataIn = p.DataIn;
        w.Spt.DataTransferLength = p.DataTransferLength;
        w.Spt.TimeOutValue = p.TimeoutSeconds;
        w.Spt.DataBufferOffset = dataBufferOrOffset;
        w.Spt.SenseInfoOffset = (uint)SenseOffset;
        for (int i = 0; i < p.Cdb.Length; i++) w.Spt.Cdb[i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Spt.ScsiStatus;
    public readonly uint DataTransferLength => Spt.DataTransferLength;

    public readonly byte[] CopySense()
    {
        fixed (byte* s = SenseBuf) return PassThroughConstants.CopySense(s, Spt.SenseInfoLength);
    }
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_EX + CDB buffer, address and sense (spti.h SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER_EX): 144 / 132 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SptdExWithSense : IPassThroughRequest<SptdExWithSense>
{
    public ScsiPassThroughDirectEx Header;
    public fixed byte CdbBuf[31];
    public uint Filler;
    public StorAddrBtl8 StorAddress;
    public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    /// <summary>Offsets of the header's Cdb, StorAddress and SenseBuf: 56/100/112 on x64/arm64, 48/88/100 on x86.</summary>
    internal static readonly (int Cdb, int StorAddress, int Sense) Offsets = Layout();

    private static (int, int, int) Layout()
    {
        var w = default(SptdExWithSense);
        return (PassThroughConstants.Offset(&w, w.Header.Cdb), PassThroughConstants.Offset(&w, &w.StorAddress), PassThroughConstants.Offset(&w, w.SenseBuf));
    }

    public static bool IsDirect => true;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX;

    public static SptdExWithSense Create(in PassThroughParameters p, nuint dataBufferOrOffset)
    {
        var w = default(SptdExWithSense);
        w.Header.Length = (uint)sizeof(ScsiPassThroughDirectEx);
        w.Header.CdbLength = (uint)p.Cdb.Length;
        w.Header.StorAddressLength = (uint)sizeof(StorAddrBtl8);
        w.Header.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Header.DataDirection = p.DataIn;
        w.Header.TimeOutValue = p.TimeoutSeconds;
        w.Header.StorAddressOffset = (uint)Offsets.StorAddress;
        w.Header.SenseInfoOffset = (uint)Offsets.Sense;
        if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN)
        {
            w.Header.DataInTransferLength = p.DataTransferLength;
            w.Header.DataInBuffer = (nint)dataBufferOrOffset;
        }
        else if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT)
        {
            w.Header.DataOutTransferLength = p.DataTransferLength;
            w.Header.DataOutBuffer = (nint)dataBufferOrOffset;
        }
        w.StorAddress = ExRequest.Btl8(p);
        ExRequest.CopyCdb((byte*)&w, Offsets.Cdb, p.Cdb);
        return w;
    }

    public readonly byte ScsiStatus => Header.ScsiStatus;

    public readonly uint DataTransferLength =>
        Header.DataDirection == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT ? Header.DataOutTransferLength : Header.DataInTransferLength;

    public readonly byte[] CopySense()
    {
        fixed (byte* s = SenseBuf) return PassThroughConstants.CopySense(s, Header.SenseInfoLength);
    }
}

/// <summary>SCSI_PASS_THROUGH_EX + CDB buffer, address and sense (spti.h SCSI_PASS_THROUGH_WITH_BUFFERS_EX without DataBuf): 144 / 132 bytes; the data follows.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SptExWithSense : IPassThroughRequest<SptExWithSense>
{
    public ScsiPassThroughEx Header;
    public fixed byte CdbBuf[31];
    public uint Filler;
    public StorAddrBtl8 StorAddress;
    public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    /// <summary>Offsets of the header's Cdb, StorAddress and SenseBuf: 56/100/112 on x64/arm64, 48/88/100 on x86.</summary>
    internal static readonly (int Cdb, int StorAddress, int Sense) Offsets = Layout();

    private static (int, int, int) Layout()
    {
        var w = default(SptExWithSense);
        return (PassThroughConstants.Offset(&w, w.Header.Cdb), PassThroughConstants.Offset(&w, &w.StorAddress), PassThroughConstants.Offset(&w, w.SenseBuf));
    }

    public static bool IsDirect => false;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX;

    public static SptExWithSense Create(in PassThroughParameters p, nuint dataBufferOrOffset)
    {
        var w = default(SptExWithSense);
        w.Header.Length = (uint)sizeof(ScsiPassThroughEx);
        w.Header.CdbLength = (uint)p.Cdb.Length;
        w.Header.StorAddressLength = (uint)sizeof(StorAddrBtl8);
        w.Header.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Header.DataDirection = p.DataIn;
        w.Header.TimeOutValue = p.TimeoutSeconds;
        w.Header.StorAddressOffset = (uint)Offsets.StorAddress;
        w.Header.SenseInfoOffset = (uint)Offsets.Sense;
        if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN)
        {
            w.Header.DataInTransferLength = p.DataTransferLength;
            w.Header.DataInBufferOffset = dataBufferOrOffset;
        }
        else if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT)
        {
            w.Header.DataOutTransferLength = p.DataTransferLength;
            w.Header.DataOutBufferOffset = dataBufferOrOffset;
        }
        w.StorAddress = ExRequest.Btl8(p);
        ExRequest.CopyCdb((byte*)&w, Offsets.Cdb, p.Cdb);
        return w;
    }

    public readonly byte ScsiStatus => Header.ScsiStatus;

    public readonly uint DataTransferLength =>
        Header.DataDirection == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT ? Header.DataOutTransferLength : Header.DataInTransferLength;

    public readonly byte[] CopySense()
    {
        fixed (byte* s = SenseBuf) return PassThroughConstants.CopySense(s, Header.SenseInfoLength);
    }
}

internal static unsafe class ExRequest
{
    /// <summary>The STOR_ADDR_BTL8 of the request: type BTL8, 4 address bytes (path, target, LUN, reserved).</summary>
    internal static StorAddrBtl8 Btl8(in PassThroughParameters p) => new()
    {
        Type = StorAddrBtl8.StorAddressTypeBtl8,
        Port = p.PortNumber,
        AddressLength = StorAddrBtl8.AddressLength4,
        Path = p.PathId,
        Target = p.TargetId,
        Lun = p.Lun,
    };

    /// <summary>Writes the CDB at the header's Cdb field; it runs on into the padding and CdbBuf (at most 32 bytes).</summary>
    internal static void CopyCdb(byte* request, int offset, byte[] cdb)
    {
        for (int i = 0; i < cdb.Length; i++) request[offset + i] = cdb[i];
    }
}
