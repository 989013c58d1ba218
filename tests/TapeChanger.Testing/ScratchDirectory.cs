namespace TapeChanger.Testing;

/// <summary>
/// A fresh temp directory for a test's state files, in memory where the machine has a tmpfs at <c>/dev/shm</c>
/// (Linux). The state stores write through fsync(2) (the atomic write, the state database); on a disk shared with
/// other jobs each fsync can take tens of milliseconds, on tmpfs it returns at once, so the cleaner tests spend their
/// time in the code under test rather than waiting for the disk. What is written and read is the same either way;
/// durability itself is tested by the storage tests, not here. Elsewhere: <see cref="Directory.CreateTempSubdirectory"/>.
/// </summary>
public static class ScratchDirectory
{
    private const string Shm = "/dev/shm";

    public static string Create(string prefix)
    {
        if (OperatingSystem.IsLinux() && Directory.Exists(Shm))
        {
            try
            {
                return Directory.CreateDirectory(Path.Combine(Shm, prefix + Guid.NewGuid().ToString("N")[..12])).FullName;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not writable here: the ordinary temp directory.
            }
        }
        return Directory.CreateTempSubdirectory(prefix).FullName;
    }
}
