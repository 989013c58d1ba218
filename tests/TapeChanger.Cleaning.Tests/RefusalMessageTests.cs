namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// What the operator reads when the cleaner functions refuse, on the virtual library (library 10: storage slots 1-39 at
/// 1000-1038, magazine 2 = slots 14-26, four mail slots 10-13, drives 500-503; CLN101L8 in slot 22). Each refusal is
/// one line with its RSM code, naming the slot, drive or operation and what to do next, and changes nothing.
/// </summary>
public sealed class RefusalMessageTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    private static async Task<(NtmsResult Code, string Message)> Refused(Func<Task> action)
    {
        var e = await Assert.ThrowsAsync<CleanerException>(action);
        Assert.DoesNotContain('\n', e.Message);
        return (e.Result, e.Message);
    }

    private async Task InjectAsync(string barcode = "CLN201L8", uint cleans = 5)
    {
        var op = await S.StartInjectAsync(CleanerPath.IePort, cleans);
        var run = S.RunAsync(op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport(barcode); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await run).State);
    }

    [Fact]
    public async Task Reserve_and_release_say_which_slot_and_why()
    {
        Assert.Equal((NtmsResult.ERROR_INVALID_SLOT, "slot 40 is not a storage slot of this library (storage slots are 1 to 39)"), await Refused(() => S.ReserveAsync(40)));
        Assert.Equal((NtmsResult.ERROR_INVALID_SLOT, "slot 0 is not a storage slot of this library (storage slots are 1 to 39)"), await Refused(() => S.ReserveAsync(0)));
        Assert.Equal((NtmsResult.ERROR_SLOT_FULL, "slot 1 holds E01001L8; a cleaner slot must be empty (or adopt the cleaner in it: --adopt)"), await Refused(() => S.ReserveAsync(1)));
        Assert.Equal((NtmsResult.ERROR_NO_SLOT_SET, "this library has no reserved cleaner slot"), await Refused(() => S.ReleaseAsync()));
        _h.Operator(l => l.RemoveMagazine(2));
        Assert.Equal((NtmsResult.ERROR_SLOT_NOT_PRESENT, "slot 21 is not installed (magazine missing) [3B/12]"), await Refused(() => S.ReserveAsync(21)));
        _h.Operator(l => l.InsertMagazine(2));
        // The last slot is a storage slot (full here), the one after it is not.
        Assert.Equal((NtmsResult.ERROR_SLOT_FULL, "slot 39 holds F01039L6; a cleaner slot must be empty (or adopt the cleaner in it: --adopt)"), await Refused(() => S.ReserveAsync(39)));
        await S.ReserveAsync(29);
        Assert.Equal((NtmsResult.ERROR_ALREADY_RESERVED, "slot 29 is already reserved as this library's cleaner slot"), await Refused(() => S.ReserveAsync(21)));
        await S.ReleaseAsync();
        await S.ReserveAsync(21);
        await InjectAsync();
        Assert.Equal((NtmsResult.ERROR_SLOT_FULL, "cleaner slot 21 still holds CLN201L8; eject the cleaner first"), await Refused(() => S.ReleaseAsync()));
        _h.Operator(l => l.RemoveMagazine(2));
        Assert.Equal((NtmsResult.ERROR_SLOT_NOT_PRESENT, "cleaner slot 21 is not installed (magazine missing)"), await Refused(() => S.ReleaseAsync()));
        Assert.Equal((NtmsResult.ERROR_SLOT_NOT_PRESENT, "cleaner slot 21 is not installed: at least one magazine is missing"), await Refused(() => S.StartInjectAsync(CleanerPath.IePort, 5)));
        Assert.Equal((NtmsResult.ERROR_SLOT_NOT_PRESENT, "cleaner slot 21 is not installed (magazine missing)"), await Refused(() => S.StartEjectAsync(CleanerPath.IePort)));
        Assert.Equal(21, (await S.GetStateAsync()).Reservation!.Slot);
    }

    [Fact]
    public async Task Release_waits_for_an_operation_still_queued()
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, 5);
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, "a cleaner operation is still queued or running; stop it first"), await Refused(() => S.ReleaseAsync()));
        Assert.Equal(21, (await S.GetStateAsync()).Reservation!.Slot);
        await S.StopAsync(op);
        Assert.Equal(OperationState.Stopped, (await S.RunAsync(op)).State);
        await S.ReleaseAsync();
        Assert.Null((await S.GetStateAsync()).Reservation);
    }

    [Fact]
    public async Task Adopting_the_cleaner_already_in_a_slot_reserves_it_with_its_count()
    {
        Assert.Equal((NtmsResult.ERROR_SLOT_EMPTY, "slot 21 is empty; there is no cleaner to adopt"), await Refused(() => S.ReserveAsync(21, 10)));
        Assert.Equal((NtmsResult.ERROR_INVALID_CLEANER, "slot 1 holds E01001L8, which is not a cleaning cartridge (medium type or 'CLN' label)"), await Refused(() => S.ReserveAsync(1, 10)));
        Assert.Null((await S.GetStateAsync()).Reservation);

        var reservation = await S.ReserveAsync(22, 10);

        Assert.Equal(((ushort)1021, 22, _h.Time.GetUtcNow()), (reservation.Address, reservation.Slot, reservation.ReservedAt));
        var st = await S.GetStateAsync();
        Assert.Equal(("CLN101L8", 10u, _h.Time.GetUtcNow()), (st.Cleaner!.Barcode, st.Cleaner.CleansLeft, st.Cleaner.InjectedAt));
        Assert.Equal(22, st.Reservation!.Slot);
        Assert.Equal((NtmsResult.ERROR_SLOT_FULL, "cleaner slot 22 still holds CLN101L8; eject the cleaner first"), await Refused(() => S.ReleaseAsync()));
    }

    [Fact]
    public async Task Inject_eject_and_clean_refusals_name_what_to_do()
    {
        Assert.Equal((NtmsResult.ERROR_NO_SLOT_SET, "this library has no slot reserved as a cleaner slot; run 'cleaner reserve SLOT' first"), await Refused(() => S.StartInjectAsync(CleanerPath.IePort, 5)));
        Assert.Equal((NtmsResult.ERROR_NO_SLOT_SET, "this library has no slot reserved as a cleaner slot"), await Refused(() => S.StartEjectAsync(CleanerPath.IePort)));
        Assert.Equal((NtmsResult.ERROR_CLEANER_SLOT_NOT_SET, "no cleaner slot is reserved in this library; reserve one and inject a cleaner first"), await Refused(() => S.StartCleanAsync(0, false)));
        await S.ReserveAsync(21);
        Assert.Equal((NtmsResult.ERROR_SLOT_EMPTY, "cleaner slot 21 is empty; there is no cleaner to eject"), await Refused(() => S.StartEjectAsync(CleanerPath.IePort)));
        Assert.Equal((NtmsResult.ERROR_SLOT_EMPTY, "cleaner slot 21 is empty; inject a cleaner first"), await Refused(() => S.StartCleanAsync(0, false)));
        Assert.Equal((NtmsResult.ERROR_INVALID_DRIVE, "drive 4 does not exist; drives are 0 to 3"), await Refused(() => S.StartCleanAsync(4, false)));
        Assert.Equal((NtmsResult.ERROR_INVALID_DRIVE, "drive -1 does not exist; drives are 0 to 3"), await Refused(() => S.StartCleanAsync(-1, false)));
        await InjectAsync();
        Assert.Equal((NtmsResult.ERROR_SLOT_FULL, "cleaner slot 21 already holds CLN201L8; eject it first"), await Refused(() => S.StartInjectAsync(CleanerPath.IePort, 5)));
        await using (var s = await _h.OpenAsync(default)) await s.Changer.LoadAsync(1, 1);
        Assert.Equal((NtmsResult.ERROR_UNABLE_TO_CLEAN, "drive 1 holds E01001L8; unload it first or use --unload-first"), await Refused(() => S.StartCleanAsync(1, false)));
        (await S.StoreAsync()).Update(st => st.Cleaner!.CleansLeft = 0);
        Assert.Equal((NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, "cleaner CLN201L8 has no cleanings left; eject it and inject a new one"), await Refused(() => S.StartCleanAsync(0, false)));
        (await S.StoreAsync()).Update(st => st.Cleaner!.SpentReason = "TapeAlert 22: expired cleaning media");
        Assert.Equal((NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, "cleaner CLN201L8 has no cleanings left (TapeAlert 22: expired cleaning media); eject it and inject a new one"), await Refused(() => S.StartCleanAsync(0, false)));
    }

    [Fact]
    public async Task A_second_port_operation_is_refused_naming_the_one_that_waits()
    {
        await S.ReserveAsync(21);
        var first = await S.StartInjectAsync(CleanerPath.IePort, 5);
        (await S.StoreAsync()).Update(st => st.Find(first)!.Progress = "insert the cleaner");
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, $"inject operation {first} is queued (insert the cleaner); let it end or stop it with 'tapechanger cleaner inject --stop {first}'"),
            await Refused(() => S.StartInjectAsync(CleanerPath.IePort, 5)));
        (await S.StoreAsync()).Update(st => { st.Find(first)!.Progress = null; st.Find(first)!.Kind = OperationKind.Eject; });
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN301L8"); l.CloseDoor(); });
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, $"eject operation {first} is queued; let it end or stop it with 'tapechanger cleaner eject --stop {first}'"),
            await Refused(() => S.StartEjectAsync(CleanerPath.IePort)));
        // A cleaning is not a port operation; nor is an operation whose worker is gone.
        (await S.StoreAsync()).Update(st => { st.Find(first)!.Kind = OperationKind.Clean; });
        await S.StartEjectAsync(CleanerPath.Door);
    }

    [Fact]
    public async Task Stop_and_confirm_refusals()
    {
        await S.ReserveAsync(21);
        var missing = Guid.NewGuid();
        Assert.Equal((NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {missing}"), await Refused(() => S.StopAsync(missing)));
        Assert.Equal((NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {missing}"), await Refused(() => S.ConfirmAsync(missing)));
        Assert.Equal((NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {missing}"), await Refused(() => S.GetOperationAsync(missing)));
        Assert.Equal((NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {missing}"), await Refused(() => S.RunAsync(missing)));
        var port = await S.StartInjectAsync(CleanerPath.IePort, 5);
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, "only door operations wait for a confirmation"), await Refused(() => S.ConfirmAsync(port)));
        await S.StopAsync(port);
        var stopped = await S.GetOperationAsync(port);
        Assert.True(stopped.StopRequested);
        Assert.Equal(_h.Time.GetUtcNow(), stopped.Updated);
        Assert.Equal(OperationState.Stopped, (await S.RunAsync(port)).State);
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, $"operation {port} has already stopped"), await Refused(() => S.StopAsync(port)));

        var door = await S.StartInjectAsync(CleanerPath.Door, 5);
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, "STOP applies to import/export port operations only (InjectNtmsCleaner remarks)"), await Refused(() => S.StopAsync(door)));
        await S.ConfirmAsync(door);
        Assert.True((await S.GetOperationAsync(door)).Confirmed);
        var failed = await S.RunAsync(door);
        Assert.Equal(failed.Created, failed.Completed);             // confirmed before it ran: the first poll ends it, no wait
        Assert.Equal((OperationState.Failed, "ERROR_SLOT_EMPTY", "slot 21 is still empty after the door access"), (failed.State, failed.Result, failed.Message));
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, $"operation {door} has already failed"), await Refused(() => S.ConfirmAsync(door)));

        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN301L8"); l.CloseDoor(); });
        (await S.StoreAsync()).Update(st => st.Cleaner = new CleanerCartridge { Barcode = "CLN301L8", CleansLeft = 2 });
        var clean = await S.StartCleanAsync(0, false);
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, "a drive cleaning cannot be stopped once queued"), await Refused(() => S.StopAsync(clean)));
        Assert.Equal((NtmsResult.ERROR_INVALID_OPERATION, "only door operations wait for a confirmation"), await Refused(() => S.ConfirmAsync(clean)));
    }

    [Fact]
    public async Task Waits_for_the_operator_report_what_they_wait_for_and_how_they_end()
    {
        await S.ReserveAsync(21);
        var progress = new List<string>();
        var op = await S.StartInjectAsync(CleanerPath.IePort, 5, TimeSpan.FromSeconds(1));
        var timedOut = await S.RunAsync(op, new SyncProgress(o => { if (o.Progress is { } p) progress.Add(p); }));
        Assert.Equal((OperationState.Failed, "ERROR_TIMEOUT", "gave up: insert the cleaner into an import/export slot"), (timedOut.State, timedOut.Result, timedOut.Message));
        // One poll at once, then one per 200 ms: 1 s, 0 s left at the end.
        Assert.Equal("insert the cleaner into an import/export slot (1 s left)", progress[0]);
        Assert.Equal("insert the cleaner into an import/export slot (0 s left)", progress[^2]);
        Assert.Null(timedOut.Progress);
        Assert.Equal(TimeSpan.FromSeconds(1), timedOut.Completed - timedOut.Created);     // ends at the poll that reaches the deadline
        Assert.Equal(_h.Time.GetUtcNow(), timedOut.Completed);

        var stop = await S.StartInjectAsync(CleanerPath.IePort, 5);
        await S.StopAsync(stop);
        var stopped = await S.RunAsync(stop);
        Assert.Equal((OperationState.Stopped, "ERROR_CANCELLED", "stopped by request before the time-out"), (stopped.State, stopped.Result, stopped.Message));

        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport("DATA01L8"); l.CloseImportExport(); });
        var data = await S.StartInjectAsync(CleanerPath.IePort, 5);
        var refused = await S.RunAsync(data);
        Assert.Equal((OperationState.Failed, "ERROR_INVALID_CLEANER", "DATA01L8 in import/export slot 40 (element 10) is not a cleaner (no 'CLN' label, medium type Data); it was left in the import/export slot"),
            (refused.State, refused.Result, refused.Message));
    }

    [Fact]
    public async Task Eject_through_the_port_records_where_it_went_and_ends_when_the_cleaner_is_taken()
    {
        await S.ReserveAsync(21);
        await InjectAsync();
        var op = await S.StartEjectAsync(CleanerPath.Auto);
        var queued = await S.GetOperationAsync(op);
        Assert.Equal((CleanerPath.IePort, "CLN201L8"), (queued.Via, queued.Barcode));
        var run = S.RunAsync(op);
        for (int i = 0; i < 1500 && !_h.Full(10); i++) await Task.Delay(20);
        Assert.Equal("CLN201L8", _h.BarcodeAt(10));
        Assert.Null((await S.GetStateAsync()).Cleaner);         // out of the library's slots: no longer tracked
        Assert.Equal((ushort)10, (await S.GetOperationAsync(op)).Element);
        _h.Operator(l => { l.OpenImportExport(); l.RemoveFromImportExport(); l.CloseImportExport(); });
        var final = await run;
        Assert.Equal((OperationState.Passed, "cleaner removed by the operator"), (final.State, final.Message));
    }

    private sealed class SyncProgress(Action<OperationRecord> a) : IProgress<OperationRecord>
    {
        public void Report(OperationRecord value) => a(value);
    }

    [Fact]
    public async Task Inject_asks_test_unit_ready_first_and_a_library_not_ready_queues_nothing()
    {
        await S.ReserveAsync(21);
        // The changer (LUN 0) answers TEST UNIT READY with 02/04/03 but would still read its elements.
        _h.Inject = (lun, cmd) => lun == 0 && cmd.Name == "TEST UNIT READY" ? Testing.SenseBuilder.Check(0x02, 0x04, 0x03) : null;
        Assert.Equal(NtmsResult.ERROR_LIBRARY_OFFLINE, (await Refused(() => S.StartInjectAsync(CleanerPath.IePort, 5))).Code);
        _h.Inject = null;
        Assert.Empty((await S.GetStateAsync()).Operations);
    }

    [Fact]
    public async Task An_eject_through_the_port_waits_its_own_time_out_and_through_the_door_none()
    {
        await S.ReserveAsync(21);
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN301L8"); l.CloseDoor(); });
        var now = _h.Time.GetUtcNow();
        var port = await S.GetOperationAsync(await S.StartEjectAsync(CleanerPath.IePort, TimeSpan.FromSeconds(90)));
        Assert.Equal(now + TimeSpan.FromSeconds(90), port.Deadline);
        (await S.StoreAsync()).Update(st => st.Find(port.Id)!.State = OperationState.Stopped);     // ended before it ran
        var door = await S.GetOperationAsync(await S.StartEjectAsync(CleanerPath.Door));
        Assert.Null(door.Deadline);
    }

    [Fact]
    public async Task A_cleaning_is_refused_for_an_empty_slot_once_earlier_cleanings_ended()
    {
        await S.ReserveAsync(21);
        await InjectAsync();
        Assert.Equal(OperationState.Passed, (await S.RunAsync(await S.StartCleanAsync(0, false))).State);
        _h.Operator(l => { l.OpenDoor(); l.RemoveFromSlot(1020); l.CloseDoor(); });
        // Only a cleaning not ended yet may have the cleaner out of its slot.
        Assert.Equal((NtmsResult.ERROR_SLOT_EMPTY, "cleaner slot 21 is empty; inject a cleaner first"), await Refused(() => S.StartCleanAsync(1, false)));
    }

    [Fact]
    public async Task Another_cleaner_in_the_drive_is_a_cartridge_to_unload_when_no_cleaning_runs()
    {
        await S.ReserveAsync(21);
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN301L8"); l.CloseDoor(); });   // placed by hand: not tracked
        await using (var s = await _h.OpenAsync(default)) await s.Changer.LoadAsync(22, 0);          // CLN101L8 into drive 0
        Assert.Equal((NtmsResult.ERROR_UNABLE_TO_CLEAN, "drive 0 holds CLN101L8; unload it first or use --unload-first"), await Refused(() => S.StartCleanAsync(0, false)));
    }
}
