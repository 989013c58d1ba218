using System.Text.Json;
using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// `--wait` means the same for every form of `clean`: without it `clean DRIVE` and `clean --if-needed` return once the
/// cleanings are queued (pending: ERROR_IO_PENDING, exit 0, each drive's entry `queued`) and a worker process carries
/// them out; with it they return when the cleanings ended. Separate processes: the worker is one.
/// </summary>
public sealed class CleanWaitTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _config;
    private readonly Dictionary<string, string> _env = new() { ["TAPECHANGER_CleanerPollMilliseconds"] = "100" };

    public CleanWaitTests()
    {
        _config = Path.Combine(_cli.StateDirectory, "cfg");
        VirtualLibraryFiles.CopyLibrary10(_config, VirtualLibraryFiles.CleaningTime1s);
    }

    public void Dispose() => _cli.Dispose();

    private CliRunner.Result Run(params string[] args) => _cli.RunWithEnv(_env, ["--device", "virtual:" + _config, .. args]);

    private JsonElement Op(string id) => Run("operations", id, "--json").Json.GetProperty("operation");

    private void WaitPassed(string id)
    {
        for (int i = 0; i < 200 && Op(id).GetProperty("state").GetString() != "passed"; i++) Thread.Sleep(100);
        Assert.Equal("passed", Op(id).GetProperty("state").GetString());
    }

    [Fact]
    public void Without_wait_every_clean_returns_pending_and_a_worker_cleans()
    {
        Assert.Equal(0, Run("cleaner", "reserve", "22", "--adopt", "--cleans", "5").ExitCode);

        Assert.Equal(0, Run("virtual", "drive", "tapealert", "1", "80000").ExitCode);
        var ifNeeded = Run("clean", "--if-needed", "--all", "--json");
        Assert.True(ifNeeded.ExitCode == 0, ifNeeded.Stdout + ifNeeded.Stderr);
        var doc = ifNeeded.Json;
        Assert.Equal(("ERROR_IO_PENDING", 997u, true), (doc.GetProperty("result").GetString(), doc.GetProperty("code").GetUInt32(), doc.GetProperty("ok").GetBoolean()));
        var entry = Assert.Single(doc.GetProperty("drives").EnumerateArray());
        Assert.Equal((1, "queued", "ERROR_IO_PENDING", 0), (entry.GetProperty("drive").GetInt32(), entry.GetProperty("state").GetString(),
            entry.GetProperty("result").GetString(), entry.GetProperty("exitCode").GetInt32()));
        WaitPassed(entry.GetProperty("operation").GetString()!);

        var one = Run("clean", "0", "--json");
        Assert.True(one.ExitCode == 0, one.Stdout + one.Stderr);
        Assert.Equal(("ERROR_IO_PENDING", "queued"), (one.Json.GetProperty("result").GetString(), one.Json.GetProperty("state").GetString()));
        WaitPassed(one.Json.GetProperty("operation").GetString()!);

        // Text: the queued line on stdout, nothing that reads as an error.
        var text = Run("clean", "0");
        Assert.Equal(0, text.ExitCode);
        Assert.StartsWith("queued as operation ", text.Stdout);
        Assert.DoesNotContain("ERROR_", text.Stderr);
        WaitPassed(text.Stdout.Split(' ')[3].TrimEnd(';'));

        // With --wait the same forms return when the cleaning ended.
        Assert.Equal(0, Run("virtual", "drive", "tapealert", "0", "80000").ExitCode);
        var waited = Run("clean", "--if-needed", "--all", "--wait", "--json");
        Assert.True(waited.ExitCode == 0, waited.Stdout + waited.Stderr);
        Assert.Equal("ERROR_SUCCESS", waited.Json.GetProperty("result").GetString());
        Assert.Equal("passed", Assert.Single(waited.Json.GetProperty("drives").EnumerateArray()).GetProperty("state").GetString());
        Assert.Equal(1u, Run("cleaner", "status", "--json").Json.GetProperty("cleansLeft").GetUInt32());
    }
}
