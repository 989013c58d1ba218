using TapeChanger.Service.Engine;
using TapeChanger.Service.Fleet;

namespace TapeChanger.Service.Tests;

/// <summary>
/// Two services sharing one library through one PostgreSQL database: one owner moves the robot, the other forwards;
/// the owner losing its lease mid-move is taken over and the move reconciled from the journal, never run twice; a
/// stale owner cannot record or start a move.
/// </summary>
public sealed class FleetTests
{
    private static readonly Caller Op = new("carol", CallerRole.Operator);

    private static RequestSpec Transfer(int from, int to) => new(RequestKind.Transfer) { Arguments = new() { Slot = from, ToSlot = to } };

    private static async Task<string> OwnerAsync(FleetHarness f, LibraryService any)
    {
        string? owner = null;
        await Wait.UntilAsync(() => Task.FromResult((owner = f.Owner(any)) is not null), "a service to take the lease");
        return owner!;
    }

    [PostgresFact]
    public async Task One_service_owns_the_library_and_requests_sent_to_the_other_run_there_once()
    {
        await using var f = new FleetHarness();
        await using var a = f.Engine("A");
        await using var b = f.Engine("B");
        await a.StartAsync();
        await b.StartAsync();
        string owner = await OwnerAsync(f, a);
        var other = owner == "A" ? b : a;

        var ids = new List<Guid>();
        for (int i = 0; i < 3; i++) ids.Add((await other.SubmitAsync("default", Transfer(1 + i, 24 + i), Op)).Id);
        foreach (var id in ids)
        {
            var done = await other.WaitAsync(id).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(RequestState.Passed, done.State);
        }
        Assert.Equal(3, f.Library.Recorder.Moves.Count());
        var journal = f.Journal();
        Assert.Equal(6, journal.Count);                                     // Moving and Moved per move
        Assert.All(journal, j => Assert.Equal(owner, j.Owner));
        Assert.Single(journal.Select(j => j.Token).Distinct());
        var row = Assert.Single(other.FleetLibraries());
        Assert.Equal(owner, row.Owner);
        Assert.Equal($"http://{owner}.example", row.OwnerUrl);
    }

    [PostgresFact]
    public async Task A_non_owner_names_the_owner_and_its_address_and_the_owner_names_nobody()
    {
        await using var f = new FleetHarness();
        await using var a = f.Engine("A");
        await a.StartAsync();
        Assert.Equal("A", await OwnerAsync(f, a));
        await using var b = f.Engine("B");
        await b.StartAsync();
        Assert.Null(a.OwnerElsewhere("default"));                            // the owner answers itself
        Assert.Equal(new FleetOwner("default", "B", "A", "http://A.example"), b.OwnerElsewhere("default"));
        Assert.Equal(ServiceError.UnknownLibrary, Assert.Throws<LibraryServiceException>(() => b.OwnerElsewhere("nope")).Error);
    }

