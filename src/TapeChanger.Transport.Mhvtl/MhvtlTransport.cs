using System.Net.Sockets;
using TapeChanger.Scsi;
using TapeChanger.Storage;
using TapeChanger.Transport.Mhvtl.Wire;

namespace TapeChanger.Transport.Mhvtl;

/// <summary>Tunables of <see cref="MhvtlTransport"/>.</summary>
public sealed record MhvtlTransportOptions
{
    /// <summary>How long to wait for a reply; null: each command's own timeout (60 s, 10 min for moves).</summary>
    public TimeSpan? ReplyTimeout { get; init; }

    /// <summary>How long to wait for another tapechanger process to let go of the socket.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Where the lock file goes when the socket's directory is not writable (the state directory).</summary>
    public string? FallbackLockDirectory { get; init; }
}

/// <summary>
/// SCSI over the unix socket of an mhVTL daemon started with MHVTL_BACKEND=userland (vtllibrary or vtltape; socket
/// MHVTL_RUN_PATH/userland.N.sock). Protocol: markh794/mhvtl@fada6b85 usr/transport_userland.c; bytes in
/// <see cref="MhvtlWire"/>. The daemon serves one client at a time and leaves later ones waiting unanswered, so this
/// transport holds a lock file for the socket while it is open (other tapechanger processes wait for it), reconnects
/// when the daemon was restarted between commands, and times out a daemon that does not answer.
/// </summary>
public sealed class MhvtlTransport : IScsiTransport
{
    private readonly string _socketPath;
    private readonly MhvtlTransportOptions _options;
    private readonly FileLock _lock;
    private Socket? _socket;
    private ulong _nextId = 1;

    private MhvtlTransport(string socketPath, string device, MhvtlTransportOptions options, FileLock lockFile)
    {
        _socketPath = socketPath;
        Device = device;
        _options = options;
        _lock = lockFile;
    }

    public string Device { get; }

    /// <summary>Path of the daemon's socket.</summary>
    public string SocketPath => _socketPath;

    /// <summary>The largest DATA-IN one reply may carry (the daemons' 2 MiB buffer).</summary>
    public int MaxTransferLength => MhvtlWire.MaxDataLength;

