using System.Net;
using TapeChanger.Access;
using TapeChanger.Server.Api;

namespace TapeChanger.Server.Tests;

/// <summary>The CLI with --server: the same stdout, stderr and exit code as the CLI run directly.</summary>
public class CliThroughServiceTests
{
    /// <summary>The same commands, in order, on two fresh virtual libraries: one directly, one through a service.</summary>
    [Fact]
    public async Task Status_load_unload_and_mtx_status_print_the_same_through_the_service()
    {
        string[][] script =
        [
            ["status"],
            ["load", "2", "1"],
            ["status", "--json"],
            ["mtx", "status"],
            ["load", "2", "0"],                  // slot 2 is empty now: refused, exit 1
            ["unload", "1"],
            ["mtx", "load", "3", "0"],
            ["mtx", "status"],
            ["bacula-changer", "default", "loaded", "0", "/dev/null", "0"],
            ["inventory"],
            ["load", "99", "0"],                 // no such slot: exit 2
        ];
        await using var direct = ServiceHost.Start();
        await using var served = ServiceHost.Start();
        string server = "unix:" + served.Socket;
        foreach (var argv in script)
        {
            // Directly, the library is named by its URI (bacula-changer's CTL too); through the service, by name.
            string[] directArgv = argv[0] == "bacula-changer" ? ["bacula-changer", "virtual:", .. argv[2..]] : argv[0] == "mtx" ? ["mtx", "-f", "virtual:", .. argv[1..]] : argv;
            var a = direct.RunCli(directArgv);
            var b = served.RunRemote(server, argv);
            string what = string.Join(' ', argv);
            Assert.True(a.ExitCode == b.ExitCode, $"{what}: exit {a.ExitCode} directly, {b.ExitCode} through the service ({b.Stderr})");
            Assert.Equal(Normalize(a.Stdout, direct), Normalize(b.Stdout, served));
            Assert.Equal(Normalize(a.Stderr, direct), Normalize(b.Stderr, served));
        }
        // Each command was one request of the library, in the history with its exit code.
        using var viewer = served.Unix();
        var history = ServiceHost.Parse(await viewer.GetStringAsync("api/v1/requests?limit=100")).GetProperty("requests");
        Assert.Equal(script.Length, history.GetArrayLength());
        Assert.All(history.EnumerateArray(), r => Assert.Equal("Command", r.GetProperty("kind").GetString()));
    }

    private static string Normalize(string text, ServiceHost host) => text.Replace(host.StateDirectory, "STATE", StringComparison.Ordinal);

    [Fact]
    public async Task Client_side_refusals_have_exit_codes_and_one_line()
    {
        await using var host = ServiceHost.Start(("Service:TrustOwnUid", "false"));
        var noRole = host.RunRemote("unix:" + host.Socket, "load", "1", "0");
        Assert.Equal(77, noRole.ExitCode);
        Assert.StartsWith("tapechanger: service: uid ", noRole.Stderr);
        Assert.Single(noRole.Stderr.TrimEnd('\n').Split('\n'));

        string viewer = host.Token(AccessRole.Viewer);
        var denied = host.RunRemote("unix:" + host.Socket, "--token", viewer, "load", "1", "0");
        Assert.Equal(77, denied.ExitCode);
        Assert.Contains("needs operator", denied.Stderr);
        var ok = host.RunRemote("unix:" + host.Socket, "--token", viewer, "status");
        Assert.Equal(0, ok.ExitCode);

        var gone = host.RunRemote("unix:" + Path.Combine(host.StateDirectory, "nothing.sock"), "status");
        Assert.Equal(69, gone.ExitCode);
        Assert.StartsWith("tapechanger: cannot reach the service at unix:", gone.Stderr);

        var json = host.RunRemote("http://127.0.0.1:1", "status", "--json");
        Assert.Equal(69, json.ExitCode);
        Assert.Equal("DeviceUnavailable", ServiceHost.Parse(json.Stdout).GetProperty("error").GetProperty("kind").GetString());
    }

