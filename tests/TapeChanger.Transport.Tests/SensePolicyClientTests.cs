using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>SmcClient.ExecuteAsync carrying out the sense policy, on a fake clock.</summary>
public class SensePolicyClientTests
{
    [Fact]
    public async Task Unit_attentions_are_retried_and_only_map_changing_ones_are_counted_for_the_map()
    {
        var t = new ScriptedTransport(Check(6, 0x29, 0x00), Check(6, 0x2F, 0x00), Check(6, 0x28, 0x01), Check(6, 0x2A, 0x03), Good);
        var time = new SteppingTime();
        await using var c = new SmcClient(t, time: time);
        await c.TestUnitReadyAsync();
        Assert.Equal(5, c.CommandCount);
        Assert.Equal(4, c.UnitAttentionsSeen);
        Assert.Equal(2, c.MapChangesSeen);          // 29/00 and 28/01; not 2F/00 or 2A/03
        Assert.Empty(time.Delays);                  // retry soon: no waiting
    }

    [Fact]
    public async Task Becoming_ready_backs_off_exponentially_and_announces_once()
    {
        var notReady = Check(2, 0x04, 0x01);
        var t = new ScriptedTransport(notReady, notReady, notReady, Check(2, 0x04, 0x07), Good);
        var time = new SteppingTime();
        var said = new List<string>();
        await using var c = new SmcClient(t, new RetryPolicy { OnWaiting = said.Add }, time);
        await c.MoveMediumAsync(0, 1000, 500);
        Assert.Equal([1, 2, 4, 8], time.Delays.Select(d => d.TotalSeconds));
        // One message per condition: 04/01, then 04/07; the limit is the generic profile's 300 s.
        Assert.Equal(2, said.Count);
        Assert.Equal("waiting up to 300 s: the library is becoming ready (starting up or taking inventory) [02/04/01]", said[0]);
        Assert.EndsWith("[02/04/07]", said[1]);
    }

