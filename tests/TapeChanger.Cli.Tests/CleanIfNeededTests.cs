using System.Text.Json;
using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// `clean --if-needed` across nights, in-process (TapeChangerCli.RunAsync) on the virtual library 10: a drive's request
/// for cleaning, read once from TapeAlert page 2Eh (which the read clears), makes every run fail with its cause until a
/// cleaner is there and the drive is cleaned; the read-only answers (--dry-run, cleaner status, status) show it.
/// </summary>
public sealed class CleanIfNeededTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tc-ifneeded-").FullName;
    private string State => Path.Combine(_root, "state");
    private string Config => Path.Combine(_root, "cfg");

    public CleanIfNeededTests()
    {
        VirtualLibraryFiles.CopyLibrary10(Config, VirtualLibraryFiles.CleaningTime1s);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    private async Task<Outcome> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync(["--device", "virtual:" + Config, "--state-dir", State, .. args], stdout, stderr);
        return new Outcome(rc, stdout.ToString(), stderr.ToString());
    }

    private async Task<JsonElement> Drive1InStatus() =>
        (await Run("status", "--json")).Json.GetProperty("elements").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "dataTransfer" && e.GetProperty("drive").GetInt32() == 1);

    [Fact]
    public async Task A_request_fails_every_night_until_a_cleaner_cleans_the_drive_then_it_is_gone()
    {
        Assert.Equal(0, (await Run("virtual", "drive", "tapealert", "1", "80000")).ExitCode);      // flag 20 on drive 1

        // Night 1 and night 2: no cleaner slot. Both fail with 80 and name the drive; the second from memory.
        var night1 = await Run("clean", "--if-needed", "--all");
        Assert.True(night1.ExitCode == 80, night1.Stdout + night1.Stderr);
        Assert.Contains("drive 1 (TapeAlert 20: cleaning required)", night1.Stderr);
        Assert.Contains("ERROR_CLEANER_SLOT_NOT_SET", night1.Stderr);
        var night2 = await Run("clean", "--if-needed", "--all", "--json");
        Assert.Equal(80, night2.ExitCode);
        Assert.Equal("ERROR_CLEANER_SLOT_NOT_SET", night2.Json.GetProperty("result").GetString());
        var due = Assert.Single(night2.Json.GetProperty("needsCleaning").EnumerateArray());
        Assert.Equal(1, due.GetProperty("drive").GetInt32());
        Assert.True(due.GetProperty("remembered").GetBoolean());               // the drive's flag was cleared by night 1's read

        // The read-only answers.
        var dry = await Run("clean", "--if-needed", "--all", "--dry-run", "--json");
        Assert.Equal(91, dry.ExitCode);
        Assert.True(dry.Json.GetProperty("dryRun").GetBoolean());
        Assert.Contains("would clean drive 1", dry.Json.GetProperty("message").GetString());
        Assert.Contains("no cleaner slot is reserved", dry.Json.GetProperty("message").GetString());
        Assert.Equal(91, (await Run("clean", "--if-needed", "1", "--dry-run")).ExitCode);
        Assert.Equal(0, (await Run("clean", "--if-needed", "0", "--dry-run")).ExitCode);         // drive 0 never asked
        var pending = Assert.Single((await Run("cleaner", "status", "--json")).Json.GetProperty("pendingCleaning").EnumerateObject());
        Assert.Equal(1, pending.Value.GetProperty("drive").GetInt32());
        Assert.Equal("TapeAlert 20: cleaning required", pending.Value.GetProperty("reason").GetString());
        Assert.Contains("NEEDS CLEANING", (await Run("cleaner", "status")).Stdout);
        var drive1 = await Drive1InStatus();
        Assert.Equal(pending.Name, drive1.GetProperty("serial").GetString());
        Assert.Equal("TapeAlert 20: cleaning required", drive1.GetProperty("needsCleaning").GetProperty("reason").GetString());
        Assert.Equal(pending.Value.GetProperty("since").GetDateTimeOffset(), drive1.GetProperty("needsCleaning").GetProperty("since").GetDateTimeOffset());
        string text = (await Run("status")).Stdout;
        Assert.Contains("NEEDS CLEANING since", text.Split('\n').Single(l => l.TrimStart().StartsWith("drive 1 ", StringComparison.Ordinal)));
        Assert.DoesNotContain("NEEDS CLEANING", text.Split('\n').Single(l => l.TrimStart().StartsWith("drive 0 ", StringComparison.Ordinal)));

        // Night 3: a slot is reserved but holds no cleaner: still failing, now with 84.
        Assert.Equal(0, (await Run("cleaner", "reserve", "21")).ExitCode);
        var night3 = await Run("clean", "--if-needed", "--all");
        Assert.Equal(84, night3.ExitCode);
        Assert.Contains("ERROR_SLOT_EMPTY", night3.Stderr);

        // A cleaner is provided through the mail slot; night 4 cleans drive 1, and the request is gone.
        var inject = Run("cleaner", "inject", "--cleans", "5", "--wait");
        Assert.Equal(0, (await Run("virtual", "ieport", "open")).ExitCode);
        Assert.Equal(0, (await Run("virtual", "ieport", "insert", "CLN501L8")).ExitCode);
        Assert.Equal(0, (await Run("virtual", "ieport", "close")).ExitCode);
        var injected = await inject;
        Assert.True(injected.ExitCode == 0, injected.Stdout + injected.Stderr);
        var night4 = await Run("clean", "--if-needed", "--all", "--json");
        Assert.True(night4.ExitCode == 0, night4.Stdout + night4.Stderr);
        Assert.Contains("drive 1", night4.Json.GetProperty("message").GetString());
        Assert.Contains("ERROR_SUCCESS", night4.Json.GetProperty("message").GetString());

        var after = (await Run("cleaner", "status", "--json")).Json;
        Assert.Empty(after.GetProperty("pendingCleaning").EnumerateObject());
        Assert.Equal(4u, after.GetProperty("cleansLeft").GetUInt32());
        Assert.Single(after.GetProperty("history").GetProperty(pending.Name).EnumerateArray());
        Assert.False((await Drive1InStatus()).TryGetProperty("needsCleaning", out _));
        var night5 = await Run("clean", "--if-needed", "--all");
        Assert.Equal(0, night5.ExitCode);
        Assert.Contains("no drive asks for cleaning", night5.Stdout);
        Assert.Equal(0, (await Run("clean", "--if-needed", "--all", "--dry-run")).ExitCode);
    }

    [Fact]
    public async Task Dry_run_without_if_needed_is_a_usage_error()
    {
        var r = await Run("clean", "--all", "--dry-run");
        Assert.Equal(64, r.ExitCode);
        Assert.Contains("--dry-run goes with --if-needed", r.Stderr);
    }
}
