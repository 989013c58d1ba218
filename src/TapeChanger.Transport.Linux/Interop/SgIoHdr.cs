using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

/// <summary>
/// struct sg_io_hdr (include/scsi/sg.h), the SG_IO v3 request. Natural alignment, pointer-sized pointers:
/// 88 bytes on LP64 (x86-64, arm64: 4 pad bytes before usr_ptr at 52, 4 tail pad bytes at 84); 64 bytes on ILP32
/// (i386, armhf: no padding, pointers at 16/20/24/40). The layout follows from <see cref="nint"/> fields, so one
/// declaration serves both; SgIoHdrLayoutTests pins every offset for the running ABI.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct SgIoHdr
{
    /// <summary>interface_id: must be 'S'.</summary>
    public int InterfaceId;
    /// <summary>dxfer_direction: SG_DXFER_NONE (-1), _TO_DEV (-2), _FROM_DEV (-3).</summary>
    public int DxferDirection;
    /// <summary>cmd_len: CDB length.</summary>
    public byte CmdLen;
    /// <summary>mx_sb_len: size of the sense buffer at sbp.</summary>
    public byte MxSbLen;
    /// <summary>iovec_count: 0, dxferp is a flat buffer.</summary>
    public ushort IovecCount;
    /// <summary>dxfer_len: data buffer length in bytes.</summary>
    public uint DxferLen;
    /// <summary>dxferp: data buffer.</summary>
    public void* Dxferp;
    /// <summary>cmdp: the CDB.</summary>
    public byte* Cmdp;
    /// <summary>sbp: the sense buffer.</summary>
    public byte* Sbp;
    /// <summary>timeout: milliseconds.</summary>
    public uint Timeout;
    /// <summary>flags: SG_FLAG_*.</summary>
    public uint Flags;
    /// <summary>pack_id: unused by SG_IO.</summary>
    public int PackId;
    /// <summary>usr_ptr: unused by SG_IO.</summary>
    public void* UsrPtr;
    /// <summary>status: SAM status byte (out).</summary>
    public byte Status;
    /// <summary>masked_status: (status >> 1) &amp; 0x7f (out, legacy).</summary>
    public byte MaskedStatus;
    /// <summary>msg_status: SCSI-2 message byte (out, unused).</summary>
    public byte MsgStatus;
    /// <summary>sb_len_wr: sense bytes written (out).</summary>
    public byte SbLenWr;
    /// <summary>host_status: DID_* (out).</summary>
    public ushort HostStatus;
    /// <summary>driver_status: DRIVER_* (out).</summary>
    public ushort DriverStatus;
    /// <summary>resid: dxfer_len minus bytes actually transferred (out).</summary>
    public int Resid;
    /// <summary>duration: milliseconds (out).</summary>
    public uint Duration;
    /// <summary>info: SG_INFO_* (out).</summary>
    public uint Info;
}
