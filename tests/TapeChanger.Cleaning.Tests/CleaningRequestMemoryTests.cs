using System.Text.Json;
using TapeChanger.Scsi;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// A drive's request for cleaning is remembered in the library's cleaner state (keyed by the drive's serial) from the
/// run that read it until a cleaning of that drive passes: reading TapeAlert page 2Eh clears it in the drive (the
/// virtual library does, as mhVTL's ssc_log_sense does; this tool reads page 12h where a drive has it, but any other
/// program may read 2Eh), so a failed night must not lose it.
/// </summary>
public sealed class CleaningRequestMemoryTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    private async Task ReserveAndInjectAsync(uint cleans, string barcode = "CLN201L8")
    {
        if ((await S.GetStateAsync()).Reservation is null) await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, cleans);
        var run = S.RunAsync(op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport(barcode); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await run).State);
    }

    [Fact]
    public async Task A_request_read_once_outlives_failed_cleanings_and_goes_when_a_cleaning_passes()
    {
        _h.Operator(l => l.SetDriveTapeAlert(2, 1UL << (20 - 1)));           // drive 1 (LUN 2): TapeAlert 20
        var first = Assert.Single(await S.DrivesNeedingCleaningAsync());
        Assert.Equal((1, "TapeAlert 20: cleaning required", false), (first.Drive, first.Reason, first.Remembered));

        // Night 1 fails: no cleaner slot. The request is in the state, keyed by the drive's serial.
        var e1 = await Assert.ThrowsAsync<CleanerException>(() => S.StartCleanAsync(1, false));
        Assert.Equal(NtmsResult.ERROR_CLEANER_SLOT_NOT_SET, e1.Result);
        var pending = Assert.Single((await S.GetStateAsync()).PendingCleaning);
        Assert.DoesNotContain("element:", pending.Key);                        // keyed by the drive's serial (DVCID)
        Assert.Equal((1, (ushort)501, "TapeAlert 20: cleaning required"), (pending.Value.Drive, pending.Value.Address, pending.Value.Reason));

        // Night 2: the drive no longer says so (the read went through page 12h and left it, but another program read
        // page 2Eh, which clears it); the state does, with the time of the first request.
        _h.Operator(l => l.SetDriveTapeAlert(2, 0));
        var second = Assert.Single(await S.DrivesNeedingCleaningAsync());
        Assert.Equal((1, true, first.Since), (second.Drive, second.Remembered, second.Since));

        // A spent cleaner fails the cleaning: still pending.
        await ReserveAndInjectAsync(cleans: 0);
        var e2 = await Assert.ThrowsAsync<CleanerException>(() => S.StartCleanAsync(1, false));
        Assert.Equal(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, e2.Result);
        Assert.Single(await S.DrivesNeedingCleaningAsync());

        // A cleaning of another drive does not clear it; a passed cleaning of drive 1 does.
        var eject = S.RunAsync(await S.StartEjectAsync(CleanerPath.IePort));
        await WaitUntil(() => _h.Full(10));
        _h.Operator(l => { l.OpenImportExport(); l.RemoveFromImportExport(); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await eject).State);
        await ReserveAndInjectAsync(cleans: 5, barcode: "CLN202L8");
        Assert.Equal(OperationState.Passed, (await S.RunAsync(await S.StartCleanAsync(0, false))).State);
        Assert.Single((await S.GetStateAsync()).PendingCleaning);
        Assert.Equal(OperationState.Passed, (await S.RunAsync(await S.StartCleanAsync(1, false))).State);
        var after = await S.GetStateAsync();
        Assert.Empty(after.PendingCleaning);
        Assert.Equal(1, Assert.Single(after.DriveHistory[pending.Key]).Drive);   // the cleaning was recorded under the same key
        Assert.Empty(await S.DrivesNeedingCleaningAsync());
    }

    [Fact]
    public async Task A_request_read_through_page_2Eh_which_clears_it_is_recorded_by_that_read()
    {
        // Drive 1 (LUN 2) lists only page 2Eh among its log pages: the one read takes the only notice (the virtual drive
        // clears its flags on a 2Eh read, as mhVTL's do). The read's result is in the state before anything else happens.
        _h.Patch = (lun, cmd, data) =>
        {
            if (lun == 2 && cmd.Cdb[0] == OpCode.LogSense && (cmd.Cdb[2] & 0x3F) == 0x00) ((byte[])[0x00, 0, 0, 2, 0x00, 0x2E]).CopyTo(data.Span);
        };
        _h.Operator(l => l.SetDriveTapeAlert(2, 1UL << (20 - 1)));
        _h.DriveCommands.Clear();
        var first = Assert.Single(await S.DrivesNeedingCleaningAsync([1]));
        Assert.Equal((1, "TapeAlert 20: cleaning required", false), (first.Drive, first.Reason, first.Remembered));
        var logSense = _h.DriveCommands.Where(c => c.Lun == 2 && c.Command.Cdb[0] == OpCode.LogSense).Select(c => c.Command.Cdb[2]).ToList();
        Assert.Equal([(byte)0x40, (byte)0x6E], logSense);                         // 00h, then 2Eh; never 12h (52h)
        var pending = Assert.Single((await S.GetStateAsync()).PendingCleaning);
        Assert.Equal((1, "TapeAlert 20: cleaning required", first.Since), (pending.Value.Drive, pending.Value.Reason, pending.Value.Since));

        // The flag is gone from the drive (the read cleared it); the next run still has the request, and a failed
        // cleaning (no cleaner slot) does not drop it.
        var again = Assert.Single(await S.DrivesNeedingCleaningAsync([1]));
        Assert.Equal((true, first.Since), (again.Remembered, again.Since));
        Assert.Equal(NtmsResult.ERROR_CLEANER_SLOT_NOT_SET, (await Assert.ThrowsAsync<CleanerException>(() => S.StartCleanAsync(1, false))).Result);
        Assert.Single(await S.DrivesNeedingCleaningAsync([1]));
    }

    [Fact]
    public async Task A_fresh_request_after_a_remembered_one_keeps_the_first_time_and_takes_the_new_reason()
    {
        _h.Operator(l => l.SetDriveTapeAlert(1, 1UL << (21 - 1)));
        var first = Assert.Single(await S.DrivesNeedingCleaningAsync());
        _h.Operator(l => l.SetDriveTapeAlert(1, 1UL << (20 - 1)));
        var again = Assert.Single(await S.DrivesNeedingCleaningAsync());
        Assert.Equal((0, false, first.Since, "TapeAlert 20: cleaning required"), (again.Drive, again.Remembered, again.Since, again.Reason));
        var kept = Assert.Single((await S.GetStateAsync()).PendingCleaning).Value;
        Assert.True(kept.LastSeen >= kept.Since);
        // Asking about another drive does not report drive 0's request.
        Assert.Empty(await S.DrivesNeedingCleaningAsync([2]));
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (int i = 0; i < 500 && !condition(); i++) await Task.Delay(20);
        Assert.True(condition());
    }
}
