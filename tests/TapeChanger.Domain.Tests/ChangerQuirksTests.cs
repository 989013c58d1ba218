using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The SMC client obeying <see cref="ChangerQuirks"/> and learning at runtime, against the virtual library behind a
/// transport that misbehaves the way real libraries do (docs/reference/library-behaviour.md §1, §5, §18).
/// </summary>
public sealed class ChangerQuirksTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-quirks-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private async Task<QuirkyTransport> OpenAsync(Func<IScsiTransport, QuirkyTransport> wrap)
    {
        // Absorb the power-on unit attention so command counts below are exact (one session at a time: the state is locked).
        await using (var warm = new SmcClient(await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state))))
        {
            await warm.TestUnitReadyAsync();
        }
        return wrap(await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state)));
    }

    private static readonly ChangerQuirks AllTypes = ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.AllTypes };

    [Fact]
    public async Task All_types_strategy_reads_the_library_in_one_command()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i));
        await using var changer = new MediaChanger(new SmcClient(t, quirks: AllTypes));
        var status = await changer.GetStatusAsync();
        Assert.Equal(1 + 39 + 4 + 4, status.Elements.Count);
        var reads = t.Sent.Where(c => c.Cdb[0] == OpCode.ReadElementStatus).ToList();
        Assert.Single(reads);
        Assert.Equal(0, reads[0].Cdb[1] & 0x0F);                    // element type code 0: all types
        Assert.Equal(["XYZZY_A1", "XYZZY_A2", "XYZZY_A3", "XYZZY_A4"], status.OfType(ElementType.DataTransfer).Select(d => d.DriveSerial));
        Assert.Empty(changer.Client.Learned);
    }

    [Fact]
    public async Task Per_type_strategy_reads_one_type_per_command()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i));
        await using var changer = new MediaChanger(new SmcClient(t));
        await changer.GetStatusAsync();
        var types = t.Sent.Where(c => c.Cdb[0] == OpCode.ReadElementStatus).Select(c => c.Cdb[1] & 0x0F).ToList();
        Assert.Equal([1, 2, 3, 4], types);
    }

    [Fact]
    public async Task A_rejected_combined_read_is_split_and_the_split_is_learned()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { RejectAllTypeReads = true });
        var client = new SmcClient(t, quirks: AllTypes);
        await using var changer = new MediaChanger(client);
        var status = await changer.GetStatusAsync();
        Assert.Equal(48, status.Elements.Count);
        Assert.Equal(ReadElementStatusStrategy.PerType, client.Quirks.ReadStrategy);
        Assert.Contains(client.Learned, l => l.Contains("05/24/00") && l.Contains("one element type at a time"));

        // The same session does not try the combined read again.
        int before = t.Sent.Count(c => c.Cdb[0] == OpCode.ReadElementStatus && (c.Cdb[1] & 0x0F) == 0);
        await changer.GetStatusAsync();
        Assert.Equal(before, t.Sent.Count(c => c.Cdb[0] == OpCode.ReadElementStatus && (c.Cdb[1] & 0x0F) == 0));
    }

    [Fact]
    public async Task Dvcid_rejected_with_voltag_is_read_separately_and_merged()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { RejectDvcidWithVolTag = true });
        var client = new SmcClient(t);
        var drives = await client.ReadElementStatusAsync(ElementType.DataTransfer, 500, 4);
        Assert.Equal(DeviceIdSupport.WithoutVolumeTag, client.Quirks.DeviceId);
        Assert.Equal(["XYZZY_A1", "XYZZY_A2", "XYZZY_A3", "XYZZY_A4"], drives.Select(d => d.Identifier?.SerialNumber));
        Assert.Single(client.Learned);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Dvcid_rejected_entirely_is_dropped()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { RejectDvcid = true });
        var client = new SmcClient(t);
        var drives = await client.ReadElementStatusAsync(ElementType.DataTransfer, 500, 4);
        Assert.Equal(4, drives.Count);
        Assert.All(drives, d => Assert.Null(d.Identifier));
        Assert.Equal(DeviceIdSupport.Unsupported, client.Quirks.DeviceId);
        Assert.Equal(2, client.Learned.Count);
        // Later reads never ask for DVCID again.
        int asked = t.Sent.Count(c => c.Cdb[0] == OpCode.ReadElementStatus && (c.Cdb[6] & 0x01) != 0);
        await client.ReadElementStatusAsync(ElementType.DataTransfer, 500, 4);
        Assert.Equal(asked, t.Sent.Count(c => c.Cdb[0] == OpCode.ReadElementStatus && (c.Cdb[6] & 0x01) != 0));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Element_limits_and_current_data_shape_the_reads()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i));
        var client = new SmcClient(t, quirks: ChangerQuirks.Generic with { MaxElementsPerRead = 10, CurrentData = true });
        var slots = await client.ReadElementStatusAsync(ElementType.Storage, 1000, 39);
        Assert.Equal(39, slots.Count);
        var reads = t.Sent.Where(c => c.Cdb[0] == OpCode.ReadElementStatus).ToList();
        Assert.Equal(4, reads.Count);                                   // 10 + 10 + 10 + 9
        Assert.All(reads, c => Assert.True((c.Cdb[4] << 8 | c.Cdb[5]) <= 10));
        Assert.All(reads, c => Assert.Equal(0x02, c.Cdb[6] & 0x02));   // CURDATA
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Timeouts_follow_the_quirks_per_command()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i));
        var quirks = ChangerQuirks.Generic with { MoveTimeout = TimeSpan.FromSeconds(777), InitializeTimeout = TimeSpan.FromHours(5), DefaultTimeout = TimeSpan.FromSeconds(33) };
        await using var changer = new MediaChanger(new SmcClient(t, quirks: quirks));
        await changer.LoadAsync(1, 0);
        await changer.InventoryAsync(null, null);
        Assert.Equal(TimeSpan.FromSeconds(777), t.Sent.Single(c => c.Cdb[0] == OpCode.MoveMedium).Timeout);
        Assert.Equal(TimeSpan.FromHours(5), t.Sent.Single(c => c.Cdb[0] == OpCode.InitializeElementStatus).Timeout);
        // Without CURDATA a READ ELEMENT STATUS may make the robot scan: it gets the move timeout.
        Assert.All(t.Sent.Where(c => c.Cdb[0] == OpCode.ReadElementStatus), c => Assert.Equal(TimeSpan.FromSeconds(777), c.Timeout));
    }

    [Fact]
    public async Task Profile_default_addresses_stand_in_when_page_1D_fails()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { RejectPage1D = true });
        // mhVTL library 10's layout (hw-profiles/mhvtl/library10/device.conf): picker 1, slots 1000+39, MAP 10+4, drives 500+4.
        var defaults = new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4);
        await using var changer = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { DefaultAddresses = defaults }));
        var status = await changer.GetStatusAsync();
        Assert.Equal(39, status.OfType(ElementType.Storage).Count());
        Assert.Contains(changer.Warnings, w => w.Contains("default addresses") && w.Contains("05/24/00"));
    }

    [Fact]
    public async Task Defaults_do_not_mask_a_transient_failure_of_page_1D()
    {
        // Unit attentions past the retry budget are the library's state, not a missing page: no fallback.
        var t = await OpenAsync(i => new QuirkyTransport(i) { UnitAttentionOnPage1D = true });
        var defaults = new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4);
        await using var changer = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { DefaultAddresses = defaults }));
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.GetStatusAsync());
        Assert.Contains("06/2A/01", e.Message);
        Assert.Empty(changer.Warnings);
    }

    [Fact]
    public async Task Without_defaults_a_failed_page_1D_is_an_error()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { RejectPage1D = true });
        await using var changer = new MediaChanger(new SmcClient(t));
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.GetStatusAsync());
        Assert.Contains("element address map", e.Message);
    }

    /// <summary>The library-10 drives as a locator lists them (VPD 80h serials); LOAD UNLOAD sets the transport's Ejected.</summary>
    private static RecordingDriveLocator Drives(QuirkyTransport t) =>
        new(new DriveCandidate("drive-a1", "XYZZY_A1"), new DriveCandidate("drive-a2", "XYZZY_A2"))
        {
            Answer = (_, c) => { if (c.Cdb[0] == OpCode.LoadUnload) t.Ejected = true; return ScsiResult.Good(0); },
        };

    [Fact]
    public async Task A_drive_holding_its_cartridge_is_ejected_once_and_the_unload_retried()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500 });
        var drives = Drives(t);
        await using var changer = new MediaChanger(new SmcClient(t), new ChangerSettings { Drives = drives.Access(t) });
        await changer.LoadAsync(1, 0);
        var result = await changer.UnloadAsync(null, 0);
        // The drive paired with element 500 by its DVCID serial got one LOAD UNLOAD (unload: byte 4 = 0), nothing else.
        var (uri, command) = Assert.Single(drives.Sent);
        Assert.Equal("drive-a1", uri);
        Assert.Equal("1b0000000000", Convert.ToHexString(command.Cdb).ToLowerInvariant());
        Assert.Equal(2, t.Sent.Count(c => c.Cdb[0] == OpCode.MoveMedium && c.Cdb[4] == 0x01 && c.Cdb[5] == 0xF4));
        Assert.Equal((ushort)1000, result.Destination);
        Assert.False((await changer.ReadElementAsync(500)).Full);
    }

    [Fact]
    public async Task A_profile_row_marking_a_vendor_sense_UnloadDriveAndRetry_ejects_the_drive_like_05_53_03()
    {
        // The decision is the sense table's action, not the triplet: a vendor code mapped by a profile row is treated the same.
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500, HoldingSense = (0x05, 0x80, 0x03) });
        var drives = Drives(t);
        var vendorRow = new SenseRule(SenseKey.IllegalRequest, 0x80, 0x03, SenseAction.UnloadDriveAndRetry, SenseFailure.RemovalPrevented, "the drive has not ejected the cartridge", "test");
        await using var changer = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { SenseRules = [vendorRow] }), new ChangerSettings { Drives = drives.Access(t) });
        await changer.LoadAsync(1, 0);
        var result = await changer.UnloadAsync(null, 0);
        Assert.Equal("1b0000000000", Convert.ToHexString(Assert.Single(drives.Sent).Command.Cdb).ToLowerInvariant());
        Assert.Equal(2, t.Sent.Count(c => c.Cdb[0] == OpCode.MoveMedium && c.Cdb[4] == 0x01 && c.Cdb[5] == 0xF4));
        Assert.Equal((ushort)1000, result.Destination);
    }

    [Fact]
    public async Task A_profile_row_that_makes_05_53_03_a_plain_failure_stops_the_eject()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500 });
        var drives = Drives(t);
        var failRow = new SenseRule(null, 0x53, 0x03, SenseAction.Fail, SenseFailure.RemovalPrevented, "unload the drive at its panel", "test");
        await using var changer = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { SenseRules = [failRow] }), new ChangerSettings { Drives = drives.Access(t) });
        await changer.LoadAsync(1, 0);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.UnloadAsync(null, 0));
        Assert.Equal(ChangerError.RemovalPrevented, e.Error);
        Assert.Contains("unload the drive at its panel", e.Message);
        Assert.Empty(drives.Sent);
    }

    [Fact]
    public async Task An_unreachable_drive_keeps_the_05_53_03_error()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500 });
        var elsewhere = new RecordingDriveLocator(new DriveCandidate("other", "NOT-THIS-LIBRARY"));      // no serial matches
        await using var changer = new MediaChanger(new SmcClient(t), new ChangerSettings { Drives = elsewhere.Access(t) });
        await changer.LoadAsync(1, 0);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.UnloadAsync(null, 0));
        Assert.Equal(ChangerError.RemovalPrevented, e.Error);
        Assert.Empty(elsewhere.Sent);
        Assert.Equal(1, t.Sent.Count(c => c.Cdb[0] == OpCode.MoveMedium && c.Cdb[4] == 0x01));   // not retried
    }

    [Fact]
    public async Task A_drive_that_refuses_to_unload_fails_the_move_with_the_drives_sense()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500 });
        var drives = new RecordingDriveLocator(new DriveCandidate("drive-a1", "XYZZY_A1"))
        {
            Answer = (_, _) => ScsiResult.CheckCondition([0x70, 0, 0x03, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x53, 0x0A, 0, 0, 0, 0]),
        };
        await using var changer = new MediaChanger(new SmcClient(t), new ChangerSettings { Drives = drives.Access(t) });
        await changer.LoadAsync(1, 0);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.UnloadAsync(null, 0));
        Assert.Equal(ChangerError.DeviceError, e.Error);
        Assert.Contains("unload drive 0 (drive-a1)", e.Message);
        Assert.Contains("53/0A", e.Message);
    }

    [Fact]
    public async Task Without_a_way_to_eject_05_53_03_is_reported_as_removal_prevented()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500 });
        await using var changer = new MediaChanger(new SmcClient(t));
        await changer.LoadAsync(1, 0);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.UnloadAsync(null, 0));
        Assert.Equal(ChangerError.RemovalPrevented, e.Error);
        Assert.Contains("53/03", e.Message);
    }

    [Fact]
    public async Task Eject_before_unload_quirk_ejects_before_the_move()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i) { DriveHoldingMedium = 500 });
        int movesBeforeEject = -1;
        var drives = new RecordingDriveLocator(new DriveCandidate("drive-a1", "XYZZY_A1"), new DriveCandidate("drive-a2", "XYZZY_A2"))
        {
            Answer = (_, c) =>
            {
                if (c.Cdb[0] == OpCode.LoadUnload) { movesBeforeEject = t.Sent.Count(x => x.Cdb[0] == OpCode.MoveMedium); t.Ejected = true; }
                return ScsiResult.Good(0);
            },
        };
        await using var changer = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { EjectBeforeUnload = true }), new ChangerSettings { Drives = drives.Access(t) });
        await changer.LoadAsync(2, 1);
        await changer.UnloadAsync(null, 1);
        Assert.Equal(1, movesBeforeEject);                              // only the load had moved: the eject came first
        Assert.Equal(2, t.Sent.Count(c => c.Cdb[0] == OpCode.MoveMedium));
        Assert.Equal(["drive-a2"], drives.Sent.Select(x => x.Uri));     // drive 1 = element 501 = serial XYZZY_A2
    }

    [Fact]
    public async Task Export_allows_removal_first_when_prevent_locks_the_mail_slot()
    {
        var t = await OpenAsync(i => new QuirkyTransport(i));
        await using var changer = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { PreventLocksMailSlot = true }));
        await changer.LockImportExportAsync(true);
        await changer.ExportAsync(1, null);
        var allow = t.Sent.FindLastIndex(c => c.Cdb[0] == OpCode.PreventAllowMediumRemoval && c.Cdb[4] == 0);
        var move = t.Sent.FindIndex(c => c.Cdb[0] == OpCode.MoveMedium);
        Assert.True(allow >= 0 && allow < move, "ALLOW MEDIUM REMOVAL must precede the move to the mail slot");
    }
}

