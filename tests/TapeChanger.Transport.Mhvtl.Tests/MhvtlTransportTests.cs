using System.Buffers.Binary;
using System.Net.Sockets;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Mhvtl.Tests;

/// <summary>The transport against <see cref="FakeMhvtlDaemon"/>: bytes sent, data and residual, and every failure as one line.</summary>
public sealed class MhvtlTransportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-mhvtl-").FullName;
    private string Sock => Path.Combine(_dir, "userland.10.sock");
    // A reply the fake daemon sends may take seconds on a loaded machine; only the silent-daemon test waits for the
    // reply time-out, so only it uses the short one.
    private static readonly MhvtlTransportOptions Quick = new() { ReplyTimeout = TimeSpan.FromSeconds(30), LockTimeout = TimeSpan.FromMilliseconds(300) };
    private static readonly MhvtlTransportOptions ShortReply = Quick with { ReplyTimeout = TimeSpan.FromMilliseconds(500) };

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private static byte[] Bytes(int n, byte seed = 1) => Enumerable.Range(0, n).Select(i => (byte)(seed + i)).ToArray();

    [Fact]
    public async Task Inquiry_sends_the_exact_cdb_message_and_returns_the_data()
    {
        var inquiry = Bytes(64);
        await using var daemon = new FakeMhvtlDaemon(Sock, FakeMhvtlDaemon.Answer(inquiry));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var buffer = new byte[96];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(96), buffer);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(64, r.DataTransferred);
        Assert.Equal(32, r.Residual(SpcCommands.Inquiry(96)));
        Assert.Equal(inquiry, buffer[..64]);
        Assert.Empty(r.Sense);
        Assert.True(daemon.Received.TryDequeue(out var sent));
        Assert.Equal(Convert.FromHexString("04000000200000000100000000000000" + "12000000600000000000000000000000" + "6000000000000000"), sent);
        Assert.Equal("mhvtl:" + Sock, t.Device);
    }

    [Fact]
    public async Task Data_beyond_the_allocation_length_is_drained_and_the_stream_stays_in_step()
    {
        int n = 0;
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Reply(Data: Bytes(n++ == 0 ? 100 : 8, 50)));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var buffer = new byte[36];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(36), buffer);
        Assert.Equal(36, r.DataTransferred);
        Assert.Equal(0, r.Residual(SpcCommands.Inquiry(36)));
        Assert.Equal(Bytes(36, 50), buffer);
        // the 64 bytes left over were read and dropped: the next reply is read from its header
        var r2 = await t.ExecuteAsync(SpcCommands.Inquiry(36), buffer);
        Assert.Equal(8, r2.DataTransferred);
        Assert.Equal(28, r2.Residual(SpcCommands.Inquiry(36)));
    }

    [Fact]
    public async Task Check_condition_carries_the_sense_cut_to_its_length_and_good_ignores_stale_sense()
    {
        var sense = new byte[96];
        sense[0] = 0x70; sense[2] = 0x02; sense[7] = 0x0A; sense[12] = 0x3A;
        await using var daemon = new FakeMhvtlDaemon(Sock, cdb => new FakeAction.Reply(Status: (byte)(cdb[0] == 0 ? 2 : 0), Sense: sense));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var r = await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(sense[..18], r.Sense);
        var good = await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36]);
        Assert.Equal(ScsiStatus.Good, good.Status);
        Assert.Empty(good.Sense);
    }

    [Fact]
    public async Task Data_out_answers_the_data_request_with_exactly_the_bytes_asked_for()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.RequestData(12));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var payload = Bytes(12, 0xA0);
        var cmd = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 12, 0], DataDirection.Out, 12, CommandTimeouts.Default, payload);
        var r = await t.ExecuteAsync(cmd, Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, r.Status);
        var received = daemon.Received.ToArray();
        Assert.Equal(3, received.Length);
        Assert.Equal(Convert.FromHexString("070000001C000000" + "0100000000000000" + "0C00000000000000"), received[1]);
        Assert.Equal(payload, received[2]);
    }

    [Fact]
    public async Task Missing_socket_is_not_found_in_one_line()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await MhvtlTransport.OpenAsync(Sock, Quick));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Contains("no socket at", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public async Task Regular_file_is_not_a_socket()
    {
        await File.WriteAllTextAsync(Sock, "x");
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await MhvtlTransport.OpenAsync(Sock, Quick));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Contains("is not a socket", e.Message);
    }

    [Fact]
    public async Task Directory_is_not_a_socket()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await MhvtlTransport.OpenAsync(_dir, Quick));
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public async Task Socket_left_by_a_stopped_daemon_says_nothing_listens()
    {
        // Bound but not listening refuses connections like the file a killed daemon leaves (kept open: .NET unlinks on dispose).
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(Sock));
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await MhvtlTransport.OpenAsync(Sock, Quick));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Contains("nothing listens", e.Message);
    }

    [Fact]
    public async Task A_full_listen_queue_is_waited_out_not_an_error()
    {
        // mhVTL's userland daemon listens with a backlog of 1 and accepts only between its idle sleeps (up to 1 s),
        // markh794/mhvtl@fada6b85 usr/transport_userland.c ul_open/ul_poll_cmd: two clients not yet accepted fill the
        // queue, and a third connect(2) on a unix socket then fails with EAGAIN at once instead of waiting (unix(7)).
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(Sock));
        listener.Listen(1);
        var queued = new List<Socket>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                var c = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                queued.Add(c);
                await c.ConnectAsync(new UnixDomainSocketEndPoint(Sock));
            }
            var open = MhvtlTransport.OpenAsync(Sock, Quick).AsTask();
            await Task.Delay(300);
            Assert.False(open.IsCompleted, open.Exception?.InnerException?.Message);     // still waiting for room in the queue
            using (listener.Accept()) { }                                                 // the daemon takes the first
            var t = await open.WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal("mhvtl:" + Sock, t.Device);
            await t.DisposeAsync();         // closed, but still in the queue until the daemon accepts it: the queue stays full
            // A queue that stays full is a time-out in one line, not an I/O error.
            var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await MhvtlTransport.OpenAsync(Sock, ShortReply));
            Assert.Equal(TransportFailure.Timeout, e.Failure);
            Assert.Contains("connecting to " + Sock + " timed out (the daemon's queue is full", e.Message);
        }
        finally
        {
            foreach (var c in queued) c.Dispose();
        }
    }

    [Fact]
    public async Task Daemon_closing_mid_command_is_an_io_error_and_the_next_command_reconnects()
    {
        int n = 0;
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => n++ == 0 ? new FakeAction.Close() : new FakeAction.Reply(Data: Bytes(4)));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36]));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("closed the connection during INQUIRY", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36]);
        Assert.Equal(4, r.DataTransferred);
        Assert.Equal(2, daemon.Connections);
    }

    [Fact]
    public async Task Wrong_reply_type_is_a_protocol_error()
    {
        var bogus = new byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(bogus, 9);
        BinaryPrimitives.WriteUInt32LittleEndian(bogus.AsSpan(4), 8);
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Raw(bogus));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("protocol error during TEST UNIT READY: reply of type 9", e.Message);
    }

    [Fact]
    public async Task Wrong_reply_length_is_a_protocol_error()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Reply(Data: Bytes(8), HeaderLengthOverride: 112));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36]));
        Assert.Contains("does not match its data_len 8", e.Message);
    }

    [Fact]
    public async Task Reply_for_another_command_is_a_protocol_error()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Reply(Id: 99));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Contains("reply for command id 99; expected 1", e.Message);
    }

    [Fact]
    public async Task Silent_daemon_times_out_cleanly()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Silent());
        await using var t = await MhvtlTransport.OpenAsync(Sock, ShortReply);
        var started = DateTime.UtcNow;
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(TransportFailure.Timeout, e.Failure);
        Assert.Contains("no reply to TEST UNIT READY within 0.5 s", e.Message);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Daemon_restarted_between_commands_is_reconnected_transparently()
    {
        var daemon = new FakeMhvtlDaemon(Sock, FakeMhvtlDaemon.Answer(Bytes(4)));
        await using var t = await MhvtlTransport.OpenAsync(Sock, Quick);
        Assert.Equal(4, (await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36])).DataTransferred);
        await daemon.DisposeAsync();
        await using var restarted = new FakeMhvtlDaemon(Sock, FakeMhvtlDaemon.Answer(Bytes(6)));
        Assert.Equal(6, (await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36])).DataTransferred);
        Assert.Equal(1, restarted.Connections);
    }

    [Fact]
    public async Task One_client_per_socket_the_second_waits_for_the_lock_then_gets_it()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, FakeMhvtlDaemon.Answer(Bytes(4)));
        var first = await MhvtlTransport.OpenAsync(Sock, Quick);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await MhvtlTransport.OpenAsync(Sock, Quick));
        Assert.Equal(TransportFailure.Busy, e.Failure);
        Assert.Contains("mhVTL serves one client at a time", e.Message);
        await first.DisposeAsync();
        await using var second = await MhvtlTransport.OpenAsync(Sock, Quick);
        Assert.Equal(4, (await second.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36])).DataTransferred);
    }

    [Fact]
    public void Lock_file_sits_beside_the_socket_or_under_the_state_directory_when_that_is_not_writable()
    {
        Assert.Equal(Sock + ".lock", MhvtlSocketLock.LockPath(Sock, "/unused"));
        string missing = Path.Combine(_dir, "no-such-run-dir", "userland.10.sock");
        string expected = Path.Combine(_dir, "locks", "mhvtl" + missing.Replace('/', '_') + ".lock");
        Assert.Equal(expected, MhvtlSocketLock.LockPath(missing, _dir));
        Assert.True(Directory.Exists(Path.Combine(_dir, "locks")));
    }

    [Fact]
    public async Task Factory_opens_mhvtl_addresses()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, FakeMhvtlDaemon.Answer(Bytes(4)));
        var address = DeviceUri.Parse($"mhvtl:{Sock}?config={_dir}");
        Assert.Equal(DeviceScheme.Mhvtl, address.Scheme);
        Assert.Equal(Sock, address.Path);
        Assert.Equal(_dir, address.ConfigDirectory);
        var factory = new MhvtlTransportFactory();
        Assert.True(factory.CanOpen(address));
        Assert.False(factory.CanOpen(DeviceUri.Parse("virtual:")));
        await using var t = await factory.OpenAsync(address, new TransportOpenContext(_dir));
        Assert.Equal(4, (await t.ExecuteAsync(SpcCommands.Inquiry(36), new byte[36])).DataTransferred);
    }

    [Theory]
    [InlineData("mhvtl:")]
    [InlineData("mhvtl:/run/x.sock?cfg=/etc")]
    [InlineData("mhvtl:/run/x.sock?config=")]
    public void Malformed_mhvtl_uris_are_usage_errors(string uri) => Assert.Throws<DeviceUriException>(() => DeviceUri.Parse(uri));
}
