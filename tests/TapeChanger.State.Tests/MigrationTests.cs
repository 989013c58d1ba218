using System.Globalization;

namespace TapeChanger.State.Tests;

public class MigrationTests
{
    private static List<(int Version, string Name)> Applied(StateDatabase db) =>
        db.Read(tx => tx.Query("SELECT version, name FROM schema_version ORDER BY version",
            r => (Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), r.GetString(1))));

    private static readonly Migration A = new(1, "a", "CREATE TABLE a (x INTEGER NOT NULL);\nINSERT INTO a (x) VALUES (1);");
    private static readonly Migration B = new(2, "b", "-- needs a\nINSERT INTO a (x) SELECT x + 1 FROM a;\nCREATE TABLE b (y TEXT);");
    private static readonly Migration Ten = new(10, "ten", "INSERT INTO a (x) VALUES (10);");

    [Fact]
    public void Migrations_run_in_version_order_whatever_order_they_are_given_in()
    {
        using var dir = new TempDir();
        var db = StateDatabase.OpenFile(dir.File("m.db"), Migration.Ordered([Ten, B, A]));
        Assert.Equal([(1, "a"), (2, "b"), (10, "ten")], Applied(db));
        Assert.Equal([1L, 2L, 10L], db.Read(tx => tx.Query("SELECT x FROM a ORDER BY x", r => r.GetInt64(0))));
        Assert.Equal(10, db.SchemaVersion);
    }

    [Fact]
    public void Reopening_applies_nothing_twice_and_a_new_migration_only_once()
    {
        using var dir = new TempDir();
        string path = dir.File("m.db");
        StateDatabase.OpenFile(path, [A]);
        StateDatabase.OpenFile(path, [A]);
        var db = StateDatabase.OpenFile(path, [A, B]);
        db = StateDatabase.OpenFile(path, [A, B]);
        Assert.Equal([(1, "a"), (2, "b")], Applied(db));
        Assert.Equal([1L, 2L], db.Read(tx => tx.Query("SELECT x FROM a ORDER BY x", r => r.GetInt64(0))));
    }

    [Fact]
    public void A_lower_numbered_migration_merged_later_is_still_applied()
    {
        using var dir = new TempDir();
        string path = dir.File("m.db");
        StateDatabase.OpenFile(path, [A, Ten]);
        var db = StateDatabase.OpenFile(path, [A, B, Ten]);
        Assert.Equal([(1, "a"), (2, "b"), (10, "ten")], Applied(db));
    }

    [Fact]
    public void A_failing_migration_leaves_the_schema_as_it_was()
    {
        using var dir = new TempDir();
        string path = dir.File("m.db");
        StateDatabase.OpenFile(path, [A]);
        var broken = new Migration(2, "broken", "CREATE TABLE c (z INTEGER);\nINSERT INTO no_such_table VALUES (1);");
        Assert.ThrowsAny<Exception>(() => StateDatabase.OpenFile(path, [A, broken]));
        var db = StateDatabase.OpenFile(path, [A]);
        Assert.Equal([(1, "a")], Applied(db));
        Assert.Equal(0L, db.Read(tx => tx.Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'c'")));
    }

    [Fact]
    public void A_database_from_a_newer_program_is_refused_with_its_path()
    {
        using var dir = new TempDir();
        string path = dir.File("m.db");
        StateDatabase.OpenFile(path, [A, B]);
        var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.OpenFile(path, [A]));
        Assert.Equal(StateFailure.Failure, e.Kind);
        Assert.Equal(path, e.DatabasePath);
        Assert.Contains("schema version 2, newer than this tapechanger understands", e.Message);
        Assert.StartsWith($"state database {path}: ", e.Message);
    }

    [Fact]
    public void Two_migrations_with_one_number_are_refused()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Migration.Ordered([A, new Migration(1, "again", "SELECT 1")]));
        Assert.Contains("0001", e.Message);
    }

    [Fact]
    public void Statements_split_at_line_ending_semicolons_and_skip_comments()
    {
        var m = new Migration(3, "x", "-- comment; with a semicolon\nCREATE TABLE t (\n  a TEXT -- not here\n);\nINSERT INTO t VALUES ('a;b');\n");
        Assert.Equal(["CREATE TABLE t (\n  a TEXT -- not here\n)", "INSERT INTO t VALUES ('a;b')"], m.Statements());
    }

    [Fact]
    public void Built_in_migrations_use_only_portable_types_and_syntax()
    {
        foreach (var m in Migration.BuiltIn)
        {
            string sql = m.Sql.ToUpperInvariant();
            foreach (string sqliteOnly in new[] { "AUTOINCREMENT", "PRAGMA", "WITHOUT ROWID", "INSERT OR ", "REPLACE INTO", " BLOB", " REAL", "DATETIME(", "STRICT" })
            {
                Assert.False(sql.Contains(sqliteOnly, StringComparison.Ordinal), $"{m.Version:0000}_{m.Name}.sql uses {sqliteOnly.Trim()}");
            }
        }
    }

    [Theory]
    [InlineData("migrations.0001_state.sql")]
    [InlineData("migrations.0030_fleet_leases.sql")]
    [InlineData("migrations.9999_X_9.sql")]
    [InlineData("migrations.001_short.sql")]
    [InlineData("migrations.00011_long.sql")]
    [InlineData("migrations.0001-dash.sql")]
    [InlineData("migrations.0001_.sql")]
    [InlineData("migrations.0001_a.b.sql")]
    [InlineData("migrations.0001_a.SQL")]
    [InlineData("Migrations.0001_a.sql")]
    [InlineData("x.migrations.0001_a.sql")]
    [InlineData("migrations.0001_a.sql.bak")]
    [InlineData("migrations.000a_a.sql")]
    [InlineData("migrations.0001_é.sql")]
    [InlineData("migrations.sql")]
    [InlineData("")]
    public void Resource_names_are_read_as_the_expression_read_them(string resource)
    {
        // The expression the embedded-resource names were matched with before (the CLI's image now carries no
        // regular-expression engine).
        var m = System.Text.RegularExpressions.Regex.Match(resource, @"^migrations\.(\d{4})_([A-Za-z0-9_]+)\.sql$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
        bool ok = Migration.TryParseResourceName(resource, out int version, out string name);
        Assert.Equal(m.Success, ok);
        if (ok) Assert.Equal((int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m.Groups[2].Value), (version, name));
    }

    [Fact]
    public void A_built_in_migration_reads_its_text_when_first_asked_for_it_and_once()
    {
        var assembly = new CountingAssembly(("migrations.0001_a.sql", "CREATE TABLE a (x INTEGER);"), ("migrations.0002_b.sql", "CREATE TABLE b (y INTEGER);"), ("other.txt", "-"));
        var loaded = Migration.Load(assembly);
        Assert.Equal([(1, "a"), (2, "b")], loaded.Select(m => (m.Version, m.Name)));
        Assert.Equal(0, assembly.Reads);                                 // versions and names come from the resource names
        Assert.Equal("CREATE TABLE b (y INTEGER);", loaded[1].Sql);
        Assert.Equal("CREATE TABLE b (y INTEGER);", loaded[1].Sql);
        Assert.Equal(1, assembly.Reads);
        Assert.Equal("X", new Migration(3, "c", "X").Sql);                // given text stays as given
    }

    /// <summary>An assembly whose resources are the texts given, counting the streams opened.</summary>
    private sealed class CountingAssembly(params (string Name, string Text)[] resources) : System.Reflection.Assembly
    {
        public int Reads { get; private set; }

        public override string[] GetManifestResourceNames() => [.. resources.Select(r => r.Name)];

        public override Stream? GetManifestResourceStream(string name)
        {
            Reads++;
            return resources.FirstOrDefault(r => r.Name == name).Text is { } text ? new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) : null;
        }
    }
}
