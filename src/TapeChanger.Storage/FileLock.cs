using System.Diagnostics;

namespace TapeChanger.Storage;

/// <summary>The lock file is still held by another process when the wait ends.</summary>
public sealed class FileLockTimeoutException(string path, TimeSpan timeout, Exception? inner)
    : IOException($"{path} is locked by another process (waited {timeout.TotalSeconds:0.#} s)", inner)
{
    public string LockPath { get; } = path;
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>
/// The one inter-process lock of this project: a lock file opened with FileShare.None, held until Dispose. On Unix
/// .NET takes flock(2) LOCK_EX on it (so `flock(1)` on the same file waits for it, and the other way round); on
/// Windows the share mode is the lock. The OS drops the lock when the process dies, so a crash never leaves a
/// library locked. Waits retry with one backoff: 10 ms, doubling to at most 200 ms, until the timeout.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream, string path)
    {
        _stream = stream;
        Path = path;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The wait before retry number <paramref name="attempt"/> (0-based): 10, 20, 40, 80, 160, 200, 200 ... ms.</summary>
    public static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(Math.Min(10 << Math.Min(attempt, 5), 200));

    /// <summary>Takes the lock at once, or returns null when another process (or another open in this one) holds it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = AtomicFile.OwnerOnly;
        try
        {
            return new FileLock(new FileStream(full, options), full);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
        {
            return null;     // a sharing violation (Windows) or EWOULDBLOCK from flock (Unix)
        }
    }

    /// <summary>Waits up to <paramref name="timeout"/> for the lock; throws <see cref="FileLockTimeoutException"/> after.</summary>
    public static FileLock Acquire(string path, TimeSpan timeout, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            if (TryAcquire(path) is { } held) return held;
            if (clock.Elapsed >= timeout) throw new FileLockTimeoutException(System.IO.Path.GetFullPath(path), timeout, null);
            ct.ThrowIfCancellationRequested();
            if (ct.WaitHandle.WaitOne(Backoff(attempt))) ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>As <see cref="Acquire"/>, without blocking a thread while waiting.</summary>
    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            if (TryAcquire(path) is { } held) return held;
            if (clock.Elapsed >= timeout) throw new FileLockTimeoutException(System.IO.Path.GetFullPath(path), timeout, null);
            await Task.Delay(Backoff(attempt), ct).ConfigureAwait(false);
        }
    }

    public void Dispose() => _stream.Dispose();
}
