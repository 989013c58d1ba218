using System.Net.Sockets;

namespace TapeChanger.Transport.Iscsi;

/// <summary>An <see cref="IscsiConnection"/> on a .NET <see cref="Socket"/>, waiting through the socket engine: a caller holds no thread while the target works.</summary>
internal sealed class SocketConnection : IscsiConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private SocketConnection(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<SocketConnection> ConnectAsync(string host, int port, TimeSpan timeout, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var limit = ExchangeLimit.Timed(timeout, ct);
            await socket.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
            return new SocketConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public override ExchangeLimit Limit(TimeSpan timeout, CancellationToken ct) => ExchangeLimit.Timed(timeout, ct);

    protected override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct) => _stream.WriteAsync(bytes, ct);

    protected override ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct) => _stream.ReadExactlyAsync(buffer, ct);

    public override ValueTask DisposeAsync()
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
