using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>The initiator against <see cref="MockTarget"/> over loopback TCP.</summary>
public class SessionMockTests : IAsyncLifetime
{
    private readonly MockTarget _target = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _target.DisposeAsync();

    private IscsiSessionOptions Options(string? user = null, string? secret = null) => new()
    {
        Host = "127.0.0.1", Port = _target.Port, TargetName = MockTarget.Name, ChapUser = user, ChapSecret = secret,
        ConnectTimeout = TimeSpan.FromSeconds(2), LoginTimeout = TimeSpan.FromSeconds(2), LogoutTimeout = TimeSpan.FromSeconds(1),
        WaitOnCallersThread = WaitOnCallersThread,
    };

    /// <summary>How the sessions of these tests wait for the target (<see cref="IscsiSessionOptions.WaitOnCallersThread"/>).</summary>
    protected virtual bool WaitOnCallersThread => false;

    private static ScsiCommand Read(int length, double timeoutSeconds = 5) =>
        new("READ ELEMENT STATUS", [0xB8, 0x10, 0, 0, 0, 1, 0, 0, 0, (byte)length, 0, 0], DataDirection.In, length, TimeSpan.FromSeconds(timeoutSeconds));

    private static ScsiCommand Write(byte[] data) =>
        new("MODE SELECT(10)", [0x55, 0x10, 0, 0, 0, 0, 0, (byte)(data.Length >> 8), (byte)data.Length, 0], DataDirection.Out, data.Length, TimeSpan.FromSeconds(5), data);

    private static readonly ScsiCommand Tur = new("TEST UNIT READY", new byte[6], DataDirection.None, 0, TimeSpan.FromSeconds(5));

