using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The cleaner's marks through the sense policy, against the virtual library (library 10; reserved slot 21 = element
/// 1020; drives 500-503 = LUNs 1-4): drive needs cleaning from TapeAlert 20/21 and sense 00/17, cleaner spent from
/// sense 30/07, TapeAlert 23 and the element ASC 5A/01.
/// </summary>
public sealed class CleanerPolicyTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    private static ScsiResult Sense(byte key, byte asc, byte ascq) => SenseBuilder.Check(key, asc, ascq);

    private async Task ReserveAndInjectAsync(uint cleans)
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, cleans);
        var run = S.RunAsync(op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport("CLN201L8"); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await run).State);
    }

    [Fact]
    public async Task TapeAlert_20_and_21_mark_drives_as_needing_cleaning()
    {
        _h.Operator(l => { l.SetDriveTapeAlert(1, 1UL << (21 - 1)); l.SetDriveTapeAlert(3, 1UL << (20 - 1)); l.SetDriveTapeAlert(4, 1UL << (22 - 1)); });
        var need = await S.DrivesNeedingCleaningAsync();
        Assert.Equal([(0, "TapeAlert 21: cleaning requested"), (2, "TapeAlert 20: cleaning required")], need.Select(n => (n.Drive, n.Reason)));   // 22 is not a drive mark
    }

    [Fact]
    public async Task Sense_00_17_marks_a_drive_as_needing_cleaning()
    {
        // Drive 1 (LUN 2) answers REQUEST SENSE with NO SENSE 00/17; drive 3 (LUN 4) completes LOG SENSE with RECOVERED ERROR 01/00/17.
        _h.Patch = (lun, cmd, data) =>
        {
            if (lun == 2 && cmd.Name == "REQUEST SENSE") ((byte[])[0x70, 0, 0x00, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x00, 0x17, 0, 0, 0, 0]).CopyTo(data);
        };
        _h.Inject = (lun, cmd) => lun == 4 && cmd.Name.StartsWith("LOG SENSE", StringComparison.Ordinal)
            ? new ScsiResult(ScsiStatus.CheckCondition, 0, [0x70, 0, 0x01, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x00, 0x17, 0, 0, 0, 0])
            : null;
        var need = await S.DrivesNeedingCleaningAsync();
        Assert.Equal([1, 3], need.Select(n => n.Drive));
        Assert.All(need, n => Assert.Equal("sense 00/17: the drive asks to be cleaned", n.Reason));
    }

    [Fact]
    public async Task A_drive_without_page_12h_is_read_through_2Eh_and_what_the_read_saw_is_recorded()
    {
        await ReserveAndInjectAsync(cleans: 10);
        // Drive 1 (LUN 2) lists only 2Eh among its log pages, and its 2Eh read after the cycle still shows flag 20.
        _h.Patch = (lun, cmd, data) =>
        {
            if (lun != 2 || cmd.Cdb[0] != OpCode.LogSense) return;
            if ((cmd.Cdb[2] & 0x3F) == 0x00) ((byte[])[0x00, 0, 0, 2, 0x00, 0x2E]).CopyTo(data.Span);
            if ((cmd.Cdb[2] & 0x3F) == 0x2E) data.Span[4 + 5 * 19 + 4] = 1;            // parameter 0014h (flag 20) set
        };
        _h.DriveCommands.Clear();
        var final = await S.RunAsync(await S.StartCleanAsync(1, false));
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Contains(_h.DriveCommands, c => c.Lun == 2 && c.Command.Cdb[0] == OpCode.LogSense && c.Command.Cdb[2] == 0x6E);
        Assert.DoesNotContain(_h.DriveCommands, c => c.Command.Cdb[0] == OpCode.LogSense && c.Command.Cdb[2] == 0x52);
        // The read cleared the flag in the drive; the library's state keeps it, and the passed cleaning did not forget it.
        var pending = Assert.Single((await S.GetStateAsync()).PendingCleaning).Value;
        Assert.Equal(1, pending.Drive);
        Assert.Equal("TapeAlert 20: cleaning required (still set after a cleaning, read from page 2Eh)", pending.Reason);
    }

    [Fact]
    public async Task A_cleaning_watches_the_paired_drive_until_the_table_says_it_is_done()
    {
        await ReserveAndInjectAsync(cleans: 10);
        _h.DriveCommands.Clear();
        var final = await S.RunAsync(await S.StartCleanAsync(1, false));
        Assert.Equal(OperationState.Passed, final.State);
        // Only drive 1's LUN (2, paired by its VPD 80h serial) was polled: one TEST UNIT READY per poll, then its
        // TapeAlert page once the cycle ended.
        var polled = _h.DriveCommands.Where(c => c.Command.Cdb[0] == OpCode.TestUnitReady).ToList();
        Assert.True(polled.Count >= 2, $"{polled.Count} polls");
        Assert.All(polled, c => Assert.Equal(2, c.Lun));
        var last = _h.DriveCommands.FindLastIndex(c => c.Command.Cdb[0] == OpCode.TestUnitReady);
        // TapeAlert without clearing it: the supported pages (00h) list the response page 12h, so it is read there.
        var logSense = _h.DriveCommands.Select((c, i) => (c, i)).Where(x => x.c.Command.Cdb[0] == OpCode.LogSense).Select(x => x.i).ToList();
        Assert.True(logSense[0] > last, "LOG SENSE after the last TEST UNIT READY");
        Assert.Equal([0x40, 0x52], logSense.Select(i => (int)_h.DriveCommands[i].Command.Cdb[2]));
        var record = Assert.Single((await S.GetStateAsync()).DriveHistory.Values.SelectMany(h => h));
        Assert.Equal(1, record.Drive);
        Assert.Matches(@"^cleaned \(watched virtual:.* LUN 2\)$", record.Outcome);
        Assert.Equal(9u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
    }

    [Theory]
    [InlineData(0x02, 0x04, 0x02)]       // CleaningDone: the drive wants a new load
    [InlineData(0x02, 0x3A, 0x00)]       // CleaningDone: no cartridge in the drive
    public async Task A_cleaning_done_row_ends_the_cycle_at_the_first_poll(byte key, byte asc, byte ascq)
    {
        await ReserveAndInjectAsync(cleans: 10);
        _h.DriveCommands.Clear();
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY" ? Sense(key, asc, ascq) : null;
        var final = await S.RunAsync(await S.StartCleanAsync(0, false));
        _h.Inject = null;
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Single(_h.DriveCommands, c => c.Command.Cdb[0] == OpCode.TestUnitReady);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
    }

    [Fact]
    public async Task Cleaning_in_progress_keeps_the_watch_going_until_the_maximum_time()
    {
        await ReserveAndInjectAsync(cleans: 10);
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY" ? Sense(0x02, 0x30, 0x03) : null;
        var progress = new List<string>();
        // 30/03 never clears here: the watch gives up after MaxCleaningTime (3 s of fake time: 15 polls).
        var svc = new CleanerService(_h, _h.State, new CleanerOptions { PollInterval = TimeSpan.FromMilliseconds(200), MaxCleaningTime = TimeSpan.FromSeconds(3) }, _h.Time);
        var final = await svc.RunAsync(await svc.StartCleanAsync(0, false), new SyncProgress(o => { if (o.Progress is { } p) progress.Add(p); }));
        _h.Inject = null;
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Contains(progress, p => p.Contains("TEST UNIT READY 02/30/03 a cleaning cartridge is in the drive and cleaning is in progress"));
        var record = (await S.GetStateAsync()).DriveHistory.Values.SelectMany(h => h).Single();
        Assert.Equal("cleaning did not report completion within the maximum cleaning time", record.Outcome);
    }

    private sealed class SyncProgress(Action<OperationRecord> a) : IProgress<OperationRecord>
    {
        public void Report(OperationRecord value) => a(value);
    }

    [Fact]
    public async Task Sense_30_07_during_the_cycle_marks_the_cleaner_spent()
    {
        await ReserveAndInjectAsync(cleans: 10);
        // The drive (LUN 1) reports CLEANING FAILURE to the poll while the cleaner is in it.
        _h.Inject = (lun, cmd) => lun == 1 && cmd.Name == "TEST UNIT READY" ? Sense(0x03, 0x30, 0x07) : null;   // only polled while cleaning
        var final = await S.RunAsync(await S.StartCleanAsync(0, false));
        _h.Inject = null;
        Assert.Equal(nameof(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT), final.Result);
        Assert.Contains("[03/30/07]", final.Message);
        var cleaner = (await S.GetStateAsync()).Cleaner!;
        Assert.Equal(0u, cleaner.CleansLeft);
        Assert.Equal("cleaning failed: the cleaning cartridge is used up or defective; eject it and inject a new one [03/30/07]", cleaner.SpentReason);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));            // back in its slot
        var next = await Assert.ThrowsAsync<CleanerException>(() => S.StartCleanAsync(1, false));
        Assert.Equal(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, next.Result);
        Assert.Contains("30/07", next.Message);
    }

    [Fact]
    public async Task TapeAlert_23_after_the_cycle_marks_the_cleaner_spent()
    {
        await ReserveAndInjectAsync(cleans: 10);
        _h.Operator(l => l.SetDriveTapeAlert(2, 1UL << (23 - 1)));   // flag 23: invalid cleaning tape
        var final = await S.RunAsync(await S.StartCleanAsync(1, false));
        Assert.Equal(nameof(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT), final.Result);
        Assert.Equal("TapeAlert 23: invalid cleaning tape", (await S.GetStateAsync()).Cleaner!.SpentReason);
    }

    [Fact]
    public async Task Element_asc_5A_01_on_the_cleaner_slot_marks_the_cleaner_spent_before_loading()
    {
        await ReserveAndInjectAsync(cleans: 10);
        // Quantum P-series reports a used-up cleaner as Except with ASC/ASCQ 5A/01 in its storage descriptor (docs/reference/library-behaviour.md §S8).
        _h.Patch = (lun, cmd, data) =>
        {
            var cdb = cmd.Cdb;
            if (lun != 0 || cmd.Name != "READ ELEMENT STATUS" || ((cdb[2] << 8) | cdb[3]) != 1020 || ((cdb[4] << 8) | cdb[5]) != 1) return;
            var d = data.Span;
            d[16 + 2] |= 0x04;          // EXCEPT
            d[16 + 4] = 0x5A;
            d[16 + 5] = 0x01;
        };
        var e = await Assert.ThrowsAsync<CleanerException>(() => S.StartCleanAsync(0, false));
        Assert.Equal(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, e.Result);
        Assert.Contains("element ASC 5A/01", e.Message);
        Assert.Equal(0u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
        Assert.False(_h.Full(500));                                // never loaded
        // The spent cleaner can still be ejected (5A/01 does not block the move).
        var eject = S.RunAsync(await S.StartEjectAsync(CleanerPath.IePort));
        await WaitUntilAsync(() => _h.Look(l => l.ListImportExport().Contains("CLN201L8")));
        _h.Operator(l => { l.OpenImportExport(); l.RemoveFromImportExport(); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await eject).State);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
        Assert.True(condition());
    }
}
