using System.Diagnostics;
using System.Net;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>
/// The two ways the initiator waits for the target: with <see cref="IscsiSessionOptions.WaitOnCallersThread"/> (the
/// command line) in poll(2) on the calling thread, so every call has completed when it returns; without it through
/// .NET's socket engine (the service). Both against <see cref="MockTarget"/>: the same bytes, time limits and errors.
/// </summary>
public sealed class CallersThreadTests : IAsyncLifetime
{
    private readonly MockTarget _target = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _target.DisposeAsync();

    private IscsiSessionOptions Options(bool waitHere = true) => new()
    {
        Host = "127.0.0.1", Port = _target.Port, TargetName = MockTarget.Name, WaitOnCallersThread = waitHere,
        ConnectTimeout = TimeSpan.FromSeconds(2), LoginTimeout = TimeSpan.FromSeconds(2), LogoutTimeout = TimeSpan.FromSeconds(1),
    };

    private static ScsiCommand Read(int length, double timeoutSeconds = 5) =>
        new("READ ELEMENT STATUS", [0xB8, 0x10, 0, 0, 0, 1, 0, (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0], DataDirection.In, length, TimeSpan.FromSeconds(timeoutSeconds));

    private static readonly ScsiCommand Tur = new("TEST UNIT READY", new byte[6], DataDirection.None, 0, TimeSpan.FromSeconds(5));

    /// <summary>The task a call returned, which when waiting on the caller's thread must already be complete.</summary>
    private static T Done<T>(Task<T> task)
    {
        Assert.True(task.IsCompleted, "the call returned before its exchange completed: it did not wait on the caller's thread");
        return task.GetAwaiter().GetResult();
    }

    /// <summary>Waits for a task that may go through the socket engine (the path without the option).</summary>
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();

    private static readonly byte[] Payload = Enumerable.Range(0, 6_000).Select(i => (byte)(i * 13)).ToArray();

    /// <summary>The reply to a read in three Data-In PDUs (placed by buffer offset), then the status.</summary>
    private void ScriptThreePartRead() => _target.OnCommand = async (c, cmd) =>
    {
        if (cmd.Read)
        {
            await c.DataInAsync(cmd, Payload[..2000], 0, 0);
            await c.DataInAsync(cmd, Payload[2000..4000], 2000, 1);
            await c.DataInAsync(cmd, Payload[4000..], 4000, 2);
        }
        await c.RespondAsync(cmd, 0);
    };

    [Fact]
    public void Data_in_is_received_straight_into_the_callers_buffer_not_copied()
    {
        // 1 MiB in sixteen 64 KiB Data-In PDUs. Waiting on the caller's thread, the whole exchange runs on this thread,
        // so its allocations are countable: a PDU buffer per Data-In (or a copy of each data segment) would be 1 MiB more.
        const int Size = 1 << 20, Part = 1 << 16;
        var payload = Enumerable.Range(0, Size).Select(i => (byte)(i * 31 + (i >> 16))).ToArray();
        _target.OnCommand = async (c, cmd) =>
        {
            if (cmd.Read)
            {
                for (int at = 0; at < Size; at += Part) await c.DataInAsync(cmd, payload[at..(at + Part)], (uint)at, (uint)(at / Part));
            }
            await c.RespondAsync(cmd, 0);
        };
        var buffer = new byte[Size];
        var session = Done(IscsiSession.ConnectAsync(Options()));
        Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty));             // first-use costs out of the count
        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = Done(session.ExecuteAsync(1, Read(Size), buffer));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The same 1 MiB into half the room: the eight PDUs past the end are read off the wire through one small
        // scratch array of the connection's, not an array each.
        var half = new byte[Size / 2];
        before = GC.GetAllocatedBytesForCurrentThread();
        var cut = Done(session.ExecuteAsync(1, Read(Size), half));
        long allocatedCut = GC.GetAllocatedBytesForCurrentThread() - before;
        Wait(session.DisposeAsync());
        Assert.Equal(Size, read.DataTransferred);
        Assert.Equal(payload, buffer);
        Assert.True(allocated < 16 * 1024, $"reading 1 MiB allocated {allocated} bytes");
        Assert.Equal(Size / 2, cut.DataTransferred);
        Assert.Equal(payload[..(Size / 2)], half);
        Assert.True(allocatedCut < 16 * 1024, $"reading 1 MiB into 512 KiB allocated {allocatedCut} bytes");
    }

    [Fact]
    public void Waiting_on_the_callers_thread_login_commands_and_logout_complete_before_each_call_returns()
    {
        ScriptThreePartRead();
        var buffer = new byte[Payload.Length];
        var session = Done(IscsiSession.ConnectAsync(Options()));
        var read = Done(session.ExecuteAsync(1, Read(Payload.Length), buffer));
        var tur = Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty));
        var logout = session.DisposeAsync();
        Assert.True(logout.IsCompleted, "the logout did not wait on the caller's thread");
        Assert.Equal(ScsiStatus.Good, read.Status);
        Assert.Equal(Payload.Length, read.DataTransferred);
        Assert.Equal(Payload, buffer);
        Assert.Equal(ScsiStatus.Good, tur.Status);
        Assert.Equal(2, _target.Commands.Count);
        Assert.Equal(1, _target.Logouts);
    }

    [Fact]
    public async Task Through_the_socket_engine_the_same_exchange_gives_the_same_bytes()
    {
        ScriptThreePartRead();
        var buffer = new byte[Payload.Length];
        await using (var session = await IscsiSession.ConnectAsync(Options(waitHere: false)))
        {
            var read = await session.ExecuteAsync(1, Read(Payload.Length), buffer);
            Assert.Equal(Payload.Length, read.DataTransferred);
        }
        Assert.Equal(Payload, buffer);
        Assert.Equal(1, _target.Logouts);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_silent_target_times_the_command_out_after_its_timeout_and_the_next_command_logs_in_again(bool waitHere)
    {
        _target.OnCommand = (c, cmd) => Task.CompletedTask;
        var session = Wait(IscsiSession.ConnectAsync(Options(waitHere)));
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ScsiTransportException>(() => Wait(session.ExecuteAsync(1, Read(8, 0.3), new byte[8])));
        var elapsed = clock.Elapsed;
        Assert.Equal(TransportFailure.Timeout, e.Failure);
        Assert.Contains("timed out after 0.3 s", e.Message);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
        _target.OnCommand = (c, cmd) => c.RespondAsync(cmd, 0);
        Assert.Equal(ScsiStatus.Good, Wait(session.ExecuteAsync(1, Tur, Memory<byte>.Empty)).Status);
        Assert.Equal(2, session.LoginCount);
        Wait(session.DisposeAsync());
    }

    [Fact]
    public void Waiting_on_the_callers_thread_the_login_times_out_after_its_own_limit()
    {
        _target.SilentLogin = true;
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<ScsiTransportException>(() => Done(IscsiSession.ConnectAsync(Options() with { LoginTimeout = TimeSpan.FromMilliseconds(300) })));
        Assert.Equal(TransportFailure.Timeout, e.Failure);
        Assert.Contains("login", e.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Waiting_on_the_callers_thread_a_cancel_ends_the_wait_as_a_cancel_not_a_timeout()
    {
        _target.OnCommand = (c, cmd) => Task.CompletedTask;
        var session = Done(IscsiSession.ConnectAsync(Options()));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();
        var e = Record.Exception(() => Done(session.ExecuteAsync(1, Read(8, 30), new byte[8], cancel.Token)));
        Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Waiting_on_the_callers_thread_a_refused_connection_and_an_unknown_host_are_not_found()
    {
        int port = _target.Port;
        _target.StopListening();
        var refused = Assert.Throws<ScsiTransportException>(() => Done(IscsiSession.ConnectAsync(Options() with { Port = port })));
        Assert.Equal(TransportFailure.NotFound, refused.Failure);
        Assert.Contains("connection refused", refused.Message);
        var unknown = Assert.Throws<ScsiTransportException>(() => Done(IscsiSession.ConnectAsync(Options() with { Host = "no-such-host.invalid" })));
        Assert.Equal(TransportFailure.NotFound, unknown.Failure);
        Assert.Contains("unknown host", unknown.Message);
    }

    [Fact]
    public void Waiting_on_the_callers_thread_a_host_name_is_resolved_and_each_address_tried()
    {
        // "localhost" resolves to ::1 and 127.0.0.1 here; the mock listens on 127.0.0.1 only, so ::1 may be refused first.
        var session = Done(IscsiSession.ConnectAsync(Options() with { Host = "localhost" }));
        Assert.Equal(ScsiStatus.Good, Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty)).Status);
        Wait(session.DisposeAsync());
    }

    [Fact]
    public void A_target_that_closes_the_connection_mid_command_is_reconnected_and_the_command_reissued()
    {
        int seen = 0;
        _target.OnCommand = (c, cmd) =>
        {
            if (Interlocked.Increment(ref seen) == 1) { c.Abort(); return Task.CompletedTask; }
            return c.RespondAsync(cmd, 0);
        };
        var session = Done(IscsiSession.ConnectAsync(Options()));
        Assert.Equal(ScsiStatus.Good, Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty)).Status);
        Assert.Equal(2, session.LoginCount);
        Wait(session.DisposeAsync());
    }

    [Theory]
    [InlineData(true, typeof(PolledConnection))]
    [InlineData(false, typeof(SocketConnection))]
    public void The_option_chooses_how_the_connection_waits(bool waitHere, Type expected)
    {
        var session = Wait(IscsiSession.ConnectAsync(Options(waitHere)));
        Assert.Equal(expected, session.ConnectionType);
        Wait(session.DisposeAsync());
        Assert.Null(session.ConnectionType);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_portal_that_never_completes_the_handshake_is_a_connect_timeout(bool waitHere)
    {
        // A listener whose accept queue is full: Linux drops further SYNs (the client retransmits after a second).
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var endpoint = (IPEndPoint)listener.LocalEndPoint!;
        var fillers = new List<System.Net.Sockets.Socket>();
        try
        {
            for (int i = 0; i < 3; i++)
            {
                var f = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { Blocking = false };
                fillers.Add(f);
                try { f.Connect(endpoint); } catch (System.Net.Sockets.SocketException) { }
            }
            Thread.Sleep(100);
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<ScsiTransportException>(() => Wait(IscsiSession.ConnectAsync(Options(waitHere) with { Port = endpoint.Port, ConnectTimeout = TimeSpan.FromMilliseconds(300) })));
            Assert.Equal(TransportFailure.Timeout, e.Failure);
            Assert.Contains("did not accept a connection within 0.3 s", e.Message);
            Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }

    [Theory]
    [InlineData(true, false, "the target closed the connection")]
    [InlineData(false, false, "the target closed the connection")]
    [InlineData(true, true, "reading from the target failed")]
    [InlineData(false, true, "reading from the target failed")]
    public void A_connection_the_target_ends_mid_command_is_named_when_not_reconnecting(bool waitHere, bool reset, string expected)
    {
        _target.OnCommand = (c, cmd) =>
        {
            if (reset) c.Abort();
            else c.Close();
            return Task.CompletedTask;
        };
        var session = Wait(IscsiSession.ConnectAsync(Options(waitHere) with { Reconnect = false }));
        var e = Assert.Throws<ScsiTransportException>(() => Wait(session.ExecuteAsync(1, Tur, Memory<byte>.Empty)));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains(expected, e.Message);
        Assert.Equal(1, session.LoginCount);
        Wait(session.DisposeAsync());
    }

    [Fact]
    public void An_infinite_time_limit_never_passes_and_a_finite_one_is_that_far_ahead()
    {
        Assert.Equal(long.MaxValue, ExchangeLimit.After(Timeout.InfiniteTimeSpan));
        long before = Stopwatch.GetTimestamp();
        long deadline = ExchangeLimit.After(TimeSpan.FromSeconds(2));
        long after = Stopwatch.GetTimestamp();
        Assert.InRange(deadline, before + 2 * Stopwatch.Frequency, after + 2 * Stopwatch.Frequency);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_commands_time_limit_ends_with_the_command(bool waitHere)
    {
        // The first command's 0.3 s limit has long passed when the second, with 5 s, waits 100 ms for its answer.
        int seen = 0;
        _target.OnCommand = async (c, cmd) =>
        {
            if (Interlocked.Increment(ref seen) == 2) await Task.Delay(100);
            await c.RespondAsync(cmd, 0);
        };
        var session = Wait(IscsiSession.ConnectAsync(Options(waitHere)));
        Assert.Equal(ScsiStatus.Good, Wait(session.ExecuteAsync(1, new ScsiCommand("TEST UNIT READY", new byte[6], DataDirection.None, 0, TimeSpan.FromSeconds(0.3)), Memory<byte>.Empty)).Status);
        Thread.Sleep(400);
        Assert.Equal(ScsiStatus.Good, Wait(session.ExecuteAsync(1, Tur, Memory<byte>.Empty)).Status);
        Assert.Equal(1, session.LoginCount);
        Wait(session.DisposeAsync());
    }

    [Fact]
    public async Task Waiting_on_the_callers_thread_an_ipv6_portal_is_connected()
    {
        await using var target6 = new MockTarget(IPAddress.IPv6Loopback);
        var session = Done(IscsiSession.ConnectAsync(Options() with { Host = "::1", Port = target6.Port }));
        Assert.Equal(ScsiStatus.Good, Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty)).Status);
        Assert.Single(target6.Commands);
        Wait(session.DisposeAsync());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Data_out_larger_than_the_socket_buffers_waits_for_room_while_the_target_is_not_reading(bool waitHere)
    {
        // 16 MiB asked for by one R2T, the target reading nothing for half a second: the sends fill the kernel's
        // buffers and must wait for room (EAGAIN, then poll for writability) rather than fail or spin.
        int length = (16 << 20) - 1;                 // the largest the 3-byte parameter list length of WRITE BUFFER holds
        var data = new byte[length];
        new Random(7).NextBytes(data);
        var received = new byte[length];
        _target.MaxRecvDataSegmentLength = 262144;
        _target.ImmediateData = false;
        _target.OnCommand = async (c, cmd) =>
        {
            await c.SendAsync(new Pdu.R2TPdu(cmd.Lun, cmd.Itt, 0x42, c.StatSN, cmd.CmdSN + 1, cmd.CmdSN + 16, 0, 0, (uint)length));
            await Task.Delay(500);
            while (true)
            {
                var d = (Pdu.DataOutPdu)await c.ReceiveAsync();
                d.Data.CopyTo(received, (int)d.BufferOffset);
                if (d.Final) break;
            }
            await c.RespondAsync(cmd, 0);
        };
        var write = new ScsiCommand("WRITE BUFFER", [0x3B, 0x02, 0, 0, 0, 0, (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0], DataDirection.Out, length, TimeSpan.FromSeconds(20), data);
        var session = Wait(IscsiSession.ConnectAsync(Options(waitHere)));
        Assert.Equal(ScsiStatus.Good, Wait(session.ExecuteAsync(1, write, Memory<byte>.Empty)).Status);
        Assert.True(data.AsSpan().SequenceEqual(received), "the target did not receive the bytes sent");
        Wait(session.DisposeAsync());
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Disposing_a_polled_connection_twice_closes_its_own_descriptor_only()
    {
        string? stdout = new FileInfo("/proc/self/fd/1").LinkTarget;
        var connection = PolledConnection.Connect("127.0.0.1", _target.Port, TimeSpan.FromSeconds(2), CancellationToken.None);
        Wait(connection.DisposeAsync());
        Wait(connection.DisposeAsync());
        Assert.Equal(stdout, new FileInfo("/proc/self/fd/1").LinkTarget);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void The_socket_address_is_laid_out_as_sockaddr_in_and_sockaddr_in6()
    {
        Span<byte> sa = stackalloc byte[28];
        Assert.Equal(16, PolledConnection.SocketAddress(IPAddress.Parse("192.0.2.7"), 3260, sa));
        Assert.Equal(new byte[] { 2, 0, 0x0C, 0xBC, 192, 0, 2, 7, 0, 0, 0, 0, 0, 0, 0, 0 }, sa[..16].ToArray());
        Assert.Equal(28, PolledConnection.SocketAddress(IPAddress.Parse("2001:db8::1%3"), 3261, sa));
        Assert.Equal(new byte[] { 10, 0, 0x0C, 0xBD, 0, 0, 0, 0, 0x20, 1, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 0, 0, 0 }, sa.ToArray());
    }

    [Fact]
    public void The_command_lines_project_turns_the_switch_on_and_the_default_follows_it()
    {
        Assert.Equal("TapeChanger.Transport.Iscsi.WaitOnCallersThread", IscsiSessionOptions.WaitOnCallersThreadSwitch);
        string project = File.ReadAllText(Path.Combine(RepoRoot(), "src", "TapeChanger.Cli", "TapeChanger.Cli.csproj"));
        Assert.Contains($"<RuntimeHostConfigurationOption Include=\"{IscsiSessionOptions.WaitOnCallersThreadSwitch}\" Value=\"true\" />", project);
        string service = File.ReadAllText(Path.Combine(RepoRoot(), "src", "TapeChanger.Server", "TapeChanger.Server.csproj"));
        Assert.DoesNotContain(IscsiSessionOptions.WaitOnCallersThreadSwitch, service);
        // This test process does not set it: the default is off.
        Assert.False(new IscsiSessionOptions { Host = "h" }.WaitOnCallersThread);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TapeChanger.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TapeChanger.sln not found above the test binary");
    }
}

/// <summary>
/// No descriptor is left open by a connection, refused or closed, either way of waiting. In a collection of its own,
/// run alone, so the process's descriptor count moves only with these sessions.
/// </summary>
[Collection(nameof(DescriptorCountCollection))]
public sealed class ConnectionDescriptorTests
{
    private static int OpenDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Each open descriptor and what it is (socket:[inode], a file, a pipe), for the failure message.</summary>
    private static Dictionary<string, string> Descriptors()
    {
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string fd in Directory.GetFiles("/proc/self/fd"))
        {
            try { all[Path.GetFileName(fd)] = new FileInfo(fd).LinkTarget ?? "?"; }
            catch (IOException) { }           // closed meanwhile
        }
        return all;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Refused_and_closed_connections_leave_no_descriptor_open(bool waitHere)
    {
        int refusedPort;
        await using (var closed = new MockTarget()) refusedPort = closed.Port;
        await using var target = new MockTarget();
        IscsiSessionOptions Options(int port) => new()
        {
            Host = "127.0.0.1", Port = port, TargetName = MockTarget.Name, WaitOnCallersThread = waitHere,
            ConnectTimeout = TimeSpan.FromSeconds(2), LoginTimeout = TimeSpan.FromSeconds(2), LogoutTimeout = TimeSpan.FromSeconds(1),
        };
        // One session first: whatever the runtime opens once (the socket engine's epoll descriptor) is open before counting.
        await (await IscsiSession.ConnectAsync(Options(target.Port))).DisposeAsync();
        // And a portal that never completes the handshake (its accept queue full): each connect times out.
        using var full = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        full.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        full.Listen(0);
        int fullPort = ((System.Net.IPEndPoint)full.LocalEndPoint!).Port;
        var fillers = new List<System.Net.Sockets.Socket>();
        for (int i = 0; i < 3; i++)
        {
            var f = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { Blocking = false };
            fillers.Add(f);
            try { f.Connect(full.LocalEndPoint!); } catch (System.Net.Sockets.SocketException) { }
        }
        await Task.Delay(100);
        var beforeSet = Descriptors();
        int before = OpenDescriptors();
        for (int i = 0; i < 10; i++)
        {
            await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options(refusedPort)));
            if (i < 4)
            {
                var e = await Assert.ThrowsAsync<ScsiTransportException>(() => IscsiSession.ConnectAsync(Options(fullPort) with { ConnectTimeout = TimeSpan.FromMilliseconds(100) }));
                Assert.Equal(TransportFailure.Timeout, e.Failure);
            }
            var session = await IscsiSession.ConnectAsync(Options(target.Port));
            await session.DisposeAsync();
        }
        // The mock's side of each connection (in this process) closes when its handler reads the end of the stream,
        // which on a loaded machine can take a while: wait for the count to settle, for up to ten seconds. A leak
        // of ours never settles.
        var until = DateTime.UtcNow.AddSeconds(10);
        int open;
        while ((open = OpenDescriptors()) > before + 2 && DateTime.UtcNow < until) await Task.Delay(100);
        Assert.True(open <= before + 2, $"{open} descriptors open, {before} before; new: " +
            string.Join(", ", Descriptors().Where(d => !beforeSet.ContainsKey(d.Key)).Select(d => $"{d.Key} -> {d.Value}")));
        foreach (var f in fillers) f.Dispose();
    }
}

[CollectionDefinition(nameof(DescriptorCountCollection), DisableParallelization = true)]
public sealed class DescriptorCountCollection;
