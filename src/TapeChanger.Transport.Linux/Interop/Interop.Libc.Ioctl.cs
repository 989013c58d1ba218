using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

internal static partial class Libc
{
    /// <summary>ioctl(2) with a struct sg_io_hdr argument (SG_IO).</summary>
    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(SafeFdHandle fd, nuint request, SgIoHdr* arg);

    /// <summary>ioctl(2) with an int out-argument (SG_GET_VERSION_NUM, SG_GET_RESERVED_SIZE, BLKSECTGET).</summary>
    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int Ioctl(SafeFdHandle fd, nuint request, int* arg);
}
