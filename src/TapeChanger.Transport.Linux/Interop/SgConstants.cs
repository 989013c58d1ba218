namespace TapeChanger.Transport.Linux.Interop;

/// <summary>ioctl numbers and sg_io_hdr constants (include/scsi/sg.h, include/uapi/linux/fs.h). Plain numbers, not _IOWR-encoded.</summary>
internal static class Sg
{
    public const nuint SG_IO = 0x2285;
    public const nuint SG_GET_VERSION_NUM = 0x2282;
    public const nuint SG_GET_RESERVED_SIZE = 0x2272;
    /// <summary>_IO(0x12, 103). On an sg fd (sg 3.5.36) this returns max_sectors_bytes, i.e. bytes, not sectors.</summary>
    public const nuint BLKSECTGET = 0x1267;

    public const int InterfaceIdS = 'S';

    public const int SG_DXFER_NONE = -1;
    public const int SG_DXFER_TO_DEV = -2;
    public const int SG_DXFER_FROM_DEV = -3;

    /// <summary>SG_FLAG_Q_AT_TAIL would reorder nothing for a single-outstanding changer; use 0 (the default: at head for sg v3).</summary>
    public const uint SG_FLAG_NONE = 0;

    /// <summary>The kernel's SCSI_SENSE_BUFFERSIZE; sg never writes more.</summary>
    public const int SenseBufferSize = 96;

    /// <summary>sg rejects dxfer_len of 256 MiB or more (SZ_256M) with EINVAL.</summary>
    public const int SgMaxDxferLen = 256 * 1024 * 1024 - 1;
}

/// <summary>open(2) flags for Linux (identical on x86-64, arm64, i386, armhf).</summary>
internal static class OpenFlags
{
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
}

/// <summary>Linux errno values (asm-generic/errno-base.h, errno.h) used by the sg transport.</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int ENODEV = 19;
    public const int EISDIR = 21;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EROFS = 30;
    public const int ENOSYS = 38;
    public const int EMSGSIZE = 90;
    public const int ETIMEDOUT = 110;
    public const int ENOMEDIUM = 123;
}
