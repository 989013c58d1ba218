using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Iscsi.Interop;

/// <summary>
/// The socket calls of <see cref="PolledConnection"/>: socket(2), connect(2), poll(2), send(2), recv(2), getsockopt(2),
/// setsockopt(2), shutdown(2), close(2), with Linux's constant values (the same on x86_64 and arm64). Each returns -1
/// with errno set on failure (SetLastError: <see cref="Marshal.GetLastPInvokeError"/>).
/// </summary>
internal static partial class LinuxSockets
{
    private const string Libc = "libc";

    // <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>, <poll.h>
    internal const int AF_INET = 2;
    internal const int AF_INET6 = 10;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int IPPROTO_TCP = 6;
    internal const int TCP_NODELAY = 1;
    internal const int SOL_SOCKET = 1;
    internal const int SO_ERROR = 4;
    internal const short POLLIN = 0x1;
    internal const short POLLOUT = 0x4;
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_NOSIGNAL = 0x4000;
    internal const int SHUT_RDWR = 2;

    // <errno.h> (asm-generic/errno.h)
    internal const int EPERM = 1;
    internal const int EINTR = 4;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int EADDRNOTAVAIL = 99;
    internal const int ENETUNREACH = 101;
    internal const int ECONNRESET = 104;
    internal const int ETIMEDOUT = 110;
    internal const int ECONNREFUSED = 111;
    internal const int EHOSTUNREACH = 113;
    internal const int EINPROGRESS = 115;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Libc, EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    /// <summary>connect(2) with a sockaddr_in or sockaddr_in6 laid out in <paramref name="address"/>.</summary>
    [LibraryImport(Libc, EntryPoint = "connect", SetLastError = true)]
    internal static partial int Connect(int fd, ReadOnlySpan<byte> address, uint length);

    [LibraryImport(Libc, EntryPoint = "poll", SetLastError = true)]
    internal static partial int Poll(ref PollFd fds, nuint count, int timeoutMilliseconds);

    [LibraryImport(Libc, EntryPoint = "send", SetLastError = true)]
    internal static partial nint Send(int fd, ReadOnlySpan<byte> buffer, nuint length, int flags);

    [LibraryImport(Libc, EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Receive(int fd, Span<byte> buffer, nuint length, int flags);

    [LibraryImport(Libc, EntryPoint = "getsockopt", SetLastError = true)]
    internal static partial int GetSocketOption(int fd, int level, int name, ref int value, ref uint length);

    [LibraryImport(Libc, EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSocketOption(int fd, int level, int name, in int value, uint length);

    [LibraryImport(Libc, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int fd, int how);

    [LibraryImport(Libc, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
