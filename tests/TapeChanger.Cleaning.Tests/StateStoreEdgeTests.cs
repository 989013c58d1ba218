using TapeChanger.State;
using TapeChanger.Testing;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The cleaner state store's edges, without a library: the key made from an identity, which state directories hold a
/// library of a vendor and product, the read-only look, the old files that cannot be imported, the old device index,
/// and the robot lock held by another process.
/// </summary>
public sealed class StateStoreEdgeTests : IDisposable
{
    private readonly string _dir = ScratchDirectory.Create("tc-store-");

    public void Dispose()
    {
        StateDatabase.ReleaseConnections();
        Directory.Delete(_dir, recursive: true);
    }

    private string Libraries => Path.Combine(_dir, "libraries");

    [Fact]
    public void A_key_is_the_cleaned_vendor_product_and_serial_then_the_hash_of_the_exact_identity()
    {
        // SHA-256 of "vendor\nproduct\nserial" (UTF-8), its first 4 bytes in lower-case hex.
        Assert.Equal("STK-L700-XYZZY_A-ff9c9f94", CleanerStateStore.KeyOf("STK", "L700", "XYZZY_A"));
        // Trimmed, anything but letters, digits, '-' and '_' becomes '_'; a missing serial is "noserial", an empty part "none".
        Assert.Equal("ST_K-L_700-noserial-ee35ebf1", CleanerStateStore.KeyOf(" ST K", "L/700", null));
        Assert.Equal("none-a_b-none-9e18d827", CleanerStateStore.KeyOf("", "a.b", ""));
        Assert.Equal("STK-L700-noserial-af0e9388", CleanerStateStore.KeyOf("STK", "L700", null));
        // The hash is of the identity as reported, so names that clean to the same text still get their own key.
        Assert.NotEqual(CleanerStateStore.KeyOf("ST K", "L700", "1"), CleanerStateStore.KeyOf("ST_K", "L700", "1"));

        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Assert.Equal(("STK", "L700", "XYZZY_A"), (store.Vendor, store.Product, store.Serial));
        Assert.Equal(Path.Combine(_dir, "libraries", "STK-L700-XYZZY_A-ff9c9f94"), store.Directory);
    }

