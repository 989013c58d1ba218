using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// A drive paired once and opened later: through a session (<see cref="MediaChanger.OpenDriveAsync(PairedDrive, CancellationToken)"/>,
/// asking the changer nothing) or alone after the session closed; what each refuses and what it answers without drives.
/// </summary>
public sealed class PairedDriveTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-paired-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static readonly DriveCandidate A1 = new("drive-a1", "XYZZY_A1");
    private static readonly DriveCandidate A2 = new("drive-a2", "XYZZY_A2");

    /// <summary>The virtual library (four drives, DVCID serials XYZZY_A1..A4), its power-on unit attention absorbed.</summary>
    private async Task<QuirkyTransport> OpenAsync()
    {
        await using (var warm = new SmcClient(await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state))))
        {
            await warm.TestUnitReadyAsync();
        }
        return new QuirkyTransport(await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state)));
    }

    private static string Hex(ScsiCommand c) => Convert.ToHexString(c.Cdb).ToLowerInvariant();

    [Fact]
    public async Task A_session_pairs_a_drive_with_one_read_of_the_drives_and_opens_it_later_asking_the_changer_nothing()
    {
        var t = await OpenAsync();
        var drives = new RecordingDriveLocator(A1, A2) { OpensAlone = true };
        PairedDrive paired;
        await using (var changer = new MediaChanger(new SmcClient(t), new ChangerSettings { Drives = drives.Access(t) }))
        {
            paired = (await changer.PairDriveAsync(1))!;
            Assert.Equal((1, "drive-a2", "XYZZY_A2", true), (paired.Number, paired.Uri, paired.Candidate.Serial, paired.OpensWithoutChanger));
            var read = Assert.Single(t.Sent, c => c.Cdb[0] == OpCode.ReadElementStatus);
            Assert.Equal(0x04, read.Cdb[1] & 0x0F);                               // the drive elements only
            Assert.Equal(1, drives.Listings);
            Assert.Empty(drives.Sent);                                           // paired, not opened

            int sentToChanger = t.Sent.Count;
            await using (var viaSession = await changer.OpenDriveAsync(paired))
            {
                await viaSession!.TestUnitReadyAsync();
                Assert.Equal((1, "drive-a2"), (viaSession.Number, viaSession.Uri));
            }
            Assert.Equal(sentToChanger, t.Sent.Count);                           // the changer was asked nothing
            Assert.Null(await changer.PairDriveAsync(2));                        // XYZZY_A3 is not listed on this host
            Assert.Equal(1, drives.Listings);
        }

        // The session closed: the paired drive opens alone.
        int sent = t.Sent.Count;
        await using (var alone = await paired.OpenAsync())
        {
            await alone.TestUnitReadyAsync();
        }
        Assert.Equal(sent, t.Sent.Count);
        Assert.Equal([("drive-a2", "000000000000"), ("drive-a2", "000000000000")], drives.Sent.Select(s => (s.Uri, Hex(s.Command))));
    }

    [Fact]
    public async Task A_session_without_reachable_drives_pairs_nothing_opens_nothing_and_sends_nothing()
    {
        var t = await OpenAsync();
        var somewhere = new RecordingDriveLocator(A1, A2) { OpensAlone = true }.Access(new ScriptedTransport()).Paired(0, Pairs())!;

        await using (var bare = new MediaChanger(new SmcClient(t)))
        {
            Assert.Null(await bare.PairDriveAsync(0));
            Assert.Null(await bare.OpenDriveAsync(somewhere));
            await Assert.ThrowsAsync<ArgumentNullException>(async () => await bare.OpenDriveAsync(null!));
        }
        // Drives configured, but no locator serves this changer.
        var none = new DriveAccess(new DriveLocatorRegistry(), new DriveSearch(DeviceUri.Parse("virtual:"), t));
        await using (var unreachable = new MediaChanger(new SmcClient(t), new ChangerSettings { Drives = none }))
        {
            Assert.Null(await unreachable.PairDriveAsync(0));
            Assert.Null(await unreachable.OpenDriveAsync(somewhere));
        }
        Assert.DoesNotContain(t.Sent, c => c.Cdb[0] == OpCode.ReadElementStatus);
    }

    [Fact]
    public async Task A_refused_read_of_the_drive_elements_fails_the_pairing_naming_the_read()
    {
        var t = await OpenAsync();
        var refusing = new QuirkyTransport(t) { RefusedOpcodes = new HashSet<byte> { OpCode.ReadElementStatus } };
        var drives = new RecordingDriveLocator(A1, A2) { OpensAlone = true };
        await using var changer = new MediaChanger(new SmcClient(refusing), new ChangerSettings { Drives = drives.Access(refusing) });
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.PairDriveAsync(0));
        Assert.StartsWith("read element status failed: ", e.Message);
        Assert.Contains("05/20/00", e.Message);
        Assert.Empty(drives.Sent);
    }

    private static IReadOnlyList<DrivePair> Pairs() => DrivePairing.Pair(
        [new DriveElementIdentity(500, "XYZZY_A1", null), new DriveElementIdentity(501, "XYZZY_A2", null)], new DriveCandidates([A1, A2]));

    /// <summary>A locator that serves the changer until told not to, and opens its drives alone.</summary>
    private sealed class WithdrawingLocator : IDriveLocator
    {
        /// <summary>How many more times <see cref="Serves"/> answers true.</summary>
        public int ServesLeft { get; set; } = int.MaxValue;
        public int Opened { get; private set; }
        public bool Serves(DriveSearch search) => ServesLeft-- > 0;
        public bool OpensDrivesWithoutChanger(DriveSearch search) => true;
        public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default) => ValueTask.FromResult(new DriveCandidates([A1, A2]));
        public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default)
        {
            Opened++;
            return ValueTask.FromResult<IScsiTransport>(new ScriptedTransport { Device = drive.Uri });
        }
    }

    [Fact]
    public async Task Without_a_locator_a_paired_drive_is_reached_only_through_the_changer_and_opens_nothing()
    {
        var access = new DriveAccess(new DriveLocatorRegistry(), new DriveSearch(DeviceUri.Parse("virtual:"), new ScriptedTransport()));
        Assert.False(access.OpensDrivesWithoutChanger);
        var paired = access.Paired(1, Pairs())!;
        Assert.Equal((1, "drive-a2", false), (paired.Number, paired.Uri, paired.OpensWithoutChanger));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await paired.OpenAsync());
        Assert.Equal("drive-a2 is reached through the changer's connection; open it through a changer session", e.Message);
        Assert.Null(await access.OpenAsync(paired));
    }

    [Fact]
    public async Task A_paired_drive_whose_locator_stopped_serving_the_changer_fails_in_one_line()
    {
        var locator = new WithdrawingLocator();
        var access = new DriveAccess(new DriveLocatorRegistry().Add(locator), new DriveSearch(DeviceUri.Parse("virtual:"), new ScriptedTransport()));
        Assert.True(access.OpensDrivesWithoutChanger);
        var paired = access.Paired(0, Pairs())!;
        await using (var first = await paired.OpenAsync())
        {
            Assert.Equal((0, "drive-a1"), (first.Number, first.Uri));
        }
        Assert.Equal(1, locator.Opened);

        // Served when asked whether it opens alone, no longer when asked to open.
        locator.ServesLeft = 1;
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await paired.OpenAsync());
        Assert.Equal("drive-a1: no drive locator serves the changer any more", e.Message);
        Assert.Equal(1, locator.Opened);

        locator.ServesLeft = 0;
        Assert.False(access.OpensDrivesWithoutChanger);
        Assert.Null(await access.OpenAsync(paired));
        Assert.Equal(1, locator.Opened);
    }

    [Fact]
    public async Task A_drive_paired_next_to_another_changer_is_refused_and_nothing_is_opened()
    {
        var locator = new RecordingDriveLocator(A1, A2) { OpensAlone = true };
        var here = new DriveAccess(new DriveLocatorRegistry().Add(locator), new DriveSearch(DeviceUri.Parse("virtual:/libraries/a"), new ScriptedTransport()));
        var there = new DriveAccess(new DriveLocatorRegistry().Add(locator), new DriveSearch(DeviceUri.Parse("virtual:/libraries/b"), new ScriptedTransport()));
        var paired = there.Paired(1, Pairs())!;
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await here.OpenAsync(paired));
        Assert.StartsWith("drive 1 (drive-a2) was paired with the changer virtual:/libraries/b, not virtual:/libraries/a", e.Message);
        Assert.Equal(0, locator.Opened);
        await using (var own = await there.OpenAsync(paired))
        {
            Assert.Equal((1, "drive-a2"), (own!.Number, own.Uri));
        }
        Assert.Equal(1, locator.Opened);
    }

    [Fact]
    public async Task A_paired_drive_given_as_null_is_an_argument_error()
    {
        var access = new RecordingDriveLocator(A1, A2).Access(new ScriptedTransport());
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await access.OpenAsync(null!));
    }
}
