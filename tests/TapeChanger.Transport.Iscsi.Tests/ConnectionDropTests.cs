using System.Diagnostics;
using TapeChanger.Cleaning;
using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>
/// The mock target drops the TCP connection at each protocol phase. A transient drop costs one reconnect and
/// the command completes; a persistent one ends in <see cref="ScsiTransportException"/> (which the cleaner reports as
/// ERROR_NOT_CONNECTED and the CLI as exit 74), within the configured timeouts, never a hang or another exception type.
/// </summary>
public class ConnectionDropTests : IAsyncLifetime
{
    private readonly MockTarget _target = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _target.DisposeAsync();

    /// <summary>Every phase has a timeout well under the test's bound.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private IscsiSessionOptions Options() => new()
    {
        Host = "127.0.0.1", Port = _target.Port, TargetName = MockTarget.Name,
        ConnectTimeout = TimeSpan.FromSeconds(2), LoginTimeout = TimeSpan.FromSeconds(2), LogoutTimeout = TimeSpan.FromSeconds(1),
        WaitOnCallersThread = WaitOnCallersThread,
    };

    /// <summary>How the sessions of these tests wait for the target (<see cref="IscsiSessionOptions.WaitOnCallersThread"/>).</summary>
    protected virtual bool WaitOnCallersThread => false;

