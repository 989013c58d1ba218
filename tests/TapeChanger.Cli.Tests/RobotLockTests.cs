using TapeChanger.Cleaning;

namespace TapeChanger.Cli.Tests;

/// <summary>Move commands hold the library's robot lock (the one cleaner steps hold), so two processes' moves never interleave.</summary>
public sealed class RobotLockTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_load_waits_while_another_process_holds_the_robot_and_runs_when_it_is_released()
    {
        var id = _cli.Run("inquiry", "--json").Json;
        string dir = new CleanerStateStore(_cli.StateDirectory, id.GetProperty("vendor").GetString()!, id.GetProperty("product").GetString()!,
            id.GetProperty("serial").GetString()).Directory;
        Directory.CreateDirectory(dir);
        var held = new FileStream(Path.Combine(dir, "robot.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var load = Task.Run(() => _cli.Run("load", "1", "0"));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Assert.False(load.IsCompleted, "load ran while another process held robot.lock");
        await held.DisposeAsync();
        var r = await load;
        Assert.True(r.ExitCode == 0, r.Stderr);
        var drive = _cli.Run("status", "--json").Json.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == 500);
        Assert.True(drive.GetProperty("full").GetBoolean());
    }
}
