using System.Globalization;
using TapeChanger.Scsi;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi;

/// <summary>Full feature phase (RFC 7143 §11.3-11.8): one SCSI command with its Data-In, R2T and Data-Out, and the reconnect that re-issues a command safe to resend.</summary>
public sealed partial class IscsiSession
{
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
        using var limit = conn.Limit(command.Timeout, ct);
        try
        {
            return await ExchangeAsync(conn, lun, command, dataIn, limit.Token).ConfigureAwait(false);
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

        // Data-In lands in the caller's buffer as it is received, never past the expected transfer length.
        var into = read ? new DataInDestination(itt, dataIn[..Math.Min(dataIn.Length, (int)edtl)]) : null;
        int highWater = 0;
        uint expectedDataSN = 0;
        while (true)
        {
            var pdu = await conn.ReceiveAsync(into, ct).ConfigureAwait(false);
            switch (pdu)
            {
                case DataInPdu d when d.Itt == itt:
                {
                    if (!read) throw new ProtocolViolation($"{What} sent Data-In for {command.Name}, which reads no data");
                    if (d.DataSN != expectedDataSN) throw new ProtocolViolation($"Data-In DataSN {d.DataSN} out of order (expected {expectedDataSN}); error recovery is not supported");
                    expectedDataSN++;
                    UpdateWindow(d.ExpCmdSN, d.MaxCmdSN);
                    if (into!.Placed > 0)
                    {
                        // Bytes below the offset that no Data-In has reached yet are cleared, not left as the buffer had
                        // them: every byte below the count returned was written (IScsiTransport.WritesAllReportedBytes).
                        int offset = (int)d.BufferOffset;
                        if (offset > highWater) into.Buffer.Span[highWater..offset].Clear();
                        highWater = Math.Max(highWater, offset + into.Placed);
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
}
