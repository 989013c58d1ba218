using TapeChanger.State;
using TapeChanger.Testing;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The cleaner.json and devices.json files of the versions before the state database are imported once, on first
/// use, and kept as *.imported. Fixtures: cleaner-schema2.json and devices.json were written by the previous
/// tapechanger on the virtual library (reserve 21, inject CLN201L8, a passed and a failed cleaning, a remembered
/// request for drive 2); cleaner-schema1.json is that file as schema 1 wrote it (no pendingCleaning).
/// </summary>
public sealed class LegacyImportTests : IDisposable
{
    private const string Key = "STK-L700-XYZZY_A-ff9c9f94";
    private readonly string _dir = ScratchDirectory.Create("tc-import-");

    public void Dispose()
    {
        StateDatabase.ReleaseConnections();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "state", name));

    private CleanerStateStore Place(string fixture)
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Assert.Equal(Key, store.Key);
        Directory.CreateDirectory(store.Directory);
        File.WriteAllText(Path.Combine(store.Directory, "cleaner.json"), Fixture(fixture));
        return store;
    }

    [Fact]
    public void A_schema_2_file_is_imported_whole_and_kept_as_a_backup()
    {
        var store = Place("cleaner-schema2.json");
        string original = Fixture("cleaner-schema2.json");

        var st = store.Read();

        Assert.Equal((1020, 21), ((int)st.Reservation!.Address, st.Reservation.Slot));
        Assert.Equal(DateTimeOffset.Parse("2026-12-05T03:28:10.9916884+00:00"), st.Reservation.ReservedAt);
        Assert.Equal(("CLN201L8", 49u, 1), (st.Cleaner!.Barcode, st.Cleaner.CleansLeft, st.Cleaner.TimesUsed));
        var history = Assert.Single(st.DriveHistory["XYZZY_A2"]);
        Assert.Equal((1, (ushort)501, 49u, "cleaned (watched virtual: LUN 2)"), (history.Drive, history.Address, history.CleansLeftAfter, history.Outcome));
        Assert.Equal(Guid.Parse("44e4b833-55bc-4ed4-ba6e-dc640eade36c"), history.Operation);
        var pending = Assert.Single(st.PendingCleaning);
        Assert.Equal(("XYZZY_A3", 2, (ushort)502, "TapeAlert 20: cleaning required"), (pending.Key, pending.Value.Drive, pending.Value.Address, pending.Value.Reason));
        Assert.Equal(["4322d104-1676-4e04-9941-79e6c9040d76", "44e4b833-55bc-4ed4-ba6e-dc640eade36c", "945b364a-c7af-402a-b7ba-752b335377eb"],
            st.Operations.Select(o => o.Id.ToString()));
        var failed = st.Operations[2];
        Assert.Equal((OperationKind.Clean, OperationState.Failed, "ERROR_UNABLE_TO_LOAD_MEDIUM", 4324u, 2), (failed.Kind, failed.State, failed.Result, failed.Code, failed.Drive!.Value));
        Assert.StartsWith("drive 2 rejected cleaner CLN201L8", failed.Message);
        Assert.Equal((CleanerPath.IePort, (int?)6334, "CLN201L8"), (st.Operations[0].Via, st.Operations[0].WorkerPid, st.Operations[0].Barcode));

        string json = Path.Combine(store.Directory, "cleaner.json");
        Assert.False(File.Exists(json));
        Assert.Equal(original, File.ReadAllText(json + ".imported"));
        // The journal's names, as `operations` shows them, in the rows.
        Assert.Equal(["inject", "clean", "clean"], StateRows.Column(_dir, "cleaner_operations", "kind", "1 = 1 ORDER BY seq"));
        Assert.Equal(["ieport"], StateRows.Column(_dir, "cleaner_operations", "DISTINCT via"));
    }

    [Fact]
    public void A_schema_1_file_imports_without_pending_requests_and_later_writes_go_to_the_database()
    {
        var store = Place("cleaner-schema1.json");
        Assert.Empty(store.Read().PendingCleaning);
        Assert.Equal(21, store.Peek()!.Reservation!.Slot);

        store.Update(s => s.PendingCleaning["XYZZY_B1"] = new CleaningRequest { Drive = 0, Address = 500, Reason = "sense 00/17", Since = DateTimeOffset.UnixEpoch });

        Assert.Equal(["sense 00/17"], StateRows.Column(_dir, "pending_cleanings", "reason"));
        Assert.False(File.Exists(Path.Combine(store.Directory, "cleaner.json")));
        Assert.Equal(Fixture("cleaner-schema1.json"), File.ReadAllText(Path.Combine(store.Directory, "cleaner.json.imported")));
        Assert.Equal("sense 00/17", new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A").Read().PendingCleaning["XYZZY_B1"].Reason);
    }

    [Fact]
    public void An_imported_library_is_not_imported_again_over_newer_state()
    {
        var store = Place("cleaner-schema2.json");
        store.Update(s => s.Cleaner!.CleansLeft = 7);
        // A copy of the old file comes back (a restore of the old folder, another old binary): the database wins.
        File.WriteAllText(Path.Combine(store.Directory, "cleaner.json"), Fixture("cleaner-schema2.json"));

        var again = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");

        Assert.Equal(7u, again.Read().Cleaner!.CleansLeft);
        Assert.False(File.Exists(Path.Combine(store.Directory, "cleaner.json")));
    }

    [Fact]
    public void A_corrupt_old_file_is_a_database_failure_naming_it_and_stays_where_it_is()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Directory.CreateDirectory(store.Directory);
        string json = Path.Combine(store.Directory, "cleaner.json");
        File.WriteAllText(json, "{ broken");

        var e = Assert.Throws<CleanerException>(() => store.Read());

        Assert.Equal(NtmsResult.ERROR_DATABASE_FAILURE, e.Result);
        Assert.Contains(json, e.Message);
        Assert.Equal("{ broken", File.ReadAllText(json));
    }

    [Fact]
    public void The_old_device_index_is_imported_and_gives_the_reserved_slot()
    {
        Place("cleaner-schema2.json");
        File.WriteAllText(Path.Combine(_dir, "libraries", "devices.json"), Fixture("devices.json"));

        Assert.Equal((ushort)1020, ReservationIndex.ReservedAddress(_dir, "virtual:"));
        Assert.Null(ReservationIndex.ReservedAddress(_dir, "virtual:/elsewhere"));
        Assert.True(File.Exists(Path.Combine(_dir, "libraries", "devices.json.imported")));
        Assert.Equal([Key], StateRows.Column(_dir, "device_index", "library_key", "device = 'virtual:'"));
    }

    [Fact]
    public void Peek_and_the_index_create_nothing_when_no_state_was_saved()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "none");
        Assert.Null(store.Peek());
        Assert.Null(ReservationIndex.ReservedAddress(_dir, "virtual:"));
        Assert.False(CleanerStateStore.AnyLibrary(_dir, "STK", "L700"));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Update_writes_only_what_changed_and_a_new_row_per_operation()
    {
        var store = Place("cleaner-schema2.json");
        store.Read();
        string before = StateRows.Dump(_dir);
        store.Update(s => s.Operations.Add(new OperationRecord { Id = Guid.Parse("55555555-5555-5555-5555-555555555555"), Kind = OperationKind.Eject, Via = CleanerPath.Door }));
        string after = StateRows.Dump(_dir);
        var added = after.Split('\n').Except(before.Split('\n')).ToList();
        var removed = before.Split('\n').Except(after.Split('\n')).ToList();
        Assert.Empty(removed);
        var row = Assert.Single(added);
        Assert.Contains("id=55555555-5555-5555-5555-555555555555", row);
        Assert.Contains("kind=eject", row);
        Assert.Contains("via=door", row);
        Assert.Contains("seq=3", row);
    }
}
