using System.Globalization;
using Microsoft.Data.Sqlite;
using TapeChanger.Storage;

namespace TapeChanger.State;

/// <summary>
/// The state database of one state directory: <c>&lt;state&gt;/tapechanger.db</c>, created owner-only (0600, folder
/// 0700) and brought to the newest schema (<see cref="Migration"/>) when opened. Every unit of work is a transaction:
/// <see cref="Write{T}"/> for read-modify-write (the write lock is taken at BEGIN, so two processes never both read
/// and then both write), <see cref="Read{T}"/> for one consistent snapshot. Every failure leaves as a
/// <see cref="StateDatabaseException"/> naming the file; a failed transaction changes nothing.
/// </summary>
/// <remarks>
/// Cheap to hold: connections come from a pool per path and are opened per transaction, so an instance can live as
/// long as its owner without holding the file. Opening (<see cref="Open"/>) is the only step that may migrate; callers
/// that only look (status) check <see cref="ExistsIn"/> first, so a state directory without a database costs nothing.
/// </remarks>
public sealed class StateDatabase
{
    public const string FileName = "tapechanger.db";

    private readonly AsyncLocal<StateTransaction?> _current = new();

    private StateDatabase(string path) => Path = path;

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The highest schema version applied (after <see cref="Open"/>: the newest this program knows).</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>The path of the database of <paramref name="stateDirectory"/>.</summary>
    public static string PathIn(string stateDirectory) => System.IO.Path.Combine(System.IO.Path.GetFullPath(stateDirectory), FileName);

    /// <summary>True when <paramref name="stateDirectory"/> has a database (no file is opened).</summary>
    public static bool ExistsIn(string stateDirectory) => File.Exists(PathIn(stateDirectory));

    /// <summary>Opens (creating if needed) the database of <paramref name="stateDirectory"/> and applies pending migrations.</summary>
    public static StateDatabase Open(string stateDirectory) => OpenFile(PathIn(stateDirectory), Migration.BuiltIn);

    /// <summary>Opens (creating if needed) the database file <paramref name="path"/> with the built-in migrations.</summary>
    public static StateDatabase OpenFile(string path) => OpenFile(path, Migration.BuiltIn);

    internal static StateDatabase OpenFile(string path, IReadOnlyList<Migration> migrations)
    {
        string full = System.IO.Path.GetFullPath(path);
        var db = new StateDatabase(full);
        Guard(full, () =>
        {
            AtomicFile.CreatePrivateDirectory(System.IO.Path.GetDirectoryName(full)!);
            CreateOwnerOnly(full);
            db.SchemaVersion = MigrationRunner.Apply(db, migrations);
        });
        return db;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction (BEGIN IMMEDIATE: the write lock is held from the start, other
    /// writers wait up to the busy timeout). Commits when it returns; rolls back when it throws. A Write inside a Write
    /// on the same instance joins the outer transaction.
    /// </summary>
    public T Write<T>(Func<StateTransaction, T> work) => Run(work, writable: true);

    public void Write(Action<StateTransaction> work) => Run(tx => { work(tx); return 0; }, writable: true);

    /// <summary>Runs <paramref name="work"/> in a read transaction: one consistent snapshot, no write lock.</summary>
    public T Read<T>(Func<StateTransaction, T> work) => Run(work, writable: false);

    private T Run<T>(Func<StateTransaction, T> work, bool writable)
    {
        if (_current.Value is { } outer)
        {
            if (writable && !outer.Writable) throw new InvalidOperationException("a write transaction cannot start inside a read transaction");
            return work(outer);
        }
        return Guard(Path, () =>
        {
            using var connection = Connect();
            Exec(connection, writable ? SqliteDialect.BeginWrite : SqliteDialect.BeginRead);
            var tx = new StateTransaction(connection, writable);
            _current.Value = tx;
            try
            {
                T result = work(tx);
                Exec(connection, SqliteDialect.Commit);
                return result;
            }
            catch
            {
                try { Exec(connection, SqliteDialect.Rollback); }
                catch (SqliteException) { /* SQLite already rolled back (e.g. after SQLITE_FULL) */ }
                throw;
            }
            finally
            {
                _current.Value = null;
            }
        });
    }

    internal SqliteConnection Connect(bool readOnly = false)
    {
        var connection = new SqliteConnection(SqliteDialect.ConnectionString(Path, readOnly));
        try
        {
            connection.Open();
            SqliteDialect.Configure(connection, readOnly);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal static void Exec(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <summary>Runs <paramref name="action"/>, turning database and file failures into <see cref="StateDatabaseException"/>.</summary>
    internal static T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (SqliteDialect.Classify(e, path) is { } typed && !ReferenceEquals(typed, e))
        {
            throw typed;
        }
    }

    private static void Guard(string path, Action action) => Guard(path, () => { action(); return 0; });

    /// <summary>Creates an empty file 0600 so SQLite (which gives its -wal and -shm files the database's mode) never makes it world-readable.</summary>
    private static void CreateOwnerOnly(string path)
    {
        if (File.Exists(path)) return;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = AtomicFile.OwnerOnly;
        try
        {
            using var _ = new FileStream(path, options);
        }
        catch (IOException) when (File.Exists(path))
        {
            // another process created it first
        }
    }

    /// <summary>Closes the pooled connections of every database (before a file is replaced or removed).</summary>
    public static void ReleaseConnections() => SqliteConnection.ClearAllPools();

    internal static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
