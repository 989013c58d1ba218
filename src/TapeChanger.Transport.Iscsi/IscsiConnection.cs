using System.Diagnostics;
using System.Net.Sockets;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>The TCP connection went away (EOF, reset, write failure): the one condition the session reconnects on.</summary>
internal sealed class ConnectionLostException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One TCP connection carrying whole PDUs. No state beyond the socket. Two ways to wait for the target:
/// <see cref="SocketConnection"/> through .NET's socket engine (a waiting caller holds no thread: the service), and
/// <see cref="PolledConnection"/> in poll(2) on the caller's own thread (a command-line process, which waits anyway;
/// <see cref="IscsiSessionOptions.WaitOnCallersThread"/>).
/// </summary>
internal abstract class IscsiConnection : IAsyncDisposable
{
    private readonly byte[] _bhs = new byte[IscsiConstants.BhsLength];

    /// <summary>Connects with a timeout; refused / unknown host → NotFound, timeout → Timeout.</summary>
    public static async Task<IscsiConnection> ConnectAsync(string host, int port, TimeSpan timeout, bool waitOnCallersThread, CancellationToken ct)
    {
        try
        {
            return waitOnCallersThread && PolledConnection.IsSupported
                ? PolledConnection.Connect(host, port, timeout, ct)
                : await SocketConnection.ConnectAsync(host, port, timeout, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ScsiTransportException(TransportFailure.Timeout, $"iSCSI portal {host}:{port} did not accept a connection within {timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
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
    }

    /// <summary>
    /// The time limit of one exchange (a command, the login, a text request, the logout): pass its
    /// <see cref="ExchangeLimit.Token"/> to this connection's calls until it is disposed. Past the limit a call throws
    /// <see cref="OperationCanceledException"/> while the caller's token is not cancelled.
    /// </summary>
    public abstract ExchangeLimit Limit(TimeSpan timeout, CancellationToken ct);

    /// <summary>Writes all of <paramref name="bytes"/>; a broken connection is an <see cref="IOException"/> or <see cref="SocketException"/>.</summary>
    protected abstract ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken ct);

    /// <summary>Fills <paramref name="buffer"/>; EOF is an <see cref="EndOfStreamException"/>.</summary>
    protected abstract ValueTask ReadExactlyAsync(Memory<byte> buffer, CancellationToken ct);

    public abstract ValueTask DisposeAsync();

    /// <summary>Puts back the deadline an <see cref="ExchangeLimit"/> replaced (connections that keep one).</summary>
    internal virtual void RestoreDeadline(long previous)
    {
    }

    public async Task SendAsync(IscsiPdu pdu, CancellationToken ct)
    {
        var bytes = pdu.Encode();
        try
        {
            await WriteAsync(bytes, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            throw new ConnectionLostException($"sending {pdu.Opcode} failed: {e.Message}", e);
        }
    }

    /// <summary>Reads one PDU. EOF/reset → <see cref="ConnectionLostException"/>; bad bytes → <see cref="IscsiPduException"/>.</summary>
    public Task<IscsiPdu> ReceiveAsync(CancellationToken ct) => ReceiveAsync(null, ct);

    /// <summary>
    /// Reads one PDU, as <see cref="ReceiveAsync(CancellationToken)"/>; the data segment of a Data-In for
    /// <paramref name="into"/>'s task goes straight into its buffer at the PDU's BUFFER OFFSET (what falls past the
    /// buffer's end is read and dropped) and the PDU comes back without its data. A 2,000-slot READ ELEMENT STATUS
    /// reply (104 KB) is then received once, not into a PDU of its own and copied twice more.
    /// </summary>
    public async Task<IscsiPdu> ReceiveAsync(DataInDestination? into, CancellationToken ct)
    {
        if (into is not null) into.Placed = 0;
        await ReadAsync(_bhs, ct).ConfigureAwait(false);
        if (into is not null && into.Takes(_bhs))
        {
            var header = DataInPdu.FromHeader(_bhs);
            int length = IscsiFraming.DataSegmentLength(_bhs);
            int placed = into.Room(header.BufferOffset, length);
            if (placed > 0) await ReadAsync(into.Buffer.Slice((int)header.BufferOffset, placed), ct).ConfigureAwait(false);
            await SkipAsync(IscsiFraming.Pad4(length) - placed, ct).ConfigureAwait(false);
            into.Placed = placed;
            return header;
        }
        int rest = IscsiFraming.RemainingLength(_bhs);
        // Not zeroed first: the header is copied in and the rest read over it, or the read throws.
        var pdu = GC.AllocateUninitializedArray<byte>(IscsiConstants.BhsLength + rest);
        _bhs.CopyTo(pdu, 0);
        await ReadAsync(pdu.AsMemory(IscsiConstants.BhsLength), ct).ConfigureAwait(false);
        var decoded = IscsiPdu.Decode(pdu);
        if (into is not null && decoded is DataInPdu d && d.Itt == into.Itt)
        {
            // A Data-In of the task that the fast path above did not take (it carries an AHS): placed the same way.
            int placed = into.Room(d.BufferOffset, d.Data.Length);
            d.Data.AsSpan(0, placed).CopyTo(into.Buffer.Span[(int)d.BufferOffset..]);
            into.Placed = placed;
        }
        return decoded;
    }

    /// <summary>Reads and drops <paramref name="count"/> bytes (a data segment's part past the buffer, its padding).</summary>
    private async Task SkipAsync(int count, CancellationToken ct)
    {
        while (count > 0)
        {
            var scratch = _skip ??= new byte[4096];
            int n = Math.Min(count, scratch.Length);
            await ReadAsync(scratch.AsMemory(0, n), ct).ConfigureAwait(false);
            count -= n;
        }
    }

    private byte[]? _skip;

    private async Task ReadAsync(Memory<byte> buffer, CancellationToken ct)
    {
        try
        {
            await ReadExactlyAsync(buffer, ct).ConfigureAwait(false);
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
}

/// <summary>
/// A time limit on one exchange with the target. On a <see cref="SocketConnection"/> a timer cancels
/// <see cref="Token"/> at the limit; a <see cref="PolledConnection"/> keeps the deadline itself and compares it with
/// the clock between polls, so no timer (and no timer thread) is started.
/// </summary>
internal readonly struct ExchangeLimit : IDisposable
{
    private readonly CancellationTokenSource? _timer;
    private readonly IscsiConnection? _polled;
    private readonly long _previousDeadline;

    private ExchangeLimit(CancellationToken token, CancellationTokenSource? timer, IscsiConnection? polled, long previousDeadline)
    {
        Token = token;
        _timer = timer;
        _polled = polled;
        _previousDeadline = previousDeadline;
    }

    public CancellationToken Token { get; }

    /// <summary>A linked token a timer cancels after <paramref name="timeout"/>.</summary>
    public static ExchangeLimit Timed(TimeSpan timeout, CancellationToken ct)
    {
        var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        return new ExchangeLimit(timer.Token, timer, null, 0);
    }

    /// <summary>The caller's token, and the connection's deadline set until disposal (then the one before it again).</summary>
    public static ExchangeLimit Deadline(IscsiConnection connection, long previousDeadline, CancellationToken ct) =>
        new(ct, null, connection, previousDeadline);

    /// <summary>A <see cref="Stopwatch"/> timestamp <paramref name="timeout"/> from now (an infinite timeout never passes).</summary>
    public static long After(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    public void Dispose()
    {
        _timer?.Dispose();
        _polled?.RestoreDeadline(_previousDeadline);
    }
}

/// <summary>
/// Where the Data-In of one task goes: <see cref="Buffer"/> (the caller's, cut to the expected transfer length), and
/// after each <see cref="IscsiConnection.ReceiveAsync(DataInDestination?, CancellationToken)"/> how many bytes the PDU
/// just received placed in it (0 for any other PDU).
/// </summary>
internal sealed class DataInDestination(uint itt, Memory<byte> buffer)
{
    public uint Itt { get; } = itt;

    public Memory<byte> Buffer { get; } = buffer;

    public int Placed { get; set; }

    /// <summary>
    /// The BHS is a Data-In (0x25: no reserved bit, RFC 7143 §11.7) of this task with no AHS: its data segment can be
    /// read into the buffer as it arrives. Anything else is read whole and decoded.
    /// </summary>
    public bool Takes(ReadOnlySpan<byte> bhs) =>
        bhs[0] == (byte)IscsiOpcode.DataIn && bhs[4] == 0 && Bhs.U32(bhs, 16) == Itt;

    /// <summary>How many of a data segment's <paramref name="length"/> bytes at <paramref name="offset"/> fall inside the buffer.</summary>
    public int Room(uint offset, int length) => offset < (uint)Buffer.Length ? (int)Math.Min(length, Buffer.Length - offset) : 0;
}
