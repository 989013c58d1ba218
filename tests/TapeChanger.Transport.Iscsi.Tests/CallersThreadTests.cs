using System.Diagnostics;
using System.Runtime.ExceptionServices;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>
/// The two ways the initiator waits for the target (<see cref="IscsiConnection.WaitsOnCallersThread"/>): a caller on a
/// thread of its own (the command line's main thread) waits in poll(2) there, so each call has completed when it
/// returns; a caller on the thread pool (the service) goes through .NET's socket engine. Both against
/// <see cref="MockTarget"/>: the same bytes, the same timeouts and errors.
/// </summary>
public sealed class CallersThreadTests : IAsyncLifetime
{
    private readonly MockTarget _target = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _target.DisposeAsync();

    private IscsiSessionOptions Options() => new()
    {
        Host = "127.0.0.1", Port = _target.Port, TargetName = MockTarget.Name,
        ConnectTimeout = TimeSpan.FromSeconds(2), LoginTimeout = TimeSpan.FromSeconds(2), LogoutTimeout = TimeSpan.FromSeconds(1),
    };

    private static ScsiCommand Read(int length, double timeoutSeconds = 5) =>
        new("READ ELEMENT STATUS", [0xB8, 0x10, 0, 0, 0, 1, 0, (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0], DataDirection.In, length, TimeSpan.FromSeconds(timeoutSeconds));

    private static readonly ScsiCommand Tur = new("TEST UNIT READY", new byte[6], DataDirection.None, 0, TimeSpan.FromSeconds(5));

    /// <summary>Runs <paramref name="body"/> on a new thread that is not the pool's and waits for it.</summary>
    private static T OnOwnThread<T>(Func<T> body)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Assert.False(Thread.CurrentThread.IsThreadPoolThread);
                result = body();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        });
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }

    /// <summary>The task a call returned, which on a thread of its own must already be complete.</summary>
    private static T Done<T>(Task<T> task)
    {
        Assert.True(task.IsCompleted, "the call returned before its exchange completed: it left the caller's thread");
        return task.GetAwaiter().GetResult();
    }

    private static void Done(Task task)
    {
        Assert.True(task.IsCompleted, "the call returned before its exchange completed: it left the caller's thread");
        task.GetAwaiter().GetResult();
    }

    private void ScriptThreePartRead(byte[] payload) => _target.OnCommand = async (c, cmd) =>
    {
        if (cmd.Read)
        {
            int third = payload.Length / 3;
            await c.DataInAsync(cmd, payload[..third], 0, 0);
            await c.DataInAsync(cmd, payload[third..(2 * third)], (uint)third, 1);
            await c.DataInAsync(cmd, payload[(2 * third)..], (uint)(2 * third), 2);
        }
        await c.RespondAsync(cmd, 0);
    };

    [Fact]
    public void On_its_own_thread_login_commands_and_logout_complete_before_each_call_returns()
    {
        var payload = Enumerable.Range(0, 6_000).Select(i => (byte)(i * 13)).ToArray();
        ScriptThreePartRead(payload);
        var buffer = new byte[payload.Length];
        var (read, tur) = OnOwnThread(() =>
        {
            var session = Done(IscsiSession.ConnectAsync(Options()));
            var r = Done(session.ExecuteAsync(1, Read(payload.Length), buffer));
            var t = Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty));
            var dispose = session.DisposeAsync();
            Assert.True(dispose.IsCompleted, "the logout left the caller's thread");
            dispose.GetAwaiter().GetResult();
            return (r, t);
        });
        Assert.Equal(ScsiStatus.Good, read.Status);
        Assert.Equal(payload.Length, read.DataTransferred);
        Assert.Equal(payload, buffer);
        Assert.Equal(ScsiStatus.Good, tur.Status);
        Assert.Equal(2, _target.Commands.Count);
        Assert.Equal(1, _target.Logouts);
    }

    [Fact]
    public async Task On_the_thread_pool_the_same_exchange_gives_the_same_bytes()
    {
        var payload = Enumerable.Range(0, 6_000).Select(i => (byte)(i * 13)).ToArray();
        ScriptThreePartRead(payload);
        var buffer = new byte[payload.Length];
        var read = await Task.Run(async () =>
        {
            Assert.True(Thread.CurrentThread.IsThreadPoolThread);
            await using var session = await IscsiSession.ConnectAsync(Options());
            return await session.ExecuteAsync(1, Read(payload.Length), buffer);
        });
        Assert.Equal(payload.Length, read.DataTransferred);
        Assert.Equal(payload, buffer);
    }

    [Fact]
    public void On_its_own_thread_a_silent_target_times_the_command_out_after_its_timeout()
    {
        _target.OnCommand = (c, cmd) => Task.CompletedTask;
        var (failure, elapsed) = OnOwnThread(() =>
        {
            var session = Done(IscsiSession.ConnectAsync(Options()));
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<ScsiTransportException>(() => Done(session.ExecuteAsync(1, Read(8, 0.3), new byte[8])));
            return (e.Failure, clock.Elapsed);
        });
        Assert.Equal(TransportFailure.Timeout, failure);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(290), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void On_its_own_thread_a_cancel_ends_the_wait_as_a_cancel_not_a_timeout()
    {
        _target.OnCommand = (c, cmd) => Task.CompletedTask;
        var (error, elapsed) = OnOwnThread(() =>
        {
            var session = Done(IscsiSession.ConnectAsync(Options()));
            using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var clock = Stopwatch.StartNew();
            var e = Record.Exception(() => Done(session.ExecuteAsync(1, Read(8, 30), new byte[8], cancel.Token)));
            return (e, clock.Elapsed);
        });
        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.InRange(elapsed, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void On_its_own_thread_a_refused_connection_and_an_unknown_host_are_not_found()
    {
        int port = _target.Port;
        _target.StopListening();
        var refused = OnOwnThread(() => Assert.Throws<ScsiTransportException>(() => Done(IscsiSession.ConnectAsync(Options() with { Port = port }))));
        Assert.Equal(TransportFailure.NotFound, refused.Failure);
        Assert.Contains("connection refused", refused.Message);
        var unknown = OnOwnThread(() => Assert.Throws<ScsiTransportException>(() => Done(IscsiSession.ConnectAsync(Options() with { Host = "no-such-host.invalid" }))));
        Assert.Equal(TransportFailure.NotFound, unknown.Failure);
    }

    [Fact]
    public void On_its_own_thread_a_host_name_is_resolved_and_connected()
    {
        var tur = OnOwnThread(() =>
        {
            var session = Done(IscsiSession.ConnectAsync(Options() with { Host = "localhost" }));
            var r = Done(session.ExecuteAsync(1, Tur, Memory<byte>.Empty));
            session.DisposeAsync().GetAwaiter().GetResult();
            return r;
        });
        Assert.Equal(ScsiStatus.Good, tur.Status);
    }
}
