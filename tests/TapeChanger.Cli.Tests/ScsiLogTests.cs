using System.Globalization;

namespace TapeChanger.Cli.Tests;

/// <summary>ScsiLog: one tab-separated line per SCSI command (UTC start, end, pid, device, command, status) and one per robot lock hold.</summary>
public sealed class ScsiLogTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void A_load_logs_its_commands_and_its_move_inside_the_robot_lock_hold()
    {
        string log = Path.Combine(_cli.StateDirectory, "scsi.log");
        var env = new Dictionary<string, string> { ["TAPECHANGER_ScsiLog"] = log };
        var r = _cli.RunWithEnv(env, "load", "1", "0");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var refused = _cli.RunWithEnv(env, "load", "1", "1");          // slot 1 is empty now: refused before any move
        Assert.Equal(1, refused.ExitCode);

        var lines = File.ReadAllLines(log).Select(l => l.Split('\t')).ToList();
        Assert.All(lines, f => Assert.Equal(6, f.Length));
        static DateTime T(string s) => DateTime.ParseExact(s, "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
        Assert.All(lines, f => Assert.True(T(f[0]) <= T(f[1]), string.Join(' ', f)));
        Assert.All(lines, f => Assert.Equal(Environment.ProcessId.ToString(CultureInfo.InvariantCulture), f[2]));
        Assert.All(lines, f => Assert.Equal("virtual:", f[3]));
        var move = Assert.Single(lines, f => f[4] == "MOVE MEDIUM");
        Assert.Equal("Good", move[5]);
        Assert.Contains(lines, f => f[4] == "READ ELEMENT STATUS" && f[5] == "Good");
        var holds = lines.Where(f => f[4] == "ROBOT LOCK").ToList();
        Assert.Equal(2, holds.Count);                                   // each load held the robot
        Assert.Contains(holds, h => T(h[0]) <= T(move[0]) && T(move[1]) <= T(h[1]));
    }
}
