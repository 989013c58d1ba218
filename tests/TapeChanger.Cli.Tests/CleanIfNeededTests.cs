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
        // The virtual drive answers the TapeAlert response page 12h, so night 1's read left the flag set. Another program
        // reading page 2Eh (a backup program's TapeAlert check) takes it: the library's state still remembers.
        Assert.Equal(0, (await Run("virtual", "drive", "tapealert", "1", "0")).ExitCode);
        var night2 = await Run("clean", "--if-needed", "--all", "--json");
        Assert.Equal(80, night2.ExitCode);
        Assert.Equal("ERROR_CLEANER_SLOT_NOT_SET", night2.Json.GetProperty("result").GetString());
        var due = Assert.Single(night2.Json.GetProperty("needsCleaning").EnumerateArray());
        Assert.Equal(1, due.GetProperty("drive").GetInt32());
        Assert.True(due.GetProperty("remembered").GetBoolean());               // the drive no longer says so
        var entry = Assert.Single(night2.Json.GetProperty("drives").EnumerateArray());
        Assert.Equal(1, entry.GetProperty("drive").GetInt32());
        Assert.Equal(due.GetProperty("serial").GetString(), entry.GetProperty("serial").GetString());
        Assert.StartsWith("TapeAlert 20: cleaning required; remembered since", entry.GetProperty("trigger").GetString());
        Assert.Equal("ERROR_CLEANER_SLOT_NOT_SET", entry.GetProperty("result").GetString());
        Assert.Equal(4332u, entry.GetProperty("code").GetUInt32());
        Assert.Equal(80, entry.GetProperty("exitCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("operation").ValueKind);

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
        var night4 = await Run("clean", "--if-needed", "--all", "--wait", "--json");
        Assert.True(night4.ExitCode == 0, night4.Stdout + night4.Stderr);
        var cleaned = Assert.Single(night4.Json.GetProperty("drives").EnumerateArray());
        Assert.Equal(("passed", "ERROR_SUCCESS", 0u), (cleaned.GetProperty("state").GetString(), cleaned.GetProperty("result").GetString(), cleaned.GetProperty("code").GetUInt32()));
        var opOfDrive1 = (await Run("operations", cleaned.GetProperty("operation").GetString()!, "--json")).Json.GetProperty("operation");
        Assert.Equal((1, "clean", "passed", true), (opOfDrive1.GetProperty("drive").GetInt32(), opOfDrive1.GetProperty("kind").GetString(),
            opOfDrive1.GetProperty("state").GetString(), opOfDrive1.GetProperty("final").GetBoolean()));
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
    public async Task Ctrl_c_during_a_foreground_inject_exits_130_and_the_journal_says_cancelled()
    {
        Assert.Equal(0, (await Run("cleaner", "reserve", "21")).ExitCode);
        using var cts = new CancellationTokenSource();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var inject = TapeChangerCli.RunAsync(["--device", "virtual:" + Config, "--state-dir", State, "cleaner", "inject", "--cleans", "3", "--wait"], stdout, stderr, cts.Token);
        string? id = null;
        for (int i = 0; i < 200 && id is null; i++)
        {
            await Task.Delay(50);
            var ops = (await Run("operations", "--json")).Json.GetProperty("operations");
            if (ops.GetArrayLength() > 0 && ops[0].GetProperty("state").GetString() == "waiting-for-operator") id = ops[0].GetProperty("id").GetString();
        }
        Assert.NotNull(id);
        cts.Cancel();
        Assert.Equal(130, await inject);
        var op = (await Run("operations", id!, "--json")).Json.GetProperty("operation");
        Assert.Equal(("cancelled", "ERROR_CANCELLED"), (op.GetProperty("state").GetString(), op.GetProperty("result").GetString()));
    }

    [Fact]
    public async Task A_cleaner_already_in_a_slot_is_adopted_and_cleans()
    {
        var notCleaner = await Run("cleaner", "reserve", "1", "--adopt", "--cleans", "3");
        Assert.Equal(85, notCleaner.ExitCode);                                   // E01001L8 is a data cartridge
        Assert.Contains("ERROR_INVALID_CLEANER", notCleaner.Stderr);
        Assert.Equal(84, (await Run("cleaner", "reserve", "21", "--adopt", "--cleans", "3")).ExitCode);   // empty slot
        Assert.Equal(64, (await Run("cleaner", "reserve", "22", "--adopt")).ExitCode);                      // how many cleanings?
        Assert.Equal(64, (await Run("cleaner", "reserve", "22", "--cleans", "3")).ExitCode);                // --cleans without --adopt
        Assert.Equal(0, (await Run("cleaner", "status", "--json")).ExitCode);
        Assert.Equal(JsonValueKind.Null, (await Run("cleaner", "status", "--json")).Json.GetProperty("reservedSlot").ValueKind);

        var adopted = await Run("cleaner", "reserve", "22", "--adopt", "--cleans", "3", "--json");
        Assert.True(adopted.ExitCode == 0, adopted.Stdout + adopted.Stderr);
        Assert.Contains("cleaner CLN101L8 adopted with 3 cleaning(s) left", adopted.Json.GetProperty("message").GetString());
        var st = (await Run("cleaner", "status", "--json")).Json;
        Assert.Equal((22, "CLN101L8", 3u), (st.GetProperty("reservedSlot").GetInt32(), st.GetProperty("cleaner").GetString(), st.GetProperty("cleansLeft").GetUInt32()));
        var clean = await Run("clean", "0", "--wait", "--json");
        Assert.True(clean.ExitCode == 0, clean.Stdout + clean.Stderr);
        Assert.Equal(2u, (await Run("cleaner", "status", "--json")).Json.GetProperty("cleansLeft").GetUInt32());
    }

    [Fact]
    public async Task Each_drive_has_its_own_entry_and_the_exit_status_is_the_worst_not_the_last()
    {
        Assert.Equal(0, (await Run("cleaner", "reserve", "22", "--adopt", "--cleans", "3")).ExitCode);
        Assert.Equal(0, (await Run("load", "1", "0")).ExitCode);                                   // drive 0 holds a data tape
        Assert.Equal(0, (await Run("virtual", "drive", "tapealert", "0", "80000")).ExitCode);
        Assert.Equal(0, (await Run("virtual", "drive", "tapealert", "1", "100000")).ExitCode);      // flag 21
        var night = await Run("clean", "--if-needed", "--all", "--wait", "--json");
        Assert.True(night.ExitCode == 87, night.Stdout + night.Stderr);                            // drive 0's, though drive 1 passed after it
        var entries = night.Json.GetProperty("drives").EnumerateArray().ToList();
        Assert.Equal([(0, "ERROR_UNABLE_TO_CLEAN", 87), (1, "ERROR_SUCCESS", 0)],
            entries.Select(e => (e.GetProperty("drive").GetInt32(), e.GetProperty("result").GetString(), e.GetProperty("exitCode").GetInt32())));
        Assert.Equal("TapeAlert 20: cleaning required", entries[0].GetProperty("trigger").GetString());
        Assert.Equal("TapeAlert 21: cleaning requested", entries[1].GetProperty("trigger").GetString());
        Assert.Equal("passed", entries[1].GetProperty("state").GetString());
        Assert.Equal("ERROR_UNABLE_TO_CLEAN", night.Json.GetProperty("result").GetString());
        // Drive 0 still asks (remembered), drive 1 no longer.
        var pending = (await Run("cleaner", "status", "--json")).Json.GetProperty("pendingCleaning").EnumerateObject().Select(p => p.Value.GetProperty("drive").GetInt32());
        Assert.Equal([0], pending);
    }

    [Fact]
    public async Task Status_shows_a_cleaning_in_progress_on_its_drive_in_json_and_text_until_it_ends()
    {
        Assert.Equal(0, (await Run("cleaner", "reserve", "22", "--adopt", "--cleans", "3")).ExitCode);
        var clean = Run("clean", "1", "--wait", "--json");
        Outcome? during = null;
        for (int i = 0; i < 400 && during is null; i++)
        {
            var st = await Run("status", "--json");
            var drive = Drives(st.Json).Single(d => d.GetProperty("drive").GetInt32() == 1);
            if (drive.TryGetProperty("cleaning", out var c) && c.GetProperty("step").GetString() == "in-drive") during = st;
            else await Task.Delay(20);
        }
        Assert.NotNull(during);
        string text = (await Run("status")).Stdout;
        var done = await clean;
        Assert.True(done.ExitCode == 0, done.Stdout + done.Stderr);

        var cleaning = Drives(during.Json).Single(d => d.GetProperty("drive").GetInt32() == 1).GetProperty("cleaning");
        string id = cleaning.GetProperty("operation").GetString()!;
        Assert.Equal("in-process", cleaning.GetProperty("state").GetString());
        var op = (await Run("operations", id, "--json")).Json.GetProperty("operation");
        Assert.Equal((1, "clean", "passed"), (op.GetProperty("drive").GetInt32(), op.GetProperty("kind").GetString(), op.GetProperty("state").GetString()));
        Assert.Equal(op.GetProperty("created").GetDateTimeOffset(), cleaning.GetProperty("since").GetDateTimeOffset());
        Assert.All(Drives(during.Json).Where(d => d.GetProperty("drive").GetInt32() != 1), d => Assert.False(d.TryGetProperty("cleaning", out _)));
        var schema = Json.Schema.JsonSchema.FromText(File.ReadAllText(JsonSchemaTests.SchemaPath("status")));
        Assert.True(schema.Evaluate(during.Json).IsValid, during.Stdout);
        Assert.Contains($"CLEANING (in-process, in-drive; operation {id})", text.Split('\n').Single(l => l.TrimStart().StartsWith("drive 1 ", StringComparison.Ordinal)));
        // Ended: no mark left.
        Assert.All(Drives((await Run("status", "--json")).Json), d => Assert.False(d.TryGetProperty("cleaning", out _)));
        Assert.DoesNotContain("CLEANING", (await Run("status")).Stdout);

        static IEnumerable<JsonElement> Drives(JsonElement status) =>
            status.GetProperty("elements").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "dataTransfer");
    }

    [Fact]
    public async Task Status_names_the_library_serial_each_drive_model_and_marks_the_reserved_cleaner_slot()
    {
        var first = await Run("--verbose", "status", "--json");
        Assert.True(first.ExitCode == 0, first.Stderr);
        string? serial = first.Json.GetProperty("library").GetProperty("serial").GetString();
        Assert.False(string.IsNullOrEmpty(serial));
        Assert.Equal(serial, (await Run("inquiry", "--json")).Json.GetProperty("serial").GetString());
        Assert.Contains("> INQUIRY VPD 80h", first.Stderr);                      // asked once ...
        var second = await Run("--verbose", "status", "--json");
        Assert.DoesNotContain("VPD 80h", second.Stderr);                          // ... then kept
        Assert.Equal(serial, second.Json.GetProperty("library").GetProperty("serial").GetString());
        var drives = second.Json.GetProperty("elements").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "dataTransfer").ToList();
        Assert.All(drives, d => Assert.StartsWith("IBM ULT3580-TD", d.GetProperty("model").GetString()));
        Assert.Contains("IBM ULT3580-TD", (await Run("status")).Stdout.Split('\n').First(l => l.TrimStart().StartsWith("drive 0 ", StringComparison.Ordinal)));

        Assert.Equal(0, (await Run("cleaner", "reserve", "21")).ExitCode);
        var st = (await Run("status", "--json")).Json.GetProperty("elements").EnumerateArray().ToList();
        var marked = Assert.Single(st, e => e.TryGetProperty("reservedCleanerSlot", out var r) && r.GetBoolean());
        Assert.Equal(21, marked.GetProperty("slot").GetInt32());
        string line = (await Run("status")).Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("slot 21 ", StringComparison.Ordinal));
        Assert.Contains("(reserved cleaner slot)", line);
    }

    [Fact]
    public async Task A_second_inject_while_one_waits_is_refused_at_once()
    {
        Assert.Equal(0, (await Run("cleaner", "reserve", "21")).ExitCode);
        using var cts = new CancellationTokenSource();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var first = TapeChangerCli.RunAsync(["--device", "virtual:" + Config, "--state-dir", State, "cleaner", "inject", "--cleans", "3", "--wait"], stdout, stderr, cts.Token);
        string? id = null;
        for (int i = 0; i < 200 && id is null; i++)
        {
            await Task.Delay(50);
            var ops = (await Run("operations", "--json")).Json.GetProperty("operations");
            if (ops.GetArrayLength() > 0 && ops[0].GetProperty("state").GetString() == "waiting-for-operator") id = ops[0].GetProperty("id").GetString();
        }
        Assert.NotNull(id);
        var started = DateTime.UtcNow;
        var second = await Run("cleaner", "inject", "--cleans", "3", "--json");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(90, second.ExitCode);
        Assert.Equal("ERROR_INVALID_OPERATION", second.Json.GetProperty("result").GetString());
        Assert.Contains($"inject operation {id} is waiting-for-operator", second.Json.GetProperty("message").GetString());
        Assert.Equal(90, (await Run("cleaner", "eject")).ExitCode);            // the mail slot is taken for an eject too
        Assert.Single((await Run("operations", "--json")).Json.GetProperty("operations").EnumerateArray());
        cts.Cancel();
        Assert.Equal(130, await first);
    }

    [Fact]
    public async Task Dry_run_without_if_needed_is_a_usage_error()
    {
        var r = await Run("clean", "--all", "--dry-run");
        Assert.Equal(64, r.ExitCode);
        Assert.Contains("--dry-run goes with --if-needed", r.Stderr);
    }
}
