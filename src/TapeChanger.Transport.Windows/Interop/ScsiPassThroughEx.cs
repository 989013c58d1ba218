using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// SCSI_PASS_THROUGH_EX / SCSI_PASS_THROUGH_DIRECT_EX (Windows SDK ntddscsi.h), used when the adapter reports
// SrbType == SRB_TYPE_STORAGE_REQUEST_BLOCK (1), as WDS spti.c does. Not in mingw-w64's ntddscsi.h.
//
//   field                          x64/arm64   x86 (32-bit process)
//   Version, Length                0, 4        0, 4      Length = sizeof(struct): 64 / 52
//   CdbLength, StorAddressLength   8, 12       8, 12
//   ScsiStatus, SenseInfoLength    16, 17      16, 17
//   DataDirection, Reserved        18, 19      18, 19    0 out, 1 in, 2 unspecified, 3 bidirectional
//   TimeOutValue                   20          20        seconds
//   StorAddressOffset              24          24
//   SenseInfoOffset                28          28
//   DataOutTransferLength          32          32
//   DataInTransferLength           36          36
//   DataOutBuffer(Offset)          40 (8 B)    40 (4 B)  pointer (DIRECT_EX) or ULONG_PTR offset (EX)
//   DataInBuffer(Offset)           48 (8 B)    44 (4 B)
//   Cdb[ANYSIZE_ARRAY]             56          48        the CDB runs on into the padding and ucCdbBuf
//   sizeof                         64          52
//
// "With buffer" wrappers (WDS spti.h): ucCdbBuf[31] 64/52, Filler 96/84, STOR_ADDR_BTL8 100/88, SenseBuf[32] 112/100,
// size 144/132 (the buffered form puts the data after that, at 144/132).

/// <summary>STOR_ADDR_BTL8 (12 bytes). Type is STOR_ADDRESS_TYPE_BTL8 = 1 (not winioctl's STORAGE_ADDRESS_TYPE_BTL8 = 0).</summary>
[StructLayout(LayoutKind.Explicit, Size = 12)]
internal struct StorAddrBtl8
{
    internal const ushort StorAddressTypeBtl8 = 1;
    internal const uint AddressLength4 = 4;

    [FieldOffset(0)] public ushort Type;
    [FieldOffset(2)] public ushort Port;
    [FieldOffset(4)] public uint AddressLength;
    [FieldOffset(8)] public byte Path;
    [FieldOffset(9)] public byte Target;
    [FieldOffset(10)] public byte Lun;
    [FieldOffset(11)] public byte Reserved;
}

/// <summary>SCSI_PASS_THROUGH_EX, x64/arm64 (64 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal unsafe struct ScsiPassThroughEx64
{
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public uint CdbLength;
    [FieldOffset(12)] public uint StorAddressLength;
    [FieldOffset(16)] public byte ScsiStatus;
    [FieldOffset(17)] public byte SenseInfoLength;
    [FieldOffset(18)] public byte DataDirection;
    [FieldOffset(19)] public byte Reserved;
    [FieldOffset(20)] public uint TimeOutValue;
    [FieldOffset(24)] public uint StorAddressOffset;
    [FieldOffset(28)] public uint SenseInfoOffset;
    [FieldOffset(32)] public uint DataOutTransferLength;
    [FieldOffset(36)] public uint DataInTransferLength;
    [FieldOffset(40)] public ulong DataOutBufferOffset;
    [FieldOffset(48)] public ulong DataInBufferOffset;
    [FieldOffset(56)] public fixed byte Cdb[1];
}

