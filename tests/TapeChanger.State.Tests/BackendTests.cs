using System.Globalization;

namespace TapeChanger.State.Tests;

/// <summary>The state layer's contract, run on SQLite and on PostgreSQL with the same migrations and statements.</summary>
public class BackendTests
{
    private static readonly Migration A = new(1, "a", "CREATE TABLE a (x INTEGER NOT NULL);\nINSERT INTO a (x) VALUES (1);");
    private static readonly Migration B = new(2, "b", "-- needs a\nINSERT INTO a (x) SELECT x + 1 FROM a;\nCREATE TABLE b (y TEXT);");

    private static List<int> Applied(StateDatabase db) =>
        db.Read(tx => tx.Query("SELECT version FROM schema_version ORDER BY version", r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)));

    [Theory, OnSqlite, OnPostgres]
    public void Every_built_in_migration_applies_and_a_second_open_applies_nothing(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(Migration.BuiltIn);
        Assert.Equal(Migration.BuiltIn.Select(m => m.Version), Applied(db));
        Assert.Equal(Migration.BuiltIn.Max(m => m.Version), t.Open(Migration.BuiltIn).SchemaVersion);
        foreach (string table in new[] { "libraries", "cleaner_operations", "learned_quirks", "service_requests", "operator_requests", "api_tokens", "audit_log" })
        {
            Assert.True(t.HasTable(db, table), table);
        }
    }

    [Theory, OnSqlite, OnPostgres]
    public void An_integer_primary_key_left_out_of_an_insert_is_numbered(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(Migration.BuiltIn);
        long Insert(string name) => db.Write(tx => Convert.ToInt64(tx.Scalar(
            "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (@n, 'admin', @h, 'now') RETURNING id", ("n", name), ("h", name + "-hash")), CultureInfo.InvariantCulture));
        long first = Insert("one"), second = Insert("two");
        Assert.True(second > first, $"{second} after {first}");
    }

    [Theory, OnSqlite, OnPostgres]
    public void Write_commits_and_a_throwing_write_changes_nothing(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(TestMigrations.CounterSchema);
        TestMigrations.Increment(db);
        Assert.Throws<InvalidOperationException>(() => db.Write(tx =>
        {
            tx.Execute("UPDATE counter SET value = 99 WHERE id = 1");
            throw new InvalidOperationException("caller failed");
        }));
        Assert.Equal(1, TestMigrations.Counter(db));
    }

    [Theory, OnSqlite, OnPostgres]
    public void A_write_inside_a_write_joins_it_and_inside_a_read_is_refused(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(TestMigrations.CounterSchema);
        db.Write(_ => { TestMigrations.Increment(db); TestMigrations.Increment(db); });
        Assert.Equal(2, TestMigrations.Counter(db));
        Assert.Throws<InvalidOperationException>(() => db.Read(_ => TestMigrations.Increment(db)));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task Four_writers_reading_then_writing_lose_no_update(Backend backend)
    {
        using var t = new TestDatabase(backend);
        t.Open(TestMigrations.CounterSchema);
        var tasks = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var mine = t.Open(TestMigrations.CounterSchema);
            for (int i = 0; i < 100; i++) TestMigrations.Increment(mine);
        }));
        await Task.WhenAll(tasks);
        Assert.Equal(400, TestMigrations.Counter(t.Open(TestMigrations.CounterSchema)));
    }

    [Theory, OnSqlite, OnPostgres]
    public void Migrations_apply_in_order_once_and_a_failing_one_leaves_the_schema_as_it_was(Backend backend)
    {
        using var t = new TestDatabase(backend);
        t.Open([A]);
        var broken = new Migration(2, "broken", "CREATE TABLE c (z INTEGER);\nINSERT INTO no_such_table VALUES (1);");
        Assert.ThrowsAny<Exception>(() => t.Open([A, broken]));
        var db = t.Open([A]);
        Assert.False(t.HasTable(db, "c"));
        db = t.Open([A, B]);
        db = t.Open([A, B]);
        Assert.Equal([1, 2], Applied(db));
        Assert.Equal([1L, 2L], db.Read(tx => tx.Query("SELECT x FROM a ORDER BY x", r => Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture))));
    }

    [Theory, OnSqlite, OnPostgres]
    public void A_database_from_a_newer_program_is_refused_naming_it(Backend backend)
    {
        using var t = new TestDatabase(backend);
        t.Open([A, B]);
        var e = Assert.Throws<StateDatabaseException>(() => t.Open([A]));
        Assert.Contains("schema version 2, newer than this tapechanger understands", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory, OnSqlite, OnPostgres]
    public void The_database_clock_is_the_time_in_milliseconds(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open([A]);
        long now = Convert.ToInt64(db.Read(tx => tx.Scalar("SELECT " + db.NowMilliseconds)), CultureInfo.InvariantCulture);
        Assert.InRange(now - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), -5_000, 5_000);
    }

    [Theory, OnSqlite, OnPostgres]
    public void Row_locking_writes_commit_like_writes(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(TestMigrations.CounterSchema);
        db.WriteRows(tx => tx.Query("SELECT value FROM counter WHERE id = 1" + db.LockRows, r => r.GetValue(0)));
        Assert.Equal(1, db.WriteRows(tx => tx.Execute("UPDATE counter SET value = value + 5 WHERE id = 1")));
        Assert.Equal(5, TestMigrations.Counter(db));
    }
}
