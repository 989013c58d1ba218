using System.Runtime.InteropServices;
using TapeChanger.Cli.Output;
using TapeChanger.Cli.Remote;
using TapeChanger.State;

namespace TapeChanger.Cli;

/// <summary>What a command line needs that the lean image is built without.</summary>
internal enum FullImageNeed
{
    /// <summary>Nothing: the lean image runs it.</summary>
    None,
    /// <summary>The command goes to a service (--server, TAPECHANGER_SERVER, Server in appsettings.json): the HTTP client.</summary>
    ServiceClient,
    /// <summary>The state is in a shared PostgreSQL database (TAPECHANGER_DATABASE): Npgsql.</summary>
    SharedDatabase,
}

/// <summary>
/// The two NativeAOT images of the CLI (tools/publish-aot.sh). `tapechanger` is published with the feature switches
/// <see cref="RemoteClient.Switch"/> and <see cref="StateDatabase.SharedDatabaseSwitch"/> off: the trimmer then leaves out
/// the HTTP client of --server (System.Net.Http with its TLS and certificate code) and PostgreSQL (Npgsql), about a
/// third of the image's types, and the runtime prepares every type of the image before Main (docs/performance.md "Start-up").
/// `tapechanger-full`, beside it, is the same program with both. Before doing anything else the lean image decides
/// (<see cref="Need"/>) whether the command line needs either, and if so replaces itself with the full image
/// (execv: the same process id, the same argv, argv[0] included, and the same environment).
/// Everywhere else (Windows, the tests, `dotnet tapechanger.dll`, tapechangerd) the switches are on and nothing changes.
/// </summary>
internal static partial class FullImage
{
    /// <summary>The full image's file name, in the lean image's directory.</summary>
    public const string FileName = "tapechanger-full";

    /// <summary>True in the lean image (constant there, so the hand-over is trimmed from the full one's start).</summary>
    public static bool IsLean => !RemoteClient.IsSupported || !StateDatabase.SharedDatabaseSupported;

    /// <summary>
    /// What <paramref name="args"/> (argv without argv[0]; <paramref name="argv0"/> chooses mtx mode, as Program does)
    /// needs of the full image, from the command line, <paramref name="environment"/> and appsettings.json beside the
    /// executable (<paramref name="config"/>), the same way the run would decide it: <see cref="RemoteClient.TryCreate(ref string[], TextWriter, out RemoteClient?, Func{string, string?}, Func{string, string?})"/>.
    /// Nothing is written and no device is opened.
    /// </summary>
    public static FullImageNeed Need(string? argv0, IReadOnlyList<string> args, Func<string, string?> environment, Func<string, string?> config)
    {
        // Through a link named mtx the line goes to the service as `mtx ...` (Program.cs), otherwise as it is.
        string[] line = argv0 is not null && ProgramName.IsMtx(argv0) ? ["mtx", .. args] : [.. args];
        if (RemoteClient.TryCreate(ref line, TextWriter.Null, out var client, environment, config) && client is not null) return FullImageNeed.ServiceClient;
        // A usage error of --server/--token (client null) is printed by the run itself; it needs no service.
        // With a shared database every command that may touch the state needs it; the top help and version do not.
        if (environment("TAPECHANGER_DATABASE") is { Length: > 0 } && !(args.Count == 0 || args is ["--help" or "-h" or "-?" or "--version"]))
            return FullImageNeed.SharedDatabase;
        return FullImageNeed.None;
    }

    /// <summary>The full image: <see cref="FileName"/> in the directory of the running executable (/proc/self/exe's, links resolved).</summary>
    public static string PathBeside(string baseDirectory) => Path.Combine(baseDirectory, FileName);

    /// <summary>
    /// Replaces this process with the full image (<see cref="PathBeside"/>), argv and environment unchanged. Returns only
    /// when that fails: one line naming the path and why, exit 69 (EX_UNAVAILABLE, sysexits.h: "a support program or
    /// file does not exist"), the code of a transport that is not available; the configuration itself is fine.
    /// </summary>
    public static int HandOver(FullImageNeed need, IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr) =>
        HandOver(need, args, AppContext.BaseDirectory, Environment.ProcessPath, stdout, stderr);

