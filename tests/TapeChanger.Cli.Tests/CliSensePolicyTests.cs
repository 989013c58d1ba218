namespace TapeChanger.Cli.Tests;

/// <summary>The CLI side of the sense policy: --operator-wait / OperatorWaitSeconds and the waiting line on stderr.</summary>
public sealed class CliSensePolicyTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Door_open_fails_at_once_without_a_wait()
    {
        Assert.Equal(0, _cli.Run("virtual", "door", "open").ExitCode);
        var r = _cli.Run("load", "1");
        Assert.Equal(4, r.ExitCode);
        Assert.DoesNotContain("waiting up to", r.Stderr);
        Assert.Contains("a library door is open; close the door [NOT READY 02/04/18", r.Stderr);
    }

    [Fact]
    public void Operator_wait_prints_one_waiting_line_then_fails_when_the_door_stays_open()
    {
        Assert.Equal(0, _cli.Run("virtual", "door", "open").ExitCode);
        var r = _cli.Run("load", "1", "--operator-wait", "1");
        Assert.Equal(4, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal("tapechanger: waiting up to 1 s: a library door is open; close the door [02/04/18]", lines[0]);
        Assert.StartsWith("tapechanger: ", lines[1]);
        Assert.Contains("failed: a library door is open; close the door [NOT READY 02/04/18", lines[1]);
    }

    [Fact]
    public void Operator_wait_comes_from_the_environment_too_and_rejects_negative_values()
    {
        Assert.Equal(0, _cli.Run("virtual", "door", "open").ExitCode);
        var r = _cli.RunWithEnv(new Dictionary<string, string> { ["TAPECHANGER_OperatorWaitSeconds"] = "1" }, "load", "1", "--json");
        Assert.Equal(4, r.ExitCode);
        Assert.Contains("waiting up to 1 s: a library door is open", r.Stderr);
        Assert.Equal("OperatorIntervention", r.Json.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(64, _cli.Run("load", "1", "--operator-wait", "-1").ExitCode);
    }
}
