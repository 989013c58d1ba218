using System.Text;
using System.Text.Json;
using TapeChanger.Cli.Remote;
using TapeChanger.State;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The lean image's decision to run a command line in tapechanger-full (FullImage.Need), the argument vector it hands
/// over, its one-line failure, and the safety nets of the two switched-off features. The published images themselves
/// are checked by tools/publish-aot.sh.
/// </summary>
public class FullImageTests
{
    private static FullImageNeed Need(string argv0, string[] args, Dictionary<string, string>? env = null, Dictionary<string, string>? config = null) =>
        FullImage.Need(argv0, args, n => env?.GetValueOrDefault(n), n => config?.GetValueOrDefault(n));

    private static readonly Dictionary<string, string> Server = new() { ["TAPECHANGER_SERVER"] = "unix:/run/tapechanger/tapechangerd.sock" };
    private static readonly Dictionary<string, string> Database = new() { ["TAPECHANGER_DATABASE"] = "postgresql://db.example/tapechanger" };

    [Theory]
    [InlineData("status")]
    [InlineData("--version")]
    [InlineData("-f", "virtual:", "mtx", "status")]
    [InlineData("token", "list")]
    [InlineData("db", "check")]
    public void Nothing_configured_runs_in_the_lean_image(params string[] args)
    {
        Assert.Equal(FullImageNeed.None, Need("tapechanger", args));
        Assert.Equal(FullImageNeed.None, Need("/usr/local/bin/mtx", args));
    }

    [Theory]
    [InlineData("--server", "unix:/tmp/s.sock", "status")]
    [InlineData("--server=http://host:8080", "status")]
    [InlineData("status", "--server", "https://host:8443", "--json")]
    [InlineData("--server", "http://host:8080", "--token", "t", "move", "1", "2")]
    public void A_server_on_the_command_line_needs_the_full_image(params string[] args) =>
        Assert.Equal(FullImageNeed.ServiceClient, Need("tapechanger", args));

