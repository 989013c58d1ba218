using System.Globalization;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>
/// A single-connection iSCSI session (ErrorRecoveryLevel 0) in the full feature phase. Commands run one at a time.
/// If the connection drops while a command is outstanding, the session logs in again once (same ISID, so the target
/// reinstates it) and re-issues the command; if that fails the caller gets a <see cref="ScsiTransportException"/> that says so.
/// Every wait is bounded: connect, login, each command (its <see cref="ScsiCommand.Timeout"/>), text and logout.
/// </summary>
public sealed class IscsiSession : IAsyncDisposable
{
    private const int MaxLoginRounds = 16;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly byte[] _isid;
    private IscsiConnection? _connection;
    private uint _itt;
    private uint _cmdSN;
    private uint _expStatSN;
    private uint _maxCmdSN;
    private bool _disposed;
    private bool _dropAfterCommand;

    private IscsiSession(IscsiSessionOptions options)
    {
        Options = options;
        _isid = new byte[6];
        // The ISID, first task tag and command number only have to differ between sessions; nothing is secret in them.
        // Random.Shared is seeded from the system's random bytes and needs no cryptography library: the cryptographic
        // generator loaded and initialised OpenSSL for them (about 12 million instructions per command line, callgrind).
        _isid[0] = 0x80;                                  // T=10b: random ISID (RFC 7143 §11.12.5)
        Random.Shared.NextBytes(_isid.AsSpan(1, 3));      // bytes 1-3 random, 4-5 qualifier 0
        _itt = (uint)Random.Shared.Next(1, int.MaxValue);
        _cmdSN = (uint)Random.Shared.Next(1, int.MaxValue);
    }

    public IscsiSessionOptions Options { get; }

    /// <summary>Negotiated operational parameters of the current connection.</summary>
    public IscsiNegotiatedParameters Parameters { get; private set; } = null!;

    /// <summary>Target-assigned session handle of the current login.</summary>
    public ushort Tsih { get; private set; }

    /// <summary>Keys the target sent during the last login (TargetAlias, TargetPortalGroupTag...).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> TargetKeys { get; private set; } = [];

    /// <summary>Number of successful logins (1 + reconnects).</summary>
    public int LoginCount { get; private set; }

    /// <summary>Set when the target sent an Asynchronous Message asking for logout; the session logs out and reconnects lazily.</summary>
    public int LogoutRequestsSeen { get; private set; }

    /// <summary>NOP-In pings from the target that were answered.</summary>
    public int NopInAnswered { get; private set; }

    /// <summary>Whether a connection is currently up.</summary>
    public bool IsConnected => _connection is not null;

    private string What => Options.IsDiscovery ? $"iSCSI discovery session at {Options.Portal}" : $"iSCSI target {Options.TargetName} at {Options.Portal}";

