using TapeChanger.Testing;
using TapeChanger.State;
using TapeChanger.Scsi;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// RSM cleaner semantics against the virtual library (mhVTL library 10: slots 1000-1038, mail slots 10-13, drives
/// 500-503 = TD8, TD8, TD6, TD6; cleaners CLN101L8 in slot 22, CLN102L6 in slot 23). Every documented result code is
/// reached here; operator actions come from the test thread between the service's sessions.
/// </summary>
public sealed class CleanerServiceTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    private static async Task<NtmsResult> Code(Func<Task> action)
    {
        try { await action(); return NtmsResult.ERROR_SUCCESS; }
        catch (CleanerException e) { return e.Result; }
    }

    /// <summary>Reserve slot 21 (empty) and inject CLN201L8 through the mail slot.</summary>
    private async Task<Guid> ReserveAndInjectAsync(uint cleans = 5, string barcode = "CLN201L8")
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, cleans);
        var run = S.RunAsync(op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport(barcode); l.CloseImportExport(); });
        var final = await run;
        Assert.Equal(OperationState.Passed, final.State);
        return op;
    }

    [Fact]
    public async Task A_device_busy_for_a_few_polls_does_not_fail_an_eject_waiting_for_the_operator()
    {
        await ReserveAndInjectAsync();
        var eject = await S.StartEjectAsync(CleanerPath.IePort);
        var run = S.RunAsync(eject);
        await WaitUntil(() => _h.Full(10));
        int refused = 0;
        // Another program claims the device (a USB interface, an exclusive Windows open) for three of the polls.
        _h.Override = ct =>
        {
            if (++refused <= 3) throw new ScsiTransportException(TransportFailure.Busy, "USB device 46f4:0001 is busy (claiming interface 0, LIBUSB_ERROR_BUSY)");
            _h.Override = null;
            return _h.OpenAsync(ct);
        };
        await WaitUntil(() => refused > 3);
        _h.Operator(l => { l.OpenImportExport(); l.RemoveFromImportExport(); l.CloseImportExport(); });
        var final = await run;
        Assert.Equal(OperationState.Passed, final.State);
        Assert.True(refused > 3);
    }

    [Fact]
    public async Task Reserve_codes()
    {
        Assert.Equal(NtmsResult.ERROR_SLOT_FULL, await Code(() => S.ReserveAsync(1)));
        Assert.Equal(NtmsResult.ERROR_INVALID_SLOT, await Code(() => S.ReserveAsync(0)));
        Assert.Equal(NtmsResult.ERROR_INVALID_SLOT, await Code(() => S.ReserveAsync(40)));   // an IE slot is not a storage slot
        _h.Operator(l => l.RemoveMagazine(2));                                                // slots 14-26
        Assert.Equal(NtmsResult.ERROR_SLOT_NOT_PRESENT, await Code(() => S.ReserveAsync(21)));
        _h.Operator(l => l.InsertMagazine(2));
        Assert.Equal(NtmsResult.ERROR_SUCCESS, await Code(() => S.ReserveAsync(21)));
        Assert.Equal(NtmsResult.ERROR_ALREADY_RESERVED, await Code(() => S.ReserveAsync(24)));
        Assert.Equal(21, (await S.GetStateAsync()).Reservation!.Slot);
    }

    [Fact]
    public async Task Concurrent_reservations_have_exactly_one_winner()
    {
        var services = Enumerable.Range(0, 4).Select(_ => _h.NewService()).ToList();
        var results = await Task.WhenAll(services.Select((svc, i) => Code(() => svc.ReserveAsync(24 + i))));
        Assert.Single(results, r => r == NtmsResult.ERROR_SUCCESS);
        Assert.Equal(3, results.Count(r => r == NtmsResult.ERROR_ALREADY_RESERVED));
    }

    [Fact]
    public async Task Release_codes()
    {
        Assert.Equal(NtmsResult.ERROR_NO_SLOT_SET, await Code(() => S.ReleaseAsync()));
        await ReserveAndInjectAsync();
        Assert.Equal(NtmsResult.ERROR_SLOT_FULL, await Code(() => S.ReleaseAsync()));
        _h.Operator(l => l.RemoveMagazine(2));
        Assert.Equal(NtmsResult.ERROR_SLOT_NOT_PRESENT, await Code(() => S.ReleaseAsync()));
        _h.Operator(l => l.InsertMagazine(2));
        var eject = await S.StartEjectAsync(CleanerPath.IePort);
        var run = S.RunAsync(eject);
        await WaitUntil(() => _h.Full(10));
        _h.Operator(l => { l.OpenImportExport(); l.RemoveFromImportExport(); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await run).State);
        Assert.Equal(NtmsResult.ERROR_SUCCESS, await Code(() => S.ReleaseAsync()));
        Assert.Null((await S.GetStateAsync()).Reservation);
    }

    [Fact]
    public async Task Inject_start_codes()
    {
        Assert.Equal(NtmsResult.ERROR_NO_SLOT_SET, await Code(() => S.StartInjectAsync(CleanerPath.Auto, 5)));
        await S.ReserveAsync(21);
        _h.Operator(l => l.RemoveMagazine(2));
        Assert.Equal(NtmsResult.ERROR_SLOT_NOT_PRESENT, await Code(() => S.StartInjectAsync(CleanerPath.Auto, 5)));
        _h.Operator(l => { l.InsertMagazine(2); l.SetOnline(false); });
        Assert.Equal(NtmsResult.ERROR_LIBRARY_OFFLINE, await Code(() => S.StartInjectAsync(CleanerPath.Auto, 5)));
        _h.Operator(l => { l.SetOnline(true); l.OpenDoor(); l.InsertIntoSlot(1020, "CLN777L8"); l.CloseDoor(); });
        Assert.Equal(NtmsResult.ERROR_SLOT_FULL, await Code(() => S.StartInjectAsync(CleanerPath.Auto, 5)));
    }

    [Fact]
    public async Task Device_failures_map_to_rsm_codes()
    {
        _h.Override = _ => throw new ScsiTransportException(TransportFailure.NotFound, "no such device /dev/sg9");
        var svc = _h.NewService();
        Assert.Equal(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, await Code(() => svc.StartInjectAsync(CleanerPath.Auto, 5)));
        _h.Override = _ => throw new ScsiTransportException(TransportFailure.PermissionDenied, "permission denied opening /dev/sg9");
        svc = _h.NewService();
        Assert.Equal(NtmsResult.ERROR_ACCESS_DENIED, await Code(() => svc.ReserveAsync(21)));
        _h.Override = _ => throw new ScsiTransportException(TransportFailure.Io, "iSCSI connection to 10.0.0.5:3260 lost and reconnecting failed");
        svc = _h.NewService();
        Assert.Equal(NtmsResult.ERROR_NOT_CONNECTED, await Code(() => svc.ReserveAsync(21)));
        // A device that is not a changer (the first drive's LUN) is not a valid library.
        _h.Override = async ct =>
        {
            var transport = (Virtual.VirtualTransport)await new Virtual.VirtualTransportFactory(_h.Time).OpenAsync(Transport.DeviceUri.Parse("virtual:" + _h.Config), new Transport.TransportOpenContext(_h.State), ct);
            return new ChangerSession(new Domain.MediaChanger(new Transport.SmcClient(transport.OpenLun(1))));
        };
        svc = _h.NewService();
        Assert.Equal(NtmsResult.ERROR_INVALID_LIBRARY, await Code(() => svc.ReserveAsync(21)));
    }

    [Fact]
    public async Task Inject_through_the_mail_slot_records_barcode_and_cleans_left()
    {
        await ReserveAndInjectAsync(cleans: 7);
        var st = await S.GetStateAsync();
        Assert.Equal("CLN201L8", st.Cleaner!.Barcode);
        Assert.Equal(7u, st.Cleaner.CleansLeft);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
        Assert.False(_h.Full(10));
    }

    [Fact]
    public async Task Inject_of_a_data_tape_fails_and_leaves_it_in_the_mail_slot()
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, 5);
        var run = S.RunAsync(op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport("DATA01L8"); l.CloseImportExport(); });
        var final = await run;
        Assert.Equal(nameof(NtmsResult.ERROR_INVALID_CLEANER), final.Result);
        Assert.Equal("DATA01L8", _h.BarcodeAt(10));
        Assert.False(_h.Full(1020));
    }

    [Fact]
    public async Task Inject_times_out_and_stop_ends_it_early()
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.IePort, 5, TimeSpan.FromSeconds(2));
        Assert.Equal(nameof(NtmsResult.ERROR_TIMEOUT), (await S.RunAsync(op)).Result);

        var op2 = await S.StartInjectAsync(CleanerPath.IePort, 5, TimeSpan.FromHours(1));
        var run = S.RunAsync(op2);
        await WaitUntil(async () => (await S.GetOperationAsync(op2)).State == OperationState.WaitingForOperator);
        await S.StopAsync(op2);
        var final = await run;
        Assert.Equal(OperationState.Stopped, final.State);
        Assert.True(final.Completed < final.Created + TimeSpan.FromHours(1));
        Assert.Equal(NtmsResult.ERROR_INVALID_OPERATION, await Code(() => S.StopAsync(op2)));
        Assert.Equal(NtmsResult.ERROR_OBJECT_NOT_FOUND, await Code(() => S.StopAsync(Guid.NewGuid())));
    }

    [Fact]
    public async Task Inject_through_the_door_completes_on_confirmation_or_door_close()
    {
        await S.ReserveAsync(21);
        var op = await S.StartInjectAsync(CleanerPath.Door, CleanerService.Unlimited);
        var run = S.RunAsync(op);
        await WaitUntil(async () => (await S.GetOperationAsync(op)).Progress?.Contains("slot 21") == true);
        Assert.Equal(NtmsResult.ERROR_INVALID_OPERATION, await Code(() => S.StopAsync(op)));   // STOP is for port operations only
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN301L8"); });
        await Task.Delay(100);
        _h.Operator(l => l.CloseDoor());
        var final = await run;
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Equal(CleanerService.Unlimited, (await S.GetStateAsync()).Cleaner!.CleansLeft);

        // Eject through the door, completed by the operator's confirmation.
        var ej = await S.StartEjectAsync(CleanerPath.Door);
        var ejRun = S.RunAsync(ej);
        await WaitUntil(async () => (await S.GetOperationAsync(ej)).State == OperationState.WaitingForOperator);
        await S.ConfirmAsync(ej);
        Assert.Equal(OperationState.Passed, (await ejRun).State);
        Assert.Null((await S.GetStateAsync()).Cleaner);
    }

    [Fact]
    public async Task Eject_codes()
    {
        Assert.Equal(NtmsResult.ERROR_NO_SLOT_SET, await Code(() => S.StartEjectAsync(CleanerPath.Auto)));
        await S.ReserveAsync(21);
        Assert.Equal(NtmsResult.ERROR_SLOT_EMPTY, await Code(() => S.StartEjectAsync(CleanerPath.Auto)));
        await S.ReleaseAsync();
        await ReserveAndInjectAsync();
        _h.Operator(l => { l.OpenImportExport(); foreach (var b in new[] { "X1", "X2", "X3", "X4" }) l.InsertIntoImportExport(b); l.CloseImportExport(); });
        var op = await S.StartEjectAsync(CleanerPath.IePort);
        Assert.Equal(nameof(NtmsResult.ERROR_IEPORT_FULL), (await S.RunAsync(op)).Result);
    }

    [Fact]
    public async Task Clean_moves_the_cleaner_in_and_back_and_counts_once()
    {
        await ReserveAndInjectAsync(cleans: 3);
        var op = await S.StartCleanAsync(0, unloadFirst: false);
        var final = await S.RunAsync(op);
        Assert.True(final.State == OperationState.Passed, final.Message);
        var st = await S.GetStateAsync();
        Assert.Equal(2u, st.Cleaner!.CleansLeft);
        Assert.Single(st.DriveHistory["XYZZY_A1"]);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
        Assert.False(_h.Full(500));
        // Running a finished operation again changes nothing.
        await S.RunAsync(op);
        Assert.Equal(2u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
    }

    [Fact]
    public async Task Clean_codes()
    {
        Assert.Equal(NtmsResult.ERROR_CLEANER_SLOT_NOT_SET, await Code(() => S.StartCleanAsync(0, false)));
        await S.ReserveAsync(21);
        Assert.Equal(NtmsResult.ERROR_SLOT_EMPTY, await Code(() => S.StartCleanAsync(0, false)));
        Assert.Equal(NtmsResult.ERROR_INVALID_DRIVE, await Code(() => S.StartCleanAsync(9, false)));
        await S.ReleaseAsync();
        await ReserveAndInjectAsync(cleans: 0);
        Assert.Equal(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, await Code(() => S.StartCleanAsync(0, false)));
    }

    [Fact]
    public async Task Loaded_drive_needs_unload_first_and_wrong_generation_is_refused()
    {
        await ReserveAndInjectAsync();
        await using (var s = await _h.OpenAsync(default)) await s.Changer.LoadAsync(1, 0);
        Assert.Equal(NtmsResult.ERROR_UNABLE_TO_CLEAN, await Code(() => S.StartCleanAsync(0, false)));
        var op = await S.StartCleanAsync(0, unloadFirst: true);
        Assert.Equal(OperationState.Passed, (await S.RunAsync(op)).State);
        Assert.Equal("E01001L8", _h.BarcodeAt(1000));           // the data tape went home first
        // The LTO-8 cleaner in an LTO-6 drive: mhVTL's 04/04/03, and the cleaner stays in its slot.
        var bad = await S.StartCleanAsync(2, false);
        Assert.Equal(nameof(NtmsResult.ERROR_UNABLE_TO_LOAD_MEDIUM), (await S.RunAsync(bad)).Result);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
    }

    [Fact]
    public async Task Expired_cleaning_media_tapealert_marks_the_cleaner_spent()
    {
        await ReserveAndInjectAsync(cleans: 10);
        _h.Operator(l => l.SetDriveTapeAlert(1, 1UL << (22 - 1)));   // flag 22: expired cleaning media
        var op = await S.StartCleanAsync(0, false);
        var final = await S.RunAsync(op);
        Assert.Equal(nameof(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT), final.Result);
        Assert.Equal(0u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));           // back in its slot
        Assert.Equal(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, await Code(() => S.StartCleanAsync(1, false)));
    }

    [Fact]
    public async Task Unlimited_cleaner_is_not_counted_down()
    {
        await ReserveAndInjectAsync(cleans: CleanerService.Unlimited);
        Assert.Equal(OperationState.Passed, (await S.RunAsync(await S.StartCleanAsync(1, false))).State);
        Assert.Equal(CleanerService.Unlimited, (await S.GetStateAsync()).Cleaner!.CleansLeft);
    }

    [Fact]
    public async Task Clean_if_needed_finds_drives_asking_for_it()
    {
        Assert.Empty(await S.DrivesNeedingCleaningAsync());
        _h.Operator(l => { l.SetDriveTapeAlert(2, 1UL << (20 - 1)); l.SetDriveTapeAlert(4, 1UL << (21 - 1)); });
        var need = await S.DrivesNeedingCleaningAsync();
        Assert.Equal([1, 3], need.Select(n => n.Drive));
        Assert.Contains("TapeAlert 20", need[0].Reason);
    }

    [Fact]
    public async Task Interrupted_cleaning_is_reconciled_and_counted_once()
    {
        await ReserveAndInjectAsync(cleans: 5);
        var op = await S.StartCleanAsync(0, false);
        // Simulate a worker that died after loading the cleaner: cancel once the journal says "in-drive".
        using var cts = new CancellationTokenSource();
        // Progress<T> reports on the thread pool: a report that arrives after the test disposed the source must not throw there
        // (an unhandled ObjectDisposedException on a pool thread ends the test host).
        var run = S.RunAsync(op, new Progress<OperationRecord>(o =>
        {
            if (o.Step != CleanStep.InDrive) return;
            try { cts.Cancel(); } catch (ObjectDisposedException) { }
        }), cts.Token);
        await WaitUntil(async () => (await S.GetOperationAsync(op)).Step == CleanStep.InDrive);
        cts.Cancel();
        try { await run; } catch (OperationCanceledException) { }
        // Put the journal back as a killed worker leaves it (not final, step in-drive).
        var store = await S.StoreAsync();
        store.Update(st => { var o = st.Find(op)!; if (o.State.IsFinal()) { o.State = OperationState.InProcess; o.Completed = null; } o.Step = CleanStep.InDrive; });
        var final = await _h.NewService().RunAsync(op);
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Equal(4u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
        Assert.False(_h.Full(500));
    }

    [Fact]
    public async Task Crash_before_the_load_resumes_the_cleaning()
    {
        // Killed after journalling "to-drive" but before MOVE MEDIUM: the cleaner is still in its slot.
        await ReserveAndInjectAsync(cleans: 5);
        var op = await S.StartCleanAsync(1, false);
        (await S.StoreAsync()).Update(st => { var o = st.Find(op)!; o.State = OperationState.InProcess; o.Step = CleanStep.ToDrive; o.WorkerPid = 999999; });
        Assert.Contains(op, await S.OrphanedOperationsAsync());
        var final = await _h.NewService().RunAsync(op);
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Equal(4u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
        Assert.Equal("CLN201L8", _h.BarcodeAt(1020));
    }

    [Fact]
    public async Task Crash_after_the_cleaner_came_back_counts_it_once()
    {
        // Killed after moving the cleaner home but before the count was written: the journal still says "in-drive".
        await ReserveAndInjectAsync(cleans: 5);
        var op = await S.StartCleanAsync(0, false);
        Assert.Equal(OperationState.Passed, (await S.RunAsync(op)).State);
        (await S.StoreAsync()).Update(st =>
        {
            var o = st.Find(op)!;
            o.State = OperationState.InProcess; o.Step = CleanStep.InDrive; o.Completed = null; o.WorkerPid = 999999;
            st.Cleaner!.CleansLeft = 5; st.DriveHistory.Clear();        // as before the final write
        });
        var final = await _h.NewService().RunAsync(op);
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Equal(4u, (await S.GetStateAsync()).Cleaner!.CleansLeft);
        Assert.Single((await S.GetStateAsync()).DriveHistory["XYZZY_A1"]);
        Assert.False(_h.Full(500));
    }

    [Fact]
    public async Task Corrupt_state_is_a_database_failure_naming_the_file_and_the_file_is_kept()
    {
        await S.ReserveAsync(21);
        var store = await S.StoreAsync();
        StateDatabase.ReleaseConnections();
        byte[] garbage = [.. Enumerable.Repeat((byte)0x5A, 4096)];
        File.WriteAllBytes(store.DatabasePath, garbage);
        File.Delete(store.DatabasePath + "-wal");
        File.Delete(store.DatabasePath + "-shm");

        var e = await Assert.ThrowsAsync<CleanerException>(() => S.GetStateAsync());

        Assert.Equal(NtmsResult.ERROR_DATABASE_FAILURE, e.Result);
        Assert.Equal($"state database {store.DatabasePath}: is not a SQLite database (damaged or overwritten); restore a backup (tapechanger db restore)", e.Message);
        Assert.Equal(garbage, File.ReadAllBytes(store.DatabasePath));
    }

    [TinyDiskFact]
    public async Task A_full_disk_during_release_is_database_full_and_the_reservation_stays()
    {
        using var disk = TinyDisks.Mount();
        using var h = new CleaningHarness(cleanerState: disk.Path);
        await h.Service.ReserveAsync(21);
        var store = await h.Service.StoreAsync();
        string before = StateRows.Dump(disk.Path);
        disk.Fill();

        var e = await Assert.ThrowsAsync<CleanerException>(() => h.Service.ReleaseAsync());

        Assert.Equal(NtmsResult.ERROR_DATABASE_FULL, e.Result);
        Assert.Equal($"state database {store.DatabasePath}: the disk or the database is full; nothing was written", e.Message);
        disk.Free();
        StateDatabase.ReleaseConnections();
        Assert.Equal(before, StateRows.Dump(disk.Path));
        Assert.Equal(21, (await h.NewService().GetStateAsync()).Reservation!.Slot);
        await h.Service.ReleaseAsync();                             // with room again, the same release passes
        Assert.Null((await h.NewService().GetStateAsync()).Reservation);
    }

    [UnixFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task State_files_are_owner_only()
    {
        await S.ReserveAsync(21);
        var store = await S.StoreAsync();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath + "-wal"));
    }

    [Fact]
    public void Result_codes_keep_win32_values_and_app_codes_set_bit_29()
    {
        Assert.Equal(4331u, (uint)NtmsResult.ERROR_CLEANER_SLOT_SET);
        Assert.Equal(4333u, (uint)NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT);
        Assert.Equal(4305u, (uint)NtmsResult.ERROR_LIBRARY_OFFLINE);
        foreach (var r in new[] { NtmsResult.ERROR_NO_SLOT_SET, NtmsResult.ERROR_SLOT_FULL, NtmsResult.ERROR_SLOT_NOT_PRESENT, NtmsResult.ERROR_ALREADY_RESERVED, NtmsResult.ERROR_INVALID_SLOT, NtmsResult.ERROR_SLOT_EMPTY })
        {
            Assert.Equal(0x2000_0000u, (uint)r & 0x2000_0000u);
        }
        Assert.Equal(Enum.GetValues<NtmsResult>().Length, Enum.GetValues<NtmsResult>().Distinct().Count());
    }

    private static async Task WaitUntil(Func<Task<bool>> condition)
    {
        for (int i = 0; i < 1500; i++)
        {
            if (await condition()) return;
            await Task.Delay(20);
        }
        Assert.Fail("condition not reached within 30 s");
    }

    private static Task WaitUntil(Func<bool> condition) => WaitUntil(() => Task.FromResult(condition()));
}

