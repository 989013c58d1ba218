using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>DriveAccess: which locator serves the changer, the listing kept per changer, which pair opens, and the drive's transport released when its client cannot be made.</summary>
public sealed class DriveAccessTests
{
    private static readonly DriveCandidate A = new("drive-a", "SER_A");
    private static readonly DriveCandidate B = new("drive-b", "SER_B");

    private static IReadOnlyList<DrivePair> Pairs() => DrivePairing.Pair(
        [new DriveElementIdentity(500, "SER_A", null), new DriveElementIdentity(501, "SER_B", null)], new DriveCandidates([A, B]));

    private static DriveSearch Search(string changer) => new(DeviceUri.Parse(changer), new ScriptedTransport());

    /// <summary>A locator that hands out one given transport (the test keeps it to see whether it was disposed).</summary>
    private sealed class OneTransportLocator(ScriptedTransport transport) : IDriveLocator
    {
        public bool Serves(DriveSearch search) => true;
        public ValueTask<DriveCandidates> ListAsync(DriveSearch search, CancellationToken cancellationToken = default) => ValueTask.FromResult(new DriveCandidates([A]));
        public ValueTask<IScsiTransport> OpenAsync(DriveSearch search, DriveCandidate drive, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult<IScsiTransport>(transport);
    }

    [Fact]
    public async Task Without_a_locator_for_the_changer_nothing_is_listed_or_opened()
    {
        var access = new DriveAccess(new DriveLocatorRegistry(), Search("virtual:"));
        Assert.False(access.CanReachDrives);
        Assert.Same(DriveCandidates.None, await access.ListAsync());
        Assert.Null(await access.OpenAsync(0, Pairs()));
        var pair = Assert.Single(await access.PairAsync([new DriveElementIdentity(500, "SER_A", null)]));
        Assert.Null(pair.Drive);
    }

    [Fact]
    public async Task The_listing_is_kept_per_changer_in_the_shared_cache()
    {
        var locator = new RecordingDriveLocator(A, B);
        var registry = new DriveLocatorRegistry().Add(locator);
        var cache = new DriveLocatorCache();
        var first = new DriveAccess(registry, Search("virtual:"), cache: cache);
        Assert.True(first.CanReachDrives);
        var listed = await first.ListAsync();
        Assert.Equal(["drive-a", "drive-b"], listed.Drives.Select(d => d.Uri));
        Assert.Same(listed, await new DriveAccess(registry, Search("virtual:"), cache: cache).ListAsync());
        Assert.Equal(1, locator.Listings);
        var pairs = await first.PairAsync([new DriveElementIdentity(501, "SER_B", null)]);
        Assert.Equal(("drive-b", 0), (pairs.Single().Drive!.Uri, pairs.Single().DriveNumber));
        Assert.Equal(1, locator.Listings);

        await new DriveAccess(registry, Search("sg:/dev/sg3"), cache: cache).ListAsync();     // another changer: its own listing
        Assert.Equal(2, locator.Listings);
        await new DriveAccess(registry, Search("virtual:")).ListAsync();                       // its own cache: lists again
        Assert.Equal(3, locator.Listings);
    }

    [Fact]
    public async Task The_drive_asked_for_opens_by_number_and_one_not_found_is_null()
    {
        var locator = new RecordingDriveLocator(A, B);
        var access = locator.Access(new ScriptedTransport());
        await using var drive = await access.OpenAsync(1, Pairs());
        Assert.Equal((1, "drive-b", "SER_B"), (drive!.Number, drive.Uri, drive.Candidate.Serial));
        await drive.TestUnitReadyAsync();
        Assert.Equal(["drive-b"], locator.Sent.Select(s => s.Uri));
        Assert.Null(await access.OpenAsync(2, Pairs()));
        var unpaired = DrivePairing.Pair([new DriveElementIdentity(500, "NOT_LISTED", null)], new DriveCandidates([A]));
        Assert.Null(unpaired[0].Drive);
        Assert.Null(await access.OpenAsync(0, unpaired));
    }