    /// <summary>Connects and logs in.</summary>
    public static async Task<IscsiSession> ConnectAsync(IscsiSessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ChapUser is not null && options.ChapSecret is null)
            throw new ArgumentException("CHAP needs a secret as well as a user name (iscsi://user%secret@host/...)", nameof(options));
        var session = new IscsiSession(options);
        await session.LoginAsync(cancellationToken).ConfigureAwait(false);
        return session;
    }

    // ---------------------------------------------------------------- login

    private async Task LoginAsync(CancellationToken ct)
    {
        var conn = await IscsiConnection.ConnectAsync(Options.Host, Options.Port, Options.ConnectTimeout, ct).ConfigureAwait(false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(Options.LoginTimeout);
        try
        {
            await LoginOnAsync(conn, cts.Token).ConfigureAwait(false);
            _connection = conn;
            LoginCount++;
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new ScsiTransportException(TransportFailure.Timeout, $"login to {What} timed out after {Options.LoginTimeout.TotalSeconds:0.#} s");
        }
        catch (ConnectionLostException e)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new ScsiTransportException(TransportFailure.Io, $"login to {What} failed: {e.Message}", inner: e);
        }
        catch (IscsiPduException e)
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw new ScsiTransportException(TransportFailure.Io, $"login to {What} failed: the target sent a {e.Message}", inner: e);
        }
        catch
        {
            await conn.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task LoginOnAsync(IscsiConnection conn, CancellationToken ct)
    {
        uint itt = NextItt();
        _expStatSN = 0;
        var received = new List<KeyValuePair<string, string>>();
        bool chap = Options.ChapUser is not null;

        // Security negotiation: first request carries the session keys and the AuthMethod offer.
        var first = new List<(string, string)> { ("InitiatorName", Options.InitiatorName) };
        if (Options.IsDiscovery) first.Add(("SessionType", "Discovery"));
        else
        {
            first.Add(("SessionType", "Normal"));
            first.Add(("TargetName", Options.TargetName!));
        }
        first.Add(("AuthMethod", chap ? "CHAP,None" : "None"));
        var (resp, keys) = await LoginStepAsync(conn, itt, LoginStage.SecurityNegotiation, transit: !chap, first, ct).ConfigureAwait(false);
        received.AddRange(keys);

        if (!(resp.Transit && resp.NextStage != LoginStage.SecurityNegotiation))
        {
            string? method = keys.Get("AuthMethod");
            if (method == "CHAP")
            {
                if (!chap) throw LoginFailure(TransportFailure.PermissionDenied, "the target requires CHAP authentication but no user/secret was given");
                (resp, keys) = await LoginStepAsync(conn, itt, LoginStage.SecurityNegotiation, transit: false, [("CHAP_A", Chap.AlgorithmMd5)], ct).ConfigureAwait(false);
                received.AddRange(keys);
                if (keys.Get("CHAP_A") != Chap.AlgorithmMd5)
                    throw LoginFailure(TransportFailure.Unsupported, $"the target chose CHAP algorithm '{keys.Get("CHAP_A")}', only MD5 (5) is supported");
                if (keys.Get("CHAP_I") is not { } idText || !Chap.TryParseNumber(idText, out int id) || id is < 0 or > 255)
                    throw LoginFailure(TransportFailure.Io, "the target sent no valid CHAP_I");
                if (keys.Get("CHAP_C") is not { } cText || Chap.FromBinary(cText) is not { Length: > 0 } challenge)
                    throw LoginFailure(TransportFailure.Io, "the target sent no valid CHAP_C challenge");
                var answer = Chap.Response((byte)id, Options.ChapSecret!, challenge);
                (resp, keys) = await LoginStepAsync(conn, itt, LoginStage.SecurityNegotiation, transit: true,
                    [("CHAP_N", Options.ChapUser!), ("CHAP_R", Chap.ToHex(answer))], ct).ConfigureAwait(false);
                received.AddRange(keys);
            }
            else if (method is not (null or "None"))
            {
                throw LoginFailure(TransportFailure.Unsupported, $"the target demands AuthMethod={method}, which is not supported (only CHAP and None)");
            }
            for (int round = 0; !(resp.Transit && resp.NextStage != LoginStage.SecurityNegotiation); round++)
            {
                if (round >= MaxLoginRounds) throw LoginFailure(TransportFailure.Io, "the target never left security negotiation");
                (resp, keys) = await LoginStepAsync(conn, itt, LoginStage.SecurityNegotiation, transit: true, [], ct).ConfigureAwait(false);
                received.AddRange(keys);
            }
        }

        // Operational negotiation (skipped if the target went straight to the full feature phase).
        if (resp.NextStage != LoginStage.FullFeaturePhase)
        {
            var op = new List<(string, string)> { ("HeaderDigest", "None"), ("DataDigest", "None"),
                ("MaxRecvDataSegmentLength", Num(Options.MaxRecvDataSegmentLength)) };
            if (!Options.IsDiscovery)
            {
                op.AddRange([("InitialR2T", YesNo(Options.InitialR2T)), ("ImmediateData", YesNo(Options.ImmediateData)),
                    ("MaxBurstLength", Num(Options.MaxBurstLength)), ("FirstBurstLength", Num(Options.FirstBurstLength)),
                    ("MaxOutstandingR2T", "1"), ("MaxConnections", "1"), ("DataPDUInOrder", "Yes"), ("DataSequenceInOrder", "Yes"),
                    ("ErrorRecoveryLevel", "0"), ("DefaultTime2Wait", "2"), ("DefaultTime2Retain", "0"),
                    ("IFMarker", "No"), ("OFMarker", "No")]);
            }
            (resp, keys) = await LoginStepAsync(conn, itt, LoginStage.OperationalNegotiation, transit: true, op, ct).ConfigureAwait(false);
            received.AddRange(keys);
            for (int round = 0; !(resp.Transit && resp.NextStage == LoginStage.FullFeaturePhase); round++)
            {
                if (round >= MaxLoginRounds) throw LoginFailure(TransportFailure.Io, "the target never agreed to enter the full feature phase");
                (resp, keys) = await LoginStepAsync(conn, itt, LoginStage.OperationalNegotiation, transit: true, [], ct).ConfigureAwait(false);
                received.AddRange(keys);
            }
        }
        Tsih = resp.Tsih;
        TargetKeys = received;
        Parameters = Negotiate(received);
    }

    private IscsiNegotiatedParameters Negotiate(IReadOnlyList<KeyValuePair<string, string>> keys)
    {
        foreach (var digest in new[] { "HeaderDigest", "DataDigest" })
        {
            if (keys.Get(digest) is { } d && d != "None")
                throw LoginFailure(TransportFailure.Unsupported, $"the target insists on {digest}={d}; only None is supported");
        }
        int Int(string key, int mine, Func<int, int, int> result) =>
            keys.Get(key) is { } v && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int t) ? result(mine, t) : mine;
        bool Bool(string key, bool mine, bool or) => keys.Get(key) is { } v ? (or ? mine || v == "Yes" : mine && v == "Yes") : mine;
        // The target's MaxRecvDataSegmentLength is declarative: it bounds what we send. RFC default 8192 if not declared.
        int targetMrdsl = keys.Get("MaxRecvDataSegmentLength") is { } m && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out int mr) && mr >= 512
            ? mr : 8192;
        int maxBurst = Int("MaxBurstLength", Options.MaxBurstLength, Math.Min);
        int firstBurst = Math.Min(Int("FirstBurstLength", Options.FirstBurstLength, Math.Min), maxBurst);
        return new IscsiNegotiatedParameters(targetMrdsl, maxBurst, firstBurst,
            InitialR2T: Bool("InitialR2T", Options.InitialR2T, or: true),
            ImmediateData: Bool("ImmediateData", Options.ImmediateData, or: false),
            MaxOutstandingR2T: Int("MaxOutstandingR2T", 1, Math.Min),
            ErrorRecoveryLevel: Int("ErrorRecoveryLevel", 0, Math.Min),
            DataPduInOrder: Bool("DataPDUInOrder", true, or: true),
            DataSequenceInOrder: Bool("DataSequenceInOrder", true, or: true),
            DefaultTime2Wait: Int("DefaultTime2Wait", 2, Math.Max),
            DefaultTime2Retain: Int("DefaultTime2Retain", 0, Math.Min));
    }

    private async Task<(LoginResponsePdu Response, List<KeyValuePair<string, string>> Keys)> LoginStepAsync(IscsiConnection conn, uint itt,
        LoginStage stage, bool transit, IEnumerable<(string Key, string Value)> keys, CancellationToken ct)
    {
        var next = stage == LoginStage.SecurityNegotiation ? LoginStage.OperationalNegotiation : LoginStage.FullFeaturePhase;
        var req = new LoginRequestPdu(transit, false, stage, next, 0, 0, _isid, 0, itt, 0, _cmdSN, _expStatSN)
        {
            Data = TextParameters.Encode(keys.Select(k => new KeyValuePair<string, string>(k.Key, k.Value))),
        };
        await conn.SendAsync(req, ct).ConfigureAwait(false);
        var pdu = await conn.ReceiveAsync(ct).ConfigureAwait(false);
        if (pdu is RejectPdu rj) throw LoginFailure(TransportFailure.Io, $"the target rejected the login PDU ({RejectPdu.ReasonText(rj.Reason)})");
        if (pdu is not LoginResponsePdu resp) throw LoginFailure(TransportFailure.Io, $"expected a Login Response, got {pdu.Opcode}");
        if (resp.StatusClass != 0) throw LoginRejected(resp, TextParameters.Parse(resp.Data, "Login Response"));
        if (resp.Itt != itt) throw LoginFailure(TransportFailure.Io, $"Login Response ITT 0x{resp.Itt:X8} does not match 0x{itt:X8}");
        _expStatSN = resp.StatSN + 1;
        UpdateWindow(resp.ExpCmdSN, resp.MaxCmdSN);
        return (resp, TextParameters.Parse(resp.Data, "Login Response"));
    }

    private ScsiTransportException LoginRejected(LoginResponsePdu r, IReadOnlyList<KeyValuePair<string, string>> keys)
    {
        int code = (r.StatusClass << 8) | r.StatusDetail;
        (TransportFailure failure, string text) = code switch
        {
            0x0101 or 0x0102 => (TransportFailure.NotFound, $"target moved {(code == 0x0101 ? "temporarily" : "permanently")} to {keys.Get("TargetAddress") ?? "an unnamed address"}"),
            0x0200 => (TransportFailure.Io, "initiator error"),
            0x0201 => (TransportFailure.PermissionDenied, Options.ChapUser is null
                ? "authentication failure (the target requires CHAP: give iscsi://user%secret@host/...)"
                : $"authentication failure (CHAP user '{Options.ChapUser}' or its secret was not accepted)"),
            0x0202 => (TransportFailure.PermissionDenied, $"authorization failure (initiator {Options.InitiatorName} may not access this target)"),
            0x0203 => (TransportFailure.NotFound, $"target not found: no target named '{Options.TargetName}' at {Options.Portal}"),
            0x0204 => (TransportFailure.NotFound, "target removed"),
            0x0205 => (TransportFailure.Unsupported, "unsupported iSCSI version"),
            0x0206 => (TransportFailure.Busy, "too many connections"),
            0x0207 => (TransportFailure.Io, "missing parameter"),
            0x0208 => (TransportFailure.Io, "cannot include the connection in the session"),
            0x0209 => (TransportFailure.Unsupported, "session type not supported"),
            0x020A => (TransportFailure.Io, "session does not exist"),
            0x020B => (TransportFailure.Io, "invalid request during login"),
            0x0300 => (TransportFailure.Io, "target error"),
            0x0301 => (TransportFailure.Busy, "service unavailable"),
            0x0302 => (TransportFailure.Busy, "target out of resources"),
            _ => (r.StatusClass == 2 ? TransportFailure.Io : TransportFailure.Io, "login failed"),
        };
        return new ScsiTransportException(failure, $"iSCSI login to {What} rejected: {text} (status 0x{code:X4})");
    }

    private ScsiTransportException LoginFailure(TransportFailure failure, string text) =>
        new(failure, $"iSCSI login to {What} failed: {text}");

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string YesNo(bool v) => v ? "Yes" : "No";

    // ---------------------------------------------------------------- full feature phase

    /// <summary>
    /// Executes one SCSI command on <paramref name="lun"/>. Data-in lands in <paramref name="dataIn"/> (never past its end:
    /// extra bytes count as overflow); data-out comes from <see cref="ScsiCommand.DataOut"/> as immediate data, unsolicited
    /// Data-Out and/or Data-Out answering R2Ts. SCSI status and sense are returned, never thrown.
    /// </summary>
    public async Task<ScsiResult> ExecuteAsync(int lun, ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Options.IsDiscovery) throw new InvalidOperationException("a discovery session cannot carry SCSI commands");
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            bool reconnected = false;
            Exception? lost = null;
            while (true)
            {
                if (_connection is null)
                {
                    await ReconnectAsync(command, lost, cancellationToken).ConfigureAwait(false);
                    reconnected = true;
                }
                try
                {
                    var result = await RunCommandAsync(lun, command, dataIn, cancellationToken).ConfigureAwait(false);
                    if (_dropAfterCommand) await CloseConnectionAsync(logout: true).ConfigureAwait(false);
                    return result;
                }
                catch (ConnectionLostException e)
                {
                    await CloseConnectionAsync(logout: false).ConfigureAwait(false);
                    if (reconnected || !Options.Reconnect)
                        throw new ScsiTransportException(TransportFailure.Io, $"{command.Name}: connection to {What} lost{(reconnected ? " again after reconnecting" : "")}: {e.Message}", command.Name, e);
                    if (!SafeToResend(command))
                    {
                        // The target may have run it before the drop: re-sending could move a second cartridge (or fail on
                        // the moved one). Report it; the next command reconnects, and status shows where things are.
                        throw new ScsiTransportException(TransportFailure.Io,
                            $"{command.Name}: connection to {What} lost while the command was in flight ({e.Message}); it may or may not have run, so it is not re-sent: check with 'status'", command.Name, e);
                    }
                    lost = e;
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Commands that change where cartridges are must not run twice; everything else may be re-sent after a reconnect.</summary>
    public static bool SafeToResend(ScsiCommand command) => command.Cdb.Length == 0 || command.Cdb[0] is not (OpCode.MoveMedium or OpCode.ExchangeMedium);

    private async Task ReconnectAsync(ScsiCommand command, Exception? cause, CancellationToken ct)
    {
        try
        {
            await LoginAsync(ct).ConfigureAwait(false);
        }
        catch (ScsiTransportException e)
        {
            string why = cause is null ? "the connection was closed earlier" : $"the connection was lost ({cause.Message})";
            throw new ScsiTransportException(e.Failure == TransportFailure.Timeout ? TransportFailure.Timeout : TransportFailure.Io,
                $"{command.Name} not executed: {why} and reconnecting to {What} failed: {e.Message}", command.Name, e);
        }
    }

    private async Task<ScsiResult> RunCommandAsync(int lun, ScsiCommand command, Memory<byte> dataIn, CancellationToken ct)
    {
        var conn = _connection!;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(command.Timeout);
        try
        {
            return await ExchangeAsync(conn, lun, command, dataIn, cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The target's view of the task is unknown now: drop the connection, the next command logs in again.
            await CloseConnectionAsync(logout: false).ConfigureAwait(false);
            throw new ScsiTransportException(TransportFailure.Timeout,
                $"{command.Name} timed out after {command.Timeout.TotalSeconds:0.#} s waiting for {What}", command.Name);
        }
        catch (OperationCanceledException)
        {
            await CloseConnectionAsync(logout: false).ConfigureAwait(false);
            throw;
        }
        catch (IscsiPduException e)
        {
            await CloseConnectionAsync(logout: false).ConfigureAwait(false);
            throw new ScsiTransportException(TransportFailure.Io, $"{command.Name}: {What} sent a {e.Message}", command.Name, e);
        }
        catch (ProtocolViolation e)
        {
            await CloseConnectionAsync(logout: false).ConfigureAwait(false);
            throw new ScsiTransportException(TransportFailure.Io, $"{command.Name}: {e.Message}", command.Name);
        }
    }

    /// <summary>A well-formed PDU that breaks the protocol (wrong place, impossible offsets...).</summary>
    private sealed class ProtocolViolation(string message) : Exception(message);

    private async Task<ScsiResult> ExchangeAsync(IscsiConnection conn, int lun, ScsiCommand command, Memory<byte> dataIn, CancellationToken ct)
    {
        var p = Parameters;
        ulong lunField = IscsiLun.Encode(lun);
        uint itt = NextItt();
        byte[] outData = command.Direction == DataDirection.Out ? command.DataOut ?? [] : [];
        int outLen = Math.Min(outData.Length, command.TransferLength);
        bool read = command.Direction == DataDirection.In && command.TransferLength > 0;
        bool write = outLen > 0;
        uint edtl = (uint)(read ? command.TransferLength : write ? outLen : 0);

        int immediate = write && p.ImmediateData ? Math.Min(outLen, Math.Min(p.FirstBurstLength, p.TargetMaxRecvDataSegmentLength)) : 0;
        int unsolicitedEnd = write && !p.InitialR2T ? Math.Min(outLen, p.FirstBurstLength) : immediate;
        if (unsolicitedEnd < immediate) unsolicitedEnd = immediate;

        uint cmdSN = _cmdSN++;
        var cmd = new ScsiCommandPdu(false, unsolicitedEnd == immediate, read, write, 1 /* SIMPLE */, lunField, itt, edtl, cmdSN, _expStatSN, command.Cdb)
        {
            Data = outData.AsSpan(0, immediate).ToArray(),
        };
        await conn.SendAsync(cmd, ct).ConfigureAwait(false);
        if (unsolicitedEnd > immediate)
            await SendDataOutAsync(conn, lunField, itt, IscsiConstants.ReservedTag, outData, immediate, unsolicitedEnd - immediate, ct).ConfigureAwait(false);

        var buffer = dataIn;
        int limit = read ? Math.Min(buffer.Length, (int)edtl) : 0;
        int highWater = 0;
        uint expectedDataSN = 0;
        while (true)
        {
            var pdu = await conn.ReceiveAsync(ct).ConfigureAwait(false);
            switch (pdu)
            {
                case DataInPdu d when d.Itt == itt:
                {
                    if (!read) throw new ProtocolViolation($"{What} sent Data-In for {command.Name}, which reads no data");
                    if (d.DataSN != expectedDataSN) throw new ProtocolViolation($"Data-In DataSN {d.DataSN} out of order (expected {expectedDataSN}); error recovery is not supported");
                    expectedDataSN++;
                    UpdateWindow(d.ExpCmdSN, d.MaxCmdSN);
                    long off = d.BufferOffset;
                    if (off < limit)
                    {
                        int n = (int)Math.Min(d.Data.Length, limit - off);
                        d.Data.AsSpan(0, n).CopyTo(buffer.Span[(int)off..]);
                        highWater = Math.Max(highWater, (int)off + n);
                    }
                    if (d.HasStatus)
                    {
                        _expStatSN = d.StatSN + 1;
                        return new ScsiResult((ScsiStatus)d.Status, Transferred(highWater, edtl, d.Underflow, d.Residual), []);
                    }
                    break;
                }
                case R2TPdu r when r.Itt == itt:
                {
                    UpdateWindow(r.ExpCmdSN, r.MaxCmdSN);
                    if (!write || (long)r.BufferOffset + r.DesiredDataTransferLength > outLen)
                        throw new ProtocolViolation($"R2T for bytes {r.BufferOffset}+{r.DesiredDataTransferLength} of {command.Name}, which has {outLen} byte(s) to send");
                    await SendDataOutAsync(conn, lunField, itt, r.Ttt, outData, (int)r.BufferOffset, (int)r.DesiredDataTransferLength, ct).ConfigureAwait(false);
                    break;
                }
                case ScsiResponsePdu s when s.Itt == itt:
                {
                    _expStatSN = s.StatSN + 1;
                    UpdateWindow(s.ExpCmdSN, s.MaxCmdSN);
                    if (s.Response != 0)
                        throw new ProtocolViolation($"{What} could not complete {command.Name} (iSCSI response 0x{s.Response:X2}: {(s.Response == 1 ? "target failure" : "vendor specific")})");
                    var sense = s.Sense();
                    return new ScsiResult((ScsiStatus)s.Status, read ? Transferred(highWater, edtl, s.Underflow, s.Residual) : 0, sense);
                }
                case NopInPdu n:
                    await HandleNopInAsync(conn, n, ct).ConfigureAwait(false);
                    break;
                case AsyncMessagePdu a:
                    HandleAsync(a);
                    break;
                case RejectPdu rj:
                    _expStatSN = rj.StatSN + 1;
                    throw new ProtocolViolation($"{What} rejected {command.Name}: {RejectPdu.ReasonText(rj.Reason)}");
                case DataInPdu or R2TPdu or ScsiResponsePdu:
                    break;                                   // a stale task's PDU (ITT of an abandoned command)
                default:
                    throw new ProtocolViolation($"{What} sent an unexpected {pdu.Opcode} PDU during {command.Name}");
            }
        }
    }

    /// <summary>Bytes placed in the caller's buffer, reduced by an underflow residual the target reported.</summary>
    private static int Transferred(int highWater, uint edtl, bool underflow, uint residual) =>
        underflow && residual <= edtl ? Math.Min(highWater, (int)(edtl - residual)) : highWater;

    private async Task SendDataOutAsync(IscsiConnection conn, ulong lun, uint itt, uint ttt, byte[] data, int offset, int length, CancellationToken ct)
    {
        int chunk = Parameters.TargetMaxRecvDataSegmentLength;
        uint dataSN = 0;
        for (int at = offset, end = offset + length; at < end; at += chunk)
        {
            int n = Math.Min(chunk, end - at);
            var pdu = new DataOutPdu(at + n >= end, lun, itt, ttt, _expStatSN, dataSN++, (uint)at) { Data = data.AsSpan(at, n).ToArray() };
            await conn.SendAsync(pdu, ct).ConfigureAwait(false);
        }
    }

    private async Task HandleNopInAsync(IscsiConnection conn, NopInPdu n, CancellationToken ct)
    {
        UpdateWindow(n.ExpCmdSN, n.MaxCmdSN);
        if (n.Itt != IscsiConstants.ReservedTag) _expStatSN = n.StatSN + 1;  // answer to our ping: carries a real StatSN
        if (n.Ttt == IscsiConstants.ReservedTag) return;                    // no answer wanted
        // RFC 7143 §11.18: answer with an immediate NOP-Out, ITT reserved, TTT and LUN echoed, CmdSN not advanced.
        await conn.SendAsync(new NopOutPdu(true, n.Lun, IscsiConstants.ReservedTag, n.Ttt, _cmdSN, _expStatSN) { Data = n.Data }, ct).ConfigureAwait(false);
        NopInAnswered++;
    }

    private void HandleAsync(AsyncMessagePdu a)
    {
        _expStatSN = a.StatSN + 1;
        UpdateWindow(a.ExpCmdSN, a.MaxCmdSN);
        switch (a.Event)
        {
            case AsyncEvent.LogoutRequested:
                LogoutRequestsSeen++;
                _dropAfterCommand = true;           // log out after this command; the next one logs in again
                break;
            case AsyncEvent.ConnectionDrop or AsyncEvent.SessionDrop:
                _dropAfterCommand = true;
                break;
            default:
                break;                              // SCSI async events arrive again as UNIT ATTENTION; renegotiation is not offered
        }
    }

    /// <summary>Sends a NOP-Out ping and waits for its NOP-In (a liveness check).</summary>
    public async Task PingAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null) await LoginAsync(cancellationToken).ConfigureAwait(false);
            var conn = _connection!;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(timeout);
            uint itt = NextItt();
            try
            {
                await conn.SendAsync(new NopOutPdu(true, 0, itt, IscsiConstants.ReservedTag, _cmdSN, _expStatSN), cts.Token).ConfigureAwait(false);
                while (true)
                {
                    var pdu = await conn.ReceiveAsync(cts.Token).ConfigureAwait(false);
                    if (pdu is NopInPdu n && n.Itt == itt)
                    {
                        UpdateWindow(n.ExpCmdSN, n.MaxCmdSN);
                        _expStatSN = n.StatSN + 1;
                        return;
                    }
                    if (pdu is NopInPdu other) await HandleNopInAsync(conn, other, cts.Token).ConfigureAwait(false);
                    else if (pdu is AsyncMessagePdu a) HandleAsync(a);
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await CloseConnectionAsync(logout: false).ConfigureAwait(false);
                throw new ScsiTransportException(TransportFailure.Timeout, $"{What} did not answer a NOP-Out ping within {timeout.TotalSeconds:0.#} s");
            }
            catch (Exception e) when (e is ConnectionLostException or IscsiPduException)
            {
                await CloseConnectionAsync(logout: false).ConfigureAwait(false);
                throw new ScsiTransportException(TransportFailure.Io, $"ping of {What} failed: {e.Message}", inner: e);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// One text exchange (e.g. SendTargets=All), following continuation (C bit) until the final response.
    /// Returns the target's key=value pairs in order.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<string, string>>> TextAsync(string key, string value, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null) await LoginAsync(cancellationToken).ConfigureAwait(false);
            var conn = _connection!;
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(Options.TextTimeout);
            try
            {
                uint itt = NextItt();
                uint ttt = IscsiConstants.ReservedTag;
                var data = TextParameters.Encode((key, value));
                var text = new List<byte>();
                for (int round = 0; round < 1024; round++)
                {
                    await conn.SendAsync(new TextRequestPdu(false, true, false, 0, itt, ttt, _cmdSN++, _expStatSN) { Data = data }, cts.Token).ConfigureAwait(false);
                    IscsiPdu pdu;
                    do
                    {
                        pdu = await conn.ReceiveAsync(cts.Token).ConfigureAwait(false);
                        if (pdu is NopInPdu n) await HandleNopInAsync(conn, n, cts.Token).ConfigureAwait(false);
                        else if (pdu is AsyncMessagePdu a) HandleAsync(a);
                        else if (pdu is RejectPdu rj) throw new ProtocolViolation($"{What} rejected the text request: {RejectPdu.ReasonText(rj.Reason)}");
                    }
                    while (pdu is not TextResponsePdu);
                    var r = (TextResponsePdu)pdu;
                    if (r.Itt != itt) throw new ProtocolViolation($"Text Response ITT 0x{r.Itt:X8} does not match 0x{itt:X8}");
                    _expStatSN = r.StatSN + 1;
                    UpdateWindow(r.ExpCmdSN, r.MaxCmdSN);
                    text.AddRange(r.Data);
                    if (r.Final && !r.Continue) return TextParameters.Parse(text.ToArray(), "Text Response");
                    ttt = r.Ttt;
                    data = [];
                }
                throw new ProtocolViolation($"{What} never finished its text response");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await CloseConnectionAsync(logout: false).ConfigureAwait(false);
                throw new ScsiTransportException(TransportFailure.Timeout, $"{What} did not answer the {key} text request within {Options.TextTimeout.TotalSeconds:0.#} s");
            }
            catch (Exception e) when (e is ConnectionLostException or IscsiPduException or ProtocolViolation)
            {
                await CloseConnectionAsync(logout: false).ConfigureAwait(false);
                throw new ScsiTransportException(TransportFailure.Io, $"{key} text request to {What} failed: {e.Message}", inner: e);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    // ---------------------------------------------------------------- sequence numbers, logout

    private uint NextItt()
    {
        _itt++;
        if (_itt == IscsiConstants.ReservedTag) _itt = 1;
        return _itt;
    }

    /// <summary>Serial-number arithmetic (RFC 1982, 32 bits): only move MaxCmdSN forward.</summary>
    private void UpdateWindow(uint expCmdSN, uint maxCmdSN)
    {
        // ExpCmdSN acknowledges our commands; with one command at a time it needs no bookkeeping beyond validation.
        if ((int)(maxCmdSN - expCmdSN) < -1) return;              // invalid window: ignore (RFC 7143 §4.2.2.1)
        if ((int)(maxCmdSN - _maxCmdSN) > 0 || _maxCmdSN == 0) _maxCmdSN = maxCmdSN;
    }

    private async Task CloseConnectionAsync(bool logout)
    {
        _dropAfterCommand = false;
        var conn = _connection;
        _connection = null;
        if (conn is null) return;
        if (logout)
        {
            using var cts = new CancellationTokenSource(Options.LogoutTimeout);
            try
            {
                uint itt = NextItt();
                await conn.SendAsync(new LogoutRequestPdu(true, LogoutReason.CloseSession, itt, 0, _cmdSN, _expStatSN), cts.Token).ConfigureAwait(false);
                while (await conn.ReceiveAsync(cts.Token).ConfigureAwait(false) is not LogoutResponsePdu)
                {
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ConnectionLostException or IscsiPduException)
            {
                // Logout is a courtesy: the target cleans up when the connection closes anyway.
            }
        }
        await conn.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Logs out (bounded by <see cref="IscsiSessionOptions.LogoutTimeout"/>) and closes the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            await CloseConnectionAsync(logout: true).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }
}
