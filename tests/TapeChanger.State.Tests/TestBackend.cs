using System.Reflection;
using TapeChanger.Testing;
using Xunit.Sdk;

namespace TapeChanger.State.Tests;

/// <summary>The databases the state layer runs on; every <see cref="BackendTests"/> theory runs on each.</summary>
public enum Backend { Sqlite, Postgres }

/// <summary>
/// A throw-away database of one backend: a SQLite file in a temp folder, or a fresh database created on the
/// PostgreSQL server named by TAPECHANGER_TEST_POSTGRES (a postgresql:// URI of a user allowed to CREATE DATABASE),
/// dropped afterwards.
/// </summary>
internal sealed class TestDatabase : IDisposable
{
    public const string Variable = ScratchPostgresDatabase.Variable;

    private readonly TempDir _dir = new();
    private readonly ScratchPostgresDatabase? _postgres;

    public TestDatabase(Backend backend)
    {
        Backend = backend;
        if (backend == Backend.Sqlite)
        {
            Location = _dir.File("t.db");
            return;
        }
        _postgres = new ScratchPostgresDatabase("tc_test");
        Location = _postgres.Uri;
    }

    public Backend Backend { get; }

    /// <summary>The file path (SQLite) or the postgresql:// URI.</summary>
    public string Location { get; }

    public StateDatabase Open(IReadOnlyList<Migration> migrations) => Backend == Backend.Sqlite
        ? StateDatabase.OpenFile(Location, migrations)
        : StateDatabase.OpenServer(PostgresLocation.Parse(Location), migrations);

    /// <summary>Whether table <paramref name="name"/> exists.</summary>
    public bool HasTable(StateDatabase db, string name) =>
        Convert.ToInt64(db.Read(tx => tx.Scalar(db.TableExists, ("name", name))), System.Globalization.CultureInfo.InvariantCulture) > 0;

    /// <summary>Runs one statement as the TAPECHANGER_TEST_POSTGRES user, on its own database.</summary>
    public static void Admin(string sql) => ScratchPostgresDatabase.Admin(sql);

    public void Dispose()
    {
        _dir.Dispose();
        _postgres?.Dispose();
    }
}

/// <summary>Theory data: the test runs on SQLite.</summary>
public sealed class OnSqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Sqlite]];
}

/// <summary>Theory data: the test runs on PostgreSQL; skipped, with the reason, where TAPECHANGER_TEST_POSTGRES is not set.</summary>
public sealed class OnPostgresAttribute : DataAttribute
{
    public OnPostgresAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(TestDatabase.Variable)))
        {
            Skip = $"{TestDatabase.Variable} is not set (a postgresql:// URI of a throw-away server; CI sets it)";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Postgres]];
}
