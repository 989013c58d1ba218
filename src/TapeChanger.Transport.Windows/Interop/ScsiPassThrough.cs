using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// SCSI_PASS_THROUGH and SCSI_PASS_THROUGH_DIRECT (Windows SDK ntddscsi.h), declared once with the C field types:
// ULONG_PTR is nuint and PVOID is nint, so the runtime lays each struct out for the process's ABI exactly as the C
// compiler does (sequential layout, natural alignment):
//
//   field                 x64/arm64   x86 (and a 32-bit process on 64-bit Windows)
//   Length (USHORT)         0           0      = sizeof(struct): 56 / 44
//   ScsiStatus              2           2
//   PathId/TargetId/Lun     3/4/5       3/4/5
//   CdbLength               6           6
//   SenseInfoLength         7           7
//   DataIn                  8           8
//   DataTransferLength     12          12
//   TimeOutValue           16          16      seconds
//   DataBufferOffset/Ptr   24 (8 B)    20 (4 B)   ULONG_PTR offset (SPT) or PVOID (SPTD)
//   SenseInfoOffset        32          24
//   Cdb[16]                36          28
//   sizeof                 56          44
//
// A 32-bit process, native x86 or WOW64, sends the 44-byte layout with a 32-bit DataBuffer pointer: under WOW64 the
// kernel reads it as SCSI_PASS_THROUGH32 / SCSI_PASS_THROUGH_DIRECT32 (classpnp checks InputBufferLength >=
// sizeof(SCSI_PASS_THROUGH32)). The tests check both columns from any process (StructLayoutTests).

/// <summary>SCSI_PASS_THROUGH: the data buffer is given as an offset from the start of this struct.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ScsiPassThrough
{
    public ushort Length;
    public byte ScsiStatus;
    public byte PathId;
    public byte TargetId;
    public byte Lun;
    public byte CdbLength;
    public byte SenseInfoLength;
    public byte DataIn;
    public uint DataTransferLength;
    public uint TimeOutValue;
    /// <summary>ULONG_PTR: offset of the data buffer from the start of this struct.</summary>
    public nuint DataBufferOffset;
    public uint SenseInfoOffset;
    public fixed byte Cdb[16];
}

/// <summary>SCSI_PASS_THROUGH_DIRECT: the data buffer is given as a pointer.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ScsiPassThroughDirect
{
    public ushort Length;
    public byte ScsiStatus;
    public byte PathId;
    public byte TargetId;
    public byte Lun;
    public byte CdbLength;
    public byte SenseInfoLength;
    public byte DataIn;
    public uint DataTransferLength;
    public uint TimeOutValue;
    /// <summary>PVOID: the caller's (aligned) data buffer.</summary>
    public nint DataBuffer;
    public uint SenseInfoOffset;
    public fixed byte Cdb[16];
}
