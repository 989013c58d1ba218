using TapeChanger.Scsi;
using TapeChanger.Testing;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>SmcClient.BeforeMotion: asked before every send of a command that moves the robot (retries included), and able to stop it unsent.</summary>
public class BeforeMotionTests
{
    [Fact]
    public async Task The_hook_runs_before_each_send_of_a_move_and_never_for_other_commands()
    {
        var t = new ScriptedTransport(Good, Check(2, 0x04, 0x01), Good);
        var asked = new List<int>();
        await using var c = new SmcClient(t, time: new SteppingTime()) { BeforeMotion = _ => { asked.Add(t.Sent.Count); return ValueTask.CompletedTask; } };
        await c.TestUnitReadyAsync();
        await c.MoveMediumAsync(0, 1000, 500);                      // 02/04/01 once, then resent
        Assert.Equal(["TEST UNIT READY", "MOVE MEDIUM", "MOVE MEDIUM"], t.SentNames);
        Assert.Equal([1, 2], asked);                                 // before each MOVE MEDIUM was sent, not before TEST UNIT READY
    }

    [Fact]
    public async Task A_hook_that_throws_leaves_the_move_unsent()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x01), Good);
        int calls = 0;
        await using var c = new SmcClient(t, time: new SteppingTime())
        {
            BeforeMotion = _ => ++calls == 2 ? throw new InvalidOperationException("lease gone") : ValueTask.CompletedTask,
        };
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await c.MoveMediumAsync(0, 1000, 500));
        Assert.Equal("lease gone", e.Message);
        Assert.Equal(["MOVE MEDIUM"], t.SentNames);                 // the first send (02/04/01); the resend never went out
    }
}
