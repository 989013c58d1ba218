using System.Text;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>
/// The spt: drive locator with its device opener replaced: \\.\TapeN names answer as scripted tape drives (INQUIRY,
/// VPD 80h) or fail to open as CreateFile would, and the domain pairs them with drive elements by serial.
/// </summary>
public class SptDriveLocatorTests
{
    private static readonly DeviceAddress Changer = DeviceUri.Parse(@"spt:\\.\Changer0");

    /// <summary>A device answering INQUIRY with <paramref name="type"/> and VPD 80h with <paramref name="serial"/> (refused when null).</summary>
    private static ScriptedTransport Device(string uri, byte type, string? serial) => new()
    {
        Device = uri,
        Answer = (command, data) =>
        {
            var cdb = command.Cdb;
            if (cdb[0] == 0x12 && (cdb[1] & 1) == 0)
            {
                var inq = new byte[36];
                inq[0] = type; inq[2] = 0x05; inq[3] = 0x02; inq[4] = 31;
                Encoding.ASCII.GetBytes("IBM     ULT3580-TD8     J4D0").CopyTo(inq, 8);
                int n = Math.Min(inq.Length, data.Length);
                inq.AsSpan(0, n).CopyTo(data.Span);
                return ScsiResult.Good(n);
            }
            if (cdb[0] == 0x12 && cdb[2] == 0x80 && serial is not null)
            {
                var page = new byte[4 + serial.Length];
                page[0] = type; page[1] = 0x80; page[3] = (byte)serial.Length;
                Encoding.ASCII.GetBytes(serial).CopyTo(page, 4);
                int n = Math.Min(page.Length, data.Length);
                page.AsSpan(0, n).CopyTo(data.Span);
                return ScsiResult.Good(n);
            }
            if (cdb[0] == 0x00) return SenseBuilder.Good;
            return SenseBuilder.Check(0x05, 0x24, 0x00);
        },
    };

    private sealed class Host
    {
        public Dictionary<string, Func<string, IScsiTransport>> Present { get; } = new(StringComparer.Ordinal);
        public List<string> Opened { get; } = [];
        public List<ScriptedTransport> Devices { get; } = [];

        public IScsiTransport Open(string uri)
        {
            Opened.Add(uri);
            if (!Present.TryGetValue(uri, out var make)) throw Win32ErrorMapping.ToException(2, uri, "opening");
            var t = make(uri);
            if (t is ScriptedTransport s) Devices.Add(s);
            return t;
        }

        public void Tape(int n, string? serial, byte type = 0x01) => Present[@"spt:\\.\Tape" + n] = u => Device(u, type, serial);
    }

    [Fact]
    public async Task Probes_tape0_to_tape31_and_lists_the_tape_drives_with_their_serials()
    {
        var host = new Host();
        host.Tape(0, "1013005243");
        host.Tape(2, "1013005244");
        host.Tape(3, "DISK0001", type: 0x00);                                    // not a sequential-access device
        host.Present[@"spt:\\.\Tape4"] = u => throw Win32ErrorMapping.ToException(32, u, "opening");   // held by another program
        host.Present[@"spt:\\.\Tape5"] = u => new ScriptedTransport(SenseBuilder.Check(0x05, 0x25, 0x00)) { Device = u };   // refuses INQUIRY
        var locator = new SptDriveLocator(host.Open, () => true);

        var found = await locator.ListAsync(new DriveSearch(Changer, new ScriptedTransport()));

        Assert.Equal([new DriveCandidate(@"spt:\\.\Tape0", "1013005243"), new DriveCandidate(@"spt:\\.\Tape2", "1013005244")], found.Drives);
        Assert.Equal(Enumerable.Range(0, SptDriveLocator.MaxTapes).Select(n => @"spt:\\.\Tape" + n), host.Opened);
        // INQUIRY, then VPD 80h for each tape drive; only INQUIRY for the disk; every probe closed.
        Assert.Equal([(byte)0x12, (byte)0x12], host.Devices[0].Sent.Select(c => c.Cdb[0]));
        Assert.Equal(0x80, host.Devices[0].Sent[1].Cdb[2]);
        Assert.Single(host.Devices[2].Sent);
        Assert.Equal(0x12, host.Devices[3].Sent.Single().Cdb[0]);
        Assert.All(host.Devices, d => Assert.True(d.Disposed));
    }

    [Fact]
    public async Task An_error_other_than_missing_busy_or_denied_stops_the_listing()
    {
        var host = new Host();
        host.Present[@"spt:\\.\Tape0"] = u => throw Win32ErrorMapping.ToException(1117, u, "opening");
        var locator = new SptDriveLocator(host.Open, () => true);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await locator.ListAsync(new DriveSearch(Changer, new ScriptedTransport())));
        Assert.Equal(TransportFailure.Io, e.Failure);
    }

    [Fact]
    public void Serves_spt_changers_only_where_the_pass_through_exists()
    {
        Assert.True(new SptDriveLocator(_ => throw new InvalidOperationException(), () => true).Serves(new DriveSearch(Changer, new ScriptedTransport())));
        Assert.False(new SptDriveLocator(_ => throw new InvalidOperationException(), () => false).Serves(new DriveSearch(Changer, new ScriptedTransport())));
        Assert.False(new SptDriveLocator(_ => throw new InvalidOperationException(), () => true).Serves(new DriveSearch(DeviceUri.Parse("virtual:"), new ScriptedTransport())));
        Assert.Equal(OperatingSystem.IsWindows(), new SptDriveLocator().Serves(new DriveSearch(Changer, new ScriptedTransport())));
    }

    [Fact]
    public async Task The_domain_pairs_the_element_by_serial_and_opens_that_tape_device()
    {
        var host = new Host();
        host.Tape(0, "1013005243");
        host.Tape(1, "1013005244");
        var locator = new SptDriveLocator(host.Open, () => true);
        var access = new DriveAccess(new DriveLocatorRegistry().Add(locator), new DriveSearch(Changer, new ScriptedTransport()));

        // Drive element 500 reports Tape1's serial, 501 Tape0's (the element order is not the class device order).
        var pairs = await access.PairAsync([new DriveElementIdentity(500, "1013005244", "IBM     ULT3580-TD8     1013005244"),
            new DriveElementIdentity(501, "1013005243", "IBM     ULT3580-TD8     1013005243")]);
        Assert.Equal([@"spt:\\.\Tape1", @"spt:\\.\Tape0"], pairs.Select(p => p.Drive!.Uri));
        Assert.All(pairs, p => Assert.Equal(PairingMethod.Serial, p.Method));

        host.Opened.Clear();
        await using (var drive = await access.OpenAsync(0, pairs))
        {
            Assert.Equal(@"spt:\\.\Tape1", drive!.Uri);
            Assert.True((await drive.TestUnitReadyAsync()).Ready);
        }
        Assert.Equal([@"spt:\\.\Tape1"], host.Opened);
        Assert.Equal((byte)0x00, host.Devices[^1].Sent.Single().Cdb[0]);
        Assert.True(host.Devices[^1].Disposed);
    }

    [Fact]
    public async Task Opening_a_candidate_that_is_not_a_tape_device_is_refused()
    {
        var locator = new SptDriveLocator(_ => throw new InvalidOperationException("must not open"), () => true);
        await Assert.ThrowsAsync<ArgumentException>(async () =>
            await locator.OpenAsync(new DriveSearch(Changer, new ScriptedTransport()), new DriveCandidate(@"spt:\\.\Changer0", "X")));
    }
}
