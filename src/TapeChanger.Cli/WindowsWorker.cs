using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace TapeChanger.Cli;

/// <summary>
/// Starts the cleaner worker on Windows the way setsid + a log redirect do on Unix: detached from this console, in
/// its own process group, and inheriting no handles. Process.Start would pass bInheritHandles = TRUE, so the worker
/// would hold this process's stdout: a script reading `tapechanger cleaner inject` through a pipe would wait for the
/// whole operation (the pipe only ends when its last handle closes). The worker finds its log file in
/// <see cref="LogVariable"/> and writes its output there itself.
/// </summary>
internal static partial class WindowsWorker
{
    /// <summary>Set in the worker's environment: the file its output goes to. Read once at start-up, then removed.</summary>
    internal const string LogVariable = "TAPECHANGER_WORKER_LOG";

    private const uint DETACHED_PROCESS = 0x00000008;           // no console: no std handles from this one
    private const uint CREATE_NEW_PROCESS_GROUP = 0x00000200;   // Ctrl+C in this console does not reach it
    private const uint CREATE_UNICODE_ENVIRONMENT = 0x00000400;

    [SupportedOSPlatform("windows")]
    internal static unsafe int Start(string exe, IReadOnlyList<string> args, string logPath)
    {
        // The worker inherits this process's environment (lpEnvironment = NULL), so the log path travels in it.
        Environment.SetEnvironmentVariable(LogVariable, logPath);
        char[] commandLine = (CommandLine([exe, .. args]) + "\0").ToCharArray();
        var si = new StartupInfo { cb = (uint)sizeof(StartupInfo) };
        fixed (char* cl = commandLine)
        {
            if (!CreateProcess(exe, cl, 0, 0, bInheritHandles: false, DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT,
                    0, null, ref si, out var pi))
            {
                int error = Marshal.GetLastPInvokeError();
                throw new InvalidOperationException($"could not start the worker process {exe} (Win32 error {error})");
            }
            CloseHandle(pi.hThread);
            CloseHandle(pi.hProcess);
            return (int)pi.dwProcessId;
        }
    }

    /// <summary>
    /// One command line from arguments, quoted so that CommandLineToArgvW and the C runtime give the same
    /// arguments back ("Parsing C++ command-line arguments", Microsoft C++ docs): an argument with a space, tab or
    /// quote (or an empty one) goes in quotes; backslashes are literal except before a quote, where they double
    /// and the quote gets one more.
    /// </summary>
    internal static string CommandLine(IEnumerable<string> args)
    {
        var sb = new StringBuilder();
        foreach (string a in args)
        {
            if (sb.Length > 0) sb.Append(' ');
            if (a.Length > 0 && a.IndexOfAny([' ', '\t', '"', '\n', '\v']) < 0)
            {
                sb.Append(a);
                continue;
            }
            sb.Append('"');
            int backslashes = 0;
            foreach (char c in a)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') sb.Append('\\', backslashes * 2 + 1);
                else sb.Append('\\', backslashes);
                backslashes = 0;
                sb.Append(c);
            }
            sb.Append('\\', backslashes * 2);
            sb.Append('"');
        }
        return sb.ToString();
    }

    /// <summary>In the worker: a writer on the log file named by <see cref="LogVariable"/>, or null when started otherwise.</summary>
    internal static TextWriter? OpenLog()
    {
        string? path = Environment.GetEnvironmentVariable(LogVariable);
        if (string.IsNullOrEmpty(path)) return null;
        Environment.SetEnvironmentVariable(LogVariable, null);   // not for processes this one starts
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        return new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StartupInfo
    {
        public uint cb;
        public nint lpReserved, lpDesktop, lpTitle;
        public uint dwX, dwY, dwXSize, dwYSize, dwXCountChars, dwYCountChars, dwFillAttribute, dwFlags;
        public ushort wShowWindow, cbReserved2;
        public nint lpReserved2, hStdInput, hStdOutput, hStdError;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ProcessInformation
    {
        public nint hProcess, hThread;
        public uint dwProcessId, dwThreadId;
    }

    [LibraryImport("kernel32.dll", EntryPoint = "CreateProcessW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool CreateProcess(string? lpApplicationName, char* lpCommandLine, nint lpProcessAttributes, nint lpThreadAttributes,
        [MarshalAs(UnmanagedType.Bool)] bool bInheritHandles, uint dwCreationFlags, nint lpEnvironment, string? lpCurrentDirectory,
        ref StartupInfo lpStartupInfo, out ProcessInformation lpProcessInformation);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CloseHandle(nint handle);
}
