using System.Globalization;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>Login phase (RFC 7143 §6, PDUs §11.12-11.13): security and operational negotiation, CHAP, and the login's failures.</summary>
public sealed partial class IscsiSession
{
    // ---------------------------------------------------------------- login

    private async Task LoginAsync(CancellationToken ct)
    {
        var conn = await IscsiConnection.ConnectAsync(Options.Host, Options.Port, Options.ConnectTimeout, Options.WaitOnCallersThread, ct).ConfigureAwait(false);
        using var limit = conn.Limit(Options.LoginTimeout, ct);
        try
        {
            await LoginOnAsync(conn, limit.Token).ConfigureAwait(false);
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
}
