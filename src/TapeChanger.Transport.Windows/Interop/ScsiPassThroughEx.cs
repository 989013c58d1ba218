using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// SCSI_PASS_THROUGH_EX / SCSI_PASS_THROUGH_DIRECT_EX (Windows SDK ntddscsi.h), used when the adapter reports
// SrbType == SRB_TYPE_STORAGE_REQUEST_BLOCK (1), as Windows-driver-samples storage/tools/spti/src/spti.c does. Not in
// mingw-w64's ntddscsi.h. Declared once, ULONG_PTR as nuint and PVOID as nint, so the layout follows the ABI:
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
[StructLayout(LayoutKind.Sequential)]
internal struct StorAddrBtl8
{
    internal const ushort StorAddressTypeBtl8 = 1;
    internal const uint AddressLength4 = 4;

    public ushort Type;
    public ushort Port;
    public uint AddressLength;
    public byte Path;
    public byte Target;
    public byte Lun;
    public byte Reserved;
}

/// <summary>SCSI_PASS_THROUGH_EX: data buffers given as offsets from the start of the request.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ScsiPassThroughEx
{
    public uint Version;
    public uint Length;
    public uint CdbLength;
    public uint StorAddressLength;
    public byte ScsiStatus;
    public byte SenseInfoLength;
    public byte DataDirection;
    public byte Reserved;
    public uint TimeOutValue;
    public uint StorAddressOffset;
    public uint SenseInfoOffset;
    public uint DataOutTransferLength;
    public uint DataInTransferLength;
    /// <summary>ULONG_PTR.</summary>
    public nuint DataOutBufferOffset;
    /// <summary>ULONG_PTR.</summary>
    public nuint DataInBufferOffset;
    /// <summary>UCHAR Cdb[ANYSIZE_ARRAY]: the CDB runs on into the padding and the wrapper's CdbBuf.</summary>
    public fixed byte Cdb[1];
}

/// <summary>SCSI_PASS_THROUGH_DIRECT_EX: data buffers given as pointers.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ScsiPassThroughDirectEx
{
    public uint Version;
    public uint Length;
    public uint CdbLength;
    public uint StorAddressLength;
    public byte ScsiStatus;
    public byte SenseInfoLength;
    public byte DataDirection;
    public byte Reserved;
    public uint TimeOutValue;
    public uint StorAddressOffset;
    public uint SenseInfoOffset;
    public uint DataOutTransferLength;
    public uint DataInTransferLength;
    /// <summary>PVOID.</summary>
    public nint DataOutBuffer;
    /// <summary>PVOID.</summary>
    public nint DataInBuffer;
    /// <summary>UCHAR Cdb[ANYSIZE_ARRAY].</summary>
    public fixed byte Cdb[1];
}
