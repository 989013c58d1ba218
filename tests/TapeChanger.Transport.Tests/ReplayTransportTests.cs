using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport;
using TapeChanger.Transport.Replay;

namespace TapeChanger.Transport.Tests;

public class ReplayTransportTests
{
    private static CaptureReplayTransport Replay(string script) => new(ReplayScript.Parse(script, "t.replay", "."), "replay:t.replay");

    private static async Task<(ScsiResult Result, byte[] Data)> Run(IScsiTransport t, ScsiCommand c)
    {
        var buf = new byte[Math.Max(c.TransferLength, 1)];
        var r = await t.ExecuteAsync(c, buf);
        return (r, buf[..r.DataTransferred]);
    }

    private const string Script = """
        # a comment
        cdb 12 00 00 00 ?? 00        # INQUIRY, any allocation
        data 08 80 05 02 1f 00 00 00
             53 54 4b 20 20 20 20 20   # continuation line
        cdb b8 ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ??
        check 06 28 00
        cdb b8 ?? ?? ?? ?? ?? ?? ?? ?? ?? ?? ??
        data 00 01 00 00 00 00 00 00
        cdb a5 00 00 00 03 e8 01 f4 00 00 00 00
        sense 70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00
        cdb 00 00 00 00 00 00
        status 08
        """;

    [Fact]
    public async Task Replies_follow_the_script_and_are_cut_to_the_allocation_length()
    {
        var t = Replay(Script);
        var (r, data) = await Run(t, SpcCommands.Inquiry(96));
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(16, data.Length);
        Assert.Equal("STK     ", System.Text.Encoding.ASCII.GetString(data, 8, 8));
        (_, data) = await Run(t, SpcCommands.Inquiry(5));
        Assert.Equal(5, data.Length);
    }

    [Fact]
    public async Task Same_pattern_answers_in_order_then_the_last_repeats()
    {
        var t = Replay(Script);
        var res = SmcCommands.ReadElementStatus(ElementType.All, 0, 10, 1024);
        var (first, _) = await Run(t, res);
        Assert.Equal(ScsiStatus.CheckCondition, first.Status);
        Assert.Equal((0x06, 0x28), (first.Sense[2], first.Sense[12]));
        for (int i = 0; i < 2; i++)
        {
            var (r, data) = await Run(t, res);
            Assert.Equal(ScsiStatus.Good, r.Status);
            Assert.Equal(8, data.Length);
        }
    }

    [Fact]
    public async Task Sense_and_status_lines()
    {
        var t = Replay(Script);
        var (move, _) = await Run(t, SmcCommands.MoveMedium(0, 1000, 500));
        Assert.Equal(ScsiStatus.CheckCondition, move.Status);
        Assert.Equal((0x05, 0x3B, 0x0D), (move.Sense[2], move.Sense[12], move.Sense[13]));
        var (tur, _) = await Run(t, SpcCommands.TestUnitReady());
        Assert.Equal(ScsiStatus.Busy, tur.Status);
    }

    [Fact]
    public async Task Unknown_opcode_is_05_20_00_and_known_opcode_with_other_fields_is_05_24_00()
    {
        var t = Replay(Script);
        var (ms, _) = await Run(t, SpcCommands.ModeSense6(0x1D));
        Assert.Equal((ScsiStatus.CheckCondition, (byte)0x05, (byte)0x20, (byte)0x00), (ms.Status, ms.Sense[2], ms.Sense[12], ms.Sense[13]));
        var (move, _) = await Run(t, SmcCommands.MoveMedium(0, 1001, 500));
        Assert.Equal((ScsiStatus.CheckCondition, (byte)0x05, (byte)0x24), (move.Status, move.Sense[2], move.Sense[12]));
        Assert.Equal(2, t.Unmatched.Count);
    }

    [Theory]
    [InlineData("data 00", "line 1: a 'cdb' line must come first")]
    [InlineData("cdb 12 00", "line 1: a CDB has 6 to 16 bytes")]
    [InlineData("cdb 12 00 00 00 60 00\ndata 0g", "line 2: '0g'")]
    [InlineData("cdb 12 00 00 00 60 00\nfoo 00", "line 2: unknown keyword 'foo'")]
    [InlineData("cdb 12 00 00 00 60 00\ncheck 05 24", "line 2: check needs KEY ASC ASCQ")]
    [InlineData("cdb 12 00 00 00 60 00\ndata @missing.hex", "line 2: capture file")]
    public void Malformed_scripts_name_the_file_and_line(string script, string expected)
    {
        var e = Assert.Throws<ReplayFormatException>(() => ReplayScript.Parse(script, "t.replay", Path.GetTempPath()));
        Assert.Contains("t.replay", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public async Task A_trace_log_replays_what_it_recorded()
    {
        // Record: --trace output of three commands against a scripted device...
        var log = new StringWriter();
        await using (var traced = new TracingTransport(Replay(Script), log, dumpData: true))
        {
            await Run(traced, SpcCommands.Inquiry(96));
            await Run(traced, SmcCommands.MoveMedium(0, 1000, 500));
            await Run(traced, SpcCommands.TestUnitReady());
        }
        // ...then replay the log itself.
        var replay = new CaptureReplayTransport(ReplayScript.Parse(log.ToString(), "trace.txt", "."), "replay:trace.txt");
        var (inq, data) = await Run(replay, SpcCommands.Inquiry(96));
        Assert.Equal((ScsiStatus.Good, 16), (inq.Status, data.Length));
        Assert.Equal("STK     ", System.Text.Encoding.ASCII.GetString(data, 8, 8));
        var (move, _) = await Run(replay, SmcCommands.MoveMedium(0, 1000, 500));
        Assert.Equal((0x05, 0x3B, 0x0D), (move.Sense[2], move.Sense[12], move.Sense[13]));
        var (tur, _) = await Run(replay, SpcCommands.TestUnitReady());
        Assert.Equal(ScsiStatus.Busy, tur.Status);
        // A trace matches exact CDBs: another allocation length is a CDB it never saw.
        var (other, _) = await Run(replay, SpcCommands.Inquiry(36));
        Assert.Equal((byte)0x24, other.Sense[12]);
    }

    [Fact]
    public async Task Recorded_transport_errors_are_thrown()
    {
        var t = Replay("cdb 00 00 00 00 00 00\ntransport-error connection reset by peer");
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Contains("connection reset by peer", e.Message);
    }

    [Fact]
    public void Replay_device_uri()
    {
        var a = DeviceUri.Parse("replay:/tmp/lib.replay");
        Assert.Equal((DeviceScheme.Replay, "/tmp/lib.replay"), (a.Scheme, a.Path));
        Assert.Throws<DeviceUriException>(() => DeviceUri.Parse("replay:"));
        Assert.True(new CaptureReplayTransportFactory().CanOpen(a));
    }
}
