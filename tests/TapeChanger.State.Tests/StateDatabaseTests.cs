using System.Globalization;

namespace TapeChanger.State.Tests;

public class StateDatabaseTests
{
    [Fact]
    public void Open_creates_an_owner_only_wal_database_with_full_sync_and_foreign_keys()
    {
        using var dir = new TempDir();
        string stateDir = dir.File("state");
        Assert.False(StateDatabase.ExistsIn(stateDir));

        var db = StateDatabase.Open(stateDir);

        Assert.Equal(Path.Combine(stateDir, "tapechanger.db"), db.Path);
        Assert.True(StateDatabase.ExistsIn(stateDir));
        db.Read(tx =>
        {
            Assert.Equal("wal", tx.Scalar("PRAGMA journal_mode"));
            Assert.Equal(2L, tx.Scalar("PRAGMA synchronous"));          // 2 = FULL
            Assert.Equal(1L, tx.Scalar("PRAGMA foreign_keys"));
            Assert.Equal(30000L, tx.Scalar("PRAGMA busy_timeout"));
            // While the connection is open: the -wal goes when the last one closes (another test releasing every pool).
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db.Path + "-wal"));
            return 0;
        });
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db.Path));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(stateDir));
        }
    }

    [Fact]
    public void Built_in_migrations_are_numbered_in_order_and_all_applied()
    {
        using var dir = new TempDir();
        var db = StateDatabase.Open(dir.Path);
        var versions = Migration.BuiltIn.Select(m => m.Version).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Max(), db.SchemaVersion);
        Assert.Equal(versions, db.Read(tx => tx.Query("SELECT version FROM schema_version ORDER BY version", r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture))));
        Assert.All(Migration.BuiltIn, m => Assert.InRange(m.Version, 1, 9999));
    }

    [Fact]
    public void Write_commits_and_a_throwing_write_changes_nothing()
    {
        using var dir = new TempDir();
        var db = StateDatabase.OpenFile(dir.File("t.db"), TestMigrations.CounterSchema);
        TestMigrations.Increment(db);
        Assert.Throws<InvalidOperationException>(() => db.Write(tx =>
        {
            tx.Execute("UPDATE counter SET value = 99 WHERE id = 1");
            throw new InvalidOperationException("caller failed");
        }));
        Assert.Equal(1, TestMigrations.Counter(db));
    }

    [Fact]
    public void A_write_inside_a_write_joins_it_and_inside_a_read_is_refused()
    {
        using var dir = new TempDir();
        var db = StateDatabase.OpenFile(dir.File("t.db"), TestMigrations.CounterSchema);
        db.Write(_ => { TestMigrations.Increment(db); TestMigrations.Increment(db); });
        Assert.Equal(2, TestMigrations.Counter(db));
        Assert.Throws<InvalidOperationException>(() => db.Read(_ => TestMigrations.Increment(db)));
    }

    [Fact]
    public async Task Four_writers_on_separate_connections_lose_no_update()
    {
        using var dir = new TempDir();
        string path = dir.File("t.db");
        StateDatabase.OpenFile(path, TestMigrations.CounterSchema);
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var mine = StateDatabase.OpenFile(path, TestMigrations.CounterSchema);   // its own instance and connections
            for (int i = 0; i < 200; i++) TestMigrations.Increment(mine);
        }));
        await Task.WhenAll(tasks);
        Assert.Equal(800, TestMigrations.Counter(StateDatabase.OpenFile(path, TestMigrations.CounterSchema)));
    }
    [Fact]
    public void A_connection_opened_again_from_the_pool_keeps_its_settings()
    {
        using var dir = new TempDir();
        var db = StateDatabase.Open(dir.Path);
        for (int i = 0; i < 3; i++)                                   // each from the pool: the open's check made the handle
        {
            db.Write(tx =>
            {
                Assert.Equal("wal", tx.Scalar("PRAGMA journal_mode"));
                Assert.Equal(2L, tx.Scalar("PRAGMA synchronous"));
                Assert.Equal(1L, tx.Scalar("PRAGMA foreign_keys"));
                Assert.Equal(30000L, tx.Scalar("PRAGMA busy_timeout"));
            });
        }
        using var readOnly = db.Connect(readOnly: true);
        Assert.True(SqliteDialect.IsConfigured(readOnly));
        using var cmd = readOnly.CreateCommand();
        cmd.CommandText = "PRAGMA foreign_keys";
        Assert.Equal(1L, cmd.ExecuteScalar());
        cmd.CommandText = "CREATE TABLE not_here (x INTEGER)";
        Assert.Contains("readonly", Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => cmd.ExecuteNonQuery()).Message);
    }

    [Fact]
    public void A_database_removed_after_it_was_checked_is_made_again_by_the_next_open()
    {
        using var dir = new TempDir();
        var first = StateDatabase.Open(dir.Path);
        StateDatabase.ReleaseConnections();
        File.Delete(first.Path);
        File.Delete(first.Path + "-wal");
        File.Delete(first.Path + "-shm");

        var again = StateDatabase.Open(dir.Path);

        Assert.Equal(first.SchemaVersion, again.SchemaVersion);
        Assert.Equal(Migration.BuiltIn.Count, again.Read(tx => Convert.ToInt32(tx.Scalar("SELECT count(*) FROM schema_version"), CultureInfo.InvariantCulture)));
    }
}

/// <summary>
/// What a process remembers of the files whose schema it checked. Alone: other tests release the connections (and
/// with them what was remembered) at any time.
/// </summary>
[Collection(nameof(CheckedSchemaCollection))]
public class CheckedSchemaTests
{
    [Fact]
    public void A_file_is_checked_once_per_process_until_the_connections_are_released()
    {
        using var dir = new TempDir();
        var db = StateDatabase.Open(dir.Path);
        db.Write(tx => tx.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, 'future', 'x')"));

        Assert.Equal(db.SchemaVersion, StateDatabase.Open(dir.Path).SchemaVersion);     // not read again
        Assert.Equal(db.SchemaVersion, StateDatabase.OpenFile(db.Path).SchemaVersion);

        StateDatabase.ReleaseConnections();                                            // as before a file is replaced
        var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.Open(dir.Path));
        Assert.Contains("schema version 9999, newer than this tapechanger understands", e.Message);
    }

    [Fact]
    public void A_checked_file_removed_meanwhile_is_created_again()
    {
        using var dir = new TempDir();
        string path = StateDatabase.Open(dir.Path).Path;
        File.Delete(path);

        StateDatabase.Open(dir.Path);

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void Other_migrations_on_a_checked_file_are_checked_every_time()
    {
        using var dir = new TempDir();
        var db = StateDatabase.Open(dir.Path);
        db.Write(tx => tx.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (9999, 'future', 'x')"));

        var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.OpenFile(db.Path, [.. Migration.BuiltIn]));
        Assert.Contains("schema version 9999", e.Message);
    }
}

[CollectionDefinition(nameof(CheckedSchemaCollection), DisableParallelization = true)]
public sealed class CheckedSchemaCollection;
