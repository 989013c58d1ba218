using TapeChanger.Scsi;
using TapeChanger.Transport.Linux.Interop;

namespace TapeChanger.Transport.Linux;

/// <summary>Maps errno values from open(2) and ioctl(2) on an sg node to one-line <see cref="ScsiTransportException"/>s naming the device.</summary>
internal static class SgErrors
{
    /// <summary>errno from open(2).</summary>
    public static ScsiTransportException Open(string path, int errno) => errno switch
    {
        Errno.EACCES or Errno.EPERM => new ScsiTransportException(TransportFailure.PermissionDenied,
            $"permission denied opening {path}: add yourself to group tape (or disk) or run as root"),
        Errno.ENOENT or Errno.ENXIO or Errno.ENODEV => new ScsiTransportException(TransportFailure.NotFound,
            $"no such device {path} ({Name(errno)}); list changers with lsscsi -g (type 8, 'mediumx')"),
        Errno.EBUSY or Errno.EAGAIN => new ScsiTransportException(TransportFailure.Busy,
            $"device {path} is busy: another process holds it open exclusively ({Name(errno)})"),
        Errno.EISDIR => new ScsiTransportException(TransportFailure.NotFound,
            $"{path} is a directory, not an sg device node such as /dev/sg3"),
        Errno.EROFS => new ScsiTransportException(TransportFailure.PermissionDenied,
            $"cannot open {path} for writing: read-only file system"),
        _ => new ScsiTransportException(TransportFailure.Io, $"cannot open {path}: {Name(errno)}"),
    };

    /// <summary>The node opened but is not a SCSI generic device (SG_GET_VERSION_NUM failed).</summary>
    public static ScsiTransportException NotSg(string path, int errno) => new(TransportFailure.Unsupported,
        $"{path} is not a SCSI generic (sg) device (SG_GET_VERSION_NUM: {Name(errno)}); use the changer's /dev/sgN");

    /// <summary>errno from ioctl(SG_IO).</summary>
    public static ScsiTransportException Ioctl(string path, string command, int errno, bool readOnly) => errno switch
    {
        Errno.EPERM or Errno.EACCES when readOnly => new ScsiTransportException(TransportFailure.PermissionDenied,
            $"{command} on {path} refused: the device is open read-only, and the kernel allows only read-safe commands on a read-only sg fd; " +
            "add yourself to group tape (or disk) so it opens read-write, or run as root", command),
        Errno.EPERM or Errno.EACCES => new ScsiTransportException(TransportFailure.PermissionDenied,
            $"{command} on {path} refused by the kernel ({Name(errno)}): needs CAP_SYS_RAWIO on this node; use /dev/sgN opened read-write or run as root", command),
        Errno.ENODEV or Errno.ENXIO => new ScsiTransportException(TransportFailure.NotFound,
            $"{command} on {path} failed: no such device (detached?)", command),
        Errno.EBUSY or Errno.EAGAIN => new ScsiTransportException(TransportFailure.Busy,
            $"{command} on {path} failed: device busy ({Name(errno)})", command),
        Errno.ETIMEDOUT => new ScsiTransportException(TransportFailure.Timeout,
            $"{command} on {path} timed out ({Name(errno)})", command),
        Errno.ENOMEM => new ScsiTransportException(TransportFailure.Io,
            $"{command} on {path} failed: the kernel could not allocate the transfer buffer (ENOMEM); a smaller transfer may work", command),
        Errno.EINVAL or Errno.EMSGSIZE => new ScsiTransportException(TransportFailure.Io,
            $"{command} on {path} rejected by the sg driver ({Name(errno)}): CDB or transfer length out of range", command),
        Errno.ENOTTY or Errno.ENOSYS => new ScsiTransportException(TransportFailure.Unsupported,
            $"{command} on {path} failed: SG_IO is not supported by this node ({Name(errno)})", command),
        Errno.EINTR => new ScsiTransportException(TransportFailure.Io,
            $"{command} on {path} was interrupted (EINTR); its outcome is unknown, re-read the element status", command),
        _ => new ScsiTransportException(TransportFailure.Io, $"{command} on {path} failed: {Name(errno)}", command),
    };

    /// <summary>Symbolic errno name and number, e.g. "EACCES (13)".</summary>
    public static string Name(int errno) => errno switch
    {
        Errno.EPERM => "EPERM (1)",
        Errno.ENOENT => "ENOENT (2)",
        Errno.EINTR => "EINTR (4)",
        Errno.EIO => "EIO (5)",
        Errno.ENXIO => "ENXIO (6)",
        Errno.EAGAIN => "EAGAIN (11)",
        Errno.ENOMEM => "ENOMEM (12)",
        Errno.EACCES => "EACCES (13)",
        Errno.EFAULT => "EFAULT (14)",
        Errno.EBUSY => "EBUSY (16)",
        Errno.ENODEV => "ENODEV (19)",
        Errno.EISDIR => "EISDIR (21)",
        Errno.EINVAL => "EINVAL (22)",
        Errno.ENOTTY => "ENOTTY (25)",
        Errno.EROFS => "EROFS (30)",
        Errno.ENOSYS => "ENOSYS (38)",
        Errno.EMSGSIZE => "EMSGSIZE (90)",
        Errno.ETIMEDOUT => "ETIMEDOUT (110)",
        Errno.ENOMEDIUM => "ENOMEDIUM (123)",
        _ => $"errno {errno}",
    };
}
