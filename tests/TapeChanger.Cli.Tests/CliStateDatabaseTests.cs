using TapeChanger.Cleaning.Tests;
using TapeChanger.State;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The state database through the CLI (in-process, on the virtual library): a damaged database or old state file is
/// ERROR_DATABASE_FAILURE with the path (exit 78, one line) and is left as it was, `status` still shows the library
/// with one warning, a full disk is ERROR_DATABASE_FULL (exit 92) with the previous state intact, old JSON state is
/// imported, and `db check|backup|restore` do what README says.
/// </summary>
public sealed class CliStateDatabaseTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };

    public void Dispose()
    {
        StateDatabase.ReleaseConnections();
        _cli.Dispose();
    }

    private string Db => StateDatabase.PathIn(_cli.StateDirectory);

    private CliRunner.Result Run(params string[] args) => _cli.Run(args);

    private static void OneLine(CliRunner.Result r, string mustContain)
    {
        Assert.Matches(@"^tapechanger: [^\r\n]+\n?$", r.Stderr);
        Assert.Contains(mustContain, r.Stderr);
        Assert.DoesNotContain("internal error", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    /// <summary>A library with a reserved cleaner slot (21) and the device index, the database closed.</summary>
    private void Reserved()
    {
        Assert.Equal(0, Run("status").ExitCode);
        var r = Run("cleaner", "reserve", "21");
        Assert.True(r.ExitCode == 0, r.Stderr);
        StateDatabase.ReleaseConnections();
    }

    private void Overwrite(byte[] bytes)
    {
        StateDatabase.ReleaseConnections();
        File.WriteAllBytes(Db, bytes);
        File.Delete(Db + "-wal");
        File.Delete(Db + "-shm");
    }

    [Fact]
    public void A_database_of_garbage_fails_moves_with_78_and_the_path_and_status_still_shows_the_library()
    {
        Reserved();
        byte[] garbage = [.. Enumerable.Range(0, 20000).Select(i => (byte)(i * 31 + 7))];
        Overwrite(garbage);

        var load = Run("load", "1", "0");
        Assert.Equal(78, load.ExitCode);
        Assert.Equal("", load.Stdout);
        OneLine(load, $"tapechanger: ERROR_DATABASE_FAILURE (4313): state database {Db}: is not a SQLite database");

        var status = Run("status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("STK L700", status.Stdout);
        Assert.Contains("slot 22", status.Stdout);
        OneLine(status, $"tapechanger: warning: cleaner state not shown: state database {Db}: is not a SQLite database");

        var json = Run("load", "1", "0", "--json");
        Assert.Equal(78, json.ExitCode);
        Assert.Equal("ERROR_DATABASE_FAILURE", json.Json.GetProperty("error").GetProperty("kind").GetString());

        var cleaner = Run("cleaner", "status");
        Assert.Equal(78, cleaner.ExitCode);
        OneLine(cleaner, $"ERROR_DATABASE_FAILURE (4313): state database {Db}");
        var check = Run("db", "check");
        Assert.Equal(78, check.ExitCode);
        OneLine(check, Db);

        Assert.Equal(garbage, File.ReadAllBytes(Db));                    // nothing overwrote it: an operator can still rescue it
    }

    [Fact]
    public void A_truncated_database_is_a_database_failure_and_stays_as_it_was()
    {
        Reserved();
        for (int i = 0; i < 30; i++) Assert.Equal(0, Run("cleaner", "status").ExitCode);   // a few pages of journal-free state is small: grow it
        byte[] whole = File.ReadAllBytes(Db);
        byte[] cut = whole[..4096];                                      // only the first page: the tables' pages are gone
        Overwrite(cut);

        var r = Run("cleaner", "status");
        Assert.Equal(78, r.ExitCode);
        OneLine(r, $"ERROR_DATABASE_FAILURE (4313): state database {Db}: is corrupt");
        Assert.Equal(0, Run("status").ExitCode);
        Assert.Equal(cut, File.ReadAllBytes(Db));
    }

    [Fact]
    public void A_corrupt_old_cleaner_json_is_not_an_internal_error()
    {
        // State of the previous version: the device index and a damaged cleaner.json (status and load said "internal error", exit 70).
        string lib = Path.Combine(_cli.StateDirectory, "libraries", "STK-L700-XYZZY_A-ff9c9f94");
        Directory.CreateDirectory(lib);
        File.WriteAllText(Path.Combine(_cli.StateDirectory, "libraries", "devices.json"), File.ReadAllText(CliRunner.Fixture("state/devices.json")));
        File.WriteAllText(Path.Combine(lib, "cleaner.json"), "{ \"schemaVersion\": 2, \"reservation\": ");

        var load = Run("load", "1", "0");
        Assert.Equal(78, load.ExitCode);
        OneLine(load, $"ERROR_DATABASE_FAILURE (4313): cleaner state {Path.Combine(lib, "cleaner.json")} is corrupt");
        var status = Run("status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("STK L700", status.Stdout);
        OneLine(status, "tapechanger: warning: cleaner state not shown: cleaner state ");
        Assert.Equal("{ \"schemaVersion\": 2, \"reservation\": ", File.ReadAllText(Path.Combine(lib, "cleaner.json")));
    }

    [Fact]
    public void Old_json_state_is_imported_on_first_use_and_kept_as_backups()
    {
        string lib = Path.Combine(_cli.StateDirectory, "libraries", "STK-L700-XYZZY_A-ff9c9f94");
        Directory.CreateDirectory(lib);
        File.Copy(CliRunner.Fixture("state/devices.json"), Path.Combine(_cli.StateDirectory, "libraries", "devices.json"));
        File.Copy(CliRunner.Fixture("state/cleaner-schema2.json"), Path.Combine(lib, "cleaner.json"));

        var status = Run("cleaner", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("Cleaner slot: 21 (element 1020)", status.Stdout);
        Assert.Contains("Cleaner: CLN201L8, 49 cleaning(s) left, used 1 time(s)", status.Stdout);
        Assert.Contains("Drive 2 (XYZZY_A3): NEEDS CLEANING", status.Stdout);
        Assert.True(File.Exists(Path.Combine(lib, "cleaner.json.imported")));
        Assert.True(File.Exists(Path.Combine(_cli.StateDirectory, "libraries", "devices.json.imported")));
        Assert.False(File.Exists(Path.Combine(lib, "cleaner.json")));
        // The reservation binds data commands: slot 21 is not the library's to use.
        Assert.Contains("NEEDS CLEANING", Run("status").Stdout);
        var ops = Run("operations");
        Assert.Contains("945b364a-c7af-402a-b7ba-752b335377eb  clean  failed", ops.Stdout);
    }

    [Fact]
    public void Db_check_reports_integrity_schema_and_rows()
    {
        Assert.Equal(0, Run("db", "check").ExitCode);                    // no database yet: says so, creates nothing
        Assert.False(File.Exists(Db));
        Reserved();

        var r = Run("db", "check");

        Assert.Equal(0, r.ExitCode);
        Assert.Contains($"database: {Db}", r.Stdout);
        Assert.Contains("integrity: ok", r.Stdout);
        Assert.Contains($"schema: {Migration.BuiltIn.Max(m => m.Version)} (0001 libraries, 0002 cleaner, 0003 learned_quirks", r.Stdout);
        Assert.Contains("cleaner_reservations 1", r.Stdout);
        Assert.Contains("device_index 1", r.Stdout);
        var json = Run("db", "check", "--json").Json;
        Assert.True(json.GetProperty("integrityOk").GetBoolean());
        Assert.Equal(1, json.GetProperty("tables").GetProperty("libraries").GetInt64());
    }

    [Fact]
    public void Db_backup_and_restore_bring_back_the_state_and_keep_the_replaced_database()
    {
        Reserved();
        string backup = Path.Combine(_cli.StateDirectory, "..", Path.GetFileName(_cli.StateDirectory) + "-backup.db");
        try
        {
            var b = Run("db", "backup", backup);
            Assert.True(b.ExitCode == 0, b.Stderr);
            Assert.Contains("backed up", b.Stdout);
            Assert.Equal(64, Run("db", "backup", backup).ExitCode);     // never overwrites
            Assert.Equal(0, Run("cleaner", "release").ExitCode);
            Assert.Contains("Cleaner slot: none reserved", Run("cleaner", "status").Stdout);

            var r = Run("db", "restore", backup);

            Assert.True(r.ExitCode == 0, r.Stderr);
            Assert.Contains("the replaced database is kept as", r.Stdout);
            Assert.Contains("Cleaner slot: 21 (element 1020)", Run("cleaner", "status").Stdout);
            var kept = Directory.GetFiles(_cli.StateDirectory, StateDatabase.FileName + ".replaced-*").Where(f => !f.EndsWith("-wal") && !f.EndsWith("-shm")).Single();
            Assert.Empty(StateDatabase.OpenFile(kept).Read(tx => tx.Query("SELECT slot FROM cleaner_reservations", x => x.GetInt64(0))));
        }
        finally
        {
            File.Delete(backup);
        }
    }

    [Fact]
    public void Db_restore_refuses_what_is_not_a_usable_backup_and_changes_nothing()
    {
        Reserved();
        string before = StateRows.Dump(_cli.StateDirectory);
        string junk = Path.Combine(_cli.StateDirectory, "junk.db");
        File.WriteAllText(junk, "this is not a database\n");
        var r = Run("db", "restore", junk);
        Assert.Equal(78, r.ExitCode);
        OneLine(r, $"state database {junk}: is not a SQLite database; nothing was restored");

        string newer = Path.Combine(_cli.StateDirectory, "newer.db");
        StateDatabase.OpenFile(newer).Write(tx => tx.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (99, 'future', 'x')"));
        StateDatabase.ReleaseConnections();
        r = Run("db", "restore", newer);
        Assert.Equal(78, r.ExitCode);
        OneLine(r, "has schema version 99, newer than this tapechanger understands");

        Assert.Equal(66, Run("db", "restore", Path.Combine(_cli.StateDirectory, "missing.db")).ExitCode);
        Assert.Equal(before, StateRows.Dump(_cli.StateDirectory));
        Assert.Empty(Directory.GetFiles(_cli.StateDirectory, "*.replaced-*"));
    }

    [TinyDiskFact]
    public void A_full_disk_during_cleaner_release_is_database_full_and_keeps_the_reservation()
    {
        using var disk = TinyDisks.Mount();
        string[] at = ["--state-dir", disk.Path];
        Assert.Equal(0, _cli.Run([.. at, "status"]).ExitCode);
        Assert.Equal(0, _cli.Run([.. at, "cleaner", "reserve", "21"]).ExitCode);
        string before = StateRows.Dump(disk.Path);
        disk.Fill();

        var r = _cli.Run([.. at, "cleaner", "release"]);

        Assert.Equal(92, r.ExitCode);
        OneLine(r, $"tapechanger: ERROR_DATABASE_FULL (4314): state database {StateDatabase.PathIn(disk.Path)}: the disk or the database is full; nothing was written");
        disk.Free();
        StateDatabase.ReleaseConnections();
        Assert.Equal(before, StateRows.Dump(disk.Path));
        Assert.Contains("Cleaner slot: 21", _cli.Run([.. at, "cleaner", "status"]).Stdout);
    }
}
