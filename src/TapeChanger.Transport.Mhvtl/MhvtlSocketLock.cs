using System.Text;
using TapeChanger.Scsi;
using TapeChanger.Storage;

namespace TapeChanger.Transport.Mhvtl;

/// <summary>
/// One tapechanger process per mhVTL socket: an exclusive <see cref="FileLock"/> on a lock file next to the socket
/// (SOCKET.lock), or under the state directory when the socket's directory is read-only. The lock is flock(2)-based,
/// so a process that dies releases it.
/// </summary>
internal static class MhvtlSocketLock
{
    public static async ValueTask<FileLock> AcquireAsync(string socketPath, MhvtlTransportOptions options, CancellationToken ct)
    {
        string path = LockPath(socketPath, options.FallbackLockDirectory);
        try
        {
            return await FileLock.AcquireAsync(path, options.LockTimeout, ct).ConfigureAwait(false);
        }
        catch (FileLockTimeoutException)
        {
            throw new ScsiTransportException(TransportFailure.Busy,
                $"mhvtl:{socketPath} is in use by another tapechanger process (lock {path} held for {options.LockTimeout.TotalSeconds:0} s); mhVTL serves one client at a time");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ScsiTransportException(TransportFailure.PermissionDenied, $"mhvtl:{socketPath}: cannot create the lock file {path}: {e.Message}");
        }
    }

    internal static string LockPath(string socketPath, string? fallbackDirectory)
    {
        string? dir = Path.GetDirectoryName(socketPath);
        if (dir is not null && Writable(dir)) return socketPath + ".lock";
        string root = Path.Combine(fallbackDirectory ?? Path.GetTempPath(), "locks");
        Directory.CreateDirectory(root);
        var name = new StringBuilder("mhvtl");
        foreach (char c in socketPath) name.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_');
        return Path.Combine(root, name.Append(".lock").ToString());
    }

    private static bool Writable(string dir)
    {
        try
        {
            string probe = Path.Combine(dir, $".tapechanger-probe-{Environment.ProcessId}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
