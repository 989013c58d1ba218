using Npgsql;
using TapeChanger.State;

namespace TapeChanger.Testing;

/// <summary>
/// A fresh database on the PostgreSQL server named by TAPECHANGER_TEST_POSTGRES (a postgresql:// URI of a user allowed
/// to CREATE DATABASE; CI starts a throw-away cluster and sets it), dropped WITH (FORCE) on disposal. The one place the
/// test projects make and drop their PostgreSQL databases.
/// </summary>
public sealed class ScratchPostgresDatabase : IDisposable
{
    public const string Variable = "TAPECHANGER_TEST_POSTGRES";

    /// <summary>The server's URI, or null when the variable is not set (the tests that need it are skipped or fail).</summary>
    public static string? Server => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v : null;

    /// <summary>Why a test that needs the server is skipped here, or null when it is set.</summary>
    public static string? SkipReason => Server is null ? $"{Variable} is not set (a postgresql:// URI of a throw-away server; CI sets it)" : null;

    /// <summary>Creates database PREFIX_xxxxxxxxxxxx (12 random hex digits).</summary>
    public ScratchPostgresDatabase(string prefix)
    {
        string server = Server ?? throw new InvalidOperationException($"{Variable} is not set");
        Name = prefix + "_" + Guid.NewGuid().ToString("N")[..12];
        Admin($"CREATE DATABASE {Name}");
        var u = new Uri(server);
        Uri = $"{u.Scheme}://{u.UserInfo}{(u.UserInfo.Length > 0 ? "@" : "")}{u.Host}:{(u.Port > 0 ? u.Port : 5432)}/{Name}";
    }

    public string Name { get; }

    /// <summary>postgresql://[user[:password]@]host:port/NAME</summary>
    public string Uri { get; }

    /// <summary>Runs one statement as the TAPECHANGER_TEST_POSTGRES user, on the database that URI names.</summary>
    public static void Admin(string sql)
    {
        var location = PostgresLocation.Parse(Server ?? throw new InvalidOperationException($"{Variable} is not set"));
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(location.ConnectionString) { Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            Admin($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        }
        catch (NpgsqlException)
        {
            // The server is gone: the cluster is throw-away.
        }
    }
}
