namespace TapeChanger.Cli;

/// <summary>The name the process was started by (argv[0]), to act as mtx when run through a link named mtx.</summary>
internal static class ProgramName
{
    /// <summary>
    /// argv[0] as the caller wrote it: on Linux the first string of /proc/self/cmdline (a link keeps its own name
    /// there, where the resolved process path would not); elsewhere the runtime's first command-line word.
    /// </summary>
    public static string? Argv0()
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/self/cmdline"))
            {
                var bytes = File.ReadAllBytes("/proc/self/cmdline");
                int end = Array.IndexOf(bytes, (byte)0);
                return System.Text.Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
            }
            return Environment.GetCommandLineArgs().FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>"mtx", "/usr/local/bin/mtx", "mtx.exe".</summary>
    public static bool IsMtx(string argv0)
    {
        string name = Path.GetFileName(argv0);
        return name == "mtx" || name.Equals("mtx.exe", StringComparison.OrdinalIgnoreCase);
    }
}
