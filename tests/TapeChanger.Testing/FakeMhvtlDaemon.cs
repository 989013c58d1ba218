using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net.Sockets;

namespace TapeChanger.Testing;

/// <summary>What the fake daemon does with one received MSG_CDB.</summary>
public abstract record FakeAction
{
    /// <summary>MSG_CDB_RESP with this status, sense (padded to 96) and DATA-IN; <paramref name="Id"/> overrides the echoed cmd_id.</summary>
    public sealed record Reply(byte Status = 0, byte[]? Sense = null, byte[]? Data = null, ulong? Id = null, uint? HeaderLengthOverride = null) : FakeAction;
    /// <summary>MSG_DATA_REQ for <paramref name="Length"/> bytes, reads the MSG_DATA_OUT, then replies GOOD without data.</summary>
    public sealed record RequestData(uint Length) : FakeAction;
    /// <summary>Never answers.</summary>
    public sealed record Silent : FakeAction;
    /// <summary>Closes the connection without a reply.</summary>
    public sealed record Close : FakeAction;
    /// <summary>Sends these raw bytes and keeps the connection open.</summary>
    public sealed record Raw(byte[] Bytes) : FakeAction;
}

/// <summary>
/// A small stand-in for mhVTL's userland backend: listens on a unix socket, serves one client at a time (later ones
/// wait in the listen queue, as in usr/transport_userland.c), reads 40-byte MSG_CDB messages and answers as the test
/// scripts it. Encodes and decodes with BinaryPrimitives on its own (not with MhvtlWire), so the round trips test the
/// transport's layout against an independent one.
/// </summary>
public sealed class FakeMhvtlDaemon : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<byte[], FakeAction> _script;

    /// <summary>Every byte received from clients, per message (MSG_CDB, MSG_DATA_OUT header, DATA-OUT).</summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    /// <summary>CDBs received (first byte = opcode; 16 bytes as on the wire).</summary>
    public ConcurrentQueue<byte[]> Cdbs { get; } = new();

    public int Connections;

    public string SocketPath { get; }

    public FakeMhvtlDaemon(string socketPath, Func<byte[], FakeAction> script)
    {
        SocketPath = socketPath;
        _script = script;
        if (File.Exists(socketPath)) File.Delete(socketPath);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        _listener.Listen(1);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>GOOD with this DATA-IN for every command.</summary>
    public static Func<byte[], FakeAction> Answer(byte[] data) => _ => new FakeAction.Reply(Data: data);

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception) { return; }
            Interlocked.Increment(ref Connections);
            using (client)
            {
                try { await ServeAsync(client); }
                catch (Exception) { /* client went away */ }
            }
        }
    }

    private async Task ServeAsync(Socket client)
    {
        var ct = _stop.Token;
        while (true)
        {
            var msg = new byte[40];
            if (!await ReadAsync(client, msg, ct)) return;
            Received.Enqueue(msg);
            if (BinaryPrimitives.ReadUInt32LittleEndian(msg) != 4) return;     // not MSG_CDB: mhVTL ignores it; the fake hangs up so the test sees it
            ulong id = BinaryPrimitives.ReadUInt64LittleEndian(msg.AsSpan(8));
            var cdb = msg.AsSpan(16, 16).ToArray();
            Cdbs.Enqueue(cdb);
            switch (_script(cdb))
            {
                case FakeAction.Reply r:
                    await client.SendAsync(Response(r.Id ?? id, r.Status, r.Sense, r.Data ?? [], r.HeaderLengthOverride), ct);
                    break;
                case FakeAction.RequestData q:
                    var req = new byte[24];
                    BinaryPrimitives.WriteUInt32LittleEndian(req, 6);
                    BinaryPrimitives.WriteUInt32LittleEndian(req.AsSpan(4), 16);
                    BinaryPrimitives.WriteUInt64LittleEndian(req.AsSpan(8), id);
                    BinaryPrimitives.WriteUInt32LittleEndian(req.AsSpan(16), q.Length);
                    await client.SendAsync(req, ct);
                    var dout = new byte[24];
                    if (!await ReadAsync(client, dout, ct)) return;
                    Received.Enqueue(dout);
                    var data = new byte[BinaryPrimitives.ReadUInt32LittleEndian(dout.AsSpan(16))];
                    if (!await ReadAsync(client, data, ct)) return;
                    Received.Enqueue(data);
                    await client.SendAsync(Response(id, 0, null, [], null), ct);
                    break;
                case FakeAction.Silent:
                    await Task.Delay(Timeout.Infinite, ct);
                    break;
                case FakeAction.Close:
                    return;
                case FakeAction.Raw raw:
                    await client.SendAsync(raw.Bytes, ct);
                    break;
            }
        }
    }

    /// <summary>struct tcmu_msg_cdb_resp + DATA-IN, laid out by hand.</summary>
    public static byte[] Response(ulong id, byte status, byte[]? sense, byte[] data, uint? headerLength)
    {
        var m = new byte[120 + data.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(m, 5);
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(4), headerLength ?? (uint)(112 + data.Length));
        BinaryPrimitives.WriteUInt64LittleEndian(m.AsSpan(8), id);
        m[16] = status;
        sense?.AsSpan(0, Math.Min(96, sense.Length)).CopyTo(m.AsSpan(17));
        BinaryPrimitives.WriteUInt32LittleEndian(m.AsSpan(116), (uint)data.Length);
        data.CopyTo(m.AsSpan(120));
        return m;
    }

    private static async Task<bool> ReadAsync(Socket s, Memory<byte> buffer, CancellationToken ct)
    {
        while (buffer.Length > 0)
        {
            int n = await s.ReceiveAsync(buffer, SocketFlags.None, ct);
            if (n == 0) return false;
            buffer = buffer[n..];
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { await _loop; } catch (Exception) { }
        try { File.Delete(SocketPath); } catch (IOException) { }
        _stop.Dispose();
    }
}
