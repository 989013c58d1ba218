using System.Globalization;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Testing;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>The transport decorators (trace, shared log, borrowed) and the registries that pick a factory or a locator.</summary>
public class DecoratorAndRegistryTests
{
    private static ScriptedTransport Replying(byte[] reply, byte[]? sense = null) => new()
    {
        Device = "scripted:lib",
        MaxTransferLength = 4096,
        WritesAllReportedBytes = true,
        Answer = (_, data) =>
        {
            int n = Math.Min(reply.Length, data.Length);
            reply.AsSpan(0, n).CopyTo(data.Span);
            return new ScsiResult(sense is null ? ScsiStatus.Good : ScsiStatus.CheckCondition, n, sense ?? []);
        },
    };

    private static string[] Lines(StringWriter w) => w.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Trace_prints_the_cdb_allocation_status_and_reply_16_bytes_a_line()
    {
        var reply = Enumerable.Range(0, 20).Select(i => (byte)(0xA0 + i)).ToArray();
        var log = new StringWriter();
        var t = new TracingTransport(Replying(reply), log, dumpData: true);
        var buffer = new byte[96];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(96), buffer);
        Assert.Equal(20, r.DataTransferred);
        var lines = Lines(log);
        Assert.Equal("> INQUIRY: cdb 12 00 00 00 60 00 (alloc 96)", lines[0]);
        Assert.Matches(@"^< status Good \(00h\), 20 byte\(s\), \d+\.\d ms$", lines[1]);
        Assert.Equal("  0000  a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af", lines[2]);
        Assert.Equal("  0010  b0 b1 b2 b3", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task Trace_without_data_dump_prints_no_reply_bytes_and_no_allocation_for_no_data_commands()
    {
        var log = new StringWriter();
        var t = new TracingTransport(Replying([1, 2, 3]), log, dumpData: false);
        await t.ExecuteAsync(SpcCommands.Inquiry(96), new byte[96]);
        await t.ExecuteAsync(SmcCommands.MoveMedium(1, 1000, 500), Memory<byte>.Empty);
        var lines = Lines(log);
        Assert.Equal(4, lines.Length);
        Assert.Equal("> MOVE MEDIUM: cdb a5 00 00 01 03 e8 01 f4 00 00 00 00", lines[2]);
        Assert.StartsWith("< status Good (00h), 0 byte(s), ", lines[3]);
    }

    [Fact]
    public async Task Trace_prints_data_out_when_dumping()
    {
        var cmd = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 4, 0], DataDirection.Out, 4, TimeSpan.FromSeconds(60), [1, 2, 0xFE, 0xFF]);
        var log = new StringWriter();
        await new TracingTransport(new ScriptedTransport(), log, dumpData: true).ExecuteAsync(cmd, Memory<byte>.Empty);
        Assert.Equal("  data-out 01 02 fe ff", Lines(log)[1]);
        var quiet = new StringWriter();
        await new TracingTransport(new ScriptedTransport(), quiet, dumpData: false).ExecuteAsync(cmd, Memory<byte>.Empty);
        Assert.DoesNotContain("data-out", quiet.ToString());
        var empty = new StringWriter();
        var none = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 0, 0], DataDirection.Out, 0, TimeSpan.FromSeconds(60), []);
        await new TracingTransport(new ScriptedTransport(), empty, dumpData: true).ExecuteAsync(none, Memory<byte>.Empty);
        Assert.DoesNotContain("data-out", empty.ToString());
    }

    [Fact]
    public async Task Trace_prints_sense_bytes_and_their_meaning()
    {
        var log = new StringWriter();
        var t = new TracingTransport(Replying([], Fixed(5, 0x3B, 0x0D)), log, dumpData: true);
        await t.ExecuteAsync(SmcCommands.MoveMedium(1, 1000, 500), Memory<byte>.Empty);
        var lines = Lines(log);
        Assert.StartsWith("< status CheckCondition (02h), 0 byte(s), ", lines[1]);
        Assert.Equal("  sense 70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00", lines[2]);
        Assert.Equal("  ILLEGAL REQUEST 05/3B/0D: medium destination element full", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task Trace_prints_unreadable_sense_as_such_and_garbage_as_bytes_only()
    {
        var log = new StringWriter();
        await new TracingTransport(Replying([], [0x70, 0x00]), log, dumpData: false).ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        var lines = Lines(log);
        Assert.Equal("  sense 70 00", lines[2]);
        Assert.StartsWith("  (sense data: truncated at offset ", lines[3]);
        var junk = new StringWriter();
        await new TracingTransport(Replying([], [0x12, 0x34]), junk, dumpData: false).ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal(3, Lines(junk).Length);
    }

    [Fact]
    public async Task Trace_prints_and_rethrows_a_transport_error()
    {
        var inner = new ScriptedTransport { Answer = (_, _) => throw new ScsiTransportException(TransportFailure.Io, "connection reset") };
        var log = new StringWriter();
        var t = new TracingTransport(inner, log, dumpData: false);
        await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(["> TEST UNIT READY: cdb 00 00 00 00 00 00", "< transport error: connection reset"], Lines(log));
    }

    [Fact]
    public async Task Trace_forwards_device_limit_and_disposal()
    {
        var inner = Replying([]);
        var t = new TracingTransport(inner, TextWriter.Null, dumpData: false);
        Assert.Equal("scripted:lib", t.Device);
        Assert.Equal(4096, t.MaxTransferLength);
        Assert.True(t.WritesAllReportedBytes);
        Assert.False(new TracingTransport(new ScriptedTransport(), TextWriter.Null, dumpData: false).WritesAllReportedBytes);
        await t.DisposeAsync();
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task The_shared_log_appends_one_tab_separated_line_per_command()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mutsx-scsilog-{Guid.NewGuid():N}.log");
        try
        {
            var inner = new ScriptedTransport(Good, Check(5, 0x3B, 0x0D)) { Device = "scripted:lib", MaxTransferLength = 512 };
            var t = new ScsiLogTransport(inner, path);
            Assert.Equal(("scripted:lib", 512, false), (t.Device, t.MaxTransferLength, t.WritesAllReportedBytes));
            Assert.True(new ScsiLogTransport(new ScriptedTransport { WritesAllReportedBytes = true }, path).WritesAllReportedBytes);
            var before = DateTimeOffset.UtcNow;
            await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
            await t.ExecuteAsync(SmcCommands.MoveMedium(1, 1000, 500), Memory<byte>.Empty);
            var lines = File.ReadAllText(path).Split('\n');
            Assert.Equal(3, lines.Length);
            Assert.Equal("", lines[2]);
            var f = lines[0].Split('\t');
            Assert.Equal(6, f.Length);
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", f[0]);
            var start = DateTimeOffset.ParseExact(f[0], "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            var end = DateTimeOffset.ParseExact(f[1], "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.InRange(start, before.AddSeconds(-1), DateTimeOffset.UtcNow);
            Assert.True(end >= start);
            Assert.Equal([Environment.ProcessId.ToString(CultureInfo.InvariantCulture), "scripted:lib", "TEST UNIT READY", "Good"], f[2..]);
            Assert.Equal(["scripted:lib", "MOVE MEDIUM", "CheckCondition"], lines[1].Split('\t')[3..]);
            await t.DisposeAsync();
            Assert.True(inner.Disposed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_shared_log_records_a_transport_error_and_rethrows()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mutsx-scsilog-{Guid.NewGuid():N}.log");
        try
        {
            var inner = new ScriptedTransport { Device = "d", Answer = (_, _) => throw new ScsiTransportException(TransportFailure.Timeout, "timed out") };
            var t = new ScsiLogTransport(inner, path);
            await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
            Assert.EndsWith("\td\tTEST UNIT READY\ttransport-error\n", File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_shared_log_is_appended_while_another_process_reads_it()
    {
        string path = Path.Combine(Path.GetTempPath(), $"mutsx-scsilog-{Guid.NewGuid():N}.log");
        try
        {
            File.WriteAllText(path, "first\n");
            // A reader (tail -f, another CLI) holds the file open, sharing it for writing and deletion.
            using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                ScsiLogTransport.Append(path, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "d", "c", "o");
            }
            var lines = File.ReadAllText(path).Split('\n');
            Assert.Equal("first", lines[0]);
            Assert.Equal(["1970-01-01T00:00:00.000000Z", "1970-01-01T00:00:00.000000Z"], lines[1].Split('\t')[..2]);
            Assert.Equal(["d", "c", "o"], lines[1].Split('\t')[3..]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Trace_dumps_no_more_than_the_buffer_holds()
    {
        var inner = new ScriptedTransport { Answer = (_, data) => { data.Span.Fill(0x11); return ScsiResult.Good(100); } };
        var log = new StringWriter();
        await new TracingTransport(inner, log, dumpData: true).ExecuteAsync(SpcCommands.Inquiry(96), new byte[20]);
        var lines = Lines(log);
        Assert.Equal(["  0000  11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11", "  0010  11 11 11 11"], lines[2..]);
    }

    [Fact]
    public void A_log_that_cannot_be_written_does_not_fail_the_caller()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mutsx-missing-{Guid.NewGuid():N}", "x.log");
        ScsiLogTransport.Append(dir, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "d", "c", "o");
        Assert.False(File.Exists(dir));
    }

    [Fact]
    public async Task A_borrowed_transport_forwards_everything_but_disposal()
    {
        var inner = Replying([9, 8, 7]);
        var b = new BorrowedTransport(inner);
        Assert.Equal(("scripted:lib", 4096, true), (b.Device, b.MaxTransferLength, b.WritesAllReportedBytes));
        Assert.False(new BorrowedTransport(new ScriptedTransport()).WritesAllReportedBytes);
        var buf = new byte[96];
        var r = await b.ExecuteAsync(SpcCommands.Inquiry(96), buf);
        Assert.Equal(3, r.DataTransferred);
        Assert.Equal([9, 8, 7], buf[..3]);
        Assert.Single(inner.Sent);
        await b.DisposeAsync();
        Assert.False(inner.Disposed);
    }

    private sealed class Factory(DeviceScheme scheme, string name) : IScsiTransportFactory
    {
        public List<string> Opened { get; } = [];

        public bool CanOpen(DeviceAddress address) => address.Scheme == scheme;

        public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
        {
            Opened.Add(address.Original);
            return ValueTask.FromResult<IScsiTransport>(new ScriptedTransport { Device = name });
        }
    }

    [Fact]
    public async Task The_registry_opens_with_the_first_factory_that_can()
    {
        var sg = new Factory(DeviceScheme.Sg, "sg-1");
        var sg2 = new Factory(DeviceScheme.Sg, "sg-2");
        var iscsi = new Factory(DeviceScheme.Iscsi, "iscsi");
        var reg = new TransportRegistry().Add(iscsi).Add(sg).Add(sg2);
        var t = await reg.OpenAsync(DeviceUri.Parse("sg:/dev/sg3"), new TransportOpenContext("/tmp"));
        Assert.Equal("sg-1", t.Device);
        Assert.Equal(["sg:/dev/sg3"], sg.Opened);
        Assert.Empty(sg2.Opened);
        Assert.Empty(iscsi.Opened);
    }

    [Fact]
    public async Task The_registry_names_a_scheme_no_factory_opens()
    {
        var reg = new TransportRegistry().Add(new Factory(DeviceScheme.Sg, "sg"));
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await reg.OpenAsync(DeviceUri.Parse("usb:1:2"), new TransportOpenContext("/tmp")));
        Assert.Equal(TransportFailure.Unsupported, e.Failure);
        Assert.Equal("the usb: transport is not available in this build (device usb:1:2)", e.Message);
    }

    private sealed class Locator(bool serves) : IDriveLocator
    {
        public bool Serves(DriveSearch search) => serves;
        public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default) => ValueTask.FromResult(DriveCandidates.None);
        public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    [Fact]
    public void The_locator_registry_picks_the_first_that_serves_or_none()
    {
        var search = new DriveSearch(DeviceUri.Parse("virtual:"), new ScriptedTransport());
        var no = new Locator(false);
        var yes = new Locator(true);
        var yes2 = new Locator(true);
        Assert.Same(yes, new DriveLocatorRegistry().Add(no).Add(yes).Add(yes2).For(search));
        Assert.Null(new DriveLocatorRegistry().Add(no).For(search));
        Assert.Throws<ArgumentNullException>(() => new DriveLocatorRegistry().Add(null!));
        Assert.Empty(DriveCandidates.None.Drives);
        Assert.Null(DriveCandidates.None.ChangerBus);
    }
}