    /// <summary>Takes the socket's lock and connects. One-line <see cref="ScsiTransportException"/>s for a missing path, a path that is not a socket, no daemon listening, or a lock held too long.</summary>
    public static async ValueTask<MhvtlTransport> OpenAsync(string socketPath, MhvtlTransportOptions? options = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        options ??= new MhvtlTransportOptions();
        string path = Path.GetFullPath(socketPath);
        string device = "mhvtl:" + path;
        CheckPath(path, device);
        var lockFile = await MhvtlSocketLock.AcquireAsync(path, options, ct).ConfigureAwait(false);
        var transport = new MhvtlTransport(path, device, options, lockFile);
        try
        {
            await transport.ConnectAsync(ct).ConfigureAwait(false);
            return transport;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static void CheckPath(string path, string device)
    {
        if (Directory.Exists(path))
            throw new ScsiTransportException(TransportFailure.NotFound, $"{device}: {path} is a directory, not an mhVTL socket (expected .../userland.N.sock)");
        if (!File.Exists(path))
        {
            string hint = Directory.Exists(Path.GetDirectoryName(path)) ? "is the daemon running with MHVTL_BACKEND=userland?" : "its directory does not exist either";
            throw new ScsiTransportException(TransportFailure.NotFound, $"{device}: no socket at {path} ({hint})");
        }
    }

    /// <summary>
    /// Connects, waiting (within the reply time-out) while the daemon's listen queue is full: the userland daemon listens
    /// with a backlog of 1 and accepts a client only between its idle sleeps, which grow to 1 s while no command comes
    /// (markh794/mhvtl@fada6b85 usr/transport_userland.c ul_open, ul_poll_cmd; usr/cmd/vtllibrary.c, the main loop's
    /// VTL_IDLE backoff). A connect(2) to a unix socket whose queue is full fails at once with EAGAIN (unix(7)) where a
    /// TCP connect would wait; that is the daemon being slow to accept, not gone, so it is retried.
    /// </summary>
    private async ValueTask ConnectAsync(CancellationToken ct)
    {
        CheckPath(_socketPath, Device);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.ReplyTimeout ?? CommandTimeouts.Default);
        var pause = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(_socketPath), timeout.Token).ConfigureAwait(false);
                    _socket = socket;
                    return;
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.TryAgain)
                {
                    socket.Dispose();
                }
                await Task.Delay(pause, timeout.Token).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(250).Ticks));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
            {
                socket.Dispose();
                throw new ScsiTransportException(TransportFailure.NotFound, IsPlainFile(_socketPath)
                    ? $"{Device}: {_socketPath} is not a socket (a regular file); give the daemon's userland.N.sock"
                    : $"{Device}: nothing listens on {_socketPath} (a socket left behind by a daemon that stopped?)");
            }
            catch (SocketException e)
            {
                socket.Dispose();
                throw new ScsiTransportException(e.SocketErrorCode == SocketError.AccessDenied ? TransportFailure.PermissionDenied : TransportFailure.Io,
                    $"{Device}: cannot connect to {_socketPath}: {e.Message}");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                socket.Dispose();
                throw new ScsiTransportException(TransportFailure.Timeout, $"{Device}: connecting to {_socketPath} timed out (the daemon's queue is full: another client holds it)");
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>A socket path refuses connections either way; a regular file opens, a socket does not (ENXIO).</summary>
    private static bool IsPlainFile(string path)
    {
        try
        {
            using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True when the daemon closed our connection (it stopped or restarted) while no command was outstanding.</summary>
    private static bool PeerClosed(Socket s)
    {
        try { return s.Poll(0, SelectMode.SelectRead) && s.Available == 0; }
        catch (SocketException) { return true; }
        catch (ObjectDisposedException) { return true; }
    }

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_socket is { } old && PeerClosed(old))
        {
            // Restarted between commands: nothing was in flight, so a new connection is safe.
            old.Dispose();
            _socket = null;
        }
        if (_socket is null) await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var socket = _socket!;
        var wait = _options.ReplyTimeout is { } r && r < command.Timeout ? r : command.Timeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(wait);
        ulong id = _nextId++;
        try
        {
            return await RunAsync(socket, id, command, dataIn, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Drop();
            throw new ScsiTransportException(TransportFailure.Timeout,
                $"{Device}: no reply to {command.Name} within {wait.TotalSeconds:0.#} s (daemon hung, or another client holds its only connection)", command.Name);
        }
        catch (EndOfStreamException)
        {
            Drop();
            throw new ScsiTransportException(TransportFailure.Io,
                $"{Device}: the daemon closed the connection during {command.Name}; its outcome is unknown (did it stop?)", command.Name);
        }
        catch (SocketException e)
        {
            Drop();
            throw new ScsiTransportException(TransportFailure.Io, $"{Device}: {command.Name} failed: {e.Message}; its outcome is unknown", command.Name);
        }
        catch (MhvtlWireException e)
        {
            Drop();
            throw new ScsiTransportException(TransportFailure.Io, $"{Device}: protocol error during {command.Name}: {e.Message}", command.Name, e);
        }
        catch
        {
            Drop();
            throw;
        }
    }

    private async ValueTask<ScsiResult> RunAsync(Socket socket, ulong id, ScsiCommand command, Memory<byte> dataIn, CancellationToken ct)
    {
        var message = new byte[MhvtlWire.CdbMessageLength];
        MhvtlWire.WriteCdb(message, id, command.Cdb, (uint)Math.Max(0, command.TransferLength));
        await SendAsync(socket, message, ct).ConfigureAwait(false);
        var header = new byte[MhvtlWire.HeaderLength];
        while (true)
        {
            await ReceiveExactlyAsync(socket, header, ct).ConfigureAwait(false);
            var (type, length) = MhvtlWire.ReadHeader(header);
            var kind = MhvtlWire.CheckReplyHeader(type, length);
            if (kind == MhvtlMessageType.DataRequest)
            {
                var body = new byte[MhvtlWire.DataRequestLength - MhvtlWire.HeaderLength];
                await ReceiveExactlyAsync(socket, body, ct).ConfigureAwait(false);
                var request = MhvtlWire.ReadDataRequest(body);
                CheckId(request.CommandId, id);
                // Send what the daemon asked for, never more (it reads exactly the length we announce, up to its request).
                var data = command.DataOut ?? [];
                int n = (int)Math.Min(request.DataLength, (uint)data.Length);
                var reply = new byte[MhvtlWire.DataOutLength + n];
                MhvtlWire.WriteDataOut(reply, id, (uint)n);
                data.AsSpan(0, n).CopyTo(reply.AsSpan(MhvtlWire.DataOutLength));
                await SendAsync(socket, reply, ct).ConfigureAwait(false);
                continue;
            }
            var fixedBody = new byte[MhvtlWire.CdbResponseLength - MhvtlWire.HeaderLength];
            await ReceiveExactlyAsync(socket, fixedBody, ct).ConfigureAwait(false);
            var response = MhvtlWire.ReadCdbResponse(fixedBody, length);
            CheckId(response.CommandId, id);
            // DATA-IN may exceed the allocation length: keep what fits, drain the rest, report the residual.
            int room = Math.Min(dataIn.Length, Math.Max(0, command.TransferLength));
            int keep = (int)Math.Min(response.DataLength, (uint)room);
            if (keep > 0) await ReceiveExactlyAsync(socket, dataIn[..keep], ct).ConfigureAwait(false);
            int excess = (int)response.DataLength - keep;
            if (excess > 0) await ReceiveExactlyAsync(socket, new byte[excess], ct).ConfigureAwait(false);
            var status = (ScsiStatus)response.Status;
            var sense = status == ScsiStatus.CheckCondition ? MhvtlWire.TrimSense(response.Sense) : [];
            return new ScsiResult(status, keep, sense);
        }
    }

    private static void CheckId(ulong got, ulong expected)
    {
        if (got != expected) throw new MhvtlWireException($"reply for command id {got}; expected {expected}");
    }

    private static async ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> data, CancellationToken ct)
    {
        while (data.Length > 0)
        {
            int n = await socket.SendAsync(data, SocketFlags.None, ct).ConfigureAwait(false);
            if (n <= 0) throw new EndOfStreamException();
            data = data[n..];
        }
    }

    private static async ValueTask ReceiveExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken ct)
    {
        while (buffer.Length > 0)
        {
            int n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
            if (n == 0) throw new EndOfStreamException();
            buffer = buffer[n..];
        }
    }

    /// <summary>After a timeout or a broken reply the stream position is unknown: the next command starts a new connection.</summary>
    private void Drop()
    {
        _socket?.Dispose();
        _socket = null;
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        _lock.Dispose();
        return ValueTask.CompletedTask;
    }
}