/// <summary>The learned split survives the session: saved per library in the state database and laid over the profile next time.</summary>
public sealed class LearnedQuirksStoreTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-learned-").FullName;

    public void Dispose()
    {
        TapeChanger.State.StateDatabase.ReleaseConnections();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public void Saved_learning_is_applied_over_the_profile_and_keyed_per_library()
    {
        var key = LearnedQuirksStore.For(_state, "HPE", "MSL3040", "3350", "sg:/dev/sg3");
        var id = new LearnedQuirks { Vendor = "HPE", Product = "MSL3040", Revision = "3350", Device = "sg:/dev/sg3" };
        var learned = ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.PerType, DeviceId = DeviceIdSupport.WithoutVolumeTag };
        LearnedQuirksStore.Save(key, id, learned, ["split after 05/24/00"], DateTimeOffset.UnixEpoch);
        LearnedQuirksStore.Save(key, id, learned, ["DVCID refused", "split after 05/24/00"], DateTimeOffset.UnixEpoch);

        var profile = ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.AllTypes, MaxElementsPerRead = 256 };
        var record = LearnedQuirksStore.Load(key)!;
        var applied = record.ApplyTo(profile);
        Assert.Equal(ReadElementStatusStrategy.PerType, applied.ReadStrategy);
        Assert.Equal(DeviceIdSupport.WithoutVolumeTag, applied.DeviceId);
        Assert.Equal(256, applied.MaxElementsPerRead);               // the profile's other knobs stay
        Assert.Equal(["split after 05/24/00", "DVCID refused"], record.Reasons);   // merged, in the order learned
        Assert.Equal(("HPE", "MSL3040", "3350", "sg:/dev/sg3"), (record.Vendor, record.Product, record.Revision, record.Device));
        Assert.Equal("PerType", TapeChanger.State.StateDatabase.Open(_state).Read(tx => tx.Scalar("SELECT read_strategy FROM learned_quirks")));

        // Another library (or the same model on another path) has its own record.
        Assert.NotEqual(key, LearnedQuirksStore.For(_state, "HPE", "MSL3040", "3350", "sg:/dev/sg4"));
        Assert.Null(LearnedQuirksStore.Load(LearnedQuirksStore.For(_state, "HPE", "MSL3040", "3350", "sg:/dev/sg4")));
    }

    [Fact]
    public void Learning_never_makes_a_more_cautious_profile_bolder()
    {
        var learnedBold = new LearnedQuirks { ReadStrategy = ReadElementStatusStrategy.AllTypes, DeviceId = DeviceIdSupport.WithVolumeTag };
        var careful = ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.PerType, DeviceId = DeviceIdSupport.Unsupported };
        var applied = learnedBold.ApplyTo(careful);
        Assert.Equal((ReadElementStatusStrategy.PerType, DeviceIdSupport.Unsupported), (applied.ReadStrategy, applied.DeviceId));
        var learnedCareful = new LearnedQuirks { ReadStrategy = ReadElementStatusStrategy.PerType, DeviceId = DeviceIdSupport.WithoutVolumeTag };
        var bold = ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.AllTypes };
        applied = learnedCareful.ApplyTo(bold);
        Assert.Equal((ReadElementStatusStrategy.PerType, DeviceIdSupport.WithoutVolumeTag), (applied.ReadStrategy, applied.DeviceId));
    }

    [Fact]
    public void An_old_json_record_is_imported_once_and_kept_as_a_backup()
    {
        var key = LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:");
        Directory.CreateDirectory(Path.GetDirectoryName(key.LegacyPath)!);
        const string old = """
        {
          "schemaVersion": 1, "vendor": "STK", "product": "L700", "revision": "0107", "device": "virtual:",
          "readStrategy": "PerType", "deviceId": null, "reasons": [ "READ ELEMENT STATUS of all types rejected (05/24/00)" ],
          "learnedAt": "2026-11-30T10:00:00+00:00"
        }
        """;
        File.WriteAllText(key.LegacyPath, old);

        var record = LearnedQuirksStore.Load(key)!;

        Assert.Equal(ReadElementStatusStrategy.PerType, record.ReadStrategy);
        Assert.Null(record.DeviceId);
        Assert.Equal(["READ ELEMENT STATUS of all types rejected (05/24/00)"], record.Reasons);
        Assert.Equal(DateTimeOffset.Parse("2026-11-30T10:00:00+00:00"), record.LearnedAt);
        Assert.False(File.Exists(key.LegacyPath));
        Assert.Equal(old, File.ReadAllText(key.LegacyPath + ".imported"));
    }

    [Fact]
    public void A_corrupt_old_record_is_set_aside_and_a_new_one_saved()
    {
        var key = LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:");
        Directory.CreateDirectory(Path.GetDirectoryName(key.LegacyPath)!);
        File.WriteAllText(key.LegacyPath, "{ not json");
        Assert.Null(LearnedQuirksStore.Load(key));
        Assert.True(File.Exists(key.LegacyPath + ".imported"));
        LearnedQuirksStore.Save(key, new LearnedQuirks(), ChangerQuirks.Generic, ["x"], DateTimeOffset.UnixEpoch);
        Assert.NotNull(LearnedQuirksStore.Load(key));
    }

    [Fact]
    public void A_state_directory_without_a_database_is_not_given_one_by_a_load()
    {
        Assert.Null(LearnedQuirksStore.Load(LearnedQuirksStore.For(_state, "STK", "L700", "0107", "virtual:")));
        Assert.Empty(Directory.GetFileSystemEntries(_state));
    }
}