/// <summary>SCSI_PASS_THROUGH_EX, x86 / 32-bit process (52 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 52)]
internal unsafe struct ScsiPassThroughEx32
{
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public uint CdbLength;
    [FieldOffset(12)] public uint StorAddressLength;
    [FieldOffset(16)] public byte ScsiStatus;
    [FieldOffset(17)] public byte SenseInfoLength;
    [FieldOffset(18)] public byte DataDirection;
    [FieldOffset(19)] public byte Reserved;
    [FieldOffset(20)] public uint TimeOutValue;
    [FieldOffset(24)] public uint StorAddressOffset;
    [FieldOffset(28)] public uint SenseInfoOffset;
    [FieldOffset(32)] public uint DataOutTransferLength;
    [FieldOffset(36)] public uint DataInTransferLength;
    [FieldOffset(40)] public uint DataOutBufferOffset;
    [FieldOffset(44)] public uint DataInBufferOffset;
    [FieldOffset(48)] public fixed byte Cdb[1];
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_EX, x64/arm64 (64 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal unsafe struct ScsiPassThroughDirectEx64
{
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public uint CdbLength;
    [FieldOffset(12)] public uint StorAddressLength;
    [FieldOffset(16)] public byte ScsiStatus;
    [FieldOffset(17)] public byte SenseInfoLength;
    [FieldOffset(18)] public byte DataDirection;
    [FieldOffset(19)] public byte Reserved;
    [FieldOffset(20)] public uint TimeOutValue;
    [FieldOffset(24)] public uint StorAddressOffset;
    [FieldOffset(28)] public uint SenseInfoOffset;
    [FieldOffset(32)] public uint DataOutTransferLength;
    [FieldOffset(36)] public uint DataInTransferLength;
    [FieldOffset(40)] public ulong DataOutBuffer;
    [FieldOffset(48)] public ulong DataInBuffer;
    [FieldOffset(56)] public fixed byte Cdb[1];
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_EX, x86 / 32-bit process (52 bytes, 32-bit pointers).</summary>
[StructLayout(LayoutKind.Explicit, Size = 52)]
internal unsafe struct ScsiPassThroughDirectEx32
{
    [FieldOffset(0)] public uint Version;
    [FieldOffset(4)] public uint Length;
    [FieldOffset(8)] public uint CdbLength;
    [FieldOffset(12)] public uint StorAddressLength;
    [FieldOffset(16)] public byte ScsiStatus;
    [FieldOffset(17)] public byte SenseInfoLength;
    [FieldOffset(18)] public byte DataDirection;
    [FieldOffset(19)] public byte Reserved;
    [FieldOffset(20)] public uint TimeOutValue;
    [FieldOffset(24)] public uint StorAddressOffset;
    [FieldOffset(28)] public uint SenseInfoOffset;
    [FieldOffset(32)] public uint DataOutTransferLength;
    [FieldOffset(36)] public uint DataInTransferLength;
    [FieldOffset(40)] public uint DataOutBuffer;
    [FieldOffset(44)] public uint DataInBuffer;
    [FieldOffset(48)] public fixed byte Cdb[1];
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER_EX, x64/arm64 (144 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal unsafe struct SptdExWithSense64 : IPassThroughRequest<SptdExWithSense64>
{
    [FieldOffset(0)] public ScsiPassThroughDirectEx64 Header;
    [FieldOffset(64)] public fixed byte CdbBuf[31];
    [FieldOffset(96)] public uint Filler;
    [FieldOffset(100)] public StorAddrBtl8 StorAddress;
    [FieldOffset(112)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int CdbOffset = 56;
    internal const int StorAddressOffset = 100;
    internal const int SenseOffset = 112;

    public static bool IsDirect => true;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX;

    public static SptdExWithSense64 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptdExWithSense64);
        w.Header.Version = 0;
        w.Header.Length = 64;
        w.Header.CdbLength = (uint)p.Cdb.Length;
        w.Header.StorAddressLength = 12;
        w.Header.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Header.DataDirection = p.DataIn;
        w.Header.TimeOutValue = p.TimeoutSeconds;
        w.Header.StorAddressOffset = StorAddressOffset;
        w.Header.SenseInfoOffset = SenseOffset;
        if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN)
        {
            w.Header.DataInTransferLength = p.DataTransferLength;
            w.Header.DataInBuffer = dataBufferOrOffset;
        }
        else if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT)
        {
            w.Header.DataOutTransferLength = p.DataTransferLength;
            w.Header.DataOutBuffer = dataBufferOrOffset;
        }
        w.StorAddress.Type = StorAddrBtl8.StorAddressTypeBtl8;
        w.StorAddress.Port = p.PortNumber;
        w.StorAddress.AddressLength = StorAddrBtl8.AddressLength4;
        w.StorAddress.Path = p.PathId;
        w.StorAddress.Target = p.TargetId;
        w.StorAddress.Lun = p.Lun;
        byte* b = (byte*)&w;
        for (int i = 0; i < p.Cdb.Length; i++) b[CdbOffset + i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Header.ScsiStatus;

    public readonly uint DataTransferLength =>
        Header.DataDirection == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT ? Header.DataOutTransferLength : Header.DataInTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Header.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_WITH_BUFFER_EX, x86 / 32-bit process (132 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 132)]
internal unsafe struct SptdExWithSense32 : IPassThroughRequest<SptdExWithSense32>
{
    [FieldOffset(0)] public ScsiPassThroughDirectEx32 Header;
    [FieldOffset(52)] public fixed byte CdbBuf[31];
    [FieldOffset(84)] public uint Filler;
    [FieldOffset(88)] public StorAddrBtl8 StorAddress;
    [FieldOffset(100)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int CdbOffset = 48;
    internal const int StorAddressOffset = 88;
    internal const int SenseOffset = 100;

    public static bool IsDirect => true;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_DIRECT_EX;

    public static SptdExWithSense32 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptdExWithSense32);
        w.Header.Version = 0;
        w.Header.Length = 52;
        w.Header.CdbLength = (uint)p.Cdb.Length;
        w.Header.StorAddressLength = 12;
        w.Header.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Header.DataDirection = p.DataIn;
        w.Header.TimeOutValue = p.TimeoutSeconds;
        w.Header.StorAddressOffset = StorAddressOffset;
        w.Header.SenseInfoOffset = SenseOffset;
        if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN)
        {
            w.Header.DataInTransferLength = p.DataTransferLength;
            w.Header.DataInBuffer = checked((uint)dataBufferOrOffset);
        }
        else if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT)
        {
            w.Header.DataOutTransferLength = p.DataTransferLength;
            w.Header.DataOutBuffer = checked((uint)dataBufferOrOffset);
        }
        w.StorAddress.Type = StorAddrBtl8.StorAddressTypeBtl8;
        w.StorAddress.Port = p.PortNumber;
        w.StorAddress.AddressLength = StorAddrBtl8.AddressLength4;
        w.StorAddress.Path = p.PathId;
        w.StorAddress.Target = p.TargetId;
        w.StorAddress.Lun = p.Lun;
        byte* b = (byte*)&w;
        for (int i = 0; i < p.Cdb.Length; i++) b[CdbOffset + i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Header.ScsiStatus;

    public readonly uint DataTransferLength =>
        Header.DataDirection == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT ? Header.DataOutTransferLength : Header.DataInTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Header.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}

/// <summary>SCSI_PASS_THROUGH_WITH_BUFFERS_EX header, x64/arm64 (144 bytes; data follows at 144).</summary>
[StructLayout(LayoutKind.Explicit, Size = 144)]
internal unsafe struct SptExWithSense64 : IPassThroughRequest<SptExWithSense64>
{
    [FieldOffset(0)] public ScsiPassThroughEx64 Header;
    [FieldOffset(64)] public fixed byte CdbBuf[31];
    [FieldOffset(96)] public uint Filler;
    [FieldOffset(100)] public StorAddrBtl8 StorAddress;
    [FieldOffset(112)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int CdbOffset = 56;
    internal const int StorAddressOffset = 100;
    internal const int SenseOffset = 112;

    public static bool IsDirect => false;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX;

    public static SptExWithSense64 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptExWithSense64);
        w.Header.Version = 0;
        w.Header.Length = 64;
        w.Header.CdbLength = (uint)p.Cdb.Length;
        w.Header.StorAddressLength = 12;
        w.Header.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Header.DataDirection = p.DataIn;
        w.Header.TimeOutValue = p.TimeoutSeconds;
        w.Header.StorAddressOffset = StorAddressOffset;
        w.Header.SenseInfoOffset = SenseOffset;
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
        w.StorAddress.Type = StorAddrBtl8.StorAddressTypeBtl8;
        w.StorAddress.Port = p.PortNumber;
        w.StorAddress.AddressLength = StorAddrBtl8.AddressLength4;
        w.StorAddress.Path = p.PathId;
        w.StorAddress.Target = p.TargetId;
        w.StorAddress.Lun = p.Lun;
        byte* b = (byte*)&w;
        for (int i = 0; i < p.Cdb.Length; i++) b[CdbOffset + i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Header.ScsiStatus;

    public readonly uint DataTransferLength =>
        Header.DataDirection == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT ? Header.DataOutTransferLength : Header.DataInTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Header.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}

/// <summary>SCSI_PASS_THROUGH_WITH_BUFFERS_EX header, x86 / 32-bit process (132 bytes; data follows at 132).</summary>
[StructLayout(LayoutKind.Explicit, Size = 132)]
internal unsafe struct SptExWithSense32 : IPassThroughRequest<SptExWithSense32>
{
    [FieldOffset(0)] public ScsiPassThroughEx32 Header;
    [FieldOffset(52)] public fixed byte CdbBuf[31];
    [FieldOffset(84)] public uint Filler;
    [FieldOffset(88)] public StorAddrBtl8 StorAddress;
    [FieldOffset(100)] public fixed byte SenseBuf[PassThroughConstants.SenseLength];

    internal const int CdbOffset = 48;
    internal const int StorAddressOffset = 88;
    internal const int SenseOffset = 100;

    public static bool IsDirect => false;

    public static uint IoControlCode => IoControlCodes.IOCTL_SCSI_PASS_THROUGH_EX;

    public static SptExWithSense32 Create(in PassThroughParameters p, ulong dataBufferOrOffset)
    {
        var w = default(SptExWithSense32);
        w.Header.Version = 0;
        w.Header.Length = 52;
        w.Header.CdbLength = (uint)p.Cdb.Length;
        w.Header.StorAddressLength = 12;
        w.Header.SenseInfoLength = PassThroughConstants.SenseLength;
        w.Header.DataDirection = p.DataIn;
        w.Header.TimeOutValue = p.TimeoutSeconds;
        w.Header.StorAddressOffset = StorAddressOffset;
        w.Header.SenseInfoOffset = SenseOffset;
        if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN)
        {
            w.Header.DataInTransferLength = p.DataTransferLength;
            w.Header.DataInBufferOffset = checked((uint)dataBufferOrOffset);
        }
        else if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT)
        {
            w.Header.DataOutTransferLength = p.DataTransferLength;
            w.Header.DataOutBufferOffset = checked((uint)dataBufferOrOffset);
        }
        w.StorAddress.Type = StorAddrBtl8.StorAddressTypeBtl8;
        w.StorAddress.Port = p.PortNumber;
        w.StorAddress.AddressLength = StorAddrBtl8.AddressLength4;
        w.StorAddress.Path = p.PathId;
        w.StorAddress.Target = p.TargetId;
        w.StorAddress.Lun = p.Lun;
        byte* b = (byte*)&w;
        for (int i = 0; i < p.Cdb.Length; i++) b[CdbOffset + i] = p.Cdb[i];
        return w;
    }

    public readonly byte ScsiStatus => Header.ScsiStatus;

    public readonly uint DataTransferLength =>
        Header.DataDirection == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT ? Header.DataOutTransferLength : Header.DataInTransferLength;

    public readonly byte[] CopySense()
    {
        int n = Math.Min((int)Header.SenseInfoLength, PassThroughConstants.SenseLength);
        var sense = new byte[n];
        fixed (byte* s = SenseBuf) new ReadOnlySpan<byte>(s, n).CopyTo(sense);
        return sense;
    }
}