    [Fact]
    public async Task A_paired_drive_opens_again_without_the_changer_only_where_its_locator_says_it_can()
    {
        var alone = new RecordingDriveLocator(A, B) { OpensAlone = true };
        var paired = alone.Access(new ScriptedTransport()).Paired(1, Pairs())!;
        Assert.Equal((1, "drive-b", true), (paired.Number, paired.Uri, paired.OpensWithoutChanger));
        await using (var drive = await paired.OpenAsync())
        {
            await drive.TestUnitReadyAsync();
            Assert.Equal((1, "drive-b"), (drive.Number, drive.Uri));
        }
        Assert.Equal(["drive-b"], alone.Sent.Select(s => s.Uri));
        Assert.Equal(0, alone.Listings);                    // opened from the pairing: nothing listed or read again

        // The interface's default: a drive reached through the changer's connection (USB) opens only through a session.
        var through = new RecordingDriveLocator(A, B);
        var viaChanger = through.Access(new ScriptedTransport()).Paired(0, Pairs())!;
        Assert.False(viaChanger.OpensWithoutChanger);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await viaChanger.OpenAsync());
        Assert.Equal("drive-a is reached through the changer's connection; open it through a changer session", e.Message);
        Assert.Empty(through.Sent);
        Assert.Null(through.Access(new ScriptedTransport()).Paired(2, Pairs()));
    }

    [Fact]
    public async Task The_default_client_is_a_drive_client_and_a_given_one_is_used()
    {
        // 02/04/02 from a drive is "cleaning done" (a drive row); the changer rows alone would not say so.
        var locator = new RecordingDriveLocator(A, B) { Answer = (_, _) => Check(0x02, 0x04, 0x02) };
        await using var drive = await locator.Access(new ScriptedTransport()).OpenAsync(0, Pairs());
        var ready = await drive!.TestUnitReadyAsync();
        Assert.Equal(SenseAction.CleaningDone, ready.Action);
        Assert.NotEqual(SenseAction.CleaningDone, new SmcClient(new ScriptedTransport()).RuleFor(ready.Sense!, "TEST UNIT READY").Action);

        int made = 0;
        var access = new DriveAccess(new DriveLocatorRegistry().Add(locator), Search("virtual:"), t => { made++; return new SmcClient(t) { IsDrive = true }; });
        await using var other = await access.OpenAsync(0, Pairs());
        Assert.Equal(1, made);
    }

    [Fact]
    public async Task A_client_that_cannot_be_made_releases_the_drive_transport()
    {
        var transport = new ScriptedTransport { Device = "drive-a" };
        var access = new DriveAccess(new DriveLocatorRegistry().Add(new OneTransportLocator(transport)), Search("virtual:"),
            _ => throw new InvalidOperationException("no client"));
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await access.OpenAsync(0, Pairs()));
        Assert.Equal("no client", e.Message);
        Assert.True(transport.Disposed);
    }
}

/// <summary>TapeDrive: the bytes sent, the unit attentions absorbed per poll, REQUEST SENSE, marks and LOAD UNLOAD with its message.</summary>
public sealed class TapeDriveCommandTests
{
    private static (TapeDrive Drive, ScriptedTransport Transport) Open(Func<ScsiCommand, Memory<byte>, ScsiResult> answer)
    {
        var t = new ScriptedTransport { Device = "drive-a", Answer = answer };
        return (new TapeDrive(3, new DriveCandidate("drive-a", "SER_A"), new SmcClient(t) { IsDrive = true }), t);
    }

    private static string Hex(ScsiCommand c) => Convert.ToHexString(c.Cdb).ToLowerInvariant();

    [Fact]
    public async Task A_ready_drive_is_good_with_no_rule()
    {
        var (drive, t) = Open((_, _) => Good);
        var r = await drive.TestUnitReadyAsync();
        Assert.True(r.Ready);
        Assert.Same(DriveReadiness.Good, r);
        Assert.Equal(SenseAction.Proceed, r.Action);
        Assert.Null(r.Rule);
        Assert.Equal(["000000000000"], t.Sent.Select(Hex));
        Assert.Equal((3, "drive-a"), (drive.Number, drive.Uri));
        Assert.Empty(drive.Marks);
        await drive.DisposeAsync();
        Assert.True(t.Disposed);
    }

    [Fact]
    public async Task Five_unit_attentions_are_absorbed_and_the_sixth_is_reported()
    {
        var (drive, t) = Open((_, _) => Check(0x06, 0x29, 0x00));
        var r = await drive.TestUnitReadyAsync();
        Assert.Equal(6, t.Sent.Count);
        Assert.False(r.Ready);
        Assert.Equal((SenseAction.RetrySoon, "06/29/00"), (r.Action, r.Sense!.Triplet));
        Assert.Equal(SenseAction.RetrySoon, r.Rule!.Action);
    }

