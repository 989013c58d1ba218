using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Windows;

// SCSI_PASS_THROUGH and SCSI_PASS_THROUGH_DIRECT (ntddscsi.h), one struct per ABI so that the layouts are explicit
// and testable from any process (Windows SDK ntddscsi.h):
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
// A 32-bit process, native x86 or WOW64, always sends the 44-byte layout with a 32-bit DataBuffer pointer: under
// WOW64 the kernel sees IoIs32bitProcess() and reads it as SCSI_PASS_THROUGH32 / SCSI_PASS_THROUGH_DIRECT32 (classpnp
// checks InputBufferLength >= sizeof(SCSI_PASS_THROUGH32)). A 64-bit process must never send 44 bytes. Do not copy
// the mingw / windows-rs SCSI_PASS_THROUGH_DIRECT32 declarations: they give DataBuffer a full-size pointer.

/// <summary>SCSI_PASS_THROUGH, x64/arm64 layout (56 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal unsafe struct ScsiPassThrough64
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte ScsiStatus;
    [FieldOffset(3)] public byte PathId;
    [FieldOffset(4)] public byte TargetId;
    [FieldOffset(5)] public byte Lun;
    [FieldOffset(6)] public byte CdbLength;
    [FieldOffset(7)] public byte SenseInfoLength;
    [FieldOffset(8)] public byte DataIn;
    [FieldOffset(12)] public uint DataTransferLength;
    [FieldOffset(16)] public uint TimeOutValue;
    /// <summary>ULONG_PTR: offset of the data buffer from the start of this struct.</summary>
    [FieldOffset(24)] public ulong DataBufferOffset;
    [FieldOffset(32)] public uint SenseInfoOffset;
    [FieldOffset(36)] public fixed byte Cdb[16];
}

/// <summary>SCSI_PASS_THROUGH, x86 layout (44 bytes); also what a 32-bit process sends on 64-bit Windows (SCSI_PASS_THROUGH32).</summary>
[StructLayout(LayoutKind.Explicit, Size = 44)]
internal unsafe struct ScsiPassThrough32
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte ScsiStatus;
    [FieldOffset(3)] public byte PathId;
    [FieldOffset(4)] public byte TargetId;
    [FieldOffset(5)] public byte Lun;
    [FieldOffset(6)] public byte CdbLength;
    [FieldOffset(7)] public byte SenseInfoLength;
    [FieldOffset(8)] public byte DataIn;
    [FieldOffset(12)] public uint DataTransferLength;
    [FieldOffset(16)] public uint TimeOutValue;
    /// <summary>ULONG_PTR (4 bytes here): offset of the data buffer from the start of this struct.</summary>
    [FieldOffset(20)] public uint DataBufferOffset;
    [FieldOffset(24)] public uint SenseInfoOffset;
    [FieldOffset(28)] public fixed byte Cdb[16];
}

/// <summary>SCSI_PASS_THROUGH_DIRECT, x64/arm64 layout (56 bytes).</summary>
[StructLayout(LayoutKind.Explicit, Size = 56)]
internal unsafe struct ScsiPassThroughDirect64
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte ScsiStatus;
    [FieldOffset(3)] public byte PathId;
    [FieldOffset(4)] public byte TargetId;
    [FieldOffset(5)] public byte Lun;
    [FieldOffset(6)] public byte CdbLength;
    [FieldOffset(7)] public byte SenseInfoLength;
    [FieldOffset(8)] public byte DataIn;
    [FieldOffset(12)] public uint DataTransferLength;
    [FieldOffset(16)] public uint TimeOutValue;
    /// <summary>PVOID: the caller's (aligned) data buffer.</summary>
    [FieldOffset(24)] public ulong DataBuffer;
    [FieldOffset(32)] public uint SenseInfoOffset;
    [FieldOffset(36)] public fixed byte Cdb[16];
}

/// <summary>
/// SCSI_PASS_THROUGH_DIRECT, x86 layout (44 bytes); on 64-bit Windows the kernel reads it as
/// SCSI_PASS_THROUGH_DIRECT32 whose DataBuffer is VOID * POINTER_32.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 44)]
internal unsafe struct ScsiPassThroughDirect32
{
    [FieldOffset(0)] public ushort Length;
    [FieldOffset(2)] public byte ScsiStatus;
    [FieldOffset(3)] public byte PathId;
    [FieldOffset(4)] public byte TargetId;
    [FieldOffset(5)] public byte Lun;
    [FieldOffset(6)] public byte CdbLength;
    [FieldOffset(7)] public byte SenseInfoLength;
    [FieldOffset(8)] public byte DataIn;
    [FieldOffset(12)] public uint DataTransferLength;
    [FieldOffset(16)] public uint TimeOutValue;
    /// <summary>32-bit user pointer to the data buffer.</summary>
    [FieldOffset(20)] public uint DataBuffer;
    [FieldOffset(24)] public uint SenseInfoOffset;
    [FieldOffset(28)] public fixed byte Cdb[16];
}