    /// <summary>
    /// <see cref="HandOver(FullImageNeed, IReadOnlyList{string}, TextWriter, TextWriter)"/> with the full image looked for
    /// in <paramref name="directory"/>; <paramref name="self"/> is this executable (/proc/self/exe).
    /// </summary>
    internal static int HandOver(FullImageNeed need, IReadOnlyList<string> args, string directory, string? self, TextWriter stdout, TextWriter stderr)
    {
        string full = PathBeside(directory);
        string problem;
        if (IsThisImage(full, self))
        {
            // A lean tapechanger installed (copied or linked) as tapechanger-full would hand over to itself for ever.
            problem = $"{full} is this lean tapechanger, not the full image (tools/install.sh installs both)";
        }
        else
        {
            byte[] argv = CommandLine() ?? Join([ProgramName.Argv0() ?? "tapechanger", .. args]);
            int errno = Exec(full, argv);
            problem = errno == ENOENT
                ? $"{full} is not installed (tools/install.sh installs it beside tapechanger)"
                : $"cannot run {full}: {Marshal.GetPInvokeErrorMessage(errno)}";
        }
        string why = need == FullImageNeed.ServiceClient
            ? "this command goes to a service (--server, TAPECHANGER_SERVER or Server in appsettings.json)"
            : "this command uses the PostgreSQL state database of TAPECHANGER_DATABASE";
        bool json = args.Contains("--json");
        return TapeChangerCli.Fail(new ErrorInfo("DeviceUnavailable", ExitCodes.DeviceUnavailable, $"{why}, which needs {FileName}: {problem}"), json, stdout, stderr);
    }

    /// <summary>
    /// True when <paramref name="full"/> is the running lean executable itself: this process runs under the name
    /// tapechanger-full (a copy), or the file there resolves to this one (a link).
    /// </summary>
    internal static bool IsThisImage(string full, string? self)
    {
        if (self is null) return false;
        if (Path.GetFileName(self) == FileName) return true;
        try
        {
            string target = File.ResolveLinkTarget(full, returnFinalTarget: true)?.FullName ?? full;
            return string.Equals(Path.GetFullPath(target), Path.GetFullPath(self), StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private const int ENOENT = 2;

    /// <summary>argv as the kernel gave it: /proc/self/cmdline (NUL after each argument), or null where there is none.</summary>
    private static byte[]? CommandLine()
    {
        try
        {
            return OperatingSystem.IsLinux() && File.ReadAllBytes("/proc/self/cmdline") is { Length: > 0 } bytes ? bytes : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[] Join(IEnumerable<string> argv) => [.. argv.SelectMany(a => System.Text.Encoding.UTF8.GetBytes(a + "\0"))];

    /// <summary>
    /// The argument vector of <paramref name="cmdline"/> (each argument followed by NUL, as /proc/PID/cmdline has it),
    /// byte for byte: argv[0] stays what the caller wrote (a link named mtx keeps mtx mode) and an argument that is not
    /// UTF-8 reaches the full image unchanged.
    /// </summary>
    internal static List<byte[]> Split(ReadOnlySpan<byte> cmdline)
    {
        var argv = new List<byte[]>();
        while (cmdline.Length > 0)
        {
            int end = cmdline.IndexOf((byte)0);
            if (end < 0) end = cmdline.Length;
            argv.Add(cmdline[..end].ToArray());
            cmdline = end < cmdline.Length ? cmdline[(end + 1)..] : [];
        }
        return argv;
    }

    /// <summary>execv(2) of <paramref name="path"/> with the arguments of <paramref name="cmdline"/>; the errno when it returns.</summary>
    private static unsafe int Exec(string path, byte[] cmdline)
    {
        var argv = Split(cmdline);
        byte[] file = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        // One NUL-terminated block per argument, pinned for the call; the pointer array ends with NULL (POSIX exec).
        var handles = new GCHandle[argv.Count];
        var pointers = new nint[argv.Count + 1];
        try
        {
            for (int i = 0; i < argv.Count; i++)
            {
                byte[] z = [.. argv[i], 0];
                handles[i] = GCHandle.Alloc(z, GCHandleType.Pinned);
                pointers[i] = handles[i].AddrOfPinnedObject();
            }
            fixed (byte* f = file)
            fixed (nint* p = pointers)
            {
                Execv(f, (byte**)p);
            }
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            foreach (var h in handles)
            {
                if (h.IsAllocated) h.Free();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static unsafe partial int Execv(byte* path, byte** argv);
}
