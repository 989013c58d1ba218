using System.Globalization;
using System.Text;
using System.Text.Json;
using TapeChanger.Storage;

namespace TapeChanger.Virtual;

/// <summary>A virtual library's state cannot be opened, read or written. The message names the file.</summary>
public sealed class VirtualStateException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// A virtual library plus its persisted state under <c>&lt;stateDirectory&gt;/virtual/&lt;key&gt;/</c>.
/// Holds <c>state.lock</c> (<see cref="FileLock"/>) for its lifetime, so only one process uses a library at a time;
/// state.json is replaced with <see cref="AtomicFile"/>.
/// </summary>
public sealed class VirtualLibraryStore : IDisposable
{
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(30);

    private readonly FileLock _lock;
    /// <summary>What the file holds (as read, or in the buffer last written): a save compares the state's bytes with these.</summary>
    private ReadOnlyMemory<byte> _lastSaved;
    /// <summary>
    /// Two buffers, taking turns: a save serialises into <see cref="_scratch"/> (sized from the file, so it does not grow
    /// by doubling), and once written that buffer holds <see cref="_lastSaved"/> while the other is the next scratch.
    /// A command that changes nothing allocates nothing; one that does, no copy of the state.
    /// </summary>
    private System.Buffers.ArrayBufferWriter<byte>? _scratch, _spare;
    private bool _disposed;

    private VirtualLibraryStore(VirtualLibrary library, string directory, FileLock lockStream, byte[] lastSaved)
    {
        Library = library;
        Directory = directory;
        _lock = lockStream;
        _lastSaved = lastSaved;
    }

    public VirtualLibrary Library { get; }

    /// <summary>The folder holding state.json and state.lock.</summary>
    public string Directory { get; }

    public string StatePath => Path.Combine(Directory, "state.json");

    /// <summary>Opens (or creates) the state of the library described by <paramref name="configDirectory"/> (null = built-in library 10).</summary>
    public static VirtualLibraryStore Open(string? configDirectory, string stateDirectory, TimeProvider? time = null)
        => Open(configDirectory, stateDirectory, time, DefaultLockTimeout);

    public static VirtualLibraryStore Open(string? configDirectory, string stateDirectory, TimeProvider? time, TimeSpan lockTimeout)
    {
        var config = VirtualLibraryConfig.Load(configDirectory);
        string dir = StateFolder(config, stateDirectory);
        System.IO.Directory.CreateDirectory(dir);
        var lockStream = AcquireLock(Path.Combine(dir, "state.lock"), lockTimeout);
        try
        {
            string path = Path.Combine(dir, "state.json");
            LibraryState? state = null;
            byte[] saved = [];
            if (File.Exists(path))
            {
                try
                {
                    saved = File.ReadAllBytes(path);
                    state = VirtualStateCodec.Read(saved);
                }
                catch (JsonException ex)
                {
                    throw new VirtualStateException($"the virtual library state file {path} is corrupt ({ex.Message}); run `tapechanger virtual reset` to start again from the configuration", ex);
                }
            }
            VirtualLibrary library;
            try
            {
                library = new VirtualLibrary(config, state, time);
            }
            catch (InvalidDataException ex)
            {
                throw new VirtualStateException($"the virtual library state file {path} does not match the configuration ({ex.Message}); run `tapechanger virtual reset` to start again from the configuration", ex);
            }
            // The file's own bytes stand for what was saved: Save writes only when the state now differs from them.
            var store = new VirtualLibraryStore(library, dir, lockStream, saved);
            if (state is null) store.Save();   // a loaded state is as the file has it; the next change writes it
            return store;
        }
        catch
        {
            lockStream.Dispose();
            throw;
        }
    }

    /// <summary>Deletes the saved state (what `tapechanger virtual reset` does). Waits for the lock like <see cref="Open(string?, string, TimeProvider?)"/>.</summary>
    public static void DeleteState(string? configDirectory, string stateDirectory)
    {
        var config = VirtualLibraryConfig.Load(configDirectory);
        string dir = StateFolder(config, stateDirectory);
        if (!System.IO.Directory.Exists(dir)) return;
        using (AcquireLock(Path.Combine(dir, "state.lock"), DefaultLockTimeout))
        {
            File.Delete(Path.Combine(dir, "state.json"));
        }
    }

    /// <summary>
    /// <c>&lt;state&gt;/virtual/library10</c> for the built-in library; otherwise a sanitised folder name plus a short
    /// hash of the full config path and the library id.
    /// </summary>
    public static string StateFolder(VirtualLibraryConfig config, string stateDirectory)
    {
        string key;
        if (config.Directory is null) key = "library10";
        else
        {
            string full = Path.GetFullPath(config.Directory).TrimEnd(Path.DirectorySeparatorChar);
            string name = Path.GetFileName(full);
            var sb = new StringBuilder();
            foreach (char c in name) sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
            if (sb.Length == 0) sb.Append("config");
            if (sb.Length > 40) sb.Length = 40;
            byte[] hash = StateKeyHash.HashData(Encoding.UTF8.GetBytes(full + "\n" + config.Library.Id.ToString(CultureInfo.InvariantCulture)));
            key = $"{sb}-lib{config.Library.Id.ToString(CultureInfo.InvariantCulture)}-{Convert.ToHexString(hash, 0, 4).ToLowerInvariant()}";
        }
        return Path.Combine(Path.GetFullPath(stateDirectory), "virtual", key);
    }

    private static FileLock AcquireLock(string path, TimeSpan timeout)
    {
        try
        {
            return FileLock.Acquire(path, timeout);
        }
        catch (FileLockTimeoutException ex)
        {
            throw new VirtualStateException($"the virtual library is in use by another process (could not lock {path} within {timeout.TotalSeconds:0.#} s); wait for it to finish and try again", ex);
        }
    }

    /// <summary>Writes state.json atomically (<see cref="AtomicFile"/>) if it changed since the last save. Returns true when written.</summary>
    public bool Save()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _scratch ??= new System.Buffers.ArrayBufferWriter<byte>(Math.Max(4096, _lastSaved.Length + _lastSaved.Length / 8));
        _scratch.ResetWrittenCount();
        Library.SerializeState(_scratch);
        var json = _scratch.WrittenSpan;
        if (json.SequenceEqual(_lastSaved.Span)) return false;
        try
        {
            AtomicFile.Write(StatePath, json);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new VirtualStateException($"cannot write the virtual library state file {StatePath}: {ex.Message}", ex);
        }
        _lastSaved = _scratch.WrittenMemory;
        (_scratch, _spare) = (_spare, _scratch);
        return true;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _lock.Dispose();
    }
}
