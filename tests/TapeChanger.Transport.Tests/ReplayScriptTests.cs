using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport.Replay;

namespace TapeChanger.Transport.Tests;

/// <summary>Replay scripts in detail: patterns, hex forms, statuses, capture files, trace logs, the factory.</summary>
public class ReplayScriptTests
{
    private static IReadOnlyList<ReplayEntry> Parse(string script, string dir = ".") => ReplayScript.Parse(script, "t.replay", dir);

    private static ReplayReply One(string script) => Assert.Single(Assert.Single(Parse(script)).Replies);

    [Fact]
    public void A_pattern_matches_its_length_and_its_fixed_bytes()
    {
        var e = Assert.Single(Parse("cdb 12 ?? 00 xx XX 00"));
        Assert.Equal("12 ?? 00 ?? ?? 00", e.PatternText);
        Assert.Equal(1, e.Line);
        Assert.True(e.Matches([0x12, 0x55, 0x00, 0x01, 0x02, 0x00]));
        Assert.False(e.Matches([0x12, 0x55, 0x01, 0x01, 0x02, 0x00]));
        Assert.False(e.Matches([0x12, 0x55, 0x00, 0x01, 0x02, 0x01]));
        Assert.False(e.Matches([0x12, 0x55, 0x00, 0x01, 0x02, 0x00, 0x00]));
        Assert.False(e.Matches([0x12, 0x55, 0x00, 0x01, 0x02]));
    }

    [Fact]
    public void Hex_may_be_grouped_prefixed_tabbed_and_commented()
    {
        var r = One("cdb 0x1200 0000 6000\t# inquiry\n\ndata 0x0880\t0502 # four bytes\n  1f00   # and two more");
        Assert.Equal([0x08, 0x80, 0x05, 0x02, 0x1F, 0x00], r.Data);
        Assert.Equal((ScsiStatus.Good, (string?)null, 0), (r.Status, r.TransportError, r.Sense.Length));
    }

    [Fact]
    public void Windows_line_ends_are_read()
    {
        var r = One("cdb 00 00 00 00 00 00\r\nstatus 18\r\n");
        Assert.Equal(ScsiStatus.ReservationConflict, r.Status);
    }

    [Fact]
    public void Sense_implies_check_condition_unless_a_status_says_otherwise()
    {
        Assert.Equal(ScsiStatus.CheckCondition, One("cdb 00 00 00 00 00 00\nsense 70 00 06").Status);
        var r = One("cdb 00 00 00 00 00 00\nsense 70 00 01\nstatus 00");
        Assert.Equal((ScsiStatus.Good, 3), (r.Status, r.Sense.Length));
    }

    [Fact]
    public void Check_is_fixed_sense_with_the_key_asc_and_ascq()
    {
        var r = One("cdb 00 00 00 00 00 00\ncheck 16 3a 02");
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(ReplayScript.FixedSense(0x06, 0x3A, 0x02), r.Sense);
        Assert.Equal([0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0x02, 0, 0, 0, 0], r.Sense);
    }

    [Fact]
    public void Transport_error_text_or_a_default()
    {
        Assert.Equal("transport error", One("cdb 00 00 00 00 00 00\ntransport-error").TransportError);
        Assert.Equal("gone", One("cdb 00 00 00 00 00 00\ntransport-error   gone").TransportError);
    }

