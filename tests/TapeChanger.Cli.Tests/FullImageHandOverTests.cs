using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TapeChanger.Cli.Remote;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// A hand-over that succeeds: `tapechanger` run as the lean image (a copy of the CLI's output directory whose
/// runtimeconfig.json turns the service client off, as the lean publish does) replaces itself with the
/// tapechanger-full beside it, here a shell script that records what it was given. The unit tests above only see the
/// failures, because a successful execv replaces the process that makes it.
/// </summary>
public class FullImageHandOverTests
{
    [Fact]
    public async Task The_full_image_runs_in_the_same_process_with_the_kernel_s_argv_and_the_environment()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dir = Directory.CreateTempSubdirectory("tc-full-").FullName;
        try
        {
            string bin = Path.Combine(dir, "bin");
            Directory.CreateDirectory(bin);
            foreach (var f in Directory.EnumerateFiles(AppContext.BaseDirectory)) File.Copy(f, Path.Combine(bin, Path.GetFileName(f)));
            string config = Path.Combine(bin, "tapechanger.runtimeconfig.json");
            var runtimeConfig = JsonNode.Parse(File.ReadAllText(config))!;
            runtimeConfig["runtimeOptions"]!["configProperties"]![RemoteClient.Switch] = false;
            File.WriteAllText(config, runtimeConfig.ToJsonString());

            // The "full image": its arguments (NUL after each), process id and one variable into files, a line on
            // stdout, exit 7. A script loses argv[0] (the kernel passes its path instead), so that is not checked here.
            string full = Path.Combine(bin, "tapechanger-full");
            File.WriteAllText(full, "#!/bin/sh\nd=$(dirname \"$0\")\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done > \"$d/argv\"\n" +
                "echo $$ > \"$d/pid\"\nprintf '%s' \"$TC_HANDOVER_TEST\" > \"$d/env\"\necho full image ran\nexit 7\n");
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

            // Through sh so that one argument is not UTF-8 (caf\xE9, Latin-1): .NET's args would carry U+FFFD there.
            string dll = Path.Combine(bin, "tapechanger.dll");
            var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { "-c", "exec dotnet exec \"$0\" --server unix:/nonexistent/tapechangerd.sock status '' \"$(printf 'caf\\351')\"", dll }) psi.ArgumentList.Add(a);
            psi.Environment["TC_HANDOVER_TEST"] = "kept";
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("the lean tapechanger did not finish in 60 s");
            }
            Assert.Equal("", await stderr);
            Assert.Equal("full image ran\n", await stdout);
            Assert.Equal(7, p.ExitCode);
            // execv: the same process (sh exec'd dotnet, which exec'd the script), not a child.
            Assert.Equal(p.Id.ToString(), File.ReadAllText(Path.Combine(bin, "pid")).Trim());
            Assert.Equal("kept", File.ReadAllText(Path.Combine(bin, "env")));
            // argv[1..] as the kernel has them: the dotnet host's own words too, the empty argument, the byte E9 unchanged.
            byte[] expected = [.. Encoding.UTF8.GetBytes($"exec\0{dll}\0--server\0unix:/nonexistent/tapechangerd.sock\0status\0\0caf"), 0xE9, 0];
            Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(File.ReadAllBytes(Path.Combine(bin, "argv"))));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
