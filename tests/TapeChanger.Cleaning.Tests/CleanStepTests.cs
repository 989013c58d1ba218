using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The clean step machine's records and endings on the virtual library (library 10, reserved slot 21 = element 1020,
/// drive 0 = element 500 = LUN 1): the drive history record, what the progress line says while the drive cleans, a
/// cycle that ends in an error, a cleaner found nowhere, the configured cleaning time for a drive that cannot be polled.
/// </summary>
public sealed class CleanStepTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    private async Task ReserveAndInjectAsync(uint cleans)
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, cleans);
        var run = S.RunAsync(op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport("CLN201L8"); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await run).State);
    }

    private sealed class SyncProgress(Action<OperationRecord> a) : IProgress<OperationRecord>
    {
        public void Report(OperationRecord value) => a(value);
    }

    [Fact]
    public async Task A_cycle_that_ends_in_an_error_is_recorded_as_such_and_the_watch_says_what_the_drive_answered()
    {
        await ReserveAndInjectAsync(cleans: 5);
        int polls = 0;
        // Drive 0 (LUN 1): cleaning in progress at the first poll, then HARDWARE ERROR 04/44/00.
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY"
            ? (++polls == 1 ? SenseBuilder.Check(0x02, 0x30, 0x03) : SenseBuilder.Check(0x04, 0x44, 0x00))
            : null;
        var progress = new List<string>();
        var op = await S.StartCleanAsync(0, false);
        var final = await S.RunAsync(op, new SyncProgress(o => { if (o.Progress is { } p) progress.Add(p); }));
        _h.Inject = null;

        Assert.Equal((OperationState.Passed, "drive 0 cleaned"), (final.State, final.Message));
        Assert.Contains(progress, p => p.StartsWith("drive 0 is cleaning (0 s so far; virtual:", StringComparison.Ordinal)
            && p.EndsWith(": TEST UNIT READY 02/30/03 a cleaning cartridge is in the drive and cleaning is in progress)", StringComparison.Ordinal));
        var st = await S.GetStateAsync();
        var record = Assert.Single(st.DriveHistory["XYZZY_A1"]);
        Assert.Matches(@"^cleaning ended with 04/44/00 \(watched virtual:.* LUN 1\)$", record.Outcome);
        Assert.Equal((0, (ushort)500, "CLN201L8", 4u, op, _h.Time.GetUtcNow()), (record.Drive, record.Address, record.CleanerBarcode, record.CleansLeftAfter, record.Operation, record.At));
        Assert.Equal((4u, 1), (st.Cleaner!.CleansLeft, st.Cleaner.TimesUsed));
        var done = st.Find(op)!;
        Assert.Equal((CleanStep.Done, "CLN201L8", "XYZZY_A1", (ushort?)500), (done.Step, done.Barcode, done.DriveSerial, done.Element));
    }

    [Fact]
    public async Task A_cleaner_spent_during_the_cycle_fails_the_cleaning_with_the_drive_and_the_reason()
    {
        await ReserveAndInjectAsync(cleans: 5);
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY" ? SenseBuilder.Check(0x03, 0x30, 0x07) : null;
        var op = await S.StartCleanAsync(0, false);
        var final = await S.RunAsync(op);
        _h.Inject = null;

        Assert.Equal((OperationState.Failed, nameof(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT)), (final.State, final.Result));
        var st = await S.GetStateAsync();
        string reason = st.Cleaner!.SpentReason!;
        Assert.EndsWith(" [03/30/07]", reason);
        Assert.Equal($"drive 0: the cleaner is spent ({reason}); eject it and inject a new one", final.Message);
        Assert.Equal((0u, 1), (st.Cleaner.CleansLeft, st.Cleaner.TimesUsed));
        Assert.Equal(reason, Assert.Single(st.DriveHistory["XYZZY_A1"]).Outcome);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
    }

    [Fact]
    public async Task A_cleaner_found_neither_in_the_drive_nor_in_its_slot_fails_the_resumed_cleaning()
    {
        await ReserveAndInjectAsync(cleans: 5);
        var op = await S.StartCleanAsync(0, false);
        Assert.Equal(OperationState.Passed, (await S.RunAsync(op)).State);
        // The journal says in-drive (a killed worker), but the operator has taken the cleaner out meanwhile.
        (await S.StoreAsync()).Update(st => { var o = st.Find(op)!; o.State = OperationState.InProcess; o.Step = CleanStep.InDrive; o.Completed = null; o.WorkerPid = 999999; });
        _h.Operator(l => { l.OpenDoor(); l.RemoveFromSlot(1020); l.CloseDoor(); });

        var final = await _h.NewService().RunAsync(op);

        Assert.Equal((OperationState.Failed, nameof(NtmsResult.ERROR_UNABLE_TO_CLEAN)), (final.State, final.Result));
        Assert.Equal("the cleaner is neither in drive 0 nor in cleaner slot 21; run 'status' and check the library", final.Message);
        Assert.Equal(4u, (await S.GetStateAsync()).Cleaner!.CleansLeft);        // counted once, by the cleaning that passed
    }

    [Fact]
    public async Task A_drive_that_answers_good_from_its_first_poll_is_taken_as_cleaned_after_three_poll_intervals()
    {
        // A drive that never reports 30/03 (it cleaned faster than the first poll, or does not say so): GOOD alone
        // ends the watch once more than three poll intervals (200 ms here) have passed, not at the first poll.
        await ReserveAndInjectAsync(cleans: 5);
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY" ? SenseBuilder.Good : null;
        _h.DriveCommands.Clear();
        var op = await S.StartCleanAsync(0, false);
        var final = await S.RunAsync(op);
        _h.Inject = null;

        Assert.Equal((OperationState.Passed, "drive 0 cleaned"), (final.State, final.Message));
        int polls = _h.DriveCommands.Count(c => c.Lun == 1 && c.Command.Name == "TEST UNIT READY");
        Assert.Equal(5, polls);           // at 0, 200, 400, 600 and 800 ms: 800 ms is the first past 3 x 200 ms
        Assert.Matches(@"^cleaned \(watched virtual:.* LUN 1\)$", Assert.Single((await S.GetStateAsync()).DriveHistory["XYZZY_A1"]).Outcome);
    }

    // Two sessions, one per move (this harness keeps no element map, so each reads page 1Dh): the cleaner slot and the
    // drive, which are also the move's check (not read again), the MOVE MEDIUM and its verifying re-read of the drive,
    // then the drive elements once to pair drive 0 with its device for the watch; after the cycle the drive and the slot
    // (the check), the move and its verify.
    private const string ChangerCommandsOfAClean =
        "MODE SENSE(6) page 1Dh, READ ELEMENT STATUS, READ ELEMENT STATUS, MOVE MEDIUM, READ ELEMENT STATUS, READ ELEMENT STATUS, "
        + "MODE SENSE(6) page 1Dh, READ ELEMENT STATUS, READ ELEMENT STATUS, MOVE MEDIUM, READ ELEMENT STATUS";

    /// <summary>
    /// Runs a clean of drive 0 whose drive answers 30/03 at two polls and 04/02 "cleaning done" at the third: the
    /// commands the changer (LUN 0) and the drive (LUN 1) received, and the changer sessions opened while it ran.
    /// </summary>
    private async Task<(string Changer, string Drive, int Sessions)> CleanAndRecordAsync()
    {
        await ReserveAndInjectAsync(cleans: 5);
        var changer = new List<string>();
        var drive = new List<string>();
        int polls = 0;
        _h.Inject = (lun, cmd) =>
        {
            lock (changer) (lun == 0 ? changer : drive).Add(cmd.Name);
            if (lun != 1 || cmd.Name != "TEST UNIT READY") return null;
            return ++polls <= 2 ? SenseBuilder.Check(0x02, 0x30, 0x03) : SenseBuilder.Check(0x02, 0x04, 0x02);
        };
        var op = await S.StartCleanAsync(0, false);
        changer.Clear();
        int before = _h.SessionsOpened;
        var final = await S.RunAsync(op);
        _h.Inject = null;
        Assert.Equal((OperationState.Passed, "drive 0 cleaned"), (final.State, final.Message));
        return (string.Join(", ", changer), string.Join(", ", drive), _h.SessionsOpened - before);
    }

    [Fact]
    public async Task A_clean_sends_the_changer_its_element_reads_and_two_moves_and_polls_the_drive_without_a_changer_session()
    {
        var (changer, drive, sessions) = await CleanAndRecordAsync();

        Assert.Equal(ChangerCommandsOfAClean, changer);
        // The three polls reach the drive alone (no changer session, no READ ELEMENT STATUS per poll); the end of the
        // cycle reads its TapeAlert.
        Assert.Equal("TEST UNIT READY, TEST UNIT READY, TEST UNIT READY, LOG SENSE page 00h, LOG SENSE page 12h", drive);
        Assert.Equal(2, sessions);
    }

    [Fact]
    public async Task A_drive_reached_only_through_the_changer_is_polled_through_a_session_that_asks_the_changer_nothing()
    {
        // As a USB autoloader's drive (a LUN of the changer's own interface): each poll needs a changer session, but
        // the drive was paired before the watch, so the session sends the changer no command.
        _h.DrivesOpenAlone = false;
        var (changer, drive, sessions) = await CleanAndRecordAsync();

        Assert.Equal(ChangerCommandsOfAClean, changer);
        Assert.Equal("TEST UNIT READY, TEST UNIT READY, TEST UNIT READY, LOG SENSE page 00h, LOG SENSE page 12h", drive);
        Assert.Equal(2 + 3, sessions);
    }

    [Fact]
    public async Task A_cleaner_spent_reported_beside_good_status_fails_the_cleaning_after_the_cycle()
    {
        // The drive cleans (30/03), then answers TEST UNIT READY with RECOVERED ERROR 30/07 "cleaning failure": the
        // command passed, but the sense marks the cleaner spent, and the end of the cycle reads that mark.
        await ReserveAndInjectAsync(cleans: 5);
        int polls = 0;
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY"
            ? (++polls == 1 ? SenseBuilder.Check(0x02, 0x30, 0x03) : SenseBuilder.Check(0x01, 0x30, 0x07))
            : null;
        var op = await S.StartCleanAsync(0, false);
        var final = await S.RunAsync(op);
        _h.Inject = null;

        Assert.Equal((OperationState.Failed, nameof(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT)), (final.State, final.Result));
        var st = await S.GetStateAsync();
        Assert.EndsWith(" [01/30/07]", st.Cleaner!.SpentReason!);
        Assert.Equal(0u, st.Cleaner.CleansLeft);
    }

    [Fact]
    public async Task A_drive_that_cannot_be_polled_waits_the_configured_cleaning_time()
    {
        await ReserveAndInjectAsync(cleans: 5);
        _h.DrivesReachable = false;
        var progress = new List<string>();
        var op = await S.StartCleanAsync(0, false);
        var started = _h.Time.GetUtcNow();
        var final = await S.RunAsync(op, new SyncProgress(o => { if (o.Progress is { } p) progress.Add(p); }));

        Assert.Equal((OperationState.Passed, "drive 0 cleaned"), (final.State, final.Message));
        // The harness's configured 5 s, in 200 ms polls.
        Assert.Contains("drive 0 is cleaning; the drive cannot be polled, waiting the configured cleaning time (5 s left)", progress);
        Assert.Contains("drive 0 is cleaning; the drive cannot be polled, waiting the configured cleaning time (0 s left)", progress);
        Assert.InRange((_h.Time.GetUtcNow() - started).TotalSeconds, 5, 6);
        Assert.Equal("waited the profile's cleaning time", Assert.Single((await S.GetStateAsync()).DriveHistory.Values.SelectMany(h => h)).Outcome);
    }
}