    [Fact]
    public void A_new_library_reads_as_a_fresh_state_of_its_identity_and_peek_sees_nothing_saved()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        var fresh = store.Read();
        Assert.Equal(("STK-L700-XYZZY_A-ff9c9f94", "STK", "L700", "XYZZY_A"), (fresh.LibraryKey, fresh.Vendor, fresh.Product, fresh.Serial));
        Assert.Null(fresh.Reservation);
        Assert.Empty(fresh.Operations);
        // Reading wrote nothing: another library's update creates the database, and this one is still not in it.
        new CleanerStateStore(_dir, "STK", "L700", "OTHER").Update(s => s.Reservation = new CleanerReservation { Address = 1020, Slot = 21 });
        Assert.Null(store.Peek());
        Assert.Equal(21, new CleanerStateStore(_dir, "STK", "L700", "OTHER").Peek()!.Reservation!.Slot);
        Assert.Equal(0, store.Update(s => s.Operations.Count, write: false));
        Assert.Null(store.Peek());
    }

    [Fact]
    public void Any_library_of_a_vendor_and_product_is_found_in_the_database_or_in_an_old_file()
    {
        Assert.False(CleanerStateStore.AnyLibrary(_dir, "STK", "L700"));
        new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A").Update(s => s.Reservation = new CleanerReservation { Address = 1020, Slot = 21 });
        Assert.True(CleanerStateStore.AnyLibrary(_dir, "STK", "L700"));
        Assert.False(CleanerStateStore.AnyLibrary(_dir, "STK", "L80"));
        Assert.False(CleanerStateStore.AnyLibrary(_dir, "IBM", "L700"));
    }

    [Fact]
    public void An_old_cleaner_file_counts_for_its_vendor_and_product_only()
    {
        string other = ScratchDirectory.Create("tc-store-old-");
        try
        {
            string folder = Path.Combine(other, "libraries", CleanerStateStore.KeyOf("STK", "L700", "XYZZY_A"));
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "cleaner.json"), "{}");
            Assert.True(CleanerStateStore.AnyLibrary(other, "STK", "L700"));
            Assert.False(CleanerStateStore.AnyLibrary(other, "STK", "L70"));      // "STK-L70-" is not a prefix of "STK-L700-..."
            Assert.False(CleanerStateStore.AnyLibrary(other, "ST", "K-L700"));    // the same text, another identity
            Assert.False(StateDatabase.ExistsIn(other));                          // found without opening a database
            File.Move(Path.Combine(folder, "cleaner.json"), Path.Combine(folder, "cleaner.json.imported"));
            Assert.False(CleanerStateStore.AnyLibrary(other, "STK", "L700"));     // an imported file is only a backup
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void Peek_imports_an_old_file_that_waits_without_a_database()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Directory.CreateDirectory(store.Directory);
        File.WriteAllText(Path.Combine(store.Directory, "cleaner.json"), File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "state", "cleaner-schema2.json")));
        Assert.False(StateDatabase.ExistsIn(_dir));

        Assert.Equal(21, store.Peek()!.Reservation!.Slot);
        Assert.True(File.Exists(Path.Combine(store.Directory, "cleaner.json.imported")));
    }

    [Fact]
    public void An_old_file_of_a_newer_schema_is_refused_with_its_path_and_stays()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Directory.CreateDirectory(store.Directory);
        string json = Path.Combine(store.Directory, "cleaner.json");
        string text = $"{{\"schemaVersion\": {CleanerState.CurrentSchema + 1}}}";
        File.WriteAllText(json, text);

        var e = Assert.Throws<CleanerException>(() => store.Read());

        Assert.Equal(NtmsResult.ERROR_DATABASE_FAILURE, e.Result);
        Assert.Equal($"cleaner state {json} has schema {CleanerState.CurrentSchema + 1}, newer than this tapechanger understands ({CleanerState.CurrentSchema}); not imported", e.Message);
        Assert.Equal(text, File.ReadAllText(json));
        Assert.False(File.Exists(json + ".imported"));
    }

    [Fact]
    public void An_old_file_of_the_current_schema_is_imported()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Directory.CreateDirectory(store.Directory);
        string json = Path.Combine(store.Directory, "cleaner.json");
        File.WriteAllText(json, $"{{\"schemaVersion\": {CleanerState.CurrentSchema}, \"libraryKey\": \"somewhere-else\", \"vendor\": \"STK\", \"product\": \"L700\", \"serial\": \"XYZZY_A\", \"cleaner\": {{\"barcode\": \"CLN9\", \"cleansLeft\": 3}}}}");

        var st = store.Read();

        Assert.Equal(store.Key, st.LibraryKey);                 // the folder's key, not the file's
        Assert.Equal(("CLN9", 3u), (st.Cleaner!.Barcode, st.Cleaner.CleansLeft));
        Assert.True(File.Exists(json + ".imported"));
        Assert.Equal([store.Key], StateRows.Column(_dir, "libraries", "library_key"));
    }

    [Fact]
    public void An_old_file_holding_null_is_corrupt_and_the_message_names_both_files()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A");
        Directory.CreateDirectory(store.Directory);
        string json = Path.Combine(store.Directory, "cleaner.json");
        File.WriteAllText(json, "null");

        var e = Assert.Throws<CleanerException>(() => store.Read());

        Assert.Equal(NtmsResult.ERROR_DATABASE_FAILURE, e.Result);
        Assert.Equal($"cleaner state {json} is corrupt, not imported into {store.DatabasePath}: the file holds null", e.Message);
        Assert.Equal("null", File.ReadAllText(json));
    }

    [Fact]
    public void A_damaged_old_device_index_is_set_aside_and_a_known_device_keeps_its_library()
    {
        Directory.CreateDirectory(Libraries);
        string index = Path.Combine(Libraries, "devices.json");
        File.WriteAllText(index, "{ not json");

        Assert.Null(ReservationIndex.ReservedAddress(_dir, "virtual:"));
        Assert.False(File.Exists(index));
        Assert.Equal("{ not json", File.ReadAllText(index + ".imported"));
        Assert.Empty(StateRows.Column(_dir, "device_index", "device"));

        // An index holding null is empty.
        File.WriteAllText(index, "null");
        Assert.Null(ReservationIndex.ReservedAddress(_dir, "virtual:"));
        Assert.Equal("null", File.ReadAllText(index + ".imported"));
        Assert.Empty(StateRows.Column(_dir, "device_index", "device"));

        // A device the database already knows is not pointed elsewhere by an old index that shows up later.
        ReservationIndex.Write(_dir, "virtual:", "STK-L700-XYZZY_A-ff9c9f94");
        File.WriteAllText(index, "{\"virtual:\": \"OLD-KEY\", \"sg:/dev/sg3\": \"STK-L700-XYZZY_A-ff9c9f94\"}");
        Assert.Null(ReservationIndex.ReservedAddress(_dir, "virtual:"));
        Assert.Equal(["STK-L700-XYZZY_A-ff9c9f94"], StateRows.Column(_dir, "device_index", "library_key", "device = 'virtual:'"));
        Assert.Equal(["STK-L700-XYZZY_A-ff9c9f94"], StateRows.Column(_dir, "device_index", "library_key", "device = 'sg:/dev/sg3'"));
        Assert.False(File.Exists(index));
    }

    [Fact]
    public async Task A_robot_lock_held_elsewhere_times_out_as_the_robot_being_busy_naming_the_lock_file()
    {
        string folder = Path.Combine(Libraries, "STK-L700-XYZZY_A-ff9c9f94");
        using (var held = await RobotLock.AcquireAsync(folder, TimeSpan.FromSeconds(5), CancellationToken.None))
        {
            Assert.True(File.Exists(Path.Combine(folder, "robot.lock")));      // the folder is made for it
            var e = await Assert.ThrowsAsync<CleanerException>(() => RobotLock.AcquireAsync(folder, TimeSpan.FromMilliseconds(100), CancellationToken.None));
            Assert.Equal(NtmsResult.ERROR_TIMEOUT, e.Result);
            Assert.Equal($"the library robot is busy with another process ({Path.Combine(folder, "robot.lock")})", e.Message);
            // Another named lock in the same folder is another lock.
            using var cleaner = await RobotLock.AcquireAsync(folder, "cleaner-busy.lock", TimeSpan.FromMilliseconds(100), CancellationToken.None);
        }
        using var again = await RobotLock.AcquireAsync(folder, TimeSpan.FromMilliseconds(100), CancellationToken.None);
    }

    [Fact]
    public void A_look_without_the_serial_is_completed_from_the_library_last_seen_at_the_device()
    {
        new CleanerStateStore(_dir, "STK", "L700", "XYZZY_A").Update(s => s.Reservation = new CleanerReservation { Address = 1020, Slot = 21 });
        Assert.Null(ReservationIndex.PeekAt(_dir, "virtual:", "STK", "L700", null));          // the device was never seen
        ReservationIndex.Write(_dir, "virtual:", "STK-L700-XYZZY_A-ff9c9f94");

        Assert.Equal(21, ReservationIndex.PeekAt(_dir, "virtual:", "STK", "L700", null)!.Reservation!.Slot);
        Assert.Equal(21, ReservationIndex.PeekAt(_dir, "virtual:", "STK", "L700", "XYZZY_A")!.Reservation!.Slot);
        // Another serial, vendor or product is another library: nothing saved for it.
        Assert.Null(ReservationIndex.PeekAt(_dir, "virtual:", "STK", "L700", "OTHER"));
        Assert.Null(ReservationIndex.PeekAt(_dir, "virtual:", "IBM", "L700", null));
        Assert.Null(ReservationIndex.PeekAt(_dir, "virtual:", "STK", "L80", null));
        Assert.Null(ReservationIndex.PeekAt(_dir, "sg:/dev/sg3", "STK", "L700", null));
        // The device now points at another library (re-cabled): the index follows.
        ReservationIndex.Write(_dir, "virtual:", "STK-L700-OTHER-00000000");
        Assert.Equal(["STK-L700-OTHER-00000000"], StateRows.Column(_dir, "device_index", "library_key", "device = 'virtual:'"));
        Assert.Null(ReservationIndex.ReservedAddress(_dir, "virtual:"));
    }

    [Fact]
    public void A_library_without_a_serial_is_found_from_its_device_too()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", null);
        store.Update(s => s.Reservation = new CleanerReservation { Address = 1020, Slot = 21 });
        ReservationIndex.Write(_dir, "virtual:", store.Key);
        ReservationIndex.Write(_dir, "virtual:", store.Key);                      // seen again: unchanged

        Assert.Equal(21, ReservationIndex.PeekAt(_dir, "virtual:", "STK", "L700", null)!.Reservation!.Slot);
        Assert.Equal((ushort)1020, ReservationIndex.ReservedAddress(_dir, "virtual:"));
        Assert.Equal([store.Key], StateRows.Column(_dir, "device_index", "library_key"));
    }
}
