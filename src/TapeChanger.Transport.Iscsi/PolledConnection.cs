using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TapeChanger.Transport.Iscsi.Interop;
using static TapeChanger.Transport.Iscsi.Interop.LinuxSockets;

namespace TapeChanger.Transport.Iscsi;

/// <summary>
/// An <see cref="IscsiConnection"/> on a non-blocking Linux socket descriptor that waits in poll(2) on the caller's own
/// thread. A command-line process blocks its main thread on every exchange anyway; waiting right there keeps the
/// exchange on that thread. A .NET <see cref="Socket"/> is not used because creating one starts the socket engine's
/// epoll thread, and its asynchronous waits hand every completion to the thread pool (more threads started, a context
/// switch per round trip). Time limits are deadlines compared with the clock between polls, so no timer thread is
/// started either; a cancelled token is seen within one poll of at most <see cref="PollSliceMilliseconds"/>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class PolledConnection : IscsiConnection
{
    /// <summary>The longest single poll(2): how soon a cancel (Ctrl-C) is seen.</summary>
    internal const int PollSliceMilliseconds = 50;

    private int _fd;
    private long _deadline = long.MaxValue;

    private PolledConnection(int fd) => _fd = fd;

    [SupportedOSPlatformGuard("linux")]
    public static bool IsSupported => OperatingSystem.IsLinux();

    /// <summary>
    /// Each address of <paramref name="host"/> in turn: connect(2) on a non-blocking socket, then poll(2) for
    /// writability and SO_ERROR for the outcome (POSIX connect(): "the connection shall be established
    /// asynchronously", and poll() reports the socket writable when it is). The last address's error if none connects.
    /// </summary>
    public static PolledConnection Connect(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        long deadline = ExchangeLimit.After(timeout);
        // A name goes through the C library's resolver (getaddrinfo, bounded by resolv.conf's own timeouts).
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            int fd = LinuxSockets.Socket(address.AddressFamily == AddressFamily.InterNetworkV6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
            if (fd < 0) throw Failure(Marshal.GetLastPInvokeError());
            try
            {
                // Each PDU goes out at once (the iSCSI header and its data are one write): no Nagle delay.
                if (SetSocketOption(fd, IPPROTO_TCP, TCP_NODELAY, 1, sizeof(int)) != 0) throw Failure(Marshal.GetLastPInvokeError());
                Span<byte> sockaddr = stackalloc byte[28];
                int length = SocketAddress(address, port, sockaddr);
                if (LinuxSockets.Connect(fd, sockaddr, (uint)length) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno is not (EINPROGRESS or EINTR)) throw Failure(errno);
                    Wait(fd, POLLOUT, deadline, ct);
                    int error = 0;
                    uint size = sizeof(int);
                    if (GetSocketOption(fd, SOL_SOCKET, SO_ERROR, ref error, ref size) != 0) throw Failure(Marshal.GetLastPInvokeError());
                    if (error != 0) throw Failure(error);
                }
                return new PolledConnection(fd);
            }
            catch (SocketException e)
            {
                Close(fd);
                failure = e;
            }
            catch
            {
                Close(fd);
                throw;
            }
        }
        throw failure ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>sockaddr_in (16 bytes) or sockaddr_in6 (28 bytes): family in host order, port and address in network order.</summary>
    internal static int SocketAddress(IPAddress address, int port, Span<byte> sockaddr)
    {
        sockaddr.Clear();
        bool v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        MemoryMarshal.Write(sockaddr, (ushort)(v6 ? AF_INET6 : AF_INET));
        BinaryPrimitives.WriteUInt16BigEndian(sockaddr[2..], (ushort)port);
        if (!v6)
        {
            address.TryWriteBytes(sockaddr.Slice(4, 4), out _);
            return 16;
        }
        address.TryWriteBytes(sockaddr.Slice(8, 16), out _);               // after sin6_flowinfo (0)
        MemoryMarshal.Write(sockaddr[24..], (uint)address.ScopeId);        // sin6_scope_id, host order
        return 28;
    }

    /// <summary>The errno as the <see cref="SocketError"/> the connection's callers already map, with the C library's text.</summary>
    private static SocketException Failure(int errno)
    {
        var code = errno switch
        {
            ECONNREFUSED => SocketError.ConnectionRefused,
            ENETUNREACH => SocketError.NetworkUnreachable,
            EHOSTUNREACH => SocketError.HostUnreachable,
            ETIMEDOUT => SocketError.TimedOut,
            EACCES or EPERM => SocketError.AccessDenied,
            EADDRNOTAVAIL => SocketError.AddressNotAvailable,
            ECONNRESET => SocketError.ConnectionReset,
            _ => SocketError.SocketError,
        };
        return new SocketException((int)code, Marshal.GetPInvokeErrorMessage(errno));
    }

    /// <summary>
    /// poll(2) until <paramref name="events"/> (or an error or hang-up, which the next call then reports), in slices
    /// that look at the token; past <paramref name="deadline"/> an <see cref="OperationCanceledException"/> while the
    /// token is not cancelled, which the session reports as the exchange's timeout.
    /// </summary>
    private static void Wait(int fd, short events, long deadline, CancellationToken ct)
    {
        var pollFd = new PollFd { Fd = fd, Events = events };
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            long left = deadline - Stopwatch.GetTimestamp();
            if (left <= 0) throw new OperationCanceledException("the exchange's time limit passed");
            int slice = (int)Math.Clamp(Math.Ceiling(left * 1000.0 / Stopwatch.Frequency), 1, PollSliceMilliseconds);
            pollFd.Revents = 0;
            int ready = Poll(ref pollFd, 1, slice);
            if (ready > 0) return;
            if (ready < 0 && Marshal.GetLastPInvokeError() is var errno && errno != EINTR)
                throw new IOException($"poll: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    public override ExchangeLimit Limit(TimeSpan timeout, CancellationToken ct)
    {
        long previous = _deadline;
        _deadline = Math.Min(previous, ExchangeLimit.After(timeout));
        return ExchangeLimit.Deadline(this, previous, ct);
    }

    internal override void RestoreDeadline(long previous) => _deadline = previous;

    /// <summary>send(2) first, poll(2) only when the send buffer is full (EAGAIN).</summary>
    protected override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct)
    {
        var left = bytes.Span;
        while (!left.IsEmpty)
        {
            nint n = Send(_fd, left, (nuint)left.Length, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n >= 0)
            {
                left = left[(int)n..];
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN) Wait(_fd, POLLOUT, _deadline, ct);
            else if (errno != EINTR) throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>recv(2) first, poll(2) only when nothing has arrived yet (EAGAIN).</summary>
    protected override ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct)
    {
        var left = buffer.Span;
        while (!left.IsEmpty)
        {
            nint n = Receive(_fd, left, (nuint)left.Length, MSG_DONTWAIT);
            if (n > 0)
            {
                left = left[(int)n..];
                continue;
            }
            if (n == 0) throw new EndOfStreamException();
            int errno = Marshal.GetLastPInvokeError();
            if (errno == EAGAIN) Wait(_fd, POLLIN, _deadline, ct);
            else if (errno != EINTR) throw new IOException(Marshal.GetPInvokeErrorMessage(errno));
        }
        return ValueTask.CompletedTask;
    }

    public override ValueTask DisposeAsync()
    {
        int fd = _fd;
        _fd = -1;
        if (fd >= 0)
        {
            Shutdown(fd, SHUT_RDWR);
            Close(fd);
        }
        return ValueTask.CompletedTask;
    }
}
