using System.Globalization;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>What the target asks of an idle or busy session (NOP-In RFC 7143 §11.19, asynchronous messages §11.9) and the session-level exchanges: ping (NOP-Out §11.18) and text requests (§11.10).</summary>
public sealed partial class IscsiSession
{
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
            using var limit = conn.Limit(timeout, cancellationToken);
            uint itt = NextItt();
            try
            {
                await conn.SendAsync(new NopOutPdu(true, 0, itt, IscsiConstants.ReservedTag, _cmdSN, _expStatSN), limit.Token).ConfigureAwait(false);
                while (true)
                {
                    var pdu = await conn.ReceiveAsync(limit.Token).ConfigureAwait(false);
                    if (pdu is NopInPdu n && n.Itt == itt)
                    {
                        UpdateWindow(n.ExpCmdSN, n.MaxCmdSN);
                        _expStatSN = n.StatSN + 1;
                        return;
                    }
                    if (pdu is NopInPdu other) await HandleNopInAsync(conn, other, limit.Token).ConfigureAwait(false);
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
            using var limit = conn.Limit(Options.TextTimeout, cancellationToken);
            try
            {
                uint itt = NextItt();
                uint ttt = IscsiConstants.ReservedTag;
                var data = TextParameters.Encode((key, value));
                var text = new List<byte>();
                for (int round = 0; round < 1024; round++)
                {
                    await conn.SendAsync(new TextRequestPdu(false, true, false, 0, itt, ttt, _cmdSN++, _expStatSN) { Data = data }, limit.Token).ConfigureAwait(false);
                    IscsiPdu pdu;
                    do
                    {
                        pdu = await conn.ReceiveAsync(limit.Token).ConfigureAwait(false);
                        if (pdu is NopInPdu n) await HandleNopInAsync(conn, n, limit.Token).ConfigureAwait(false);
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
}