    private static byte[] Pattern(int n, int seed = 0) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 + seed)).ToArray();

    [Fact]
    public async Task No_auth_login_negotiates_and_runs_a_command()
    {
        await using var s = await IscsiSession.ConnectAsync(Options());
        Assert.Equal(8192, s.Parameters.TargetMaxRecvDataSegmentLength);
        Assert.True(s.Parameters.InitialR2T);                              // target's Yes wins (OR)
        Assert.Equal((ushort)7, s.Tsih);
        Assert.Contains("AuthMethod=None", _target.LoginKeys);
        Assert.Contains("TargetName=" + MockTarget.Name, _target.LoginKeys);
        Assert.Contains("ErrorRecoveryLevel=0", _target.LoginKeys);
        Assert.Contains("MaxOutstandingR2T=1", _target.LoginKeys);
        var r = await s.ExecuteAsync(2, Tur, Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(IscsiLun.Encode(2), Assert.Single(_target.Commands).Lun);
    }

    [Fact]
    public async Task Chap_login_with_the_right_secret_succeeds()
    {
        (_target.ChapUser, _target.ChapSecret) = ("alice", "secret-secret");
        await using var s = await IscsiSession.ConnectAsync(Options("alice", "secret-secret"));
        Assert.Contains("AuthMethod=CHAP,None", _target.LoginKeys);
        Assert.Contains("CHAP_A=5", _target.LoginKeys);
        Assert.Contains(_target.LoginKeys, k => k.StartsWith("CHAP_R=0x", StringComparison.Ordinal));
        Assert.Equal(ScsiStatus.Good, (await s.ExecuteAsync(0, Tur, Memory<byte>.Empty)).Status);
    }

    [Fact]
    public async Task Chap_login_with_a_wrong_secret_is_an_authentication_failure()
    {
        (_target.ChapUser, _target.ChapSecret) = ("alice", "secret-secret");
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options("alice", "wrong")));
        Assert.Equal(TransportFailure.PermissionDenied, e.Failure);
        Assert.Contains("authentication failure", e.Message);
        Assert.Contains("0x0201", e.Message);
    }

    [Fact]
    public async Task Chap_required_but_not_configured_is_a_clear_error()
    {
        (_target.ChapUser, _target.ChapSecret) = ("alice", "secret-secret");
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options()));
        Assert.Equal(TransportFailure.PermissionDenied, e.Failure);
        Assert.Contains("requires CHAP", e.Message);
    }

    [Theory]
    [InlineData((ushort)0x0203, TransportFailure.NotFound, "target not found")]
    [InlineData((ushort)0x0201, TransportFailure.PermissionDenied, "authentication failure")]
    [InlineData((ushort)0x0202, TransportFailure.PermissionDenied, "authorization failure")]
    [InlineData((ushort)0x0301, TransportFailure.Busy, "service unavailable")]
    public async Task Login_reject_status_is_named(ushort status, TransportFailure failure, string text)
    {
        _target.LoginStatus = status;
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options()));
        Assert.Equal(failure, e.Failure);
        Assert.Contains(text, e.Message);
        Assert.Contains($"0x{status:X4}", e.Message);
    }

    [Fact]
    public async Task Data_in_in_several_pdus_is_assembled_by_buffer_offset()
    {
        var payload = Pattern(300);
        _target.OnCommand = async (c, cmd) =>
        {
            await c.DataInAsync(cmd, payload[..100], 0, 0);
            await c.DataInAsync(cmd, payload[100..200], 100, 1);
            await c.DataInAsync(cmd, payload[200..], 200, 2);
            await c.RespondAsync(cmd, 0);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = new byte[300];
        var r = await s.ExecuteAsync(1, Read(300), buffer);
        Assert.Equal(300, r.DataTransferred);
        Assert.Equal(payload, buffer);
        Assert.Equal(300u, _target.Commands[0].ExpectedDataTransferLength);
        Assert.True(_target.Commands[0].Read);
    }

    [Fact]
    public async Task Data_in_out_of_offset_order_with_padded_segments_is_placed_by_buffer_offset()
    {
        // Segments of 10 and 7 bytes (2 and 1 bytes of padding on the wire), the later part first.
        var payload = Pattern(17, 3);
        _target.OnCommand = async (c, cmd) =>
        {
            if (cmd.Read)
            {
                await c.DataInAsync(cmd, payload[10..], 10, 0);
                await c.DataInAsync(cmd, payload[..10], 0, 1);
            }
            await c.RespondAsync(cmd, 0);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = new byte[17];
        var r = await s.ExecuteAsync(1, Read(17), buffer);
        Assert.Equal(17, r.DataTransferred);
        Assert.Equal(payload, buffer);
        var tur = await s.ExecuteAsync(1, new ScsiCommand("TEST UNIT READY", new byte[6], DataDirection.None, 0, TimeSpan.FromSeconds(5)), Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, tur.Status);      // the padding was read off the wire: the next PDU is read whole
    }

    [Fact]
    public async Task A_gap_between_data_in_offsets_is_cleared_not_left_as_the_buffer_had_it()
    {
        // Bytes 0-7 never sent: the count returned covers them, so they are zeroed (the channel's buffer is not
        // cleared first for this transport: IScsiTransport.WritesAllReportedBytes).
        var payload = Pattern(8, 11);
        _target.OnCommand = (c, cmd) => c.DataInAsync(cmd, payload, 8, 0, withStatus: true, underflow: true, residual: 16);
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = Enumerable.Repeat((byte)0xEE, 32).ToArray();
        var r = await s.ExecuteAsync(1, Read(32), buffer);
        Assert.Equal(16, r.DataTransferred);
        Assert.Equal(new byte[8], buffer[..8]);
        Assert.Equal(payload, buffer[8..16]);
        Assert.All(buffer[16..], b => Assert.Equal(0xEE, b));         // past the count: untouched
        await using var transport = new IscsiTransport(s, 1, "iscsi://test");
        Assert.True(transport.WritesAllReportedBytes);
    }

    [Fact]
    public async Task A_data_in_running_past_the_buffers_end_is_cut_there_and_the_rest_read_off_the_wire()
    {
        var payload = Pattern(48, 13);
        _target.OnCommand = async (c, cmd) =>
        {
            if (cmd.Read)
            {
                await c.DataInAsync(cmd, payload[..16], 0, 0);
                await c.DataInAsync(cmd, payload[16..], 16, 1);         // 32 bytes at 16: 24 fit a 40-byte buffer
            }
            await c.RespondAsync(cmd, 0, overflow: cmd.Read, residual: cmd.Read ? 8u : 0);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var backing = Enumerable.Repeat((byte)0xEE, 64).ToArray();
        var r = await s.ExecuteAsync(1, Read(40), backing.AsMemory(0, 40));
        Assert.Equal(40, r.DataTransferred);
        Assert.Equal(payload[..40], backing[..40]);
        Assert.All(backing[40..], b => Assert.Equal(0xEE, b));
        var tur = await s.ExecuteAsync(1, new ScsiCommand("TEST UNIT READY", new byte[6], DataDirection.None, 0, TimeSpan.FromSeconds(5)), Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, tur.Status);
    }

    [Fact]
    public async Task Data_in_with_an_additional_header_segment_is_placed_too()
    {
        var payload = Pattern(40, 5);
        _target.OnCommand = async (c, cmd) =>
        {
            await c.SendAsync(new DataInPdu(false, false, false, false, false, 0, cmd.Lun, cmd.Itt, IscsiConstants.ReservedTag, 0,
                cmd.CmdSN + 1, cmd.CmdSN + 16, 0, 0, 0) { Data = payload[..24], Ahs = [0x00, 0x01, 0x7F, 0x00] });
            await c.DataInAsync(cmd, payload[24..], 24, 1, withStatus: true);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = new byte[40];
        var r = await s.ExecuteAsync(1, Read(40), buffer);
        Assert.Equal(40, r.DataTransferred);
        Assert.Equal(payload, buffer);
    }

    [Fact]
    public async Task Data_in_of_another_task_does_not_touch_the_buffer()
    {
        var payload = Pattern(32, 9);
        _target.OnCommand = async (c, cmd) =>
        {
            // A stale task's Data-In (an abandoned command's tag) first: dropped, not written into this command's buffer.
            await c.SendAsync(new DataInPdu(false, false, false, false, false, 0, cmd.Lun, cmd.Itt + 1000, IscsiConstants.ReservedTag, 0,
                cmd.CmdSN + 1, cmd.CmdSN + 16, 0, 0, 0) { Data = Enumerable.Repeat((byte)0xAA, 32).ToArray() });
            await c.DataInAsync(cmd, payload[..16], 0, 0, withStatus: true, underflow: true, residual: 16);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = new byte[32];
        var r = await s.ExecuteAsync(1, Read(32), buffer);
        Assert.Equal(16, r.DataTransferred);
        Assert.Equal(payload[..16], buffer[..16]);
        Assert.All(buffer[16..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task Data_in_with_status_phase_collapsing_and_underflow_residual()
    {
        // tgt answers READ ELEMENT STATUS with fewer bytes than asked: U bit + residual in the final Data-In (S=1).
        _target.OnCommand = (c, cmd) => c.DataInAsync(cmd, Pattern(100), 0, 0, withStatus: true, underflow: true, residual: 155);
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = new byte[255];
        var r = await s.ExecuteAsync(1, Read(255), buffer);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(100, r.DataTransferred);
        Assert.Equal(155, r.Residual(Read(255)));
    }

    [Fact]
    public async Task Overflow_never_writes_past_the_callers_buffer()
    {
        var payload = Pattern(200, 1);
        _target.OnCommand = async (c, cmd) =>
        {
            await c.DataInAsync(cmd, payload[..128], 0, 0);
            await c.DataInAsync(cmd, payload[128..], 128, 1);
            await c.RespondAsync(cmd, 0, overflow: true, residual: 136);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var backing = new byte[128];
        Array.Fill(backing, (byte)0xEE);
        var r = await s.ExecuteAsync(1, Read(64), backing.AsMemory(0, 48));   // buffer even shorter than the allocation length
        Assert.Equal(48, r.DataTransferred);
        Assert.Equal(payload[..48], backing[..48]);
        Assert.All(backing[48..], b => Assert.Equal(0xEE, b));
    }

    [Fact]
    public async Task Check_condition_carries_sense_from_the_data_segment()
    {
        byte[] sense = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3B, 0x0E, 0, 0, 0, 0];
        _target.OnCommand = (c, cmd) => c.RespondAsync(cmd, (byte)ScsiStatus.CheckCondition, sense);
        await using var s = await IscsiSession.ConnectAsync(Options());
        var move = SmcCommands.MoveMedium(1, 1004, 1005);
        var r = await s.ExecuteAsync(3, move, Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(sense, r.Sense);
        var e = Assert.Throws<ScsiCheckConditionException>(() => ScsiResultChecker.ThrowIfFailed(move, r));
        Assert.Equal((TapeChanger.Scsi.Sense.SenseKey.IllegalRequest, (byte)0x3B, (byte)0x0E), (e.Key, e.Asc, e.Ascq));
    }

    [Fact]
    public async Task Data_out_answers_r2t_in_chunks_of_the_targets_receive_limit()
    {
        _target.MaxRecvDataSegmentLength = 512;
        _target.ImmediateData = false;
        var data = Pattern(1000, 3);
        var received = new byte[1000];
        var seen = new List<DataOutPdu>();
        _target.OnCommand = async (c, cmd) =>
        {
            Assert.Empty(cmd.Data);
            await c.SendAsync(new R2TPdu(cmd.Lun, cmd.Itt, 0x77, c.StatSN, cmd.CmdSN + 1, cmd.CmdSN + 16, 0, 0, 1000));
            while (true)
            {
                var d = (DataOutPdu)await c.ReceiveAsync();
                seen.Add(d);
                d.Data.CopyTo(received, (int)d.BufferOffset);
                if (d.Final) break;
            }
            await c.RespondAsync(cmd, 0);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var r = await s.ExecuteAsync(1, Write(data), Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(data, received);
        Assert.Equal([512, 488], seen.Select(d => d.Data.Length));
        Assert.All(seen, d => Assert.Equal(0x77u, d.Ttt));
        Assert.Equal([0u, 1u], seen.Select(d => d.DataSN));
        Assert.True(_target.Commands[0].Write);
        Assert.True(_target.Commands[0].Final);
    }

    [Fact]
    public async Task Immediate_data_then_unsolicited_data_out_when_initial_r2t_is_no()
    {
        _target.MaxRecvDataSegmentLength = 512;
        _target.InitialR2T = false;
        var data = Pattern(1000, 5);
        var received = new byte[1000];
        DataOutPdu? unsolicited = null;
        _target.OnCommand = async (c, cmd) =>
        {
            cmd.Data.CopyTo(received, 0);
            unsolicited = (DataOutPdu)await c.ReceiveAsync();
            unsolicited.Data.CopyTo(received, (int)unsolicited.BufferOffset);
            await c.RespondAsync(cmd, 0);
        };
        var o = Options() with { InitialR2T = false };
        await using var s = await IscsiSession.ConnectAsync(o);
        Assert.False(s.Parameters.InitialR2T);
        await s.ExecuteAsync(1, Write(data), Memory<byte>.Empty);
        Assert.Equal(512, _target.Commands[0].Data.Length);
        Assert.False(_target.Commands[0].Final);                          // unsolicited Data-Out follows
        Assert.Equal((IscsiConstants.ReservedTag, 512u, true), (unsolicited!.Ttt, unsolicited.BufferOffset, unsolicited.Final));
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task Nop_in_ping_during_a_command_is_answered_with_nop_out()
    {
        NopOutPdu? answer = null;
        _target.OnCommand = async (c, cmd) =>
        {
            await c.SendAsync(new NopInPdu(0, IscsiConstants.ReservedTag, 0x1234, c.StatSN, cmd.CmdSN + 1, cmd.CmdSN + 16) { Data = [1, 2, 3] });
            answer = (NopOutPdu)await c.ReceiveAsync();
            await c.RespondAsync(cmd, 0);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        await s.ExecuteAsync(0, Tur, Memory<byte>.Empty);
        Assert.Equal((IscsiConstants.ReservedTag, 0x1234u, true), (answer!.Itt, answer.Ttt, answer.Immediate));
        Assert.Equal([1, 2, 3], answer.Data);
        Assert.Equal(1, s.NopInAnswered);
    }

    [Fact]
    public async Task Ping_gets_its_nop_in()
    {
        await using var s = await IscsiSession.ConnectAsync(Options());
        await s.PingAsync(TimeSpan.FromSeconds(2));
        await s.PingAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(2, _target.Pings);                  // each ping went out as a NOP-Out and returned only when answered
    }

    [Fact]
    public async Task Connection_drop_mid_command_reconnects_and_reissues()
    {
        int calls = 0;
        _target.OnCommand = (c, cmd) =>
        {
            if (Interlocked.Increment(ref calls) == 1) { c.Abort(); return Task.CompletedTask; }
            return c.DataInAsync(cmd, Pattern(10), 0, 0, withStatus: true);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var buffer = new byte[10];
        var r = await s.ExecuteAsync(1, Read(10), buffer);
        Assert.Equal(10, r.DataTransferred);
        Assert.Equal(Pattern(10), buffer);
        Assert.Equal(2, s.LoginCount);
        Assert.Equal(2, _target.Commands.Count);
    }

    [Fact]
    public async Task Connection_drop_with_failed_reconnect_is_a_clear_error()
    {
        _target.OnCommand = (c, cmd) =>
        {
            c.Target.StopListening();
            c.Abort();
            return Task.CompletedTask;
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await s.ExecuteAsync(1, Tur, Memory<byte>.Empty));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("connection was lost", e.Message);
        Assert.Contains("reconnecting", e.Message);
        Assert.Contains("connection refused", e.Message);
    }

    [Fact]
    public async Task Malformed_pdu_from_the_target_is_a_typed_error()
    {
        _target.OnCommand = (c, cmd) =>
        {
            var bad = new ScsiResponsePdu(false, false, false, false, 0, 2, cmd.Itt, 0, c.StatSN++, 0, 0, 0, 0, 0) { Data = [0x00, 0x40, 0x70] }.Encode();
            return c.SendRawAsync(bad);                                   // SenseLength 64 but 1 byte of sense
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await s.ExecuteAsync(1, Tur, Memory<byte>.Empty));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.IsType<IscsiPduException>(e.InnerException);
        Assert.Contains("SenseLength", e.Message);
    }

    [Fact]
    public async Task Unknown_opcode_from_the_target_is_a_typed_error()
    {
        _target.OnCommand = (c, cmd) =>
        {
            var raw = new byte[48];
            raw[0] = 0x3E;                                                // reserved target opcode
            return c.SendRawAsync(raw);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await s.ExecuteAsync(1, Tur, Memory<byte>.Empty));
        Assert.IsType<IscsiPduException>(e.InnerException);
    }

    [Fact]
    public async Task Silent_target_times_out_the_command()
    {
        _target.OnCommand = (c, cmd) => Task.CompletedTask;
        await using var s = await IscsiSession.ConnectAsync(Options());
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await s.ExecuteAsync(1, Read(8, 0.3), new byte[8]));
        Assert.Equal(TransportFailure.Timeout, e.Failure);
        Assert.False(s.IsConnected);
        _target.OnCommand = (c, cmd) => c.RespondAsync(cmd, 0);
        Assert.Equal(ScsiStatus.Good, (await s.ExecuteAsync(1, Tur, Memory<byte>.Empty)).Status);   // next command logs in again
        Assert.Equal(2, s.LoginCount);
    }

    [Fact]
    public async Task Silent_target_times_out_the_login()
    {
        _target.SilentLogin = true;
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options() with { LoginTimeout = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(TransportFailure.Timeout, e.Failure);
        Assert.Contains("login", e.Message);
    }

    [Fact]
    public async Task Connection_refused_is_not_found()
    {
        int port = _target.Port;
        _target.StopListening();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options() with { Port = port }));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Contains("connection refused", e.Message);
    }

    [Fact]
    public async Task Unknown_host_is_not_found()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options() with { Host = "no-such-host.invalid" }));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
    }

    [Fact]
    public async Task Async_logout_request_logs_out_after_the_command_and_reconnects_lazily()
    {
        int calls = 0;
        _target.OnCommand = async (c, cmd) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
                await c.SendAsync(new AsyncMessagePdu(0, c.StatSN++, cmd.CmdSN + 1, cmd.CmdSN + 16, AsyncEvent.LogoutRequested, 0, 0, 0, 2));
            await c.RespondAsync(cmd, 0);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        await s.ExecuteAsync(1, Tur, Memory<byte>.Empty);
        Assert.Equal(1, s.LogoutRequestsSeen);
        Assert.False(s.IsConnected);
        await s.ExecuteAsync(1, Tur, Memory<byte>.Empty);
        Assert.Equal(2, s.LoginCount);
        Assert.Equal(1, _target.Logouts);
    }

    [Fact]
    public async Task Reject_fails_the_command_with_the_reason()
    {
        _target.OnCommand = (c, cmd) =>
        {
            var header = cmd.Encode()[..48];
            return c.SendAsync(new RejectPdu(0x09, c.StatSN++, cmd.CmdSN + 1, cmd.CmdSN + 16, 0) { Data = header });
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await s.ExecuteAsync(1, Tur, Memory<byte>.Empty));
        Assert.Contains("invalid PDU field", e.Message);
    }

    [Fact]
    public async Task Dispose_logs_out()
    {
        var s = await IscsiSession.ConnectAsync(Options());
        await s.DisposeAsync();
        for (int i = 0; i < 50 && _target.Logouts == 0; i++) await Task.Delay(20);
        Assert.Equal(1, _target.Logouts);
    }

    [Fact]
    public async Task Command_sequence_numbers_advance_and_exp_stat_sn_acknowledges()
    {
        await using var s = await IscsiSession.ConnectAsync(Options());
        for (int i = 0; i < 3; i++) await s.ExecuteAsync(0, Tur, Memory<byte>.Empty);
        var c = _target.Commands;
        Assert.Equal(c[0].CmdSN + 1, c[1].CmdSN);
        Assert.Equal(c[1].CmdSN + 1, c[2].CmdSN);
        Assert.Equal(c[0].ExpStatSN + 1, c[1].ExpStatSN);
        Assert.NotEqual(c[0].Itt, c[1].Itt);
    }

    [Fact]
    public async Task SendTargets_collects_continued_text_responses()
    {
        _target.TextResponseParts = 3;
        var targets = await IscsiDiscovery.SendTargetsAsync("127.0.0.1", _target.Port, timeout: TimeSpan.FromSeconds(2));
        Assert.Equal([MockTarget.Name, MockTarget.Name + "2"], targets.Select(t => t.Name));
        Assert.Equal([new IscsiPortal("127.0.0.1", _target.Port, 1), new IscsiPortal("::1", _target.Port, 2)], targets[0].Portals);
        Assert.Equal(new IscsiPortal("10.0.0.1", 3260, 3), Assert.Single(targets[1].Portals));
        Assert.Contains("SessionType=Discovery", _target.LoginKeys);
        Assert.DoesNotContain(_target.LoginKeys, k => k.StartsWith("TargetName=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Transport_factory_opens_an_iscsi_uri()
    {
        var address = DeviceUri.Parse($"iscsi://127.0.0.1:{_target.Port}/{MockTarget.Name}/4");
        var factory = new IscsiTransportFactory();
        Assert.True(factory.CanOpen(address));
        Assert.False(factory.CanOpen(DeviceUri.Parse("virtual:")));
        await using var t = await factory.OpenAsync(address, new TransportOpenContext(Path.GetTempPath()));
        Assert.Equal($"iscsi://127.0.0.1:{_target.Port}/{MockTarget.Name}/4", t.Device);
        await t.ExecuteAsync(Tur, Memory<byte>.Empty);
        Assert.Equal(IscsiLun.Encode(4), _target.Commands[0].Lun);
    }

    [Fact]
    public async Task Transport_factory_with_chap_credentials_in_the_uri()
    {
        (_target.ChapUser, _target.ChapSecret) = ("bob", "s3cr3t-passw0rd");
        var address = DeviceUri.Parse($"iscsi://bob%s3cr3t-passw0rd@127.0.0.1:{_target.Port}/{MockTarget.Name}/0");
        await using var t = await new IscsiTransportFactory().OpenAsync(address, new TransportOpenContext(Path.GetTempPath()));
        Assert.DoesNotContain("s3cr3t", t.Device);
    }

    [Fact]
    public void Transport_factory_requires_a_target_name()
    {
        var e = Assert.Throws<DeviceUriException>(() => IscsiTransportFactory.OptionsFor(DeviceUri.Parse("iscsi://127.0.0.1")));
        Assert.Contains("names no target", e.Message);
    }
}

/// <summary>Every test of <see cref="SessionMockTests"/> again, with the sessions waiting in poll(2) on the calling thread (the command line's way).</summary>
public sealed class SessionMockTestsWaitingOnCallersThread : SessionMockTests
{
    protected override bool WaitOnCallersThread => true;
}
