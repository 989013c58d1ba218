using System.Globalization;
using System.Runtime.Versioning;

using TapeChanger.Testing;

namespace TapeChanger.State.Tests;

public class FailureTests
{
    [Fact]
    public void Garbage_bytes_are_a_database_failure_naming_the_path_and_the_file_is_left_alone()
    {
        using var dir = new TempDir();
        string path = StateDatabase.PathIn(dir.Path);
        byte[] garbage = [.. Enumerable.Range(0, 8192).Select(i => (byte)(i * 7 + 3))];
        File.WriteAllBytes(path, garbage);

        var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.Open(dir.Path));

        Assert.Equal(StateFailure.Failure, e.Kind);
        Assert.Equal(path, e.DatabasePath);
        Assert.Equal($"state database {path}: is not a SQLite database (damaged or overwritten); restore a backup (tapechanger db restore)", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(garbage, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_truncated_database_is_a_database_failure_and_is_not_rewritten()
    {
        using var dir = new TempDir();
        string path = dir.File("t.db");
        var db = StateDatabase.OpenFile(path, TestMigrations.CounterSchema);
        db.Write(tx =>
        {
            for (int i = 0; i < 400; i++) tx.Execute("INSERT INTO journal (n, text) VALUES (@n, @t)", ("n", i), ("t", new string('x', 500)));
        });
        StateDatabase.ReleaseConnections();                          // checkpoint: everything in the main file
        Assert.False(File.Exists(path + "-wal"));
        byte[] whole = File.ReadAllBytes(path);
        byte[] cut = whole[..(whole.Length / 3)];
        File.WriteAllBytes(path, cut);

        var e = Assert.Throws<StateDatabaseException>(() =>
        {
            var again = StateDatabase.OpenFile(path, TestMigrations.CounterSchema);
            again.Read(tx => tx.Query("SELECT n, text FROM journal", r => r.GetInt64(0)));
        });

        Assert.Equal(StateFailure.Failure, e.Kind);
        Assert.Equal(path, e.DatabasePath);
        Assert.Contains("is corrupt", e.Message);
        Assert.Equal(cut, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_full_database_is_database_full_and_keeps_the_previous_state()
    {
        using var dir = new TempDir();
        string path = dir.File("t.db");
        var db = StateDatabase.OpenFile(path, TestMigrations.CounterSchema);
        TestMigrations.Increment(db);

        var e = Assert.Throws<StateDatabaseException>(() => db.Write(tx =>
        {
            long pages = Convert.ToInt64(tx.Scalar("PRAGMA page_count"), CultureInfo.InvariantCulture);
            tx.Scalar($"PRAGMA max_page_count = {pages + 2}");       // this connection may grow the file by two pages
            tx.Execute("UPDATE counter SET value = 42 WHERE id = 1");
            for (int i = 0; i < 100; i++) tx.Execute("INSERT INTO journal (n, text) VALUES (@n, @t)", ("n", i), ("t", new string('y', 1000)));
        }));

        Assert.Equal(StateFailure.Full, e.Kind);
        Assert.Equal(path, e.DatabasePath);
        Assert.Equal($"state database {path}: the disk or the database is full; nothing was written", e.Message);
        StateDatabase.ReleaseConnections();                          // drop the connection with the page limit
        var reopened = StateDatabase.OpenFile(path, TestMigrations.CounterSchema);
        Assert.Equal(1, TestMigrations.Counter(reopened));
        Assert.Equal(0L, reopened.Read(tx => tx.Scalar("SELECT count(*) FROM journal")));
        Assert.True(StateMaintenance.Check(reopened).IntegrityOk);
    }

    [UnprivilegedUnixFact]
    [UnsupportedOSPlatform("windows")]
    public void An_unwritable_state_directory_is_a_database_failure_naming_the_path()
    {
        using var dir = new TempDir();
        string locked = dir.File("locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.Open(locked));
            Assert.Equal(StateFailure.Failure, e.Kind);
            Assert.Equal(StateDatabase.PathIn(locked), e.DatabasePath);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}
