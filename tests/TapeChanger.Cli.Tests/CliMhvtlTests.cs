using System.Buffers.Binary;
using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests;

/// <summary>mhvtl: failures as the operator sees them: one line, the documented exit code, no stack trace (fake daemon).</summary>
public sealed class CliMhvtlTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-cli-mhvtl-").FullName;
    private string Sock => Path.Combine(_dir, "userland.10.sock");

    public void Dispose()
    {
        _cli.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private void OneLine(CliRunner.Result r, int exit, string fragment)
    {
        Assert.True(exit == r.ExitCode, $"exit {r.ExitCode}, stderr: {r.Stderr}");
        Assert.Empty(r.Stdout);
        Assert.Matches(@"^tapechanger: [^\r\n]+\n?$", r.Stderr);
        Assert.Contains(fragment, r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void Missing_socket_exits_69()
    {
        OneLine(_cli.Run("--device", "mhvtl:" + Sock, "status"), ExitCodes.DeviceUnavailable, "no socket at " + Sock);
        var json = _cli.Run("--device", "mhvtl:" + Sock, "status", "--json");
        Assert.Equal(ExitCodes.DeviceUnavailable, json.ExitCode);
        Assert.Equal("TransportNotFound", json.Json.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public void Regular_file_exits_69()
    {
        File.WriteAllText(Sock, "");
        OneLine(_cli.Run("--device", "mhvtl:" + Sock, "status"), ExitCodes.DeviceUnavailable, "is not a socket");
    }

    [Fact]
    public void Malformed_uri_exits_64() =>
        OneLine(_cli.Run("--device", "mhvtl:" + Sock + "?conf=/x", "status"), ExitCodes.Usage, "the only option is ?config=DIR");

    [Fact]
    public async Task Daemon_closing_mid_command_exits_74()
    {
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Close());
        OneLine(_cli.Run("--device", "mhvtl:" + Sock, "status"), ExitCodes.TransportError, "closed the connection during INQUIRY");
    }

    [Fact]
    public async Task Reply_of_the_wrong_type_exits_74()
    {
        var bogus = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(bogus, 2);
        await using var daemon = new FakeMhvtlDaemon(Sock, _ => new FakeAction.Raw(bogus));
        OneLine(_cli.Run("--device", "mhvtl:" + Sock, "status"), ExitCodes.TransportError, "protocol error during INQUIRY: reply of type 2");
    }
}
