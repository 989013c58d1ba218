using System.Runtime.InteropServices;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>
/// ScsiChannel (buffer, bytes returned, the sense kept), ScsiResultChecker (which results are successes, the messages of
/// failures) and the client's sense policy in the cases SensePolicyClientTests leaves out.
/// </summary>
public class ChannelAndPolicyTests
{
    private static readonly ScsiCommand Inquiry96 = SpcCommands.Inquiry(96);
    private static readonly ScsiCommand Move = SmcCommands.MoveMedium(1, 1000, 500);

    /// <summary>Writes 0, 1, 2... into the buffer and reports <paramref name="transferred"/> bytes.</summary>
    private static ScriptedTransport Filling(int transferred, byte[]? sense = null, ScsiStatus status = ScsiStatus.Good) => new()
    {
        Answer = (_, data) =>
        {
            for (int i = 0; i < data.Length; i++) data.Span[i] = (byte)i;
            return new ScsiResult(status, transferred, sense ?? []);
        },
    };

    [Fact]
    public async Task The_channel_gives_the_transport_a_buffer_of_the_allocation_length()
    {
        int seen = -1;
        var t = new ScriptedTransport { Answer = (_, data) => { seen = data.Length; return ScsiResult.Good(0); } };
        var ch = new ScsiChannel(t);
        await ch.ExecuteAsync(Inquiry96);
        Assert.Equal(96, seen);
        Assert.Empty(await ch.ExecuteAsync(Move));
        Assert.Equal(0, seen);
        Assert.Equal(2, ch.CommandCount);
    }

    [Theory]
    [InlineData(36, 36)]
    [InlineData(96, 96)]
    [InlineData(200, 96)]       // a transport reporting more than asked: the buffer is all there is
    [InlineData(-4, 0)]
    [InlineData(0, 0)]
    public async Task The_channel_returns_the_bytes_transferred(int transferred, int expected)
    {
        var ch = new ScsiChannel(Filling(transferred));
        var data = await ch.ExecuteAsync(Inquiry96);
        Assert.Equal(Enumerable.Range(0, expected).Select(i => (byte)i), data);
    }

    /// <summary>
    /// A reply that fills the buffer is returned as the buffer the transport filled, not a copy of it (a 2,000-slot
    /// READ ELEMENT STATUS is 104 KB); a shorter one as a copy of the part filled. <see cref="ScsiChannel.TryExecuteAsync"/>
    /// gives the filled part of that same buffer, or, for a CHECK CONDITION that failed the command, its sense and no data.
    /// </summary>
    [Fact]
    public async Task A_full_reply_is_the_transports_own_buffer_and_a_short_one_a_copy_of_its_start()
    {
        byte[]? filled = null;
        int transferred = 96;
        var t = new ScriptedTransport
        {
            Answer = (_, data) =>
            {
                filled = MemoryMarshal.TryGetArray((ReadOnlyMemory<byte>)data, out var whole) ? whole.Array : null;
                data.Span.Fill(0x5A);
                return ScsiResult.Good(transferred);
            },
        };
        var ch = new ScsiChannel(t);
        var full = await ch.ExecuteAsync(Inquiry96);
        Assert.NotNull(filled);
        Assert.Same(filled, full);

        transferred = 36;
        var part = await ch.ExecuteAsync(Inquiry96);
        Assert.NotSame(filled, part);
        Assert.Equal(Enumerable.Repeat((byte)0x5A, 36), part);

        var tried = await ch.TryExecuteAsync(Inquiry96);
        Assert.Null(tried.Failure);
        Assert.True(MemoryMarshal.TryGetArray(tried.Data, out var slice));
        Assert.Same(filled, slice.Array);
        Assert.Equal((0, 36), (slice.Offset, slice.Count));

        var refused = await new ScsiChannel(new ScriptedTransport(Check(5, 0x3B, 0x0D))).TryExecuteAsync(Move);
        Assert.Equal("05/3B/0D", refused.Failure?.Triplet);
        Assert.True(refused.Data.IsEmpty);
    }

    [Fact]
    public async Task The_channel_keeps_the_sense_of_a_completed_command_until_the_next()
    {
        var t = new ScriptedTransport(new ScsiResult(ScsiStatus.Good, 0, Fixed(1, 0x00, 0x17)), Good);
        var ch = new ScsiChannel(t);
        await ch.ExecuteAsync(SpcCommands.TestUnitReady());
        Assert.Equal("01/00/17", ch.LastSense?.Triplet);
        await ch.ExecuteAsync(SpcCommands.TestUnitReady());
        Assert.Null(ch.LastSense);
    }

