using System.Diagnostics;

namespace TapeChanger.Cli.Tests;

/// <summary>The CLI on a real terminal (a pseudo-terminal from util-linux `script`): it must leave the terminal as it found it.</summary>
public sealed class TerminalTests
{
    [Fact]
    public void Status_on_a_terminal_sends_no_escape_sequence()
    {
        Assert.True(File.Exists("/usr/bin/script"), "util-linux script(1) is needed (Debian: bsdutils, essential)");
        string state = Directory.CreateTempSubdirectory("tc-tty-").FullName;
        string dll = Path.Combine(AppContext.BaseDirectory, "tapechanger.dll");
        var psi = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        psi.ArgumentList.Add("-qec");
        psi.ArgumentList.Add($"dotnet exec '{dll}' --state-dir '{state}' status");
        psi.ArgumentList.Add("/dev/null");
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        string output = p.StandardOutput.ReadToEnd();
        Assert.True(p.WaitForExit(60_000));
        Directory.Delete(state, true);
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("Drives (", output);
        Assert.DoesNotContain('\x1b', output);        // no keypad mode (ESC[?1h ESC=), nothing else either
    }
}
