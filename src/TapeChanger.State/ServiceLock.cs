using TapeChanger.Storage;

namespace TapeChanger.State;

/// <summary>The state directory is in use by a running service (or a restore holds it): try again once it stops (exit 75).</summary>
public sealed class StateInUseException(string message) : IOException(message);

/// <summary>
/// <c>tapechangerd.lock</c> in the state directory: a running service holds it shared (flock LOCK_SH on Unix, a
/// read share on Windows) for its whole life, so several services may share a state directory but <c>db restore</c>,
/// which takes it exclusively, cannot replace the database under one. The OS drops it when the service dies.
/// </summary>
public static class ServiceLock
{
    public const string FileName = "tapechangerd.lock";

    public static string PathIn(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), FileName);

    /// <summary>The service's hold, for its life. Waits up to <paramref name="timeout"/> while a restore holds it exclusively.</summary>
    public static IDisposable HoldShared(string stateDirectory, TimeSpan timeout)
    {
        string path = PathIn(stateDirectory);
        var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.Read, Share = FileShare.ReadWrite };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = AtomicFile.OwnerOnly;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, options);
            }
            catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not PathTooLongException)
            {
                if (clock.Elapsed >= timeout)
                {
                    throw new StateInUseException($"{path} is held by a state database restore (tapechanger db restore); start the service when it has ended");
                }
                Thread.Sleep(FileLock.Backoff(attempt));
            }
        }
    }

    /// <summary>
    /// Exclusive hold for a restore: null when a service holds the lock (it is running on this state directory).
    /// </summary>
    public static FileLock? TryExclusive(string stateDirectory) => FileLock.TryAcquire(PathIn(stateDirectory));
}
