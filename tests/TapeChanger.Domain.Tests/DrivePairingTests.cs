using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;
using TapeChanger.Transport.Linux;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>The one drive-pairing algorithm (domain), over the candidates each transport's locator lists.</summary>
public class DrivePairingTests
{
    private static ScsiGenericDevice Tape(int sg, string hctl, string? serial) =>
        new($"sg{sg}", $"/dev/sg{sg}", hctl, 1, "IBM", "ULT3580-TD8", "Q3F0", serial, null, $"/dev/st{sg}", $"/dev/nst{sg}");

    private static DriveCandidates Sg(params ScsiGenericDevice[] tapes) => new(tapes.Select(SgDriveLocator.Candidate).ToList());

    private static readonly ScsiBusAddress ChangerBus = new(3, 0, 4, 1);

    [Fact]
    public void Pairs_by_dvcid_serial_regardless_of_order_and_case()
    {
        var pairs = DrivePairing.Pair([new(0x101, "DRIVE-B", null), new(0x100, "drive-a ", null)], Sg(Tape(2, "3:0:2:0", "drive-b"), Tape(1, "3:0:1:0", "DRIVE-A")));
        Assert.Equal(2, pairs.Count);
        Assert.Equal((0, (ushort)0x100, "/dev/nst1", PairingMethod.Serial), (pairs[0].DriveNumber, pairs[0].ElementAddress, pairs[0].Drive?.Node, pairs[0].Method));
        Assert.Equal((1, (ushort)0x101, "/dev/nst2", PairingMethod.Serial), (pairs[1].DriveNumber, pairs[1].ElementAddress, pairs[1].Drive?.Node, pairs[1].Method));
    }

    [Fact]
    public void Falls_back_to_identifier_suffix()
    {
        var pairs = DrivePairing.Pair([new(1, null, "IBM     ULT3580-TD8     1068093050")], Sg(Tape(1, "0:0:0:1", "1068093050")));
        Assert.Equal(PairingMethod.IdentifierSuffix, pairs[0].Method);
    }

    [Fact]
    public void Falls_back_to_scsi2_bus_address_on_the_changers_host()
    {
        var tapes = Sg(Tape(1, "3:0:1:0", null), Tape(2, "3:0:2:0", null), Tape(9, "4:0:1:0", null)) with { ChangerBus = ChangerBus };
        var pairs = DrivePairing.Pair([new(1, null, null, ScsiId: 2, Lun: 0), new(2, null, null, ScsiId: 1)], tapes);
        Assert.Equal("sg:/dev/sg2", pairs[0].Drive?.Uri);
        Assert.Equal("sg:/dev/sg1", pairs[1].Drive?.Uri);
        Assert.All(pairs, p => Assert.Equal(PairingMethod.BusAddress, p.Method));
    }

    [Fact]
    public void Bus_address_is_not_used_without_the_changers_address()
    {
        var pairs = DrivePairing.Pair([new(1, null, null, ScsiId: 1, Lun: 0)], Sg(Tape(1, "3:0:1:0", null)));
        Assert.Equal(PairingMethod.None, pairs[0].Method);
        Assert.Null(pairs[0].Drive);
    }

    [Fact]
    public void Unmatched_and_ambiguous_elements_stay_unpaired_and_a_tape_is_used_once()
    {
        var pairs = DrivePairing.Pair([new(1, "DUP", null), new(2, "ONE", null), new(3, "ONE", null), new(4, null, null)],
            Sg(Tape(1, "0:0:0:1", "DUP"), Tape(2, "0:0:0:2", "DUP"), Tape(3, "0:0:0:3", "ONE")));
        Assert.Equal([PairingMethod.None, PairingMethod.Serial, PairingMethod.None, PairingMethod.None], pairs.Select(p => p.Method));
        Assert.Equal("sg:/dev/sg3", pairs[1].Drive?.Uri);
    }