    [Fact]
    public async Task Request_sense_returns_the_condition_with_its_drive_row()
    {
        var (drive, t) = Open((c, data) =>
        {
            var s = Fixed(0x00, 0x00, 0x17);
            s.CopyTo(data.Span);
            return ScsiResult.Good(s.Length);
        });
        var c = await drive.RequestSenseAsync();
        Assert.Equal("00/00/17", c!.Sense.Triplet);
        Assert.Equal(SenseAction.MarkDriveNeedsCleaning, c.Rule.Action);
        Assert.Equal(["0300000060" + "00"], t.Sent.Select(Hex));
    }

    [Fact]
    public async Task A_response_page_listed_but_refused_is_not_asked_again()
    {
        // LOG SENSE: page 00h lists 12h; 12h refused (05/24/00); 2Eh answers with no flag set.
        var (drive, t) = Open((c, data) =>
        {
            byte[]? reply = (c.Cdb[2] & 0x3F) switch
            {
                0x00 => [0x00, 0, 0, 2, 0x00, 0x12],
                0x2E => [0x2E, 0, 0, 0],
                _ => null,
            };
            if (reply is null) return Check(0x05, 0x24, 0x00);
            reply.CopyTo(data.Span);
            return ScsiResult.Good(reply.Length);
        });
        Assert.Equal((byte)0x2E, (await drive.TapeAlertsAsync())!.PageCode);
        Assert.Equal((byte)0x2E, (await drive.TapeAlertsAsync())!.PageCode);
        Assert.Equal([0x00, 0x12, 0x2E, 0x2E], t.Sent.Select(c => c.Cdb[2] & 0x3F));
    }

    [Fact]
    public async Task Request_sense_is_looked_up_as_REQUEST_SENSE_so_a_profile_row_for_that_command_applies()
    {
        var row = new SenseRule(null, 0x00, 0x17, SenseAction.Fail, SenseFailure.DeviceError, "profile row for REQUEST SENSE", "test", ["REQUEST SENSE"]);
        var t = new ScriptedTransport
        {
            Device = "drive-a",
            Answer = (_, data) => { var s = Fixed(0x00, 0x00, 0x17); s.CopyTo(data.Span); return ScsiResult.Good(s.Length); },
        };
        var drive = new TapeDrive(0, new DriveCandidate("drive-a", null), new SmcClient(t, quirks: ChangerQuirks.Generic with { SenseRules = [row] }) { IsDrive = true });
        Assert.Same(row, (await drive.RequestSenseAsync())!.Rule);
    }

    [Fact]
    public async Task Unreadable_request_sense_is_null()
    {
        var (drive, _) = Open((_, _) => ScsiResult.Good(0));
        Assert.Null(await drive.RequestSenseAsync());
    }

    [Fact]
    public async Task A_sense_that_asks_for_cleaning_is_kept_as_a_mark()
    {
        var (drive, _) = Open((_, _) => Check(0x02, 0x82, 0x82));
        await drive.TestUnitReadyAsync();
        var m = Assert.Single(drive.Marks);
        Assert.Equal((SenseAction.MarkDriveNeedsCleaning, "02/82/82", "TEST UNIT READY"), (m.Rule.Action, m.Sense.Triplet, m.Command));
    }

    [Fact]
    public async Task Unload_sends_load_unload_with_load_clear_and_a_refusal_names_the_drive()
    {
        var (drive, t) = Open((_, _) => Good);
        await drive.UnloadAsync();
        Assert.Equal(["1b0000000000"], t.Sent.Select(Hex));

        var (refusing, _) = Open((_, _) => Check(0x05, 0x53, 0x02));
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await refusing.UnloadAsync());
        Assert.Equal("unload drive 3 (drive-a) failed: medium removal is prevented (PREVENT MEDIUM REMOVAL is active); run 'ieport unlock' " +
            "[ILLEGAL REQUEST 05/53/02: medium removal prevented]", e.Message);
    }
}