    [Fact]
    public void Data_stops_at_the_next_keyword_and_is_read_from_capture_files()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mutsx-replay-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "reply.hex"), "01 02 03 04\n");
            File.WriteAllText(Path.Combine(dir, "sense.hex"), "70 00 05 00 00 00 00 0a 00 00 00 00 24 00 00 00 00 00\n");
            var entries = Parse("cdb 12 00 00 00 60 00\ndata @ reply.hex\ncdb 00 00 00 00 00 00\nsense @sense.hex\n", dir);
            Assert.Equal([1, 2, 3, 4], entries[0].Replies[0].Data);
            Assert.Equal(0x24, entries[1].Replies[0].Sense[12]);
            // After a data @file line, a bare hex line is not more data.
            var e = Assert.Throws<ReplayFormatException>(() => Parse("cdb 12 00 00 00 60 00\ndata @reply.hex\n05 06", dir));
            Assert.Equal("replay script t.replay line 3: unknown keyword '05' (expected cdb, data, sense, check, status or transport-error)", e.Message);
            var f = Assert.Throws<ReplayFormatException>(() => Parse("cdb 12 00 00 00 60 00\ndata 01\nstatus 00\n02", dir));
            Assert.Contains("line 4: unknown keyword '02'", f.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("cdb 12 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", "line 1: a CDB has 6 to 16 bytes, not 17")]
    [InlineData("cdb 12 00 00 00 00", "line 1: a CDB has 6 to 16 bytes, not 5")]
    [InlineData("cdb 00 00 00 00 00 00\nstatus 00 02", "line 2: status needs one hex byte")]
    [InlineData("cdb 00 00 00 00 00 00\ncheck 05 24 00 00", "line 2: check needs KEY ASC ASCQ")]
    [InlineData("cdb 00 00 00 00 00 00\ndata 123", "line 2: '123' is not an even number of hex digits")]
    [InlineData("cdb 00 00 00 00 00 00\ndata 0x", "line 2: '0x' is not an even number of hex digits")]
    [InlineData("cdb 00 00 00 00 00 00\nsense zz", "line 2: 'zz' is not hex")]
    [InlineData("sense 70", "line 1: a 'cdb' line must come first")]
    [InlineData("check 05 24 00", "line 1: a 'cdb' line must come first")]
    [InlineData("status 02", "line 1: a 'cdb' line must come first")]
    [InlineData("transport-error x", "line 1: a 'cdb' line must come first")]
    public void Malformed_lines_are_named(string script, string expected)
    {
        var e = Assert.Throws<ReplayFormatException>(() => Parse(script));
        Assert.Equal($"replay script t.replay {expected}", e.Message);
    }

    [Fact]
    public void Blocks_with_one_pattern_merge_in_file_order()
    {
        var entries = Parse("cdb 00 00 00 00 00 00\nstatus 08\ncdb 12 00 00 00 60 00\ncdb 00 00 00 00 00 00\nstatus 18");
        Assert.Equal(2, entries.Count);
        Assert.Equal([ScsiStatus.Busy, ScsiStatus.ReservationConflict], entries[0].Replies.Select(r => r.Status));
        Assert.Equal([1, 4], entries[0].Replies.Select(r => r.Line));
        Assert.Equal(3, entries[1].Line);
    }

    private const string Trace = """
        noise before the first command
        > INQUIRY: cdb 12 00 00 00 60 00 (alloc 96)
        < status Good (00h), 4 byte(s), 0.3 ms
          0000  08 80 05 02
        > MOVE MEDIUM: cdb a5 00 00 01 03 e8 01 f4 00 00 00 00
          data-out 01 02
        < status CheckCondition (02h), 0 byte(s), 1.0 ms
          sense 70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00
          ILLEGAL REQUEST 05/3B/0D: medium destination element full
        > TEST UNIT READY: cdb 00 00 00 00 00 00
        > READ ELEMENT STATUS: cdb b8 12 00 00 00 01 00 00 00 60 00 00 (alloc 96)
        < transport error: device gone
        > LOG SENSE page 2Eh
        """;

    [Fact]
    public void A_trace_keeps_answered_commands_with_their_status_data_sense_and_errors()
    {
        var entries = Parse(Trace);
        Assert.Equal(["12 00 00 00 60 00", "a5 00 00 01 03 e8 01 f4 00 00 00 00", "b8 12 00 00 00 01 00 00 00 60 00 00"], entries.Select(e => e.PatternText));
        Assert.Equal([2, 5, 11], entries.Select(e => e.Line));
        var inq = Assert.Single(entries[0].Replies);
        Assert.Equal((ScsiStatus.Good, 2), (inq.Status, inq.Line));
        Assert.Equal([0x08, 0x80, 0x05, 0x02], inq.Data);
        Assert.Empty(inq.Sense);
        var move = Assert.Single(entries[1].Replies);
        Assert.Equal(ScsiStatus.CheckCondition, move.Status);
        Assert.Empty(move.Data);                                // data-out is not a reply
        Assert.Equal((0x05, 0x3B, 0x0D), (move.Sense[2], move.Sense[12], move.Sense[13]));
        var res = Assert.Single(entries[2].Replies);
        Assert.Equal(("device gone", ScsiStatus.Good), (res.TransportError, res.Status));
    }

    [Fact]
    public void A_trace_with_a_bad_status_line_names_the_line()
    {
        var e = Assert.Throws<ReplayFormatException>(() => Parse("> TEST UNIT READY: cdb 00 00 00 00 00 00\n< status Good (0zh)\n"));
        Assert.StartsWith("replay trace t.replay line 2: ", e.Message);
        var f = Assert.Throws<ReplayFormatException>(() => Parse("> TEST UNIT READY: cdb 00 00 00 00 00 0\n"));
        Assert.Equal("replay trace t.replay line 1: '0' is not an even number of hex digits", f.Message);
    }

    [Fact]
    public void Offset_lines_need_four_hex_digits_and_two_spaces()
    {
        var entries = Parse("> INQUIRY: cdb 12 00 00 00 60 00 (alloc 96)\n< status Good (00h), 2 byte(s), 0.1 ms\n  0000  01 02\n  000g  03 04\n  0010 05 06\n  0020  \n");
        Assert.Equal([1, 2], Assert.Single(Assert.Single(entries).Replies).Data);
    }

    [Fact]
    public void A_log_line_starting_with_a_prompt_but_no_cdb_is_not_a_trace()
    {
        var e = Assert.Throws<ReplayFormatException>(() => Parse("> hello\n"));
        Assert.Contains("unknown keyword '>'", e.Message);
    }

    [Fact]
    public async Task The_replay_transport_counts_commands_and_copies_data_in_only()
    {
        var t = new CaptureReplayTransport(Parse("cdb 12 00 00 00 ?? 00\ndata 01 02 03 04\ncdb 15 ?? ?? ?? ?? ??\ndata 09 09"), "replay:x");
        Assert.Equal("replay:x", t.Device);
        var buf = new byte[2];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(96), buf);
        Assert.Equal(2, r.DataTransferred);                    // the buffer is all there is
        Assert.Equal([1, 2], buf);
        var outCmd = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 2, 0], DataDirection.Out, 2, TimeSpan.FromSeconds(5), [1, 2]);
        var w = await t.ExecuteAsync(outCmd, new byte[8]);
        Assert.Equal(0, w.DataTransferred);
        Assert.Equal(2, t.Commands);
        Assert.Empty(t.Unmatched);
        await t.DisposeAsync();
    }

    [Fact]
    public async Task The_replay_transfers_no_more_than_the_allocation_length()
    {
        var t = new CaptureReplayTransport(Parse("cdb 12 00 00 00 ?? 00\ndata 01 02 03 04 05 06"), "replay:x");
        var buf = new byte[16];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(4), buf);
        Assert.Equal(4, r.DataTransferred);
        Assert.Equal([1, 2, 3, 4, 0, 0], buf[..6]);
        var s = await t.ExecuteAsync(SpcCommands.Inquiry(96), buf);
        Assert.Equal(6, s.DataTransferred);
    }

    [Fact]
    public async Task An_unknown_cdb_is_recorded_in_hex_and_any_wildcard_opcode_counts_as_known()
    {
        var t = new CaptureReplayTransport(Parse("cdb ?? 00 00 00 00 01"), "replay:x");
        var r = await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal((ScsiStatus.CheckCondition, (byte)0x24, 0), (r.Status, r.Sense[12], r.DataTransferred));
        Assert.Equal(["000000000000"], t.Unmatched);
        Assert.Equal(1, t.Commands);
    }

    [Fact]
    public async Task A_cancelled_command_is_not_answered()
    {
        var t = new CaptureReplayTransport(Parse("cdb 00 00 00 00 00 00"), "replay:x");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty, new CancellationToken(true)));
        Assert.Equal(0, t.Commands);
    }

    [Fact]
    public async Task A_recorded_transport_error_names_device_line_and_command()
    {
        var t = new CaptureReplayTransport(Parse("# x\ncdb 00 00 00 00 00 00\ntransport-error reset"), "replay:x");
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal("replay:x: recorded transport error (line 2): reset", e.Message);
        Assert.Equal((TransportFailure.Io, "TEST UNIT READY"), (e.Failure, e.Command));
    }

    [Fact]
    public async Task The_factory_opens_a_script_and_reports_missing_or_malformed_files()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mutsx-replay-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string good = Path.Combine(dir, "lib.replay");
            File.WriteAllText(good, "cdb 00 00 00 00 00 00\nstatus 08\n");
            var f = new CaptureReplayTransportFactory();
            Assert.False(f.CanOpen(DeviceUri.Parse("sg:/dev/sg1")));
            var t = await f.OpenAsync(DeviceUri.Parse("replay:" + good), new TransportOpenContext(dir));
            Assert.Equal("replay:" + good, t.Device);
            Assert.Equal(ScsiStatus.Busy, (await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty)).Status);

            var missing = await Assert.ThrowsAsync<ScsiTransportException>(async () => await f.OpenAsync(DeviceUri.Parse("replay:" + Path.Combine(dir, "none")), new TransportOpenContext(dir)));
            Assert.Equal(TransportFailure.NotFound, missing.Failure);
            Assert.Equal($"replay script {Path.Combine(dir, "none")} does not exist", missing.Message);

            string bad = Path.Combine(dir, "bad.replay");
            File.WriteAllText(bad, "data 00\n");
            var invalid = await Assert.ThrowsAsync<InvalidDataException>(async () => await f.OpenAsync(DeviceUri.Parse("replay:" + bad), new TransportOpenContext(dir)));
            Assert.Equal($"replay script {bad} line 1: a 'cdb' line must come first", invalid.Message);

            await Assert.ThrowsAsync<DeviceUriException>(async () => await f.OpenAsync(new DeviceAddress(DeviceScheme.Replay, "replay:"), new TransportOpenContext(dir)));
            var unreadable = Assert.Throws<ScsiTransportException>(() => ReplayScript.Load(dir));
            Assert.Equal(TransportFailure.NotFound, unreadable.Failure);
            Assert.StartsWith($"replay script {dir} cannot be read: ", unreadable.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_capture_file_relative_to_the_script_is_read_by_load()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mutsx-replay-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "r.hex"), "0a 0b\n");
            File.WriteAllText(Path.Combine(dir, "s.replay"), "cdb 12 00 00 00 60 00\ndata @r.hex\n");
            var e = Assert.Single(ReplayScript.Load(Path.Combine(dir, "s.replay")));
            Assert.Equal([0x0A, 0x0B], e.Replies[0].Data);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
