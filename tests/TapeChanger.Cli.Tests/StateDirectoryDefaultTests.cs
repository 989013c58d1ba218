namespace TapeChanger.Cli.Tests;

/// <summary>Where state lives when neither --state-dir, TAPECHANGER_STATE_DIR nor StateDirectory say.</summary>
public class StateDirectoryDefaultTests
{
    [Fact]
    public void Windows_state_is_shared_under_program_data() =>
        Assert.Equal(Path.Combine(@"C:\ProgramData", "TapeChanger"),
            TapeChangerCli.DefaultStateDirectory(windows: true, programData: @"C:\ProgramData", xdgStateHome: "/ignored", home: @"C:\Users\op"));

    [Fact]
    public void Windows_without_program_data_falls_back_to_the_users_local_app_data() =>
        Assert.Equal(Path.Combine(@"C:\Users\op", "AppData", "Local", "TapeChanger"),
            TapeChangerCli.DefaultStateDirectory(windows: true, programData: null, xdgStateHome: null, home: @"C:\Users\op"));

    [Fact]
    public void Unix_state_follows_xdg_state_home_else_dot_local_state()
    {
        Assert.Equal(Path.Combine("/x/state", "tapechanger"), TapeChangerCli.DefaultStateDirectory(false, @"C:\ProgramData", "/x/state", "/home/op"));
        Assert.Equal(Path.Combine("/home/op", ".local", "state", "tapechanger"), TapeChangerCli.DefaultStateDirectory(false, null, "", "/home/op", exists: p => p == "/home/op"));
    }

    [Fact]
    public void Unix_state_never_depends_on_the_current_directory()
    {
        static bool Exists(string p) => p == "/home/op";
        // A relative XDG_STATE_HOME is ignored (XDG base directory spec: paths must be absolute).
        Assert.Equal("/home/op/.local/state/tapechanger", TapeChangerCli.DefaultStateDirectory(false, null, "rel/state", "/home/op", exists: Exists));
        // HOME missing, relative or not there: root gets /var/lib/tapechanger, anyone else an error naming --state-dir.
        Assert.Equal("/var/lib/tapechanger", TapeChangerCli.DefaultStateDirectory(false, null, null, "/nonexistent", root: true, exists: Exists));
        Assert.Equal("/var/lib/tapechanger", TapeChangerCli.DefaultStateDirectory(false, null, null, null, root: true, exists: Exists));
        foreach (var home in new[] { "/nonexistent", "relative", null })
        {
            var e = Assert.Throws<UsageException>(() => TapeChangerCli.DefaultStateDirectory(false, null, null, home, root: false, exists: Exists));
            Assert.Contains("--state-dir", e.Message);
            Assert.Equal(ExitCodes.ConfigError, e.ExitCode);
        }
    }

    [Fact]
    public void A_process_with_an_unusable_home_fails_with_one_line_instead_of_writing_under_the_current_directory()
    {
        string cwd = Directory.CreateTempSubdirectory("tc-cwd-").FullName;
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = cwd };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "tapechanger.dll"));
        psi.ArgumentList.Add("profiles");                                        // resolves the state directory, writes nothing
        psi.Environment["HOME"] = "/nonexistent";
        psi.Environment.Remove("XDG_STATE_HOME");
        psi.Environment.Remove("TAPECHANGER_STATE_DIR");
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (Environment.IsPrivilegedProcess)
        {
            Assert.True(p.ExitCode == 0, err);                                  // root: /var/lib/tapechanger (the function above)
        }
        else
        {
            Assert.Equal(ExitCodes.ConfigError, p.ExitCode);
            Assert.Contains("--state-dir", err);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(cwd));                 // nothing written under the current directory
        Directory.Delete(cwd, true);
    }
}

/// <summary>An unknown command names the nearest one.</summary>
public class NearestCommandTests
{
    [Theory]
    [InlineData("stauts", "status")]
    [InlineData("staus", "status")]
    [InlineData("lod", "load")]
    [InlineData("cleaner", "clean")]
    [InlineData("xyz", null)]
    [InlineData("frobnicate", null)]
    public void Nearest(string typed, string? expected) =>
        Assert.Equal(expected, TapeChangerCli.Nearest(typed, ["status", "load", "unload", "clean", "inquiry"]));

    [Fact]
    public async Task The_usage_error_suggests_it()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(64, await TapeChangerCli.RunAsync(["stauts"], stdout, stderr));
        Assert.Equal("tapechanger: unrecognized command or argument 'stauts'; did you mean 'status'? (see 'tapechanger --help')", stderr.ToString().Trim());
        stderr.GetStringBuilder().Clear();
        Assert.Equal(64, await TapeChangerCli.RunAsync(["cleaner", "stauts"], stdout, stderr));
        Assert.Contains("did you mean 'status'?", stderr.ToString());
        stderr.GetStringBuilder().Clear();
        Assert.Equal(64, await TapeChangerCli.RunAsync(["frobnicate"], stdout, stderr));
        Assert.DoesNotContain("did you mean", stderr.ToString());
    }
}