    [PostgresFact]
    public async Task The_owner_losing_its_lease_mid_move_is_taken_over_and_the_move_reconciled_not_repeated()
    {
        await using var f = new FleetHarness();
        await using var a = f.Engine("A");
        await a.StartAsync();
        Assert.Equal("A", await OwnerAsync(f, a));
        await using var b = f.Engine("B");
        await b.StartAsync();

        var atMove = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Library.Recorder.AfterMove = async (cmd, ct) =>
        {
            atMove.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);                         // the robot moved; A never hears back
        };
        var load = await a.SubmitAsync("default", new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = 1, Drive = 0 } }, Op);
        await atMove.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var t1 = await b.SubmitAsync("default", Transfer(2, 24), Op);
        f.Library.Recorder.AfterMove = null;

        // A is cut off: its lease runs out (as when it hangs or loses the network) and B may take it.
        f.Sql("UPDATE library_leases SET expires_ms = 0, owner = 'A-gone' WHERE library = 'default'");
        var loaded = await b.WaitAsync(load.Id).WaitAsync(TimeSpan.FromSeconds(30));
        var moved = await b.WaitAsync(t1.Id).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(RequestState.Passed, loaded.State);
        Assert.Contains("reconciled after a restart", loaded.Message);
        Assert.Equal(RequestState.Passed, moved.State);
        Assert.Equal(2, f.Library.Recorder.Moves.Count());                  // the load once, the transfer once
        var tokens = f.Journal().Select(j => j.Token).ToList();
        Assert.Equal(tokens.Order(), tokens);                               // fencing tokens never go back
        Assert.True(tokens[^1] > tokens[0], "the transfer ran under a newer lease than the load");
    }

    [PostgresFact]
    public async Task Every_service_lists_the_drives_the_owner_knows_need_cleaning_and_a_cleaning_in_process()
    {
        await using var f = new FleetHarness();
        await using var a = f.Engine("A", autoCleaning: true);
        await a.StartAsync();
        Assert.Equal("A", await OwnerAsync(f, a));
        await using var b = f.Engine("B", autoCleaning: true);
        await b.StartAsync();
        await OperatorRequestTests.ReserveAndInjectAsync(f.Library, a, slot: 24, barcode: "CLN900L8");
        Assert.All(new[] { a, b }, s => Assert.Equal(FleetLibraryState.Owned, s.GetFleet()!.Libraries.Single().State));

        // Drive 0 (empty) asks for cleaning: A's idle check sees it and queues a cleaning, held at its first move.
        var atMove = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Library.Recorder.AfterMove = async (cmd, ct) =>
        {
            atMove.TrySetResult();
            await go.Task.WaitAsync(ct);
        };
        f.Library.Library.SetDriveTapeAlert(1, 1UL << 19);              // TapeAlert flag 20, cleaning required
        await atMove.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([0], (await a.GetStatusAsync("default")).DrivesNeedingCleaning);
        foreach (var s in new[] { a, b })
        {
            await Wait.UntilAsync(() => Task.FromResult(s.GetFleet()!.Libraries.Single() is { DrivesNeedingCleaning: [0], Cleaning: true }),
                $"{s.FleetName} to list drive 0 needing cleaning and the cleaning in process");
        }
        Assert.Empty((await b.GetStatusAsync("default")).DrivesNeedingCleaning);   // B's own host never saw it: the list came from A's report

        // The cleaning ends: drive 0 no longer asks, nothing is cleaning, in every service's list.
        f.Library.Recorder.AfterMove = null;
        go.SetResult();
        foreach (var s in new[] { a, b })
        {
            await Wait.UntilAsync(() => Task.FromResult(s.GetFleet()!.Libraries.Single() is { DrivesNeedingCleaning: [], Cleaning: false }),
                $"{s.FleetName} to list the library clean and not cleaning");
        }
        var clean = Assert.Single(await a.ListRequestsAsync(new RequestQuery()), r => r.Kind == RequestKind.Clean);
        Assert.Equal(RequestState.Passed, clean.State);
    }

    [PostgresFact]
    public async Task A_non_owner_and_a_restarted_owner_list_the_drives_needing_cleaning_from_the_database()
    {
        await using var f = new FleetHarness();
        var a = f.Engine("A");
        await a.StartAsync();
        Assert.Equal("A", await OwnerAsync(f, a));
        await using var b = f.Engine("B");
        await b.StartAsync();
        // A moves once (it reads the library's identity) and reports the identity key in the lease row.
        Assert.Equal(RequestState.Passed, (await a.WaitAsync((await a.SubmitAsync("default", Transfer(1, 24), Op)).Id).WaitAsync(TimeSpan.FromSeconds(30))).State);
        string? key = null;
        await Wait.UntilAsync(() => Task.FromResult((key = a.FleetLibraries().Single().LibraryKey) is not null), "A to report the library's identity key");
        var id = (await f.Library.ReadAsync()).Identity;
        Assert.StartsWith($"{id.Vendor.Trim()}-{id.Product.Trim()}-", key);                      // the cleaner state's key: vendor-product-serial-hash

        // The cleaner state remembers that drive 1 asked for cleaning (a cleaner of any service wrote it); no host saw it.
        f.Sql($"INSERT INTO libraries (library_key, vendor, product, serial) VALUES ('{key}', 'v', 'p', 's') ON CONFLICT DO NOTHING");
        f.Sql($"INSERT INTO pending_cleanings (library_key, drive_key, drive, address, reason, since, last_seen) VALUES ('{key}', 'element:257', 1, 257, 'TapeAlert 20', 'now', 'now')");
        Assert.Empty((await a.GetStatusAsync("default")).DrivesNeedingCleaning);                  // not in A's own set
        Assert.Equal([1], Assert.Single(b.GetFleet()!.Libraries).DrivesNeedingCleaning);        // B does not own it: from the database
        Assert.Equal([1], Assert.Single(a.GetFleet()!.Libraries).DrivesNeedingCleaning);

        // A stops; a restarted A (a new engine: nothing in memory) takes the lease and lists it before any request.
        await a.DisposeAsync();
        await using var a2 = f.Engine("A");
        await a2.StartAsync();
        await Wait.UntilAsync(() => Task.FromResult(f.Owner(a2) is not null), "someone to take the lease again");
        Assert.Equal([1], Assert.Single(a2.GetFleet()!.Libraries).DrivesNeedingCleaning);
        Assert.Empty((await a2.GetStatusAsync("default")).DrivesNeedingCleaning);

        f.Sql("DELETE FROM pending_cleanings");                                                  // cleaned: no longer listed
        Assert.Empty(Assert.Single(b.GetFleet()!.Libraries).DrivesNeedingCleaning);
    }

    [PostgresFact]
    public void A_stale_owner_can_neither_start_nor_record_a_move()
    {
        var f = new FleetHarness();
        try
        {
            var db = f.Database;
            var store = new ServiceStore(db) { FenceMargin = TimeSpan.FromMilliseconds(200) };
            var a = new LeaseStore(db, "A", null);
            var b = new LeaseStore(db, "B", null);
            a.Ensure(["default"]);
            var fa = a.TryAcquire("default", TimeSpan.FromSeconds(30))!;
            Assert.Null(b.TryAcquire("default", TimeSpan.FromSeconds(30)));  // held: nobody else gets it
            var r = store.Insert(seq => new RequestRecord { Id = Guid.NewGuid(), Sequence = seq, Library = "default", Kind = RequestKind.Transfer, Arguments = new(), Priority = 0, Submitter = Op, State = RequestState.Queued, Submitted = DateTimeOffset.UtcNow, Updated = DateTimeOffset.UtcNow });
            store.SetJournal(r.Id, new RequestJournal(JournalStep.Moving, 1000, 1001, "X"), fa);

            f.Sql("UPDATE library_leases SET expires_ms = 0 WHERE library = 'default'");     // A's lease ran out
            var fb = b.TryAcquire("default", TimeSpan.FromSeconds(30))!;
            Assert.Equal(fa.Token + 1, fb.Token);

            Assert.IsType<LeaseLostException>(Record.Exception(new Action(() => store.SetJournal(r.Id, new RequestJournal(JournalStep.Moved, 1000, 1001, "X"), fa))));
            Assert.IsType<LeaseLostException>(Record.Exception(new Action(() => store.Change(r.Id, x => x with { State = RequestState.InProcess }, fa))));
            Assert.Equal(JournalStep.Moving, store.Journal(r.Id)!.Step);      // nothing A tried was written
            Assert.Equal(RequestState.Queued, store.Get(r.Id)!.State);
            Assert.Empty(a.RenewAll(TimeSpan.FromSeconds(30)));                 // and A cannot renew it back

            store.SetJournal(r.Id, new RequestJournal(JournalStep.Moved, 1000, 1001, "X"), fb);
            Assert.Equal([(fa.Token, "A", "Moving"), (fb.Token, "B", "Moved")], f.Journal());
        }
        finally
        {
            f.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [PostgresFact]
    public async Task A_non_owner_reports_the_owners_queue_depth_as_it_was_asked_not_after_waiting_for_the_library()
    {
        await using var f = new FleetHarness();
        await using var b = f.Engine("B");
        await b.StartAsync();
        Assert.Equal("B", await OwnerAsync(f, b));
        // A reads the library itself (it does not own it). While the owner moves, that read waits (a virtual library's
        // lock, a robot answering BUSY): here A's device open waits for the gate, armed below.
        var deviceFree = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var opening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool armed = false;
        await using var a = f.Engine("A", open: o => o with
        {
            OpenTransport = async (address, context, ct) =>
            {
                if (Volatile.Read(ref armed))
                {
                    opening.TrySetResult();
                    await deviceFree.Task.WaitAsync(ct);
                }
                return await o.OpenTransport!(address, context, ct);
            },
        });
        await a.StartAsync();

        // The owner's robot holds one move; the owner reports a queue of one.
        var robotFree = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Library.Recorder.BeforeMove = (cmd, ct) => robotFree.Task.WaitAsync(ct);
        var r = await a.SubmitAsync("default", Transfer(1, 24), Op);
        await Wait.UntilAsync(() => Task.FromResult(a.FleetLibraries().Single().QueueDepth == 1), "the owner to report a queue of one");

        // Asked now, A answers once it has read the library: after the owner's move ended and its queue emptied.
        Volatile.Write(ref armed, true);
        var status = a.GetStatusAsync("default");
        await opening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        robotFree.SetResult();
        Assert.Equal(RequestState.Passed, (await a.WaitAsync(r.Id).WaitAsync(TimeSpan.FromSeconds(30))).State);
        await Wait.UntilAsync(() => Task.FromResult(a.FleetLibraries().Single().QueueDepth == 0), "the owner to report an empty queue");
        deviceFree.SetResult();

        // The depth is the owner's when A was asked (what the fleet list said then), not A's own empty queue and not
        // the owner's after the wait.
        var snap = await status.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(snap.Online, snap.Problem);
        Assert.Equal(1, snap.QueueDepth);
        // Asked again (the library free), A says what the owner reports now.
        Assert.Equal(0, (await a.GetStatusAsync("default")).QueueDepth);
    }
}