    [Fact]
    public void A_server_from_the_environment_or_appsettings_needs_the_full_image()
    {
        Assert.Equal(FullImageNeed.ServiceClient, Need("tapechanger", ["status"], Server));
        Assert.Equal(FullImageNeed.ServiceClient, Need("tapechanger", ["status"], config: new() { ["Server"] = "http://host:8080" }));
        // An empty variable is unset: appsettings.json's Server still counts.
        Assert.Equal(FullImageNeed.ServiceClient, Need("tapechanger", ["status"], new() { ["TAPECHANGER_SERVER"] = "" }, new() { ["Server"] = "http://host:8080" }));
        // "none" turns a configured service off.
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["status"], new() { ["TAPECHANGER_SERVER"] = "none" }, new() { ["Server"] = "http://host:8080" }));
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["--server", "none", "status"], Server));
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("--help")]
    [InlineData("decode", "--hex", "00")]
    [InlineData("profiles")]
    [InlineData("token", "list")]
    [InlineData("serve")]
    public void Commands_that_never_go_to_the_service_stay_lean_with_one_configured(params string[] args) =>
        Assert.Equal(FullImageNeed.None, Need("tapechanger", args, Server));

    [Theory]
    [InlineData("status", "--server")]                         // no value
    [InlineData("--server", "ftp://host", "status")]           // not an address the client takes
    public void A_server_usage_error_is_reported_by_the_lean_image_itself(params string[] args) =>
        Assert.Equal(FullImageNeed.None, Need("tapechanger", args));

    [Fact]
    public void Through_a_link_named_mtx_the_line_is_mtx_s_and_goes_to_the_service()
    {
        // The service gets `mtx --version` from mtx mode (it is not the top-level --version there).
        Assert.Equal(FullImageNeed.ServiceClient, Need("/usr/local/bin/mtx", ["--version"], Server));
        Assert.Equal(FullImageNeed.None, Need("/usr/local/bin/tapechanger", ["--version"], Server));
        Assert.Equal(FullImageNeed.ServiceClient, Need("mtx", ["-f", "virtual:", "status"], Server));
        Assert.Equal(FullImageNeed.ServiceClient, Need("mtx", ["--server", "http://host:1", "status"]));
    }

    [Theory]
    [InlineData("tapechanger", "status")]
    [InlineData("tapechanger", "token", "create", "--name", "x", "--role", "admin")]
    [InlineData("tapechanger", "db", "check")]
    [InlineData("tapechanger", "decode", "--hex", "00")]
    [InlineData("mtx", "-f", "virtual:", "status")]
    public void A_shared_database_needs_the_full_image(string argv0, params string[] args) =>
        Assert.Equal(FullImageNeed.SharedDatabase, Need(argv0, args, Database));

    [Fact]
    public void The_top_help_and_version_need_no_database()
    {
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["--version"], Database));
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["--help"], Database));
        Assert.Equal(FullImageNeed.None, Need("mtx", ["--version"], Database));
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["status"], new() { ["TAPECHANGER_DATABASE"] = "" }));
        // The short forms of the help, and no arguments at all (the help), likewise.
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["-h"], Database));
        Assert.Equal(FullImageNeed.None, Need("tapechanger", ["-?"], Database));
        Assert.Equal(FullImageNeed.None, Need("tapechanger", [], Database));
        // Only alone: with a command after it the line touches the state.
        Assert.Equal(FullImageNeed.SharedDatabase, Need("tapechanger", ["--help", "status"], Database));
    }

    [Fact]
    public void Without_an_argv0_the_line_is_tapechanger_s()
    {
        // No /proc/self/cmdline (ProgramName.Argv0 null): not mtx mode, so --version is the top-level one.
        Assert.Equal(FullImageNeed.None, FullImage.Need(null, ["--version"], n => Server.GetValueOrDefault(n), _ => null));
        Assert.Equal(FullImageNeed.ServiceClient, FullImage.Need(null, ["status"], n => Server.GetValueOrDefault(n), _ => null));
        Assert.False(FullImage.IsThisImage("/opt/x/tapechanger-full", null));
    }

    [Fact]
    public void The_handed_over_argv_is_the_original_byte_for_byte()
    {
        // /proc/self/cmdline of `mtx -f virtual:/tmp/v '' status <0xff>`: argv[0] stays mtx (mtx mode in the full image),
        // an empty argument stays, a byte that is not UTF-8 is not replaced.
        byte[] cmdline = [.. "mtx\0-f\0virtual:/tmp/v\0\0status\0"u8, 0xFF, 0];
        var argv = FullImage.Split(cmdline);
        Assert.Equal(["mtx", "-f", "virtual:/tmp/v", "", "status"], argv.Take(5).Select(a => Encoding.UTF8.GetString(a)));
        Assert.Equal(new byte[] { 0xFF }, argv[5]);
        Assert.Equal(6, argv.Count);

        // The last argument without its NUL (a command line cut short) is still one argument; nothing is none.
        Assert.Equal(["a", "", "bc"], FullImage.Split("a\0\0bc"u8).Select(a => Encoding.UTF8.GetString(a)));
        Assert.Empty(FullImage.Split([]));
    }

    [Fact]
    public void Everywhere_but_the_lean_image_both_features_are_on()
    {
        Assert.True(RemoteClient.IsSupported);
        Assert.True(StateDatabase.SharedDatabaseSupported);
        Assert.False(FullImage.IsLean);
    }

    [Fact]
    public void A_missing_full_image_is_one_line_naming_its_path_with_exit_69()
    {
        string dir = Directory.CreateTempSubdirectory("tc-full-").FullName;
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = FullImage.HandOver(FullImageNeed.ServiceClient, ["status"], dir, "/usr/local/bin/tapechanger", stdout, stderr);
            Assert.Equal(ExitCodes.DeviceUnavailable, rc);
            Assert.Equal("", stdout.ToString());
            string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("tapechanger: this command goes to a service (--server, TAPECHANGER_SERVER or Server in appsettings.json), which needs tapechanger-full: " +
                $"{Path.Combine(dir, "tapechanger-full")} is not installed (tools/install.sh installs it beside tapechanger)", line);

            // --json: the error document on stdout.
            stdout = new StringWriter();
            rc = FullImage.HandOver(FullImageNeed.SharedDatabase, ["--json", "status"], dir, "/usr/local/bin/tapechanger", stdout, new StringWriter());
            Assert.Equal(69, rc);
            var error = JsonDocument.Parse(stdout.ToString()).RootElement.GetProperty("error");
            Assert.Equal(69, error.GetProperty("exitCode").GetInt32());
            Assert.Equal("DeviceUnavailable", error.GetProperty("kind").GetString());
            Assert.Contains("TAPECHANGER_DATABASE", error.GetProperty("message").GetString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void A_full_image_that_cannot_run_is_one_line_with_the_reason()
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = Directory.CreateTempSubdirectory("tc-full-").FullName;
        try
        {
            // Not executable (mode 0644): execv fails with EACCES, even for root, and returns.
            string full = Path.Combine(dir, "tapechanger-full");
            File.WriteAllText(full, "not a program");
            File.SetUnixFileMode(full, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            var stderr = new StringWriter();
            int rc = FullImage.HandOver(FullImageNeed.ServiceClient, ["status"], dir, Path.Combine(dir, "tapechanger"), new StringWriter(), stderr);
            Assert.Equal(69, rc);
            Assert.EndsWith($"which needs tapechanger-full: cannot run {full}: Permission denied", Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public class FullImageLoopTests
{
    [Fact]
    public void A_lean_image_installed_as_tapechanger_full_is_refused_not_run()
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = Directory.CreateTempSubdirectory("tc-full-").FullName;
        try
        {
            // tapechanger-full a link to the running tapechanger: handing over would start this image again, for ever.
            // The files are executable-looking but never run: the check comes before execv.
            string self = Path.Combine(dir, "tapechanger");
            File.WriteAllText(self, "");
            File.CreateSymbolicLink(Path.Combine(dir, "tapechanger-full"), "tapechanger");
            var stderr = new StringWriter();
            int rc = FullImage.HandOver(FullImageNeed.SharedDatabase, ["status"], dir, self, new StringWriter(), stderr);
            Assert.Equal(69, rc);
            Assert.Equal("tapechanger: this command uses the PostgreSQL state database of TAPECHANGER_DATABASE, which needs tapechanger-full: " +
                $"{Path.Combine(dir, "tapechanger-full")} is this lean tapechanger, not the full image (tools/install.sh installs both)", stderr.ToString().TrimEnd());

            // A copy: the running process itself is named tapechanger-full.
            Assert.True(FullImage.IsThisImage(Path.Combine(dir, "tapechanger-full"), "/opt/x/tapechanger-full"));
            Assert.False(FullImage.IsThisImage("/opt/x/tapechanger-full", "/opt/x/tapechanger"));

            // A link to a link to it: the final target counts.
            File.Delete(Path.Combine(dir, "tapechanger-full"));
            File.CreateSymbolicLink(Path.Combine(dir, "latest"), "tapechanger");
            File.CreateSymbolicLink(Path.Combine(dir, "tapechanger-full"), "latest");
            Assert.True(FullImage.IsThisImage(Path.Combine(dir, "tapechanger-full"), self));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

public class FullImageLinkLoopTests
{
    [Fact]
    public void A_tapechanger_full_that_links_to_itself_is_not_this_image_and_cannot_run()
    {
        if (OperatingSystem.IsWindows()) return;
        string dir = Directory.CreateTempSubdirectory("tc-full-").FullName;
        try
        {
            // A loop resolves to no file: not this image (no hand-over to itself for ever either); execv fails with ELOOP.
            string full = Path.Combine(dir, "tapechanger-full");
            File.CreateSymbolicLink(full, "tapechanger-full");
            string self = Path.Combine(dir, "tapechanger");
            Assert.False(FullImage.IsThisImage(full, self));
            var stderr = new StringWriter();
            int rc = FullImage.HandOver(FullImageNeed.ServiceClient, ["status"], dir, self, new StringWriter(), stderr);
            Assert.Equal(69, rc);
            Assert.EndsWith($"which needs tapechanger-full: cannot run {full}: Too many levels of symbolic links", Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>The safety nets: a switched-off feature reached anyway ends with one line, never a crash or a connection attempt.</summary>
[Collection(nameof(FeatureSwitchCollection))]
public class FeatureSwitchOffTests
{
    [Fact]
    public async Task The_service_client_switched_off_is_one_line_exit_69()
    {
        AppContext.SetSwitch(RemoteClient.Switch, false);
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = await TapeChangerCli.RunAsync(["--server", "unix:/nonexistent/tapechangerd.sock", "status"], stdout, stderr);
            Assert.Equal(ExitCodes.DeviceUnavailable, rc);
            string line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("tapechanger: this tapechanger is built without the service client (--server unix:/nonexistent/tapechangerd.sock); tapechanger-full beside it has it (tools/install.sh installs both)", line);
        }
        finally
        {
            AppContext.SetSwitch(RemoteClient.Switch, true);
        }
    }

    [Fact]
    public void The_shared_database_switched_off_is_a_state_database_error_without_connecting()
    {
        AppContext.SetSwitch(StateDatabase.SharedDatabaseSwitch, false);
        try
        {
            Assert.True(FullImage.IsLean);
            // Port 1 on a documentation address: with the switch on this would try to connect (and fail differently).
            var e = Assert.Throws<StateDatabaseException>(() => StateDatabase.OpenShared("postgresql://tc:secret@192.0.2.1:1/tapechanger"));
            Assert.Equal(StateFailure.Failure, e.Kind);
            Assert.Equal("state database postgresql://tc:***@192.0.2.1:1/tapechanger: is a PostgreSQL database, which this tapechanger is built without: tapechanger-full beside it has it (tools/install.sh installs both)", e.Message);
            Assert.Equal(ExitCodes.ConfigError, ErrorMapper.Map(e).ExitCode);
        }
        finally
        {
            AppContext.SetSwitch(StateDatabase.SharedDatabaseSwitch, true);
        }
    }
}

[CollectionDefinition(nameof(FeatureSwitchCollection), DisableParallelization = true)]
public class FeatureSwitchCollection;
