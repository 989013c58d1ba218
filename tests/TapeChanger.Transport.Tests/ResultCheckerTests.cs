using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;

namespace TapeChanger.Transport.Tests;

public class ResultCheckerTests
{
    private static readonly ScsiCommand Move = SmcCommands.MoveMedium(1, 1000, 500);

    private static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));

    [Fact]
    public void Good_returns_the_transferred_count()
    {
        Assert.Equal(24, ScsiResultChecker.ThrowIfFailed(Move, ScsiResult.Good(24)));
    }

    [Fact]
    public void Check_condition_becomes_a_typed_exception_with_decoded_sense()
    {
        // tgt fixed sense for destination full (docs/reference/tgt.md §5).
        var sense = Hex("70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00");
        var e = Assert.Throws<ScsiCheckConditionException>(() => ScsiResultChecker.ThrowIfFailed(Move, ScsiResult.CheckCondition(sense)));
        Assert.Equal((0x3B, 0x0D), (e.Asc, e.Ascq));
        Assert.Equal("MOVE MEDIUM", e.Command);
        Assert.Contains("ILLEGAL REQUEST 05/3B/0D: medium destination element full", e.Message);
    }

    [Fact]
    public void Recovered_error_is_success()
    {
        var sense = Hex("70 00 01 00 00 00 00 0a 00 00 00 00 00 00 00 00 00 00");
        Assert.Equal(8, ScsiResultChecker.ThrowIfFailed(Move, new ScsiResult(ScsiStatus.CheckCondition, 8, sense)));
    }

    [Fact]
    public void Busy_is_a_status_exception()
    {
        var e = Assert.Throws<ScsiStatusException>(() => ScsiResultChecker.ThrowIfFailed(Move, new ScsiResult(ScsiStatus.Busy, 0, [])));
        Assert.Equal(ScsiStatus.Busy, e.Status);
    }

    [Fact]
    public void Check_condition_without_or_with_garbage_sense_is_a_transport_error()
    {
        Assert.Throws<ScsiTransportException>(() => ScsiResultChecker.ThrowIfFailed(Move, ScsiResult.CheckCondition([])));
        Assert.Throws<ScsiTransportException>(() => ScsiResultChecker.ThrowIfFailed(Move, ScsiResult.CheckCondition([0x12, 0x34])));
    }

    [Fact]
    public async Task Tracing_transport_prints_cdb_status_and_sense()
    {
        var inner = new ScriptedTransport(ScsiResult.CheckCondition(Hex("70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00")));
        var log = new StringWriter();
        await using var t = new TracingTransport(inner, log, dumpData: false);
        await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        var text = log.ToString();
        Assert.Contains("> TEST UNIT READY: cdb 00 00 00 00 00 00", text);
        Assert.Contains("< status CheckCondition (02h)", text);
        Assert.Contains("UNIT ATTENTION 06/29/00", text);
    }

    [Fact]
    public async Task Smc_client_retries_unit_attention_then_succeeds()
    {
        var ua = ScsiResult.CheckCondition(Hex("70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00"));
        var inner = new ScriptedTransport(ua, ua, ScsiResult.Good(0));
        await using var client = new SmcClient(inner);
        await client.TestUnitReadyAsync();
        Assert.Equal(3, client.CommandCount);
        Assert.Equal(2, client.UnitAttentionsSeen);
    }

    [Fact]
    public void Check_returns_the_sense_of_a_failed_command_and_throws_the_rest()
    {
        var sense = Hex("70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00");
        Assert.Equal(0, ScsiResultChecker.Check(Move, ScsiResult.CheckCondition(sense), out var failure));
        Assert.Equal((SenseKey.UnitAttention, (byte)0x29, (byte)0x00), (failure!.Key, failure.Asc, failure.Ascq));
        Assert.Equal(24, ScsiResultChecker.Check(Move, ScsiResult.Good(24), out failure));
        Assert.Null(failure);
        Assert.Equal(8, ScsiResultChecker.Check(Move, new ScsiResult(ScsiStatus.CheckCondition, 8, Hex("70 00 01 00 00 00 00 0a 00 00 00 00 00 00 00 00 00 00")), out failure));
        Assert.Null(failure);
        Assert.Throws<ScsiStatusException>(() => ScsiResultChecker.Check(Move, new ScsiResult(ScsiStatus.Busy, 0, []), out _));
        Assert.Throws<ScsiTransportException>(() => ScsiResultChecker.Check(Move, ScsiResult.CheckCondition([0x12, 0x34]), out _));
    }

    /// <summary>
    /// The unit attention a new session reports is re-sent without an exception being thrown (first-chance exceptions
    /// on this thread: the scripted transport completes synchronously); a sense the policy does not re-send still
    /// throws, once, with its rule.
    /// </summary>
    [Fact]
    public async Task Smc_client_resends_a_unit_attention_without_throwing()
    {
        int thread = Environment.CurrentManagedThreadId, thrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread && e.Exception is ScsiCheckConditionException) Interlocked.Increment(ref thrown);
        }
        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            var ua = ScsiResult.CheckCondition(Hex("70 00 06 00 00 00 00 0a 00 00 00 00 29 00 00 00 00 00"));
            await using (var client = new SmcClient(new ScriptedTransport(ua, ScsiResult.Good(0))))
            {
                await client.TestUnitReadyAsync();
                Assert.Equal((2, 1), (client.CommandCount, client.UnitAttentionsSeen));
            }
            Assert.Equal(0, thrown);

            var full = ScsiResult.CheckCondition(Hex("70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00"));
            await using (var client = new SmcClient(new ScriptedTransport(ua, full)))
            {
                var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await client.TestUnitReadyAsync());
                Assert.Equal((0x3B, 0x0D), (e.Asc, e.Ascq));
                Assert.NotNull(e.Rule);
                Assert.Equal((2, 1), (client.CommandCount, client.UnitAttentionsSeen));
            }
            Assert.True(thrown >= 1);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
    }

    [Fact]
    public async Task Smc_client_gives_up_after_the_unit_attention_budget()
    {
        var ua = ScsiResult.CheckCondition(Hex("70 00 06 00 00 00 00 0a 00 00 00 00 28 00 00 00 00 00"));
        var inner = new ScriptedTransport(Enumerable.Repeat(ua, 10).ToArray());
        await using var client = new SmcClient(inner, new RetryPolicy { UnitAttentionRetries = 2 });
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await client.TestUnitReadyAsync());
        Assert.Equal(3, client.CommandCount);
    }
}
