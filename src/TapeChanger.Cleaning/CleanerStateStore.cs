using System.Text;
using TapeChanger.State;
using TapeChanger.Storage;

namespace TapeChanger.Cleaning;

/// <summary>
/// Cleaner state of one library, in the state database (<see cref="StateDatabase"/>: reservation, cleaner cartridge,
/// drive history, pending cleaning requests and the operations journal, a row each; mapping in
/// <see cref="CleanerStateRows"/>). Every change is one write transaction: read, change, write what changed, commit
/// (synchronous=FULL: an acknowledged update survives a crash or power loss; two processes never interleave). The
/// database is opened on first use, and a <c>cleaner.json</c> of an older version is imported then (kept as
/// <c>cleaner.json.imported</c>). A database that cannot be used is a <see cref="CleanerException"/> with RSM's
/// ERROR_DATABASE_FAILURE or ERROR_DATABASE_FULL and a message naming the file (<see cref="StateErrors"/>).
/// </summary>
public sealed class CleanerStateStore
{
    private readonly string _stateDirectory;
    private StateDatabase? _db;

    public CleanerStateStore(string stateDirectory, string vendor, string product, string? serial)
    {
        _stateDirectory = Path.GetFullPath(stateDirectory);
        Vendor = vendor;
        Product = product;
        Serial = serial;
        Key = KeyOf(vendor, product, serial);
        Directory = Path.Combine(_stateDirectory, "libraries", Key);
    }

    public string Key { get; }
    public string Vendor { get; }
    public string Product { get; }
    public string? Serial { get; }
    /// <summary>The library's folder: its robot lock and cleaner lock files (and, before the database, its cleaner.json).</summary>
    public string Directory { get; }
    /// <summary>The database holding the state.</summary>
    public string DatabasePath => StateDatabase.PathIn(_stateDirectory);

    /// <summary>"STK-L700-XYZZY_A-1a2b3c4d": readable, and unique through the hash of the exact identity.</summary>
    public static string KeyOf(string vendor, string product, string? serial)
    {
        static string Clean(string s)
        {
            var sb = new StringBuilder();
            foreach (char c in s.Trim()) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
            return sb.Length == 0 ? "none" : sb.ToString();
        }
        string identity = $"{vendor}\n{product}\n{serial}";
        string hash = Convert.ToHexString(StateKeyHash.HashData(Encoding.UTF8.GetBytes(identity)), 0, 4).ToLowerInvariant();
        return $"{Clean(vendor)}-{Clean(product)}-{Clean(serial ?? "noserial")}-{hash}";
    }

    /// <summary>Reads the current state (one consistent snapshot).</summary>
    public CleanerState Read() => Update(s => s, write: false);

    /// <summary>Runs <paramref name="change"/> on the current state in one write transaction and saves what changed.</summary>
    public T Update<T>(Func<CleanerState, T> change, bool write = true) => StateErrors.Guard(() =>
    {
        var db = Database();
        if (!write) return db.Read(tx => change(CleanerStateRows.Load(tx, Key) ?? Fresh()));
        return db.Write(tx =>
        {
            var loaded = CleanerStateRows.Load(tx, Key);
            var state = loaded ?? Fresh();
            var before = loaded is null ? null : CleanerStateRows.Images(state).ToList();
            T result = change(state);
            CleanerStateRows.Write(tx, before, [.. CleanerStateRows.Images(state)]);
            return result;
        });
    });

    public void Update(Action<CleanerState> change) => Update(s => { change(s); return 0; });

    /// <summary>
    /// The saved state for a read-only look (status): null when nothing was saved yet. Creates nothing when the state
    /// directory has neither a database nor an old cleaner.json.
    /// </summary>
    public CleanerState? Peek()
    {
        if (!StateDatabase.ExistsIn(_stateDirectory) && !File.Exists(CleanerLegacyImport.JsonPath(Directory))) return null;
        return StateErrors.Guard(() => Database().Read(tx => CleanerStateRows.Load(tx, Key)));
    }

    /// <summary>
    /// True when the state directory may hold cleaner state of a library of this vendor and product (any serial):
    /// the database has one, or an old cleaner.json is waiting to be imported. Opens nothing when there is no database.
    /// </summary>
    public static bool AnyLibrary(string stateDirectory, string vendor, string product)
    {
        string prefix = KeyOf(vendor, product, null);
        prefix = prefix[..(prefix.LastIndexOf('-', prefix.LastIndexOf('-') - 1) + 1)];          // "VENDOR-PRODUCT-"
        string libraries = Path.Combine(Path.GetFullPath(stateDirectory), "libraries");
        if (System.IO.Directory.Exists(libraries) && System.IO.Directory.EnumerateFiles(libraries, "cleaner.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 1 })
            .Any(f => Path.GetFileName(Path.GetDirectoryName(f)!).StartsWith(prefix, StringComparison.Ordinal)))
        {
            return true;
        }
        if (!StateDatabase.ExistsIn(stateDirectory)) return false;
        return StateErrors.Guard(() => StateDatabase.Open(stateDirectory).Read(tx =>
            tx.Scalar("SELECT count(*) FROM libraries WHERE vendor = @v AND product = @p", ("v", vendor), ("p", product)) is long n && n > 0));
    }

    private CleanerState Fresh() => new() { LibraryKey = Key, Vendor = Vendor, Product = Product, Serial = Serial };

    /// <summary>Opens the database on first use and imports this library's old cleaner.json, if any.</summary>
    private StateDatabase Database()
    {
        if (_db is not null) return _db;
        var db = StateDatabase.Open(_stateDirectory);
        CleanerLegacyImport.ImportLibrary(db, Directory, Key);
        return _db = db;
    }
}

/// <summary>The state database's failures in RSM's words: ERROR_DATABASE_FAILURE or ERROR_DATABASE_FULL, the message naming the file.</summary>
internal static class StateErrors
{
    public static T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (StateDatabaseException e)
        {
            throw new CleanerException(e.Kind == StateFailure.Full ? NtmsResult.ERROR_DATABASE_FULL : NtmsResult.ERROR_DATABASE_FAILURE, e.Message, e);
        }
    }

    public static void Guard(Action action) => Guard(() => { action(); return 0; });
}

/// <summary>
/// An OS-level lock on a library's robot (<c>robot.lock</c>), held across the moves of one cleaner step so two
/// processes never interleave robot moves on the same library.
/// </summary>
public sealed class RobotLock : IDisposable
{
    private readonly FileLock _file;

    private RobotLock(FileLock file) => _file = file;

    public static Task<RobotLock> AcquireAsync(string directory, TimeSpan timeout, CancellationToken ct) =>
        AcquireAsync(directory, "robot.lock", timeout, ct);

    /// <summary>A named lock in the library's state folder (e.g. the single cleaner, used by one cleaning at a time).</summary>
    public static async Task<RobotLock> AcquireAsync(string directory, string name, TimeSpan timeout, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, name);
        try
        {
            return new RobotLock(await FileLock.AcquireAsync(path, timeout, ct).ConfigureAwait(false));
        }
        catch (FileLockTimeoutException e)
        {
            throw new CleanerException(NtmsResult.ERROR_TIMEOUT, $"the library robot is busy with another process ({path})", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
