using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
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
    private readonly IStateDialect _dialect;

    private StateDatabase(string path, IStateDialect dialect)
    {
        Path = path;
        _dialect = dialect;
    }

    /// <summary>The database file, or the PostgreSQL URI without its password.</summary>
    public string Path { get; }

    /// <summary>True when the state is in a PostgreSQL database other services may share (fleet mode).</summary>
    public bool IsShared => SharedDatabaseSupported && _dialect is PostgresDialect;

    /// <summary>The highest schema version applied (after <see cref="Open"/>: the newest this program knows).</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Where every state directory's database is instead of its own file: a postgresql:// URI (configuration key
    /// <c>Database</c>, tapechangerd's --database, TAPECHANGER_DATABASE for the processes it starts), or null for the
    /// SQLite file per state directory (the default).
    /// </summary>
    public static string? SharedDatabase { get; private set; } = Environment.GetEnvironmentVariable("TAPECHANGER_DATABASE") is { Length: > 0 } env ? env : null;

    /// <summary>Sets <see cref="SharedDatabase"/> (checked: a malformed URI is an ArgumentException); null or empty goes back to SQLite.</summary>
    public static void UseSharedDatabase(string? database)
    {
        if (database is { Length: > 0 }) PostgresLocation.Parse(database);
        SharedDatabase = database is { Length: > 0 } ? database : null;
    }

    /// <summary>The feature switch of <see cref="SharedDatabaseSupported"/>.</summary>
    public const string SharedDatabaseSwitch = "TapeChanger.State.SharedDatabase.IsSupported";

    /// <summary>
    /// False in the lean `tapechanger` image (its publish sets the switch false, with Trim): no PostgreSQL state database, so
    /// the trimmer leaves out Npgsql, whose types cost start-up time in every command (docs/performance.md "Start-up"). That image hands
    /// a command over to `tapechanger-full` before it gets here when TAPECHANGER_DATABASE is set; reaching
    /// <see cref="OpenShared"/> anyway is a one-line <see cref="StateDatabaseException"/>. True everywhere else.
    /// </summary>
    [FeatureSwitchDefinition(SharedDatabaseSwitch)]
    public static bool SharedDatabaseSupported => !AppContext.TryGetSwitch(SharedDatabaseSwitch, out bool on) || on;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<StateDatabase>> Shared = new(StringComparer.Ordinal);

    /// <summary>The path of the database of <paramref name="stateDirectory"/>.</summary>
    public static string PathIn(string stateDirectory) => SharedDatabase is { } shared
        ? PostgresLocation.Redact(shared)
        : System.IO.Path.Combine(System.IO.Path.GetFullPath(stateDirectory), FileName);

    /// <summary>True when <paramref name="stateDirectory"/> has a database (no file is opened; always true with a shared database).</summary>
    public static bool ExistsIn(string stateDirectory) => SharedDatabase is not null || File.Exists(PathIn(stateDirectory));

    /// <summary>Opens (creating if needed) the database of <paramref name="stateDirectory"/> (or the shared one) and applies pending migrations.</summary>
    public static StateDatabase Open(string stateDirectory) =>
        SharedDatabase is { } shared ? OpenShared(shared) : OpenFile(PathIn(stateDirectory), Migration.BuiltIn);

    /// <summary>Opens the PostgreSQL database of a postgresql:// URI and applies pending migrations (once per process and URI).</summary>
    public static StateDatabase OpenShared(string uri)
    {
        if (!SharedDatabaseSupported)
        {
            throw new StateDatabaseException(StateFailure.Failure, PostgresLocation.Redact(uri),
                "is a PostgreSQL database, which this tapechanger is built without: tapechanger-full beside it has it (tools/install.sh installs both)");
        }
        var lazy = Shared.GetOrAdd(uri, u => new Lazy<StateDatabase>(() => OpenServer(PostgresLocation.Parse(u), Migration.BuiltIn)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            Shared.TryRemove(new KeyValuePair<string, Lazy<StateDatabase>>(uri, lazy));   // unreachable now: try again next time
            throw;
        }
    }

    internal static StateDatabase OpenServer(PostgresLocation location, IReadOnlyList<Migration> migrations)
    {
        if (!SharedDatabaseSupported) throw new StateDatabaseException(StateFailure.Failure, location.Display, "is a PostgreSQL database, which this tapechanger is built without");
        var db = new StateDatabase(location.Display, new PostgresDialect(location));
        Guard(db, () => db.SchemaVersion = MigrationRunner.Apply(db, migrations));
        return db;
    }

    /// <summary>Opens (creating if needed) the database file <paramref name="path"/> with the built-in migrations.</summary>
    public static StateDatabase OpenFile(string path) => OpenFile(path, Migration.BuiltIn);

    internal static StateDatabase OpenFile(string path, IReadOnlyList<Migration> migrations)
    {
        string full = System.IO.Path.GetFullPath(path);
        bool builtIn = ReferenceEquals(migrations, Migration.BuiltIn);
        if (builtIn && CheckedFiles.TryGetValue(full, out var known) && File.Exists(full))
        {
            return new StateDatabase(full, known.Dialect) { SchemaVersion = known.Version };
        }
        var dialect = new SqliteDialect(full);
        var db = new StateDatabase(full, dialect);
        Guard(db, () =>
        {
            AtomicFile.CreatePrivateDirectory(System.IO.Path.GetDirectoryName(full)!);
            CreateOwnerOnly(full);
            db.SchemaVersion = MigrationRunner.Apply(db, migrations);
        });
        if (builtIn) CheckedFiles[full] = (db.SchemaVersion, dialect);
        return db;
    }

    /// <summary>
    /// The database files this process has brought to the built-in schema, with its version and dialect (whose
    /// connection string is made once). One command opens its state database once per store (what was learned about
    /// the library, the cleaner, the reservation index), and each check is a transaction of its own: the first one
    /// in a process checks, the others find the file here. A file removed since is checked (and created) again;
    /// <see cref="ReleaseConnections"/>, which comes before a file is replaced or removed, forgets them all. A newer
    /// program migrating the file while this process runs is not seen by a later open here, as it was not seen before
    /// by an instance already open (tapechangerd holds its database from start to stop).
    /// </summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (int Version, SqliteDialect Dialect)> CheckedFiles = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="work"/> in a write transaction (the write lock is held from the start: SQLite BEGIN
    /// IMMEDIATE, PostgreSQL a database-wide transaction advisory lock; other writers wait). Commits when it returns;
    /// rolls back when it throws. A Write inside a Write on the same instance joins the outer transaction.
    /// </summary>
    public T Write<T>(Func<StateTransaction, T> work) => Run(work, TransactionKind.Write);

    public void Write(Action<StateTransaction> work) => Run(tx => { work(tx); return 0; }, TransactionKind.Write);

    /// <summary>
    /// Runs <paramref name="work"/> in a writable transaction that does not take the database-wide write lock: its
    /// statements lock the rows they touch (<see cref="LockRows"/>, UPDATE ... WHERE). For short single-row work many
    /// services do at once (leases). On SQLite it is <see cref="Write{T}"/>.
    /// </summary>
    public T WriteRows<T>(Func<StateTransaction, T> work) => Run(work, TransactionKind.RowLocked);

    /// <summary>Runs <paramref name="work"/> in a read transaction: one consistent snapshot, no write lock.</summary>
    public T Read<T>(Func<StateTransaction, T> work) => Run(work, TransactionKind.Read);

    /// <summary>SQL for the database's clock in milliseconds since 1970 (PostgreSQL: the server's, one clock for the whole fleet).</summary>
    public string NowMilliseconds => _dialect.NowMilliseconds;

    /// <summary>Appended to a SELECT in a writable transaction: the rows it read stay locked until the transaction ends.</summary>
    public string LockRows => _dialect.LockRows;

    private enum TransactionKind { Read, Write, RowLocked }

    private T Run<T>(Func<StateTransaction, T> work, TransactionKind kind)
    {
        bool writable = kind != TransactionKind.Read;
        if (_current.Value is { } outer)
        {
            if (writable && !outer.Writable) throw new InvalidOperationException("a write transaction cannot start inside a read transaction");
            return work(outer);
        }
        return Guard(this, () =>
        {
            for (int attempt = 1; ; attempt++)
            {
                DbConnection connection;
                try
                {
                    connection = _dialect.Open();
                    try
                    {
                        foreach (string begin in kind switch { TransactionKind.Write => _dialect.BeginWrite, TransactionKind.RowLocked => _dialect.BeginRowLocked, _ => _dialect.BeginRead })
                            Exec(connection, begin);
                    }
                    catch
                    {
                        connection.Dispose();
                        throw;
                    }
                }
                catch (Exception e) when (attempt == 1 && SharedDatabaseSupported && _dialect.IsConnectionLost(e) && _dialect is PostgresDialect pg)
                {
                    pg.ClearPool();                               // a pooled connection the server dropped: nothing ran yet, start again once
                    continue;
                }
                using (connection)
                {
                    var tx = new StateTransaction(connection, writable);
                    _current.Value = tx;
                    try
                    {
                        T result = work(tx);
                        Exec(connection, "COMMIT");
                        return result;
                    }
                    catch
                    {
                        try { Exec(connection, "ROLLBACK"); }
                        catch (DbException) { /* already rolled back (SQLite after SQLITE_FULL) or the connection is gone */ }
                        catch (InvalidOperationException) { /* the connection broke */ }
                        throw;
                    }
                    finally
                    {
                        _current.Value = null;
                    }
                }
            }
        });
    }

    /// <summary>
    /// Queues a notification on <paramref name="channel"/>, sent when the transaction commits (PostgreSQL NOTIFY);
    /// nothing on SQLite, whose readers poll.
    /// </summary>
    public void Notify(StateTransaction tx, string channel, string payload)
    {
        if (SharedDatabaseSupported && _dialect is PostgresDialect) tx.Scalar("SELECT pg_notify(@c, @p)", ("c", channel), ("p", payload));
    }

    /// <summary>
    /// Calls <paramref name="received"/> with the payload of every notification on <paramref name="channel"/> until
    /// cancelled (PostgreSQL LISTEN on a connection of its own, opened again after it breaks). On SQLite it only waits:
    /// callers poll as well.
    /// </summary>
    public async Task ListenAsync(string channel, Action<string> received, Action<string>? lost, CancellationToken ct)
    {
        if (!SharedDatabaseSupported || _dialect is not PostgresDialect pg)
        {
            await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            return;
        }
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var c = pg.OpenDedicated();
                c.Notification += (_, n) => received(n.Payload);
                await using (var cmd = c.CreateCommand())
                {
                    cmd.CommandText = $"LISTEN {channel}";
                    await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
                received("");                                      // (re)connected: whatever was sent meanwhile is found by a poll
                while (true) await c.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (pg.Classify(e, Path) is not null || pg.IsConnectionLost(e) || e is DbException or IOException)
            {
                lost?.Invoke(pg.Classify(e, Path)?.Message ?? e.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
        }
    }

    internal SqliteConnection Connect(bool readOnly = false) => _dialect is SqliteDialect
        ? SqliteDialect.Connect(Path, readOnly)
        : throw new StateDatabaseException(StateFailure.Failure, Path, "is a PostgreSQL database: use PostgreSQL's own tools (pg_dump, pg_restore) for this");

    internal static void Exec(DbConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    internal string Translate(string statement) => _dialect.Translate(statement);

    internal string TableExists => _dialect.TableExists;

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

    private static T Guard<T>(StateDatabase db, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (db._dialect.Classify(e, db.Path) is { } typed && !ReferenceEquals(typed, e))
        {
            throw typed;
        }
    }

    private static void Guard(StateDatabase db, Action action) => Guard(db, () => { action(); return 0; });

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
    public static void ReleaseConnections()
    {
        CheckedFiles.Clear();
        SqliteConnection.ClearAllPools();
    }

    internal static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
}