/// <summary>When the drive cannot be polled (tgt, or a transport without drive access), the hw-profile's cleaning time applies.</summary>
public sealed class ProfileCleaningTimeTests : IDisposable
{
    // The mhVTL STK profile's 120 s cycle, polled every 2 s of fake time: 60 polls.
    private readonly CleaningHarness _h = new(profileCleaningTime: true, pollInterval: TimeSpan.FromSeconds(2));

    public void Dispose() => _h.Dispose();

    [Fact]
    public async Task Unreachable_drive_waits_the_profile_cleaning_time()
    {
        var svc = _h.Service;
        await svc.ReserveAsync(21);
        // A long (fake) operator timeout: the operator below acts in real time while the service polls.
        var inject = await svc.StartInjectAsync(CleanerPath.IePort, 5, TimeSpan.FromHours(1));
        var run = svc.RunAsync(inject);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport("CLN201L8"); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await run).State);

        // Same library, but sessions without drive access.
        _h.DrivesReachable = false;
        var progress = new List<string>();
        var op = await svc.StartCleanAsync(0, false);
        var started = _h.Time.GetUtcNow();
        var final = await svc.RunAsync(op, new SyncProgress(o => { if (o.Progress is { } p) progress.Add(p); }));
        var waited = _h.Time.GetUtcNow() - started;
        Assert.Equal(OperationState.Passed, final.State);
        Assert.Equal("mhvtl-stk-l-series", svc.Profile!.Profile.Name);
        Assert.Contains(progress, p => p.Contains("'mhvtl-stk-l-series' profile's cleaning time"));
        Assert.InRange(waited.TotalSeconds, 120, 3600);      // at least the profile's 120 s; a loaded machine only adds
        Assert.Equal(4u, (await svc.GetStateAsync()).Cleaner!.CleansLeft);
    }

    private sealed class SyncProgress(Action<OperationRecord> a) : IProgress<OperationRecord>
    {
        public void Report(OperationRecord value) => a(value);
    }
}