/// <summary>LearnedQuirksStore: the key's shape, the legacy path, what a save keeps and how an old record is imported.</summary>
public sealed class LearnedQuirksKeyAndImportTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-learned2-").FullName;

    public void Dispose()
    {
        TapeChanger.State.StateDatabase.ReleaseConnections();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public void The_key_is_the_readable_identity_and_twelve_hex_digits_of_the_trimmed_identity_and_device()
    {
        var key = LearnedQuirksStore.For(_state, " IBM ", "ULT 3584/L-x_y ", " R1 ", "sg:/dev/sg3");
        Assert.Matches("^IBM-ULT_3584_L-x_y-[0-9a-f]{12}$", key.Key);
        Assert.Equal(key, LearnedQuirksStore.For(_state, "IBM", "ULT 3584/L-x_y", "R1", "sg:/dev/sg3"));
        Assert.NotEqual(key.Key, LearnedQuirksStore.For(_state, "IBM", "ULT 3584/L-x_y", "R2", "sg:/dev/sg3").Key);
        Assert.NotEqual(key.Key, LearnedQuirksStore.For(_state, "IBM", "ULT 3584/L-x_y", "R1", "sg:/dev/sg4").Key);
        Assert.Equal(_state, key.StateDirectory);

        string roundabout = Path.Combine(_state, "sub", "..");
        var k2 = LearnedQuirksStore.For(roundabout, "IBM", "X", "R1", "d");
        Assert.Equal(Path.Combine(_state, "learned", k2.Key + ".json"), k2.LegacyPath);
    }

    [Fact]
    public void A_save_keeps_the_time_and_identity_and_merges_reasons_once()
    {
        var key = LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:");
        var at = DateTimeOffset.Parse("2026-12-05T10:40:00+00:00");
        var id = new LearnedQuirks { Vendor = "STK", Product = "L700", Revision = "0107", Device = "virtual:" };
        LearnedQuirksStore.Save(key, id, ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.PerType }, ["a", "a", "b"], at);
        var r = LearnedQuirksStore.Load(key)!;
        Assert.Equal(at, r.LearnedAt);
        Assert.Equal(["a", "b"], r.Reasons);
        Assert.Equal(ReadElementStatusStrategy.PerType, r.ReadStrategy);
        Assert.Equal(ChangerQuirks.Generic.DeviceId, r.DeviceId);
    }

    private static void WriteLegacy(LearnedQuirksKey key, string reason)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(key.LegacyPath)!);
        File.WriteAllText(key.LegacyPath, $$"""{ "vendor": "STK", "readStrategy": "PerType", "reasons": [ "{{reason}}" ] }""");
    }

    [Fact]
    public void An_old_record_does_not_replace_one_in_the_database_and_is_still_set_aside()
    {
        var key = LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:");
        LearnedQuirksStore.Save(key, new LearnedQuirks { Vendor = "STK" }, ChangerQuirks.Generic, ["in the database"], DateTimeOffset.UnixEpoch);
        WriteLegacy(key, "old file");
        File.WriteAllText(key.LegacyPath + ".imported", "an earlier backup");
        Assert.Equal(["in the database"], LearnedQuirksStore.Load(key)!.Reasons);
        Assert.False(File.Exists(key.LegacyPath));
        Assert.Contains("old file", File.ReadAllText(key.LegacyPath + ".imported"));
    }

    [Fact]
    public void An_old_record_is_imported_by_a_save_too()
    {
        var key = LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:");
        WriteLegacy(key, "old file");
        LearnedQuirksStore.Save(key, new LearnedQuirks { Vendor = "STK" }, ChangerQuirks.Generic, ["new"], DateTimeOffset.UnixEpoch);
        Assert.Equal(["old file", "new"], LearnedQuirksStore.Load(key)!.Reasons);
        Assert.True(File.Exists(key.LegacyPath + ".imported"));
    }

    [Fact]
    public void An_old_record_without_identity_fields_is_imported_with_empty_ones_and_no_learning_leaves_the_profile_as_is()
    {
        var key = LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:");
        Directory.CreateDirectory(Path.GetDirectoryName(key.LegacyPath)!);
        File.WriteAllText(key.LegacyPath, """{ "reasons": [ "r" ] }""");
        var r = LearnedQuirksStore.Load(key)!;
        Assert.Equal(("", "", "", ""), (r.Vendor, r.Product, r.Revision, r.Device));
        Assert.Null(r.ReadStrategy);
        var bold = ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.AllTypes };
        Assert.Equal(ReadElementStatusStrategy.AllTypes, r.ApplyTo(bold).ReadStrategy);
        Assert.Equal(ReadElementStatusStrategy.AllTypes, new LearnedQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes }.ApplyTo(bold).ReadStrategy);
    }

    [Fact]
    public void A_database_that_cannot_be_read_is_no_record()
    {
        File.WriteAllText(Path.Combine(_state, TapeChanger.State.StateDatabase.FileName), "this is not a database, only text long enough to be read as one");
        Assert.Null(LearnedQuirksStore.Load(LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:")));
    }
}
