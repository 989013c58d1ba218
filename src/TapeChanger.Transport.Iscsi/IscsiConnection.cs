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

    /// <summary>Connects with a timeout; refused / unknown host → NotFound, timeout → Timeout.</summary>
    public static async Task<IscsiConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            return new IscsiConnection(socket);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ScsiTransportException(TransportFailure.Timeout, $"iSCSI portal {host}:{port} did not accept a connection within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            socket.Dispose();
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
            socket.Dispose();
            throw;
        }
    }

    public async Task SendAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var bytes = pdu.Encode();
        try
        {
            await _stream.WriteAsync(bytes, ct).ConfigureAwait(false);
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
            await _stream.ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
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
