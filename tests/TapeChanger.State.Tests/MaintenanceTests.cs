namespace TapeChanger.State.Tests;

public class MaintenanceTests
{
    private static StateDatabase WithRows(string stateDir, int n)
    {
        var db = StateDatabase.Open(stateDir);
        db.Write(tx =>
        {
            for (int i = 0; i < n; i++) tx.Execute("INSERT INTO device_index (device, library_key) VALUES (@d, 'k')", ("d", $"dev{i}"));
        });
        return db;
    }

    private static long Devices(StateDatabase db) => db.Read(tx => (long)tx.Scalar("SELECT count(*) FROM device_index")!);

    [Fact]
    public void Check_reports_integrity_schema_and_rows()
    {
        using var dir = new TempDir();
        var report = StateMaintenance.Check(WithRows(dir.Path, 3));
        Assert.True(report.IntegrityOk);
        Assert.Empty(report.Problems);
        Assert.Equal(Migration.BuiltIn.Max(m => m.Version), report.SchemaVersion);
        Assert.Contains(("device_index", 3L), report.Tables);
        Assert.Contains(report.Tables, t => t.Table == "schema_version");
    }

    [Fact]
    public void Backup_then_restore_brings_back_the_backed_up_state_and_keeps_the_replaced_database()
    {
        using var dir = new TempDir();
        string state = dir.File("state");
        var db = WithRows(state, 2);
        string backup = dir.File("backup.db");
        StateMaintenance.Backup(db, backup);
        Assert.Throws<IOException>(() => StateMaintenance.Backup(db, backup));      // never overwrites
        db.Write(tx => tx.Execute("DELETE FROM device_index"));
        Assert.Equal(0, Devices(db));

        string? kept = StateMaintenance.Restore(state, backup);

        Assert.Equal(2, Devices(StateDatabase.Open(state)));
        Assert.NotNull(kept);
        Assert.Equal(0, Devices(StateDatabase.OpenFile(kept!)));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
    }

    [Fact]
    public void Restore_refuses_a_file_that_is_not_a_database_and_changes_nothing()
    {
        using var dir = new TempDir();
        string state = dir.File("state");
        WithRows(state, 2);
        string junk = dir.File("junk.db");
        File.WriteAllText(junk, "not a database at all");

        var e = Assert.Throws<StateDatabaseException>(() => StateMaintenance.Restore(state, junk));

        Assert.Equal(junk, e.DatabasePath);
        Assert.Contains("not a SQLite database; nothing was restored", e.Message);
        Assert.Equal(2, Devices(StateDatabase.Open(state)));
        // The live database's -wal and -shm come and go with its connections (another test releasing every pool
        // meanwhile closes them): not counted.
        string[] companions = [StateDatabase.FileName + "-shm", StateDatabase.FileName + "-wal"];
        Assert.Equal([StateDatabase.FileName],
            Directory.GetFiles(state).Select(Path.GetFileName).Order().Where(n => !companions.Contains(n) && !n!.EndsWith(".restoring", StringComparison.Ordinal)));
    }

    [Fact]
    public void Restore_refuses_a_database_with_a_newer_schema()
    {
        using var dir = new TempDir();
        string state = dir.File("state");
        WithRows(state, 2);
        string newer = dir.File("newer.db");
        var future = StateDatabase.OpenFile(newer);
        future.Write(tx => tx.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, 'future', 'x')"));
        StateDatabase.ReleaseConnections();

        var e = Assert.Throws<StateDatabaseException>(() => StateMaintenance.Restore(state, newer));

        Assert.Equal(newer, e.DatabasePath);
        Assert.Contains("schema version 9999, newer than this tapechanger understands", e.Message);
        Assert.Equal(2, Devices(StateDatabase.Open(state)));
    }
}