    [Fact]
    public void A_cut_identifier_pairs_by_prefix_with_the_one_drive_left_and_never_by_exact_serial()
    {
        // tgt cuts the last descriptor of a reply 8 bytes short: drive 1's serial arrives as "XY" of "XYZZY_B2".
        var luns = new DriveCandidates([new("iscsi://h:3260/t/1", "XYZZY_B1") { Lun = 1 }, new("iscsi://h:3260/t/2", "XYZZY_B2") { Lun = 2 }]);
        var pairs = DrivePairing.Pair([new(500, "XYZZY_B1", null), new(501, "XY", null, Truncated: true)], luns);
        Assert.Equal([(PairingMethod.Serial, 1), (PairingMethod.SerialPrefix, 2)], pairs.Select(p => (p.Method, p.Drive!.Lun!.Value)));
        // Both drives still free: the fragment is ambiguous and stays unpaired.
        var ambiguous = DrivePairing.Pair([new(501, "XYZZY_", null, Truncated: true)], luns);
        Assert.Equal(PairingMethod.None, ambiguous[0].Method);
        // A cut serial equal to some drive's full serial is not taken as exact.
        var cut = DrivePairing.Pair([new(501, "XYZZY_B", null, Truncated: true)], new DriveCandidates([new("a", "XYZZY_B"), new("b", "XYZZY_B9")]));
        Assert.Equal(PairingMethod.None, cut[0].Method);
    }

    [Fact]
    public void Identity_comes_from_a_decoded_dvcid_descriptor()
    {
        byte[] t10 = System.Text.Encoding.ASCII.GetBytes("IBM     ULT3580-TD8     1068093050");
        var id = new DeviceIdentifier(0, 2, false, 0, 1, t10, false);
        var d = new ElementDescriptor(ElementType.DataTransfer, 0x100, ElementFlags.Access, 0, 0, null, MediumType.Unspecified, false, false,
            null, null, id, null, null, false);
        var e = DriveElementIdentity.From(d);
        Assert.Equal(("1068093050", false), (e.Serial, e.Truncated));
        var pairs = DrivePairing.Pair([e], Sg(Tape(7, "0:0:0:7", "1068093050")));
        Assert.Equal("/dev/nst7", pairs[0].Drive?.Node);
        Assert.True(DriveElementIdentity.From(d with { Identifier = id with { Truncated = true } }).Truncated);
    }
}

/// <summary>The typed drive client: commands sent and what comes back.</summary>
public class TapeDriveTests
{
    private static async Task<(TapeDrive Drive, RecordingDriveLocator Locator)> OpenAsync(Func<int, ScsiResult> answer)
    {
        int n = 0;
        var locator = new RecordingDriveLocator(new DriveCandidate("drive-a1", "XYZZY_A1")) { Answer = (_, _) => answer(n++) };
        var pairs = DrivePairing.Pair([new DriveElementIdentity(500, "XYZZY_A1", null)], new DriveCandidates([new DriveCandidate("drive-a1", "XYZZY_A1")]));
        var changer = await new RecordingDriveLocator().OpenAsync(null!, new DriveCandidate("changer", null));   // never used: the locator opens drives itself
        var drive = await locator.Access(changer).OpenAsync(0, pairs);
        return (drive!, locator);
    }

    [Fact]
    public async Task A_poll_re_sends_after_unit_attentions_and_reports_the_drives_condition_with_its_drive_row()
    {
        var (drive, locator) = await OpenAsync(i => i < 2 ? Check(0x06, 0x29, 0x00) : Check(0x02, 0x30, 0x03));
        var ready = await drive.TestUnitReadyAsync();
        Assert.Equal(3, locator.Sent.Count);
        Assert.All(locator.Sent, c => Assert.Equal("000000000000", Convert.ToHexString(c.Command.Cdb)));
        Assert.False(ready.Ready);
        Assert.Equal((SenseAction.CleaningInProgress, "02/30/03"), (ready.Action, ready.Sense!.Triplet));
    }

    [Fact]
    public async Task A_poll_never_waits_out_becoming_ready()
    {
        var (drive, locator) = await OpenAsync(_ => Check(0x02, 0x04, 0x01));
        var ready = await drive.TestUnitReadyAsync();
        Assert.Single(locator.Sent);
        Assert.Equal(SenseAction.WaitAndRetry, ready.Action);
    }

    [Fact]
    public async Task TapeAlert_and_request_sense_decode_and_a_missing_page_is_null()
    {
        var (drive, locator) = await OpenAsync(_ => Check(0x05, 0x24, 0x00));
        Assert.Null(await drive.TapeAlertsAsync());
        // The supported log pages (00h) first, for the response page 12h; refused, so page 2Eh; refused too: null.
        Assert.Equal("4d00", Convert.ToHexString(locator.Sent[0].Command.Cdb.AsSpan(0, 2)).ToLowerInvariant());
        Assert.Equal(0x00, locator.Sent[0].Command.Cdb[2] & 0x3F);
        Assert.Equal(0x2E, locator.Sent[1].Command.Cdb[2] & 0x3F);
        Assert.Null(await drive.RequestSenseAsync());
        Assert.Equal(OpCode.RequestSense, locator.Sent[2].Command.Cdb[0]);
    }
}