    [Fact]
    public async Task The_channel_keeps_the_sense_of_a_failed_command()
    {
        var ch = new ScsiChannel(new ScriptedTransport(Check(5, 0x3B, 0x0D)));
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await ch.ExecuteAsync(Move));
        Assert.Equal("05/3B/0D", ch.LastSense?.Triplet);
    }

    [Fact]
    public async Task Sense_with_another_status_or_not_sense_at_all_is_not_kept()
    {
        var busy = new ScsiChannel(new ScriptedTransport(new ScsiResult(ScsiStatus.Busy, 0, Fixed(6, 0x29, 0x00))));
        await Assert.ThrowsAsync<ScsiStatusException>(async () => await busy.ExecuteAsync(Move));
        Assert.Null(busy.LastSense);
        var junk = new ScsiChannel(new ScriptedTransport(new ScsiResult(ScsiStatus.Good, 0, [0x12, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0])));
        await junk.ExecuteAsync(Move);
        Assert.Null(junk.LastSense);
    }

    [Fact]
    public async Task Unreadable_sense_of_a_failed_command_is_a_transport_error()
    {
        var ch = new ScsiChannel(new ScriptedTransport(ScsiResult.CheckCondition([0x70, 0x00])));
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await ch.ExecuteAsync(Move));
        Assert.Null(ch.LastSense);
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.StartsWith("MOVE MEDIUM failed with unreadable sense data: ", e.Message);
        Assert.IsType<ScsiDecodeException>(e.InnerException);
        Assert.Equal("MOVE MEDIUM", e.Command);
    }

    [Fact]
    public async Task The_channel_names_and_disposes_its_transport()
    {
        var t = new ScriptedTransport { Device = "scripted:x" };
        var ch = new ScsiChannel(t);
        Assert.Equal("scripted:x", ch.Device);
        Assert.Same(t, ch.Transport);
        await ch.DisposeAsync();
        Assert.True(t.Disposed);
    }

    [Fact]
    public void Condition_met_is_a_success()
    {
        Assert.Equal(12, ScsiResultChecker.ThrowIfFailed(Move, new ScsiResult(ScsiStatus.ConditionMet, 12, [])));
    }

    [Theory]
    [InlineData(0x00, 0x00, 0x00)]      // NO SENSE, nothing to say
    [InlineData(0x00, 0x00, 0x17)]      // cleaning requested: marked by the client
    [InlineData(0x00, 0x30, 0x03)]      // cleaning cartridge present: proceed
    [InlineData(0x00, 0x82, 0x82)]      // mhVTL's cleaning code
    [InlineData(0x01, 0x5D, 0x00)]      // RECOVERED ERROR, whatever the ASC
    public void Completed_commands_with_a_note_return_their_data(byte key, byte asc, byte ascq)
    {
        Assert.Equal(20, ScsiResultChecker.ThrowIfFailed(Inquiry96, new ScsiResult(ScsiStatus.CheckCondition, 20, Fixed(key, asc, ascq))));
    }

    [Theory]
    [InlineData(0x00, 0x00, 0x01)]      // NO SENSE with a condition the policy fails on
    [InlineData(0x00, 0x3B, 0x0D)]
    [InlineData(0x02, 0x00, 0x00)]      // NOT READY with ASC 0
    [InlineData(0x03, 0x00, 0x17)]
    public void Other_senses_fail(byte key, byte asc, byte ascq)
    {
        var e = Assert.Throws<ScsiCheckConditionException>(() => ScsiResultChecker.ThrowIfFailed(Move, new ScsiResult(ScsiStatus.CheckCondition, 20, Fixed(key, asc, ascq))));
        Assert.Equal($"{key:X2}/{asc:X2}/{ascq:X2}", e.Sense.Triplet);
        Assert.Equal("MOVE MEDIUM", e.Command);
    }

    [Fact]
    public void Check_condition_without_sense_names_the_command()
    {
        var e = Assert.Throws<ScsiTransportException>(() => ScsiResultChecker.ThrowIfFailed(Move, ScsiResult.CheckCondition([])));
        Assert.Equal("MOVE MEDIUM failed: CHECK CONDITION without sense data", e.Message);
        Assert.Equal((TransportFailure.Io, "MOVE MEDIUM"), (e.Failure, e.Command));
    }

    [Theory]
    [InlineData(ScsiStatus.ReservationConflict)]
    [InlineData(ScsiStatus.TaskSetFull)]
    [InlineData(ScsiStatus.TaskAborted)]
    public void Other_statuses_fail_with_the_status(ScsiStatus status)
    {
        var e = Assert.Throws<ScsiStatusException>(() => ScsiResultChecker.ThrowIfFailed(Move, new ScsiResult(status, 0, [])));
        Assert.Equal(status, e.Status);
        Assert.Equal($"MOVE MEDIUM failed: device returned status {status}", e.Message);
    }

    [Theory]
    [InlineData(36, 60)]
    [InlineData(96, 0)]
    [InlineData(120, 0)]
    public void The_residual_is_what_was_not_transferred(int transferred, int residual)
    {
        Assert.Equal(residual, ScsiResult.Good(transferred).Residual(Inquiry96));
        Assert.Equal((ScsiStatus.Good, transferred), (ScsiResult.Good(transferred).Status, ScsiResult.Good(transferred).DataTransferred));
    }

    [Fact]
    public void A_check_condition_result_carries_its_sense_and_no_data()
    {
        var s = Fixed(5, 0x24, 0);
        var r = ScsiResult.CheckCondition(s);
        Assert.Equal((ScsiStatus.CheckCondition, 0), (r.Status, r.DataTransferred));
        Assert.Same(s, r.Sense);
        Assert.Empty(ScsiResult.Good(3).Sense);
    }

    [Fact]
    public async Task No_unit_attention_retries_means_the_first_fails()
    {
        var t = new ScriptedTransport(Check(6, 0x29, 0x00), Good);
        await using var c = new SmcClient(t, new RetryPolicy { UnitAttentionRetries = 0 });
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal((1, 0), (c.CommandCount, c.UnitAttentionsSeen));
    }

    [Fact]
    public async Task Definition_changes_are_counted_for_parameter_and_operating_changes_only()
    {
        var t = new ScriptedTransport(Check(6, 0x2A, 0x01), Check(6, 0x3F, 0x0E), Check(6, 0x29, 0x00), Check(6, 0x28, 0x00), Good);
        await using var c = new SmcClient(t);
        await c.TestUnitReadyAsync();
        Assert.Equal(4, c.UnitAttentionsSeen);
        Assert.Equal(2, c.DefinitionChangesSeen);
        Assert.Equal(4, c.MapChangesSeen);         // 2A/01, 3F/0E, 29/00, 28/00 all invalidate the element map
    }

    [Fact]
    public async Task Retried_senses_of_another_key_are_not_counted_as_changes()
    {
        // A profile that re-sends NOT READY 28/00 and 2A/00 (as if they were unit attentions).
        var rules = new List<SenseRule>
        {
            new(SenseKey.NotReady, 0x28, 0x00, SenseAction.RetrySoon, SenseFailure.NotReady, "test", "test"),
            new(SenseKey.NotReady, 0x2A, 0x00, SenseAction.RetrySoon, SenseFailure.NotReady, "test", "test"),
        };
        var t = new ScriptedTransport(Check(2, 0x28, 0x00), Check(2, 0x2A, 0x00), Good);
        await using var c = new SmcClient(t, quirks: new ChangerQuirks { SenseRules = rules });
        await c.TestUnitReadyAsync();
        Assert.Equal((2, 0, 0), (c.UnitAttentionsSeen, c.MapChangesSeen, c.DefinitionChangesSeen));
    }

    [Fact]
    public async Task Cleaning_in_progress_is_waited_out_like_becoming_ready()
    {
        var cleaning = Check(2, 0x30, 0x03);
        var t = new ScriptedTransport(cleaning, cleaning, Good);
        var time = new SteppingTime();
        var said = new List<string>();
        await using var c = new SmcClient(t, new RetryPolicy { OnWaiting = said.Add }, time);
        await c.TestUnitReadyAsync();
        Assert.Equal([1, 2], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(["waiting up to 300 s: a cleaning cartridge is in the drive and cleaning is in progress [02/30/03]"], said);
    }

    [Fact]
    public async Task The_announced_limit_is_rounded_up_to_whole_seconds()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x01));
        var time = new SteppingTime();
        var said = new List<string>();
        await using var c = new SmcClient(t, new RetryPolicy { BecomingReadyTimeout = TimeSpan.FromSeconds(2.5), OnWaiting = said.Add }, time);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal([1, 1.5], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(["waiting up to 3 s: the library is becoming ready (starting up or taking inventory) [02/04/01]"], said);
        Assert.Equal(3, c.CommandCount);
    }

    [Fact]
    public async Task Busy_then_becoming_ready_share_one_backoff_and_announce_each()
    {
        var t = new ScriptedTransport(Status(ScsiStatus.Busy), Status(ScsiStatus.Busy), Check(2, 0x04, 0x01), Good);
        var time = new SteppingTime();
        var said = new List<string>();
        await using var c = new SmcClient(t, new RetryPolicy { OnWaiting = said.Add }, time);
        await c.MoveMediumAsync(0, 1000, 500);
        Assert.Equal([1, 2, 4], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(["waiting up to 300 s: the library is busy [BUSY]",
                      "waiting up to 300 s: the library is becoming ready (starting up or taking inventory) [02/04/01]"], said);
    }

    [Fact]
    public async Task Busy_past_the_limit_fails_with_the_status()
    {
        var t = new ScriptedTransport(Status(ScsiStatus.Busy));
        var time = new SteppingTime();
        await using var c = new SmcClient(t, new RetryPolicy { BecomingReadyTimeout = TimeSpan.FromSeconds(3) }, time);
        var e = await Assert.ThrowsAsync<ScsiStatusException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal(ScsiStatus.Busy, e.Status);
        Assert.Equal([1, 2], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(3), time.Elapsed);
    }

    [Fact]
    public async Task Reservation_conflict_is_not_waited_out()
    {
        var t = new ScriptedTransport(Status(ScsiStatus.ReservationConflict), Good);
        var time = new SteppingTime();
        await using var c = new SmcClient(t, time: time);
        await Assert.ThrowsAsync<ScsiStatusException>(async () => await c.TestUnitReadyAsync());
        Assert.Empty(time.Delays);
        Assert.Equal(1, c.CommandCount);
    }

    [Fact]
    public async Task Becoming_ready_limit_is_measured_from_the_first_refusal()
    {
        // 04/01 three times with a 4 s limit: waits 1 and 2, then 1 (the rest), then gives up; 4 commands in all.
        var t = new ScriptedTransport(Check(2, 0x04, 0x01));
        var time = new SteppingTime();
        await using var c = new SmcClient(t, new RetryPolicy { BecomingReadyTimeout = TimeSpan.FromSeconds(4) }, time);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal([1, 2, 1], time.Delays.Select(d => d.TotalSeconds));
        Assert.Equal(4, c.CommandCount);
    }

    [Fact]
    public async Task A_custom_backoff_starts_and_caps_where_told()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x01));
        var time = new SteppingTime();
        var policy = new RetryPolicy { BecomingReadyTimeout = TimeSpan.FromSeconds(20), BecomingReadyInterval = TimeSpan.FromSeconds(3), BecomingReadyMaxInterval = TimeSpan.FromSeconds(5) };
        await using var c = new SmcClient(t, policy, time);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());
        Assert.Equal([3, 5, 5, 5, 2], time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task Operator_poll_interval_is_the_policys()
    {
        var door = Check(2, 0x04, 0x18);
        var t = new ScriptedTransport(door, door, Good);
        var time = new SteppingTime();
        await using var c = new SmcClient(t, new RetryPolicy { OperatorWaitLimit = TimeSpan.FromSeconds(60), OperatorPollInterval = TimeSpan.FromSeconds(7) }, time);
        await c.TestUnitReadyAsync();
        Assert.Equal([7, 7], time.Delays.Select(d => d.TotalSeconds));
    }

    [Fact]
    public async Task Failures_leave_the_client_with_their_rule()
    {
        var t = new ScriptedTransport(Check(5, 0x3B, 0x0D));
        await using var c = new SmcClient(t);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.MoveMediumAsync(0, 1000, 500));
        Assert.NotNull(e.Rule);
        Assert.Equal(SenseAction.Fail, e.Rule!.Action);
        Assert.Equal(c.RuleFor(e.Sense, "MOVE MEDIUM"), e.Rule);
        Assert.Empty(c.Marks);
    }

    [Fact]
    public async Task A_drive_client_applies_the_drive_rows()
    {
        var noTape = Check(2, 0x3A, 0x00);
        await using var drive = new SmcClient(new ScriptedTransport(noTape)) { IsDrive = true };
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await drive.TestUnitReadyOnceAsync());
        Assert.Equal(SenseAction.CleaningDone, e.Rule!.Action);
        await using var changer = new SmcClient(new ScriptedTransport(noTape), time: new SteppingTime());
        var f = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await changer.TestUnitReadyOnceAsync());
        Assert.NotEqual(SenseAction.CleaningDone, f.Rule!.Action);
    }

    [Fact]
    public async Task A_completed_command_with_a_note_that_marks_nothing_leaves_no_mark()
    {
        var t = new ScriptedTransport(new ScsiResult(ScsiStatus.Good, 0, Fixed(1, 0x5D, 0x00)), new ScsiResult(ScsiStatus.Good, 0, Fixed(0, 0x00, 0x17)));
        await using var c = new SmcClient(t);
        await c.TestUnitReadyAsync();
        Assert.Empty(c.Marks);
        await c.TestUnitReadyAsync();
        var m = Assert.Single(c.Marks);
        Assert.Equal(("TEST UNIT READY", "00/00/17"), (m.Command, m.Sense.Triplet));
    }
}
