using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TapeChanger.Server.Tests;

/// <summary>
/// tapechangerd as a process (dotnet tapechangerd.dll from the test's output folder), with its own environment. With
/// <c>underSystemd</c> its parent is a shell started through a link named <c>systemd</c>: the parent's name is what
/// Microsoft.Extensions.Hosting.Systemd checks to send sd_notify messages, as under a real service manager.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly string? _linkDir;

    private DaemonProcess(Process process, string? linkDir)
    {
        _process = process;
        _linkDir = linkDir;
    }

    public static string Dll => Path.Combine(AppContext.BaseDirectory, "tapechangerd.dll");

    public static DaemonProcess Start(IEnumerable<string> args, IDictionary<string, string> env, bool underSystemd = false)
    {
        string? linkDir = null;
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (underSystemd)
        {
            linkDir = Directory.CreateTempSubdirectory("tc-sd-").FullName;
            string link = Path.Combine(linkDir, "systemd");
            File.CreateSymbolicLink(link, "/bin/sh");
            psi.FileName = link;
            // Not the shell's last word: it stays the parent (a plain `exec` would make the daemon the child of the test).
            foreach (var a in (string[])["-c", "\"$0\" \"$@\"; exit $?", "dotnet", Dll]) psi.ArgumentList.Add(a);
        }
        else
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(Dll);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = new Process { StartInfo = psi };
        var d = new DaemonProcess(p, linkDir);
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (d._stdout) d._stdout.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (d._stderr) d._stderr.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return d;
    }

    public string Stdout { get { lock (_stdout) return _stdout.ToString(); } }

    public string Stderr { get { lock (_stderr) return _stderr.ToString(); } }

    /// <summary>The exit code, or fails the test after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) throw new Xunit.Sdk.XunitException($"tapechangerd did not exit in {timeout.TotalSeconds} s; stdout: {Stdout} stderr: {Stderr}");
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The daemon's pid: the process itself, or the shell's child under <c>underSystemd</c>.</summary>
    public int DaemonPid()
    {
        if (_linkDir is null) return _process.Id;
        for (int i = 0; i < 100; i++)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                try
                {
                    string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    // pid (comm) state ppid ...: comm may hold spaces, so count from the last ')'.
                    string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.Parse(rest[1], CultureInfo.InvariantCulture) == _process.Id) return pid;
                }
                catch (IOException)
                {
                }
            }
            Thread.Sleep(50);
        }
        throw new Xunit.Sdk.XunitException("the daemon under the systemd-named shell was not found");
    }

    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, DaemonPid().ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit();
        }
        _process.Dispose();
        if (_linkDir is not null) Directory.Delete(_linkDir, recursive: true);
    }
}
