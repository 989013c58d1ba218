using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

/// <summary>The output fields of an sg_io_hdr after SG_IO, copied out so callers outside Interop/ need no pointers.</summary>
internal readonly record struct SgIoReply(
    byte Status,
    byte MaskedStatus,
    byte SenseLength,
    ushort HostStatus,
    ushort DriverStatus,
    int Resid,
    uint DurationMs,
    uint Info);

/// <summary>Safe wrappers over the ioctls: pin the buffers, fill the header, return errno (0 on success).</summary>
internal static class SgIo
{
    /// <summary>
    /// Issues SG_IO. <paramref name="data"/> is data-in or data-out according to <paramref name="direction"/>
    /// (SG_DXFER_*); it must be empty for SG_DXFER_NONE. Returns 0 and the reply, or the errno of a failed ioctl.
    /// </summary>
    public static unsafe int Execute(SafeFdHandle fd, ReadOnlySpan<byte> cdb, int direction, Span<byte> data, Span<byte> sense,
        uint timeoutMs, out SgIoReply reply)
    {
        reply = default;
        fixed (byte* cdbPtr = cdb)
        fixed (byte* dataPtr = data)
        fixed (byte* sensePtr = sense)
        {
            var hdr = new SgIoHdr
            {
                InterfaceId = Sg.InterfaceIdS,
                DxferDirection = direction,
                CmdLen = checked((byte)cdb.Length),
                MxSbLen = (byte)Math.Min(sense.Length, byte.MaxValue),
                IovecCount = 0,
                DxferLen = (uint)data.Length,
                Dxferp = data.Length == 0 ? null : dataPtr,
                Cmdp = cdbPtr,
                Sbp = sensePtr,
                Timeout = timeoutMs,
                Flags = Sg.SG_FLAG_NONE,
            };
            if (Libc.Ioctl(fd, Sg.SG_IO, &hdr) == -1)
            {
                return Marshal.GetLastPInvokeError();
            }
            reply = new SgIoReply(hdr.Status, hdr.MaskedStatus, hdr.SbLenWr, hdr.HostStatus, hdr.DriverStatus, hdr.Resid, hdr.Duration, hdr.Info);
            return 0;
        }
    }

    /// <summary>An ioctl whose argument is an int the kernel writes (SG_GET_VERSION_NUM, SG_GET_RESERVED_SIZE, BLKSECTGET).</summary>
    public static unsafe int GetInt(SafeFdHandle fd, nuint request, out int value)
    {
        int v = 0;
        if (Libc.Ioctl(fd, request, &v) == -1)
        {
            value = 0;
            return Marshal.GetLastPInvokeError();
        }
        value = v;
        return 0;
    }

    /// <summary>open(2); returns the handle (valid) or errno.</summary>
    public static int Open(string path, int flags, out SafeFdHandle handle)
    {
        int fd = Libc.Open(path, flags | OpenFlags.O_CLOEXEC);
        if (fd == -1)
        {
            int errno = Marshal.GetLastPInvokeError();
            handle = new SafeFdHandle(-1);
            return errno;
        }
        handle = new SafeFdHandle(fd);
        return 0;
    }
}