    private static ScsiCommand Read(int length) =>
        new("READ ELEMENT STATUS", [0xB8, 0x10, 0, 0, 0, 1, 0, 0, 0, (byte)length, 0, 0], DataDirection.In, length, TimeSpan.FromSeconds(2));

    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 5 + 1)).ToArray();

    /// <summary>Answers a 600-byte READ ELEMENT STATUS in two Data-In PDUs, the second carrying the status.</summary>
    private static async Task AnswerAsync(MockConnection c, Pdu.ScsiCommandPdu cmd)
    {
        var data = Pattern(600);
        await c.DataInAsync(cmd, data[..300], 0, 0);
        await c.DataInAsync(cmd, data[300..], 300, 1, withStatus: true);
    }

    private static async Task<T> Bounded<T>(Task<T> task)
    {
        var sw = Stopwatch.StartNew();
        var r = await task.WaitAsync(Bound);
        Assert.True(sw.Elapsed < Bound);
        return r;
    }

    private static async Task<ScsiTransportException> Fails(Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(() => action().WaitAsync(Bound));   // exactly this type, no hang
        Assert.Equal(NtmsResult.ERROR_NOT_CONNECTED, CleanerService.Map(e)!.Result);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private async Task<byte[]> ReadOnceAsync(IscsiSession s)
    {
        var buffer = new byte[600];
        var r = await Bounded(s.ExecuteAsync(1, Read(600), buffer));
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(600, r.DataTransferred);
        return buffer;
    }

    [Fact]
    public async Task Drop_during_login_is_a_typed_error_and_the_next_login_succeeds()
    {
        _target.DropDuringLogin = 1;
        var e = await Fails(() => IscsiSession.ConnectAsync(Options()));
        Assert.Contains("login", e.Message);
        Assert.Equal(TransportFailure.Io, e.Failure);
        await using var s = await IscsiSession.ConnectAsync(Options());
        _target.OnCommand = AnswerAsync;
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));
    }

    [Fact]
    public async Task Drop_after_login_before_the_first_command_costs_one_reconnect()
    {
        _target.DropAfterLogin = 1;
        _target.OnCommand = AnswerAsync;
        await using var s = await IscsiSession.ConnectAsync(Options());
        await Task.Delay(50);                                  // let the RST arrive while the session is idle
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));
        Assert.Equal(2, s.LoginCount);
    }

    [Fact]
    public async Task Drop_mid_data_in_reissues_after_one_reconnect_and_returns_whole_data()
    {
        int calls = 0;
        _target.OnCommand = async (c, cmd) =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                await c.DataInAsync(cmd, Pattern(600)[..300], 0, 0);   // first half only, then the wire goes dead
                c.Abort();
                return;
            }
            await AnswerAsync(c, cmd);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));
        Assert.Equal(2, s.LoginCount);
        Assert.Equal(2, _target.Commands.Count);
    }

    [Fact]
    public async Task Drop_between_commands_costs_one_reconnect()
    {
        int calls = 0;
        _target.OnCommand = async (c, cmd) =>
        {
            await AnswerAsync(c, cmd);
            if (Interlocked.Increment(ref calls) == 1) c.Abort();   // after a complete reply, before the next command
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));
        await Task.Delay(50);
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));
        Assert.Equal(2, s.LoginCount);
    }

    [Fact]
    public async Task Drop_on_every_command_ends_in_a_typed_error_after_one_reconnect()
    {
        _target.OnCommand = (c, cmd) => { c.Abort(); return Task.CompletedTask; };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var e = await Fails(() => s.ExecuteAsync(1, Read(600), new byte[600]));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("again after reconnecting", e.Message);
        Assert.Equal(2, s.LoginCount);
        // The session stays usable once the target behaves.
        _target.OnCommand = AnswerAsync;
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));
    }

    [Fact]
    public async Task Drop_during_the_reconnect_login_ends_in_a_typed_error()
    {
        _target.OnCommand = (c, cmd) => { c.Abort(); return Task.CompletedTask; };
        await using var s = await IscsiSession.ConnectAsync(Options());
        _target.DropDuringLogin = 1000;                          // every later login is cut
        var e = await Fails(() => s.ExecuteAsync(1, Read(600), new byte[600]));
        Assert.Contains("reconnecting", e.Message);
        Assert.Contains("not executed", e.Message);
    }

    [Fact]
    public async Task Target_gone_for_good_ends_in_a_typed_error_through_the_transport()
    {
        await using var t = await IscsiTransport.OpenAsync(Options(), 1);
        _target.OnCommand = (c, cmd) => { c.Target.StopListening(); c.Abort(); return Task.CompletedTask; };
        var e = await Fails(async () => await t.ExecuteAsync(Read(600), new byte[600]));
        Assert.Equal(TransportFailure.Io, e.Failure);
        // Repeated calls keep failing the same way, promptly.
        await Fails(async () => await t.ExecuteAsync(Read(600), new byte[600]));
    }

    [Fact]
    public async Task A_move_in_flight_when_the_connection_drops_is_not_resent()
    {
        // MOVE MEDIUM may have run before the drop: re-sending could move another cartridge. One attempt, a typed error,
        // and the session reconnects for the next command.
        int moves = 0;
        _target.OnCommand = (c, cmd) =>
        {
            if (cmd.Cdb[0] == OpCode.MoveMedium && Interlocked.Increment(ref moves) == 1) { c.Abort(); return Task.CompletedTask; }
            return cmd.Cdb[0] == OpCode.MoveMedium ? c.RespondAsync(cmd, 0) : AnswerAsync(c, cmd);
        };
        await using var s = await IscsiSession.ConnectAsync(Options());
        var move = TapeChanger.Scsi.Cdb.SmcCommands.MoveMedium(1, 1000, 500).WithTimeout(TimeSpan.FromSeconds(2));
        var e = await Fails(() => s.ExecuteAsync(1, move, Memory<byte>.Empty));
        Assert.Contains("not re-sent", e.Message);
        Assert.Equal(1, moves);
        Assert.Equal(Pattern(600), await ReadOnceAsync(s));       // the next command reconnects
        Assert.True(IscsiSession.SafeToResend(Read(8)));
        Assert.False(IscsiSession.SafeToResend(TapeChanger.Scsi.Cdb.SmcCommands.ExchangeMedium(1, 1000, 1001, 1000)));
    }
}

/// <summary>Every test of <see cref="ConnectionDropTests"/> again, with the sessions waiting in poll(2) on the calling thread (the command line's way).</summary>
public sealed class ConnectionDropTestsWaitingOnCallersThread : ConnectionDropTests
{
    protected override bool WaitOnCallersThread => true;
}
