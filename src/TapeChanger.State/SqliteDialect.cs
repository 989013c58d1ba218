using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace TapeChanger.State;

/// <summary>
/// Everything that is SQLite rather than SQL, in one place: the connection string, the per-connection pragmas, how a
/// read-modify-write transaction takes the write lock, and how SQLite's result codes become a <see cref="StateFailure"/>.
/// Migrations and stores use portable SQL (INTEGER, BIGINT, TEXT; named @parameters) so another dialect can run them.
/// </summary>
internal sealed class SqliteDialect(string path) : IStateDialect
{
    // Built once per database file (StateDatabase keeps the dialect of a file it has checked): a
    // SqliteConnectionStringBuilder formatting its keywords at every connection was 0.2 million instructions of a
    // status with a state database (callgrind).
    private readonly string _connectionString = ConnectionString(path);

    public DbConnection Open() => OpenWith(_connectionString, readOnly: false);

    internal static SqliteConnection Connect(string path, bool readOnly) => OpenWith(ConnectionString(path, readOnly), readOnly);

    private static SqliteConnection OpenWith(string connectionString, bool readOnly)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            Configure(connection, readOnly);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    IReadOnlyList<string> IStateDialect.BeginWrite { get; } = [BeginWrite];
    IReadOnlyList<string> IStateDialect.BeginRowLocked { get; } = [BeginWrite];    // one writer at a time: the write lock covers every row
    IReadOnlyList<string> IStateDialect.BeginRead { get; } = [BeginRead];
    string IStateDialect.TableExists => TableExists;
    public string NowMilliseconds => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
    public string LockRows => "";
    public string Translate(string statement) => statement;
    StateDatabaseException? IStateDialect.Classify(Exception e, string p) => Classify(e, p);
    public bool IsConnectionLost(Exception e) => false;

    /// <summary>How long a writer waits for another process's write transaction before the database counts as locked.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(30);

    public static string ConnectionString(string path, bool readOnly = false) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
        Pooling = true,
        DefaultTimeout = (int)BusyTimeout.TotalSeconds,
    }.ToString();

    /// <summary>
    /// Per connection: write-ahead log (SQLite "Write-Ahead Logging": readers never block the writer), FULL sync
    /// (the WAL is fsynced at every commit, so an acknowledged update survives power loss: SQLite "PRAGMA synchronous"),
    /// foreign keys enforced, and a busy timeout so concurrent writers queue instead of failing. Once per SQLite
    /// handle: a pooled connection keeps its handle, and these settings are the handle's (journal_mode=WAL is the
    /// file's and persists; the others last as long as the handle), so opening it again from the pool needs none of it.
    /// </summary>
    public static void Configure(SqliteConnection connection, bool readOnly)
    {
        var handle = connection.Handle!;
        if (Configured.TryGetValue(handle, out _)) return;
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = (readOnly ? "" : "PRAGMA journal_mode=WAL;") +
                $"PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={(int)BusyTimeout.TotalMilliseconds};";
            cmd.ExecuteNonQuery();
        }
        Configured.AddOrUpdate(handle, handle);
    }

    /// <summary>The SQLite handles <see cref="Configure"/> has set up (weak: a closed handle drops out with its object).</summary>
    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, SQLitePCL.sqlite3> Configured = new();

    /// <summary>True when <paramref name="connection"/>'s handle has been configured (for tests).</summary>
    internal static bool IsConfigured(SqliteConnection connection) => connection.Handle is { } h && Configured.TryGetValue(h, out _);

    /// <summary>Starts a transaction that holds the write lock from its first statement (no upgrade deadlock).</summary>
    public const string BeginWrite = "BEGIN IMMEDIATE";
    /// <summary>Starts a read transaction: one consistent snapshot for all its statements.</summary>
    public const string BeginRead = "BEGIN";
    public const string Commit = "COMMIT";
    public const string Rollback = "ROLLBACK";

    /// <summary>One row, count 1, when the table @name exists.</summary>
    public const string TableExists = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = @name";

    // SQLite primary result codes (sqlite.org/rc.html).
    private const int SQLITE_PERM = 3, SQLITE_BUSY = 5, SQLITE_LOCKED = 6, SQLITE_READONLY = 8, SQLITE_IOERR = 10,
        SQLITE_CORRUPT = 11, SQLITE_FULL = 13, SQLITE_CANTOPEN = 14, SQLITE_NOTADB = 26, SQLITE_AUTH = 23;

    /// <summary>The typed failure for a SQLite error, or null when the error is not about the database (a bug in a statement).</summary>
    public static StateDatabaseException? Classify(Exception e, string path) => e switch
    {
        StateDatabaseException s => s,
        SqliteException s => (s.SqliteErrorCode & 0xFF) switch
        {
            SQLITE_FULL => new StateDatabaseException(StateFailure.Full, path, "the disk or the database is full; nothing was written", e),
            SQLITE_CORRUPT => new StateDatabaseException(StateFailure.Failure, path, $"is corrupt ({Reason(s)}); restore a backup (tapechanger db restore)", e),
            SQLITE_NOTADB => new StateDatabaseException(StateFailure.Failure, path, "is not a SQLite database (damaged or overwritten); restore a backup (tapechanger db restore)", e),
            SQLITE_BUSY or SQLITE_LOCKED => new StateDatabaseException(StateFailure.Failure, path, $"is locked by another process for more than {BusyTimeout.TotalSeconds:0} s", e),
            SQLITE_PERM or SQLITE_READONLY or SQLITE_AUTH => new StateDatabaseException(StateFailure.Failure, path, $"cannot be written: permission denied or read-only ({Reason(s)})", e),
            SQLITE_CANTOPEN => new StateDatabaseException(StateFailure.Failure, path, $"cannot be opened ({Reason(s)}): check that the file and its folder are readable and writable", e),
            SQLITE_IOERR => new StateDatabaseException(StateFailure.Failure, path, $"I/O error ({Reason(s)})", e),
            _ => null,
        },
        UnauthorizedAccessException => new StateDatabaseException(StateFailure.Failure, path, $"permission denied ({e.Message})", e),
        IOException io when IsDiskFull(io) => new StateDatabaseException(StateFailure.Full, path, "the disk is full; nothing was written", e),
        IOException => new StateDatabaseException(StateFailure.Failure, path, $"I/O error ({e.Message})", e),
        _ => null,
    };

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 /* ENOSPC */ or 112 /* ERROR_DISK_FULL */ or 39 /* ERROR_HANDLE_DISK_FULL */;

    private static string Reason(SqliteException s)
    {
        // "SQLite Error 11: 'database disk image is malformed'." -> the quoted part.
        string m = s.Message;
        int a = m.IndexOf('\''), b = m.LastIndexOf('\'');
        return a >= 0 && b > a ? m[(a + 1)..b] : m;
    }
}