    [Theory]
    [InlineData(new[] { "status" }, AccessRole.Viewer, "--state-dir S --device virtual: status")]
    [InlineData(new[] { "--json", "status" }, AccessRole.Viewer, "--state-dir S --device virtual: --json status")]
    [InlineData(new[] { "-f", "tape1", "load", "3", "0" }, AccessRole.Operator, "--state-dir S --device iscsi://h/iqn/0 load 3 0")]
    [InlineData(new[] { "load", "3", "--device", "virtual:" }, AccessRole.Operator, "--state-dir S --device virtual: load 3")]
    [InlineData(new[] { "cleaner", "status" }, AccessRole.Viewer, "--state-dir S --device virtual: cleaner status")]
    [InlineData(new[] { "cleaner", "inject" }, AccessRole.Operator, "--state-dir S --device virtual: cleaner inject")]
    [InlineData(new[] { "cleaner", "reserve", "5" }, AccessRole.Admin, "--state-dir S --device virtual: cleaner reserve 5")]
    [InlineData(new[] { "operations", "recover" }, AccessRole.Admin, "--state-dir S --device virtual: operations recover")]
    [InlineData(new[] { "list" }, AccessRole.Admin, "--state-dir S --device virtual: list")]
    [InlineData(new[] { "mtx", "status" }, AccessRole.Viewer, "--state-dir S mtx -f virtual: status")]
    [InlineData(new[] { "--verbose", "mtx", "-f", "tape1", "load", "1", "0" }, AccessRole.Operator, "--state-dir S --verbose mtx -f iscsi://h/iqn/0 load 1 0")]
    [InlineData(new[] { "bacula-changer", "tape1", "list", "0", "/dev/nst0", "0" }, AccessRole.Viewer, "--state-dir S bacula-changer iscsi://h/iqn/0 list 0 /dev/nst0 0")]
    [InlineData(new[] { "bacula-changer", "default", "load", "3", "/dev/nst0", "0" }, AccessRole.Operator, "--state-dir S bacula-changer virtual: load 3 /dev/nst0 0")]
    [InlineData(new[] { "load", "--help" }, AccessRole.Viewer, "--state-dir S --device virtual: load --help")]
    public void The_policy_maps_each_command_to_a_role_and_a_library(string[] argv, AccessRole role, string run)
    {
        var p = CliCommandPolicy.Prepare(argv, Resolve, "S");
        Assert.Equal(role, p.Role);
        Assert.Equal(run, string.Join(' ', p.Argv));
    }

    [Theory]
    [InlineData(new[] { "--state-dir", "/tmp", "status" }, 400)]
    [InlineData(new[] { "status", "--state-dir=/tmp" }, 400)]
    [InlineData(new[] { "-f", "/dev/sg0", "status" }, 404)]
    [InlineData(new[] { "-f", "../default", "status" }, 404)]
    [InlineData(new[] { "mtx", "-f", "virtual:/etc", "status" }, 404)]
    [InlineData(new[] { "bacula-changer", "/etc/passwd", "list" }, 404)]
    [InlineData(new[] { "decode", "sense", "/etc/shadow" }, 400)]
    [InlineData(new[] { "operations", "run", "x" }, 400)]
    [InlineData(new[] { "token", "list" }, 400)]
    [InlineData(new[] { "frobnicate" }, 400)]
    [InlineData(new string[0], 400)]
    [InlineData(new[] { "status\n" }, 400)]
    public void The_policy_refuses_what_the_service_must_not_run(string[] argv, int status)
    {
        var e = Assert.Throws<CommandRefusedException>(() => CliCommandPolicy.Prepare(argv, Resolve, "S"));
        Assert.Equal(status, e.Status);
    }

    private static (string, string)? Resolve(string key) => key switch
    {
        "default" or "virtual:" => ("default", "virtual:"),
        "tape1" or "iscsi://h/iqn/0" => ("tape1", "iscsi://h/iqn/0"),
        _ => null,
    };
}
