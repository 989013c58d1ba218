using System.Net;
using System.Net.Sockets;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>The TCP connection went away (EOF, reset, write failure): the one condition the session reconnects on.</summary>
internal sealed class ConnectionLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>One TCP connection carrying whole PDUs. No state beyond the socket.</summary>
internal sealed class IscsiConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly byte[] _bhs = new byte[IscsiConstants.BhsLength];

    private IscsiConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    /// <summary>
    /// Whether this call waits for the socket here, in poll(2), instead of through .NET's socket engine. A caller on a
    /// thread of its own (a command-line process's main thread, blocked on this task until it completes) loses nothing
    /// by waiting in place, and the exchange then never leaves its thread: no epoll thread hand-off, no thread-pool
    /// workers started, fewer context switches per round trip. Callers on the thread pool (the service) keep the
    /// asynchronous path, which holds no thread while the target works.
    /// </summary>
    internal static bool WaitsOnCallersThread => !Thread.CurrentThread.IsThreadPoolThread;

    /// <summary>How long one poll(2) waits before the token is looked at again: a timeout or a cancel is seen within it.</summary>
    internal static readonly TimeSpan PollSlice = TimeSpan.FromMilliseconds(50);

    /// <summary>Connects with a timeout; refused / unknown host → NotFound, timeout → Timeout.</summary>
    public static async Task<IscsiConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        Socket? socket = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            if (WaitsOnCallersThread)
            {
                socket = ConnectHere(host, port, cts.Token);
            }
            else
            {
                socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            }
            return new IscsiConnection(socket);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket?.Dispose();
            throw new ScsiTransportException(TransportFailure.Timeout, $"iSCSI portal {host}:{port} did not accept a connection within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            var failure = e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain
                    or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable => TransportFailure.NotFound,
                SocketError.TimedOut => TransportFailure.Timeout,
                SocketError.AccessDenied => TransportFailure.PermissionDenied,
                _ => TransportFailure.Io,
            };
            string what = e.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused (no iSCSI target listening there)",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "unknown host",
                _ => e.Message,
            };
            throw new ScsiTransportException(failure, $"cannot connect to iSCSI portal {host}:{port}: {what}", inner: e);
        }
        catch
        {
            socket?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// connect(2) without blocking, then poll(2) for writability (POSIX connect(): "the connection shall be established
    /// asynchronously... select() and poll() shall indicate that the file descriptor for the socket is ready for
    /// writing"), each address of the host in turn; the socket is switched back to blocking once connected. The last
    /// address's error is thrown if none connects.
    /// </summary>
    private static Socket ConnectHere(string host, int port, CancellationToken ct)
    {
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal) ? [literal] : Dns.GetHostAddresses(host);
        SocketException? failure = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false };
            try
            {
                try
                {
                    socket.Connect(new IPEndPoint(address, port));
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.InProgress)
                {
                    WaitHere(socket, SelectMode.SelectWrite, ct);
                }
                if (socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error) is int error and not 0) throw new SocketException(error);
                socket.Blocking = true;
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                failure = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw failure ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>poll(2) on this thread until the socket is ready for <paramref name="mode"/>, in slices that look at the token.</summary>
    private static void WaitHere(Socket socket, SelectMode mode, CancellationToken ct)
    {
        while (!socket.Poll(PollSlice, mode)) ct.ThrowIfCancellationRequested();
    }

    public async Task SendAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var bytes = pdu.Encode();
        try
        {
            if (WaitsOnCallersThread)
            {
                // Room in the send buffer first; a PDU larger than the room left blocks in send(2) until the target reads.
                WaitHere(_socket, SelectMode.SelectWrite, ct);
                _stream.Write(bytes);
            }
            else
            {
                await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new ConnectionLostException($"sending {pdu.Opcode} failed: {e.Message}", e);
        }
    }

    /// <summary>Reads one PDU. EOF/reset → <see cref="ConnectionLostException"/>; bad bytes → <see cref="IscsiPduException"/>.</summary>
    public async Task<IscsiPdu> ReceiveAsync(CancellationToken ct)
    {
        await ReadExactlyAsync(_bhs, ct).ConfigureAwait(false);
        int rest = IscsiFraming.RemainingLength(_bhs);
        // Not zeroed first: the header is copied in and the rest read over it, or the read throws.
        var pdu = GC.AllocateUninitializedArray<byte>(IscsiConstants.BhsLength + rest);
        _bhs.CopyTo(pdu, 0);
        await ReadExactlyAsync(pdu.AsMemory(IscsiConstants.BhsLength), ct).ConfigureAwait(false);
        return IscsiPdu.Decode(pdu);
    }

    private async Task ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            if (WaitsOnCallersThread) ReadExactlyHere(buffer.Span, ct);
            else await _stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new ConnectionLostException("the target closed the connection", e);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new ConnectionLostException($"reading from the target failed: {e.Message}", e);
        }
    }

    /// <summary>Each recv(2) comes after poll(2) said data is there, so it returns what has arrived without blocking.</summary>
    private void ReadExactlyHere(Span<byte> buffer, CancellationToken ct)
    {
        while (!buffer.IsEmpty)
        {
            WaitHere(_socket, SelectMode.SelectRead, ct);
            int n = _socket.Receive(buffer);
            if (n == 0) throw new EndOfStreamException();
            buffer = buffer[n..];
        }
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        return _stream.DisposeAsync();
    }
}
