using System.Text;
using System.Text.Json;
using TapeChanger.Storage;

namespace TapeChanger.Cleaning;

/// <summary>
/// Cleaner state of one library, in <c>&lt;state&gt;/libraries/&lt;key&gt;/cleaner.json</c>. Every change is a
/// transaction under an OS-level file lock (<c>cleaner.lock</c>, <see cref="FileLock"/>): read, change, replace the
/// file with <see cref="AtomicFile"/> (temp file, fsync, rename, fsync of the folder). A crash at any point leaves either the old or the new
/// state, never a mix, and no acknowledged update is lost. Files are created owner-only (0600).
/// </summary>
public sealed class CleanerStateStore
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    public CleanerStateStore(string stateDirectory, string vendor, string product, string? serial)
    {
        Vendor = vendor;
        Product = product;
        Serial = serial;
        Key = KeyOf(vendor, product, serial);
        Directory = Path.Combine(Path.GetFullPath(stateDirectory), "libraries", Key);
    }

    public string Key { get; }
    public string Vendor { get; }
    public string Product { get; }
    public string? Serial { get; }
    public string Directory { get; }
    public string StatePath => Path.Combine(Directory, "cleaner.json");

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

    /// <summary>Creates the library's folder owner-only (0700) on Unix.</summary>
    internal static void CreatePrivateDirectory(string path) => AtomicFile.CreatePrivateDirectory(path);

    /// <summary>Reads the current state under the lock.</summary>
    public CleanerState Read() => Update(s => s, write: false);

    /// <summary>Runs <paramref name="change"/> on the current state under the lock and saves the result atomically.</summary>
    public T Update<T>(Func<CleanerState, T> change, bool write = true)
    {
        CreatePrivateDirectory(Directory);
        using var lockFile = AcquireLock(Path.Combine(Directory, "cleaner.lock"));
        var state = Load();
        T result = change(state);
        if (write) Save(state);
        return result;
    }

    /// <summary>
    /// The saved state for a read-only look (status): no lock taken, nothing created. Safe without the lock because
    /// every write replaces the file whole (<see cref="AtomicFile"/>). Null when nothing was saved yet.
    /// </summary>
    public CleanerState? Peek() => File.Exists(StatePath) ? Load() : null;

    public void Update(Action<CleanerState> change) => Update(s => { change(s); return 0; });

    private CleanerState Load()
    {
        if (!File.Exists(StatePath))
        {
            return new CleanerState { LibraryKey = Key, Vendor = Vendor, Product = Product, Serial = Serial };
        }
        try
        {
            var state = JsonSerializer.Deserialize(File.ReadAllText(StatePath), CleanerJsonContext.Default.CleanerState)
                ?? throw new JsonException("the file holds null");
            if (state.SchemaVersion > CleanerState.CurrentSchema)
            {
                throw new CleanerException(NtmsResult.ERROR_DATABASE_FAILURE,
                    $"cleaner state {StatePath} has schema {state.SchemaVersion}, newer than this tapechanger understands ({CleanerState.CurrentSchema})");
            }
            return state;
        }
        catch (JsonException e)
        {
            throw new CleanerException(NtmsResult.ERROR_DATABASE_FAILURE, $"cleaner state {StatePath} is corrupt: {e.Message}", e);
        }
    }

    private void Save(CleanerState state)
    {
        state.SchemaVersion = CleanerState.CurrentSchema;
        AtomicFile.Write(StatePath, JsonSerializer.SerializeToUtf8Bytes(state, CleanerJsonContext.Default.CleanerState));
    }

    private static FileLock AcquireLock(string path)
    {
        try
        {
            return FileLock.Acquire(path, LockTimeout);
        }
        catch (FileLockTimeoutException e)
        {
            throw new CleanerException(NtmsResult.ERROR_DATABASE_FAILURE, $"cleaner state is locked by another process ({path})", e);
        }
    }
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
