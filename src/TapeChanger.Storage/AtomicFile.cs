using TapeChanger.Storage.Interop;

namespace TapeChanger.Storage;

/// <summary>
/// The one way this project replaces a file: write a temp file beside it, fsync the temp file, rename it over the
/// target, fsync the directory. rename(2) replaces the name atomically (POSIX.1-2017, rename: "a link named new
/// shall remain visible to other threads throughout the renaming operation and refer either to the file referred
/// to by new or old"), so a reader or a crash sees the old bytes or the new bytes, never a part. The fsync of the
/// file before the rename stops a crash from leaving the new name on an empty or short file; the fsync of the
/// directory after it makes the rename itself survive a crash. On Windows the rename is MoveFileEx with
/// MOVEFILE_REPLACE_EXISTING (what File.Move(overwrite: true) calls) and the directory step is skipped (NTFS
/// journals its metadata).
/// </summary>
/// <remarks>
/// Atomic replacement does not make read-change-write safe between processes: callers that read, change and write
/// hold a <see cref="FileLock"/> around the three steps. Files are created owner-only (0600) on Unix: state files
/// name devices and serial numbers.
/// </remarks>
public static class AtomicFile
{
    /// <summary>Owner read/write: the mode of every file this class creates on Unix.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Test hook: each durable step as it happens ("write", "fsync-file", "rename", "fsync-dir"), seen only by the flow that set it.</summary>
    internal static readonly AsyncLocal<Action<string>?> StepObserver = new();

    private static long _writes;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, stream => stream.Write(copy));
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="write"/> puts into the stream. If the writer
    /// throws, the temp file is deleted and <paramref name="path"/> is left as it was.
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        // Unique per process and call (the process id and a count of this process's writes): two writers of one
        // file never share a temp; the random part keeps a temp left by a crashed process that had the same id from
        // being this write's. Random.Shared, not RandomNumberGenerator: a name needs no secrecy, and the
        // cryptographic generator loads OpenSSL (dlopen of libssl and libcrypto, about 12.7 million instructions:
        // more than a whole 2,000-slot status; callgrind, docs/performance.md).
        string tmp = $"{full}.{Environment.ProcessId}.{Interlocked.Increment(ref _writes)}.{Random.Shared.Next():x8}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly;
        try
        {
            using (var stream = new FileStream(tmp, options))
            {
                write(stream);
                StepObserver.Value?.Invoke("write");
                stream.Flush(flushToDisk: true);
                StepObserver.Value?.Invoke("fsync-file");
            }
            File.Move(tmp, full, overwrite: true);
            StepObserver.Value?.Invoke("rename");
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
        SyncDirectory(directory);
        StepObserver.Value?.Invoke("fsync-dir");
    }

    /// <summary>Creates <paramref name="path"/> (and its parents) owner-only (0700) on Unix.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    /// <summary>fsync(2) of a directory, so a rename in it is on disk. A no-op on Windows.</summary>
    public static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int fd = Libc.Open(directory, Libc.O_RDONLY);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to sync it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        try
        {
            // EINVAL: the file system cannot sync directories (some network and FUSE file systems); the rename
            // has happened and nothing more can be done, so it is not an error.
            if (Libc.FSync(fd) != 0 && System.Runtime.InteropServices.Marshal.GetLastPInvokeError() is int errno && errno != EINVAL)
                throw new IOException($"cannot sync directory {directory} (errno {errno})");
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private const int EINVAL = 22;

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