    [Fact]
    public async Task Backoff_is_capped_at_30_s_and_bounded_by_the_limit()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x00));
        var time = new SteppingTime();
        await using var c = new SmcClient(t, new RetryPolicy { BecomingReadyTimeout = TimeSpan.FromSeconds(100) }, time);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal("02/04/00", e.Sense.Triplet);
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 9], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(100), time.Elapsed);
    }

    [Fact]
    public async Task Without_a_retry_setting_the_profile_limit_applies()
    {
        var t = new ScriptedTransport(Check(2, 0x3E, 0x00));
        var time = new SteppingTime();
        await using var c = new SmcClient(t, time: time, quirks: new ChangerQuirks { BecomingReadyLimit = TimeSpan.FromSeconds(5) });
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal(TimeSpan.FromSeconds(5), time.Elapsed);
    }

    [Fact]
    public async Task Busy_status_is_waited_out_like_becoming_ready()
    {
        var busy = new ScsiResult(ScsiStatus.Busy, 0, []);
        var t = new ScriptedTransport(busy, busy, Good);
        var time = new SteppingTime();
        await using var c = new SmcClient(t, time: time);
        await c.TestUnitReadyAsync();
        Assert.Equal([1, 2], time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task Door_open_fails_at_once_by_default()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x18), Good);
        var time = new SteppingTime();
        var said = new List<string>();
        await using var c = new SmcClient(t, new RetryPolicy { OnWaiting = said.Add }, time);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.MoveMediumAsync(0, 1000, 500));
        Assert.Equal("02/04/18", e.Sense.Triplet);
        Assert.Equal(1, c.CommandCount);
        Assert.Empty(said);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Door_open_is_waited_for_with_one_operator_message_and_polling()
    {
        var door = Check(2, 0x04, 0x18);
        var t = new ScriptedTransport(door, door, door, Check(6, 0x28, 0x00), Good);
        var time = new SteppingTime();
        var said = new List<string>();
        await using var c = new SmcClient(t, new RetryPolicy { OperatorWaitLimit = TimeSpan.FromSeconds(60), OnWaiting = said.Add }, time);
        await c.MoveMediumAsync(0, 1000, 500);
        Assert.Equal(["waiting up to 60 s: a library door is open; close the door [02/04/18]"], said);
        Assert.Equal([5, 5, 5], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(Enumerable.Repeat("MOVE MEDIUM", 5), t.SentNames);        // re-sent: the library refused it while the door was open
        Assert.Equal(1, c.MapChangesSeen);                                // 28/00 after the door closed
    }

    [Fact]
    public async Task Operator_wait_gives_up_at_its_limit()
    {
        var t = new ScriptedTransport(Check(2, 0x3A, 0x02));
        var time = new SteppingTime();
        await using var c = new SmcClient(t, new RetryPolicy { OperatorWaitLimit = TimeSpan.FromSeconds(12) }, time);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.MoveMediumAsync(0, 10, 1000));
        Assert.Equal("02/3A/02", e.Sense.Triplet);
        Assert.Equal(TimeSpan.FromSeconds(12), time.Elapsed);
        Assert.Equal([5, 5, 2], time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task A_profile_row_overrides_the_built_in_action()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x18), Good);
        var quirks = new ChangerQuirks { SenseRules = [new(SenseKey.NotReady, 0x04, 0x18, SenseAction.Fail, SenseFailure.NotReady, "door open means offline here", "test")] };
        await using var c = new SmcClient(t, new RetryPolicy { OperatorWaitLimit = TimeSpan.FromSeconds(60) }, new SteppingTime(), quirks);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal(1, c.CommandCount);
    }

    [Theory]
    [InlineData(0x05, 0x3B, 0x0D)]
    [InlineData(0x05, 0x24, 0x00)]
    [InlineData(0x04, 0x44, 0x00)]
    [InlineData(0x02, 0x04, 0x12)]
    public async Task Fail_rows_throw_after_one_command(byte key, byte asc, byte ascq)
    {
        var t = new ScriptedTransport(Check(key, asc, ascq), Good);
        var time = new SteppingTime();
        await using var c = new SmcClient(t, new RetryPolicy { OperatorWaitLimit = TimeSpan.FromSeconds(60) }, time);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.MoveMediumAsync(0, 1000, 1001));
        Assert.Equal(1, c.CommandCount);
        Assert.Empty(time.Delays);
    }

    [Fact]
    public async Task Cleaning_requested_with_a_completed_command_is_success_plus_a_mark()
    {
        // RECOVERED ERROR 01/00/17 (SLR100 via amanda) and NO SENSE 00/82/82 (mhVTL's IBM code): the command completed.
        var t = new ScriptedTransport(Check(1, 0x00, 0x17), Check(0, 0x82, 0x82), Good);
        await using var c = new SmcClient(t, time: new SteppingTime());
        await c.TestUnitReadyAsync();
        await c.TestUnitReadyAsync();
        await c.TestUnitReadyAsync();
        Assert.Equal(["01/00/17", "00/82/82"], c.Marks.Select(m => m.Sense.Triplet));
        Assert.All(c.Marks, m => Assert.Equal(SenseAction.MarkDriveNeedsCleaning, m.Rule.Action));
    }

    [Fact]
    public async Task Cleaning_failure_fails_the_command_and_marks_the_cleaner()
    {
        var t = new ScriptedTransport(Check(3, 0x30, 0x07));
        await using var c = new SmcClient(t, time: new SteppingTime());
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        var mark = Assert.Single(c.Marks);
        Assert.Equal(SenseAction.MarkCleanerSpent, mark.Rule.Action);
        Assert.Equal("TEST UNIT READY", mark.Command);
    }

    [Fact]
    public async Task Execute_once_never_retries_or_waits()
    {
        var t = new ScriptedTransport(Check(2, 0x30, 0x03), Good);
        var time = new SteppingTime();
        await using var c = new SmcClient(t, time: time);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.ExecuteOnceAsync(SpcCommands.TestUnitReady()));
        Assert.Equal(1, c.CommandCount);
        Assert.Empty(time.Delays);
    }
}
