using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>
/// An in-process iSCSI target on loopback that speaks through the production PDU codec (the Npgsql PgServerMock idea).
/// Login (None or CHAP), operational keys, SendTargets and logout are built in; SCSI commands go to <see cref="OnCommand"/>,
/// which scripts the reply (Data-In, R2T, NOP-In, drops, garbage, silence).
/// </summary>
public sealed class MockTarget : IAsyncDisposable
{
    public const string Name = "iqn.2026-11.test:mock";

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly Task _accept;

    /// <summary>Listens on <paramref name="address"/> (default 127.0.0.1), a port the kernel picks.</summary>
    public MockTarget(IPAddress? address = null)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptLoopAsync();
    }

    public int Port { get; }
    public string? ChapUser { get; set; }
    public string? ChapSecret { get; set; }
    /// <summary>Answer the first login request with this Status-Class/Detail.</summary>
    public ushort? LoginStatus { get; set; }
    /// <summary>Never answer login requests.</summary>
    public bool SilentLogin { get; set; }
    public int MaxRecvDataSegmentLength { get; set; } = 8192;
    public bool InitialR2T { get; set; } = true;
    public bool ImmediateData { get; set; } = true;
    public int FirstBurstLength { get; set; } = 65536;
    /// <summary>SendTargets answer split into this many Text Responses (C bit on all but the last).</summary>
    public int TextResponseParts { get; set; } = 1;

    /// <summary>Handles one SCSI command; default: GOOD without data.</summary>
    public Func<MockConnection, ScsiCommandPdu, Task> OnCommand { get; set; } = (c, cmd) => c.RespondAsync(cmd, 0);

    /// <summary>Abort this many connections when their Login Request arrives (a drop during login).</summary>
    public int DropDuringLogin;
    /// <summary>Abort this many connections right after a successful login, before any command (a drop while idle).</summary>
    public int DropAfterLogin;

    public int Connections;
    public int Logins;
    public int Logouts;
    /// <summary>Pings (NOP-Out with an initiator task tag) answered with a NOP-In.</summary>
    public int Pings;
    public readonly List<ScsiCommandPdu> Commands = [];
    public readonly List<string> LoginKeys = [];

    /// <summary>Stops accepting new connections (existing ones stay up).</summary>
    public void StopListening() => _listener.Stop();

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket s;
            try
            {
                s = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref Connections);
            var conn = new MockConnection(this, s);
            lock (_tasks) _tasks.Add(conn.RunAsync(_stop.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accept;
        Task[] all;
        lock (_tasks) all = [.. _tasks];
        await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    internal async Task<bool> LoginAsync(MockConnection c, CancellationToken ct)
    {
        bool chapDone = ChapUser is null;
        byte chapId = 0x2A;
        byte[] challenge = RandomNumberGenerator.GetBytes(16);
        while (true)
        {
            if (await c.ReceiveAsync(ct) is not LoginRequestPdu req) return false;
            if (Interlocked.Decrement(ref DropDuringLogin) >= 0) { c.Abort(); return false; }
            var keys = TextParameters.Parse(req.Data);
            lock (LoginKeys) LoginKeys.AddRange(keys.Select(k => $"{k.Key}={k.Value}"));
            if (SilentLogin) { await Task.Delay(Timeout.Infinite, ct); }
            LoginResponsePdu Reply(bool transit, LoginStage next, ushort status = 0, ushort tsih = 0) =>
                new(transit, false, req.CurrentStage, next, 0, 0, req.Isid, tsih, req.Itt, c.StatSN++, req.CmdSN, req.CmdSN + 16,
                    (byte)(status >> 8), (byte)status);
            if (LoginStatus is ushort st)
            {
                await c.SendAsync(Reply(false, 0, st));
                return false;
            }
            if (keys.Get("TargetName") is { } tn && tn != Name)
            {
                await c.SendAsync(Reply(false, 0, 0x0203));
                return false;
            }
            if (keys.Get("SessionType") == "Discovery") c.Discovery = true;
            if (req.CurrentStage == LoginStage.SecurityNegotiation)
            {
                var out_ = new List<(string, string)>();
                if (keys.Get("AuthMethod") is { } offer)
                {
                    string chosen = ChapUser is not null ? (offer.Split(',').Contains("CHAP") ? "CHAP" : "Reject") : "None";
                    out_.Add(("AuthMethod", chosen));
                    if (chosen == "Reject") { await c.SendAsync(Reply(false, 0, 0x0201)); return false; }
                }
                if (keys.Get("CHAP_A") is not null)
                {
                    out_.AddRange([("CHAP_A", "5"), ("CHAP_I", chapId.ToString()), ("CHAP_C", Chap.ToHex(challenge))]);
                }
                if (keys.Get("CHAP_R") is { } r)
                {
                    var expected = Chap.Response(chapId, ChapSecret!, challenge);
                    if (keys.Get("CHAP_N") != ChapUser || Chap.FromBinary(r) is not { } got || !got.SequenceEqual(expected))
                    {
                        await c.SendAsync(Reply(false, 0, 0x0201));
                        return false;
                    }
                    chapDone = true;
                }
                bool transit = req.Transit && chapDone;
                await c.SendAsync(Reply(transit, transit ? req.NextStage : 0) with { Data = TextParameters.Encode([.. out_]) });
                continue;
            }
            // Operational negotiation: answer our values and go to the full feature phase.
            if (!chapDone) { await c.SendAsync(Reply(false, 0, 0x0201)); return false; }
            var op = new List<(string, string)>
            {
                ("HeaderDigest", "None"), ("DataDigest", "None"), ("MaxRecvDataSegmentLength", MaxRecvDataSegmentLength.ToString()),
                ("TargetPortalGroupTag", "1"),
            };
            if (!c.Discovery)
            {
                op.AddRange([("InitialR2T", InitialR2T ? "Yes" : "No"), ("ImmediateData", ImmediateData ? "Yes" : "No"),
                    ("FirstBurstLength", FirstBurstLength.ToString()), ("MaxBurstLength", "262144"), ("MaxOutstandingR2T", "1"),
                    ("ErrorRecoveryLevel", "0")]);
            }
            await c.SendAsync(Reply(true, LoginStage.FullFeaturePhase, tsih: 7) with { Data = TextParameters.Encode([.. op]) });
            Interlocked.Increment(ref Logins);
            return true;
        }
    }

    internal async Task TextAsync(MockConnection c, TextRequestPdu req, CancellationToken ct)
    {
        var all = TextParameters.Encode(("TargetName", Name), ("TargetAddress", $"127.0.0.1:{Port},1"), ("TargetAddress", $"[::1]:{Port},2"),
            ("TargetName", Name + "2"), ("TargetAddress", "10.0.0.1,3"));
        int part = (all.Length + TextResponseParts - 1) / TextResponseParts;
        for (int i = 0; i < TextResponseParts; i++)
        {
            bool last = i == TextResponseParts - 1;
            var chunk = all.AsSpan(i * part, Math.Min(part, all.Length - i * part)).ToArray();
            await c.SendAsync(new TextResponsePdu(last, !last, 0, req.Itt, last ? IscsiConstants.ReservedTag : 0x55u, c.StatSN++, req.CmdSN + 1, req.CmdSN + 16) { Data = chunk });
            if (!last && await c.ReceiveAsync(ct) is not TextRequestPdu { Ttt: 0x55 }) throw new InvalidOperationException("expected a continuation Text Request");
        }
    }
}

/// <summary>One accepted connection of <see cref="MockTarget"/>.</summary>
public sealed class MockConnection(MockTarget target, Socket socket)
{
    private readonly NetworkStream _stream = new(socket, ownsSocket: true);

    public uint StatSN = 100;
    public bool Discovery;
    public MockTarget Target => target;
    public uint ExpCmdSN;

    public async Task SendAsync(IscsiPdu pdu) => await _stream.WriteAsync(pdu.Encode());

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    public async Task<IscsiPdu> ReceiveAsync(CancellationToken ct = default)
    {
        var bhs = new byte[IscsiConstants.BhsLength];
        await _stream.ReadExactlyAsync(bhs, ct);
        var pdu = new byte[IscsiConstants.BhsLength + IscsiFraming.RemainingLength(bhs)];
        bhs.CopyTo(pdu, 0);
        await _stream.ReadExactlyAsync(pdu.AsMemory(IscsiConstants.BhsLength), ct);
        return IscsiPdu.Decode(pdu);
    }

    /// <summary>Closes the TCP connection in order (FIN): the initiator reads the end of the stream.</summary>
    public void Close()
    {
        socket.Shutdown(SocketShutdown.Both);
        socket.Close();
    }

    /// <summary>Closes the TCP connection abruptly (RST).</summary>
    public void Abort()
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public Task DataInAsync(ScsiCommandPdu cmd, byte[] data, uint offset, uint dataSN, bool withStatus = false, byte status = 0,
        bool underflow = false, bool overflow = false, uint residual = 0) =>
        SendAsync(new DataInPdu(withStatus, false, overflow, underflow, withStatus, status, cmd.Lun, cmd.Itt, IscsiConstants.ReservedTag,
            withStatus ? StatSN++ : 0, cmd.CmdSN + 1, cmd.CmdSN + 16, dataSN, offset, residual) { Data = data });

    public Task RespondAsync(ScsiCommandPdu cmd, byte status, byte[]? sense = null, bool underflow = false, bool overflow = false, uint residual = 0) =>
        SendAsync(new ScsiResponsePdu(false, false, overflow, underflow, 0, status, cmd.Itt, 0, StatSN++, cmd.CmdSN + 1, cmd.CmdSN + 16, 0, 0, residual)
        {
            Data = sense is null ? [] : ScsiResponsePdu.SenseSegment(sense),
        });

    internal async Task RunAsync(CancellationToken ct)
    {
        try
        {
            if (!await target.LoginAsync(this, ct)) return;
            if (Interlocked.Decrement(ref target.DropAfterLogin) >= 0) { Abort(); return; }
            while (!ct.IsCancellationRequested)
            {
                var pdu = await ReceiveAsync(ct);
                switch (pdu)
                {
                    case ScsiCommandPdu cmd:
                        lock (target.Commands) target.Commands.Add(cmd);
                        await target.OnCommand(this, cmd);
                        break;
                    case TextRequestPdu t:
                        await target.TextAsync(this, t, ct);
                        break;
                    case LogoutRequestPdu l:
                        Interlocked.Increment(ref target.Logouts);
                        await SendAsync(new LogoutResponsePdu(0, l.Itt, StatSN++, l.CmdSN, l.CmdSN + 16, 2, 0));
                        return;
                    case NopOutPdu n when n.Itt != IscsiConstants.ReservedTag:
                        Interlocked.Increment(ref target.Pings);
                        await SendAsync(new NopInPdu(n.Lun, n.Itt, IscsiConstants.ReservedTag, StatSN++, n.CmdSN, n.CmdSN + 16));
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
        }
        finally
        {
            try { socket.Close(); } catch (ObjectDisposedException) { }
        }
    }
}
