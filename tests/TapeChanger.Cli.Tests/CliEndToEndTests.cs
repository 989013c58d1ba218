using System.Text.Json;
using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// End-to-end: the CLI against the built-in virtual library, in-process through TapeChangerCli.RunAsync with a state
/// directory per test; the tests about separate processes and the process's exit code use RunProcess.
/// </summary>
public sealed class CliEndToEndTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };

    public void Dispose() => _cli.Dispose();

    private static JsonElement Element(JsonElement doc, int address) =>
        doc.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == address);

    [Fact]
    public void Status_json_lists_library_10_with_cleaners()
    {
        var r = _cli.Run("status", "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var doc = r.Json;
        Assert.True(doc.GetProperty("ok").GetBoolean());
        var elements = doc.GetProperty("elements").EnumerateArray().ToList();
        Assert.Equal(48, elements.Count);   // 1 picker + 4 drives + 4 mail slots + 39 slots
        Assert.Equal(39, elements.Count(e => e.GetProperty("type").GetString() == "storage"));
        Assert.Equal(4, elements.Count(e => e.GetProperty("type").GetString() == "importExport"));
        Assert.Equal(4, elements.Count(e => e.GetProperty("type").GetString() == "dataTransfer"));
        Assert.Single(elements, e => e.GetProperty("type").GetString() == "transport");

        var cleaner = Element(doc, 1021);
        Assert.Equal("CLN101L8", cleaner.GetProperty("barcode").GetString());
        Assert.Equal("cleaning", cleaner.GetProperty("mediumType").GetString());
        Assert.Equal(22, cleaner.GetProperty("slot").GetInt32());
        Assert.True(cleaner.GetProperty("cleaner").GetBoolean());

        var drive = Element(doc, 500);
        Assert.Equal(0, drive.GetProperty("drive").GetInt32());
        Assert.Contains("XYZZY_A1", drive.GetProperty("identifier").GetString());
        Assert.Equal(JsonValueKind.Null, drive.GetProperty("barcode").ValueKind);
        Assert.Equal(JsonValueKind.Null, drive.GetProperty("source").ValueKind);

        var mail = Element(doc, 10);
        Assert.Equal(40, mail.GetProperty("slot").GetInt32());
        Assert.True(mail.GetProperty("access").GetBoolean());
        foreach (var field in new[] { "type", "address", "full", "barcode", "alternateBarcode", "source", "mediumType", "except", "asc", "ascq", "access", "impExp", "identifier" })
        {
            Assert.True(mail.TryGetProperty(field, out _), $"element JSON lacks '{field}'");
        }
    }

    [Fact]
    public void Moves_in_separate_processes_show_up_in_status()
    {
        Assert.Equal(0, _cli.RunProcess("load", "1", "0").ExitCode);
        var s = _cli.RunProcess("status", "--json").Json;
        Assert.Equal("E01001L8", Element(s, 500).GetProperty("barcode").GetString());
        Assert.Equal(1000, Element(s, 500).GetProperty("source").GetInt32());
        Assert.Equal(1, Element(s, 500).GetProperty("sourceSlot").GetInt32());
        Assert.False(Element(s, 1000).GetProperty("full").GetBoolean());

        var unload = _cli.RunProcess("unload", "--json");
        Assert.Equal(0, unload.ExitCode);
        Assert.Equal(1000, unload.Json.GetProperty("destination").GetInt32());

        Assert.Equal(0, _cli.RunProcess("transfer", "2", "21").ExitCode);
        s = _cli.RunProcess("status", "--json").Json;
        Assert.False(Element(s, 500).GetProperty("full").GetBoolean());
        Assert.Equal("E01001L8", Element(s, 1000).GetProperty("barcode").GetString());
        Assert.Equal("E01002L8", Element(s, 1020).GetProperty("barcode").GetString());
        Assert.False(Element(s, 1001).GetProperty("full").GetBoolean());
    }

    [Fact]
    public void Human_status_is_a_picture_of_the_library()
    {
        var r = _cli.Run("status");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("STK L700", r.Stdout);
        Assert.Contains("Drives (0 of 4 loaded)", r.Stdout);
        Assert.Contains("CLN101L8 cleaner", r.Stdout);
        Assert.Contains("Import/export", r.Stdout);
    }

    [Fact]
    public void Refused_move_is_one_line_with_its_exit_code()
    {
        var r = _cli.RunProcess("load", "21", "0");
        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Contains("slot 21", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);

        var j = _cli.RunProcess("load", "21", "0", "--json");
        Assert.Equal(1, j.ExitCode);
        Assert.False(j.Json.GetProperty("ok").GetBoolean());
        Assert.Equal("SourceEmpty", j.Json.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal(1, j.Json.GetProperty("error").GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public void Device_rejection_prints_sense_and_meaning()
    {
        var r = _cli.Run("load", "1", "2");   // LTO-8 tape into the LTO-6 drive
        Assert.Equal(5, r.ExitCode);
        Assert.Contains("HARDWARE ERROR 04/04/03", r.Stderr);
        Assert.Contains("manual intervention required", r.Stderr);
    }

    [Theory]
    [InlineData(2, "load", "99")]
    [InlineData(2, "load", "1", "7")]
    [InlineData(64, "load", "abc")]
    [InlineData(64, "frobnicate")]
    [InlineData(64, "--device", "floppy:/dev/fd0", "status")]
    [InlineData(69, "--device", "sg:/dev/sg99", "status")]
    [InlineData(3, "exchange", "1", "2")]
    public void Bad_input_gets_a_documented_exit_code_and_no_stack_trace(int exit, params string[] args)
    {
        var r = _cli.Run(args);
        Assert.Equal(exit, r.ExitCode);
        Assert.StartsWith("tapechanger: ", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr + r.Stdout);
    }

    [Fact]
    public void Help_documents_the_exit_codes()
    {
        var r = _cli.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Exit codes:", r.Stdout);
        Assert.Contains(" 65  malformed data", r.Stdout);
    }

    [Fact]
    public void Verbose_prints_each_cdb_and_its_status()
    {
        var r = _cli.Run("status", "--verbose");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("> READ ELEMENT STATUS: cdb b8", r.Stderr);
        Assert.Contains("< status Good", r.Stderr);
        Assert.Contains("UNIT ATTENTION 06/29/00", r.Stderr);   // power-on UA of a fresh library, retried
    }

    [Fact]
    public void Inquiry_shows_identity_map_and_capabilities()
    {
        var r = _cli.Run("inquiry", "--json");
        Assert.Equal(0, r.ExitCode);
        var d = r.Json;
        Assert.Equal("STK", d.GetProperty("vendor").GetString());
        Assert.Equal("XYZZY_A", d.GetProperty("serial").GetString());
        Assert.Equal(1000, d.GetProperty("elementMap").GetProperty("storage").GetProperty("first").GetInt32());
        Assert.Equal(39, d.GetProperty("elementMap").GetProperty("storage").GetProperty("count").GetInt32());
        Assert.False(d.GetProperty("capabilities").GetProperty("exchange").GetBoolean());
        Assert.Equal("mhvtl-stk-l-series", d.GetProperty("profile").GetString());
        // Deterministic RSM ids: the same on every run, drives identified by serial.
        var again = _cli.Run("inquiry", "--json").Json;
        Assert.Equal(d.GetProperty("libraryId").GetGuid(), again.GetProperty("libraryId").GetGuid());
        var drives = d.GetProperty("ntmsObjects").EnumerateArray().Where(o => o.GetProperty("kind").GetString() == "drive").ToList();
        Assert.Equal(["XYZZY_A1", "XYZZY_A2", "XYZZY_A3", "XYZZY_A4"], drives.Select(x => x.GetProperty("serial").GetString()));
        Assert.Equal(39, d.GetProperty("ntmsObjects").EnumerateArray().Count(o => o.GetProperty("kind").GetString() == "slot"));
    }

    [Fact]
    public void Inquiry_text_reads_no_element_status_and_its_json_reads_the_drives_for_the_rsm_ids()
    {
        var text = _cli.Run("inquiry", "--verbose");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("RSM library id: ", text.Stdout);
        Assert.DoesNotContain("> READ ELEMENT STATUS", text.Stderr);

        var json = _cli.Run("inquiry", "--json", "--verbose");
        Assert.Equal(0, json.ExitCode);
        Assert.Contains("> READ ELEMENT STATUS", json.Stderr);
        Assert.Equal(json.Json.GetProperty("libraryId").GetGuid().ToString(), text.Stdout.Split("RSM library id: ")[1].Trim());
        Assert.Equal(39 + 4, json.Json.GetProperty("ntmsObjects").GetArrayLength());
    }

    [Fact]
    public void Operator_inserts_into_mail_slot_then_import_brings_it_in()
    {
        Assert.Equal(0, _cli.Run("virtual", "ieport", "open").ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "ieport", "insert", "NEW001L8").ExitCode);
        // The robot may not use the mail slot while it is open (mhVTL 02/3A/02).
        var blocked = _cli.Run("import");
        Assert.Equal(4, blocked.ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "ieport", "close").ExitCode);
        var s = _cli.Run("status", "--json").Json;
        Assert.True(Element(s, 10).GetProperty("impExp").GetBoolean());
        var r = _cli.Run("import", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(1020, r.Json.GetProperty("destination").GetInt32());   // first free storage slot is slot 21
        Assert.Equal("NEW001L8", r.Json.GetProperty("barcode").GetString());
    }

    [Fact]
    public void Virtual_reset_restores_the_configured_contents()
    {
        Assert.Equal(0, _cli.Run("load", "1").ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "reset").ExitCode);
        var s = _cli.Run("status", "--json").Json;
        Assert.False(Element(s, 500).GetProperty("full").GetBoolean());
        Assert.True(Element(s, 1000).GetProperty("full").GetBoolean());
    }

    [Fact]
    public void Decode_element_status_of_a_real_capture()
    {
        var r = _cli.Run("decode", "element-status", CliRunner.Fixture("hpe-msl3040-res-all-voltag-curdata.hex"), "--json");
        Assert.True(r.ExitCode == 0, r.Stderr);
        var elements = r.Json.GetProperty("elements").EnumerateArray().ToList();
        Assert.Equal(43, elements.Count);
        Assert.Contains(elements, e => e.GetProperty("barcode").GetString() == "CLNU01L9" && e.GetProperty("mediumType").GetString() == "cleaning");
    }

    [Fact]
    public void Decode_of_malformed_bytes_exits_65_naming_the_offset()
    {
        string f = Path.Combine(_cli.StateDirectory, "bad.hex");
        // Header declares 60 bytes; page type code 09h is invalid.
        File.WriteAllText(f, "# malformed\n00 01 00 01 00 00 00 3c 09 80 00 34 00 00 00 34\n");
        var r = _cli.Run("decode", "element-status", f);
        Assert.Equal(65, r.ExitCode);
        Assert.Contains("offset 8", r.Stderr);
        var missing = _cli.Run("decode", "sense", Path.Combine(_cli.StateDirectory, "nope.hex"));
        Assert.Equal(66, missing.ExitCode);
    }

    [Fact]
    public void Decode_sense_accepts_sg_raw_style_hex()
    {
        string f = Path.Combine(_cli.StateDirectory, "sense.txt");
        File.WriteAllText(f, "70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00\n");
        var r = _cli.Run("decode", "sense", f);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("ILLEGAL REQUEST 05/3B/0D: medium destination element full", r.Stdout);
    }
}

/// <summary>State, configuration and concurrency through the CLI (in-process except concurrent processes and environment).</summary>
public sealed class CliStateTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task Concurrent_processes_do_not_lose_moves()
    {
        // Four processes move four different tapes at once; the state lock serialises them.
        var moves = new[] { (1, 21), (2, 24), (3, 25), (4, 26) };
        // Every SCSI command and robot-lock hold of the four, with pid and times, for the failure message.
        string scsiLog = Path.Combine(_cli.StateDirectory, "scsi.log");
        var env = new Dictionary<string, string> { ["TAPECHANGER_ScsiLog"] = scsiLog };
        var jobs = moves.Select(m => Task.Run(() => _cli.RunProcess(env, "transfer", m.Item1.ToString(), m.Item2.ToString(), "--json"))).ToArray();
        var results = await Task.WhenAll(jobs);
        // What each process said, for the failure message: which move went where is the first question when one is lost.
        string said = string.Join("\n", results.Select((r, i) => $"transfer {moves[i].Item1} {moves[i].Item2}: exit {r.ExitCode} {r.Stdout.Trim()} {r.Stderr.Trim()}"));
        Assert.All(results, j => Assert.True(j.ExitCode == 0, said));
        var status = _cli.RunProcess("status", "--json");
        var full = status.Json.GetProperty("elements").EnumerateArray()
            .Where(e => e.GetProperty("full").GetBoolean()).Select(e => e.GetProperty("slot").ValueKind == System.Text.Json.JsonValueKind.Number ? e.GetProperty("slot").GetInt32() : -1).ToHashSet();
        string state = Path.Combine(_cli.StateDirectory, "virtual", "library10", "state.json");
        // Every file of the state directory with its size and time: a second library folder would show a move made elsewhere.
        string files = string.Join("\n", Directory.EnumerateFiles(_cli.StateDirectory, "*", SearchOption.AllDirectories).Order()
            .Select(f => $"  {Path.GetRelativePath(_cli.StateDirectory, f)} {new FileInfo(f).Length} {File.GetLastWriteTimeUtc(f):HH:mm:ss.fff}"));
        string why = $"{said}\nfull slots after: {string.Join(' ', full.Order())}\nfiles:\n{files}\nSCSI log:\n{(File.Exists(scsiLog) ? File.ReadAllText(scsiLog) : "(none)")}\nstate.json: {(File.Exists(state) ? File.ReadAllText(state) : "(none)")}";
        foreach (var (from, to) in moves)
        {
            Assert.True(!full.Contains(from), $"slot {from} is still full\n{why}");
            Assert.True(full.Contains(to), $"slot {to} is empty\n{why}");
        }
        Assert.True(full.Count == 32, $"{full.Count} full slots, not 32 (nothing lost, nothing duplicated)\n{why}");
    }

    [Fact]
    public void Library_from_an_mhvtl_config_directory()
    {
        string dir = Directory.CreateTempSubdirectory("tc-mhvtl-").FullName;
        File.WriteAllText(Path.Combine(dir, "device.conf"), """
            VERSION: 5

            Library: 30 CHANNEL: 00 TARGET: 08 LUN: 00
             Vendor identification: STK
             Product identification: L80
             Unit serial number: XYZZY_B

            Drive: 31 CHANNEL: 00 TARGET: 09 LUN: 00
             Library ID: 30 Slot: 01
             Vendor identification: IBM
             Product identification: ULT3580-TD8
             Unit serial number: XYZZY_B1

            """.Replace("            ", ""));
        File.WriteAllText(Path.Combine(dir, "library_contents.30"), "VERSION: 2\nDrive 1:\nPicker 1:\nMAP 1:\nSlot 1: G03001L8\nSlot 2:\nSlot 3: CLN303L8\n");
        try
        {
            var r = _cli.Run("--device", "virtual:" + dir, "status", "--json");
            Assert.True(r.ExitCode == 0, r.Stderr);
            var els = r.Json.GetProperty("elements").EnumerateArray().ToList();
            Assert.Equal("L80", r.Json.GetProperty("library").GetProperty("product").GetString());
            Assert.Equal(3, els.Count(e => e.GetProperty("type").GetString() == "storage"));
            Assert.Contains(els, e => e.GetProperty("barcode").GetString() == "CLN303L8" && e.GetProperty("cleaner").GetBoolean());
            Assert.Equal(0, _cli.Run("--device", "virtual:" + dir, "load", "1").ExitCode);
            // The built-in library's state is separate.
            var builtin = _cli.Run("status", "--json").Json;
            Assert.False(builtin.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == 500).GetProperty("full").GetBoolean());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Malformed_mhvtl_config_names_file_and_line()
    {
        string dir = Directory.CreateTempSubdirectory("tc-bad-").FullName;
        File.WriteAllText(Path.Combine(dir, "device.conf"), "VERSION: 5\n\nLibrary: 10 CHANNEL: 00 TARGET: 00 LUN: 00\n Vendor identification: STK\n Product identification: L700\n");
        File.WriteAllText(Path.Combine(dir, "library_contents.10"), "VERSION: 2\nSlot 1: A\nSlot 2: A\n");
        try
        {
            var r = _cli.Run("--device", "virtual:" + dir, "status");
            Assert.Equal(78, r.ExitCode);
            Assert.Contains("library_contents.10:3", r.Stderr);
            Assert.Single(r.Stderr.Trim().Split('\n'));
            var missing = _cli.Run("--device", "virtual:" + Path.Combine(dir, "nope"), "status");
            Assert.NotEqual(0, missing.ExitCode);
            Assert.DoesNotContain("   at ", missing.Stderr);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Corrupt_state_is_reported_and_reset_recovers()
    {
        Assert.Equal(0, _cli.Run("status").ExitCode);
        string state = Path.Combine(_cli.StateDirectory, "virtual", "library10", "state.json");
        File.WriteAllText(state, "{ not json");
        var r = _cli.Run("status");
        Assert.Equal(78, r.ExitCode);
        Assert.Contains("virtual reset", r.Stderr);
        Assert.Equal(0, _cli.Run("virtual", "reset").ExitCode);
        Assert.Equal(0, _cli.Run("status").ExitCode);
    }

    [Fact]
    public void Invalid_settings_are_rejected_at_start()
    {
        var r = _cli.RunWithEnv(new Dictionary<string, string> { ["TAPECHANGER_CleanerPrefix"] = "no spaces allowed" }, "status");
        Assert.Equal(78, r.ExitCode);
        Assert.Contains("CleanerPrefix", r.Stderr);
    }

    [Fact]
    public void Device_from_environment_overrides_appsettings()
    {
        var r = _cli.RunWithEnv(new Dictionary<string, string> { ["TAPECHANGER_DEVICE"] = "usb:0b4b:0001" }, "status", "--json");
        Assert.Equal(69, r.ExitCode);
        Assert.Contains("usb", r.Json.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public void Operator_actions_are_checked()
    {
        var r = _cli.Run("virtual", "ieport", "insert", "X1");       // port closed
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "door", "open").ExitCode);
        var blocked = _cli.Run("load", "1");
        Assert.Equal(4, blocked.ExitCode);
        Assert.Contains("door", blocked.Stderr);
        Assert.Equal(0, _cli.Run("virtual", "slot", "remove", "1").ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "slot", "insert", "21", "HAND01L8").ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "door", "close").ExitCode);
        var s = _cli.Run("status", "--json").Json;
        var slot21 = s.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == 1020);
        Assert.Equal("HAND01L8", slot21.GetProperty("barcode").GetString());
        Assert.Equal(0, _cli.Run("virtual", "magazine", "remove", "1").ExitCode);
        var mag = _cli.Run("load", "2");
        Assert.Equal(4, mag.ExitCode);
        Assert.Contains("magazine", mag.Stderr);
        Assert.Equal(0, _cli.Run("virtual", "magazine", "insert", "1").ExitCode);
        Assert.Equal(64, _cli.Run("virtual", "drive", "tapealert", "0", "xyz").ExitCode);
        Assert.Equal(0, _cli.Run("virtual", "drive", "tapealert", "0", "80000").ExitCode);
    }
}

/// <summary>Cleaner management through the CLI: worker processes, kill -9 recovery, concurrent cleanings.</summary>
public sealed class CliCleanerTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _config;
    private readonly Dictionary<string, string> _env = new() { ["TAPECHANGER_CleanerPollMilliseconds"] = "100" };

    public CliCleanerTests()
    {
        // Library 10 with a 1 s cleaning stage (mhVTL sequence 30/03 1 s, 04/00 3 s, then 04/02).
        _config = Path.Combine(_cli.StateDirectory, "cfg");
        VirtualLibraryFiles.CopyLibrary10(_config, VirtualLibraryFiles.CleaningTime1s);
    }

    public void Dispose() => _cli.Dispose();

    private CliRunner.Result Run(params string[] args) => _cli.RunWithEnv(_env, ["--device", "virtual:" + _config, .. args]);

    /// <summary>The same, in this process (for what does not need a worker process of its own).</summary>
    private CliRunner.Result RunHere(params string[] args) =>
        new CliRunner { InProcess = true, StateDirectory = _cli.StateDirectory }.RunWithEnv(_env, ["--device", "virtual:" + _config, .. args]);

    private System.Text.Json.JsonElement Op(string id) => Run("operations", id, "--json").Json.GetProperty("operation");

    private void ReserveAndInject(int cleans)
    {
        Assert.Equal(0, Run("cleaner", "reserve", "21").ExitCode);
        var start = Run("cleaner", "inject", "--cleans", cleans.ToString(), "--json");
        Assert.Equal(0, start.ExitCode);
        string id = start.Json.GetProperty("operation").GetString()!;
        // Waiting for the operator: pending, never ERROR_SUCCESS.
        var waiting = Op(id);
        Assert.Contains(waiting.GetProperty("state").GetString(), new[] { "queued", "in-process", "waiting-for-operator" });
        Assert.Equal(("ERROR_IO_PENDING", 997u, false), (waiting.GetProperty("result").GetString(), waiting.GetProperty("code").GetUInt32(), waiting.GetProperty("final").GetBoolean()));
        Assert.Equal(0, Run("virtual", "ieport", "open").ExitCode);
        Assert.Equal(0, Run("virtual", "ieport", "insert", "CLN501L8").ExitCode);
        Assert.Equal(0, Run("virtual", "ieport", "close").ExitCode);
        for (int i = 0; i < 100 && Op(id).GetProperty("state").GetString() != "passed"; i++) Thread.Sleep(100);
        Assert.Equal("passed", Op(id).GetProperty("state").GetString());
    }

    [Fact]
    public void Cleaner_commands_report_rsm_names_codes_and_exit_codes()
    {
        var r = RunHere("cleaner", "release", "--json");
        Assert.Equal(80, r.ExitCode);
        Assert.Equal("ERROR_NO_SLOT_SET", r.Json.GetProperty("result").GetString());
        Assert.Equal(0x2000_0001u, r.Json.GetProperty("code").GetUInt32());
        var full = RunHere("cleaner", "reserve", "1");
        Assert.Equal(82, full.ExitCode);
        Assert.Contains("ERROR_SLOT_FULL", full.Stderr);
        Assert.Equal(2, RunHere("cleaner", "reserve", "99").ExitCode);
        Assert.Equal(64, RunHere("cleaner", "inject").ExitCode);       // cleanings left must be given
        ReserveAndInject(3);
        var wait = RunHere("clean", "0", "--wait", "--json");
        Assert.True(wait.ExitCode == 0, wait.Stdout + wait.Stderr);
        Assert.Equal("passed", wait.Json.GetProperty("details").GetProperty("state").GetString());
        var st = RunHere("cleaner", "status", "--json").Json;
        Assert.Equal(2u, st.GetProperty("cleansLeft").GetUInt32());
        Assert.Equal("CLN501L8", st.GetProperty("cleaner").GetString());
        // The reserved slot is off limits for data commands.
        var load = RunHere("load", "21");
        Assert.Equal(1, load.ExitCode);
        Assert.Contains("reserved cleaner slot", load.Stderr);
    }

    [Fact]
    public void Killed_worker_is_recovered_and_the_cleaning_counted_once()
    {
        ReserveAndInject(5);
        var start = Run("clean", "0", "--json");
        Assert.Equal(0, start.ExitCode);
        string id = start.Json.GetProperty("operation").GetString()!;
        int pid = 0;
        for (int i = 0; i < 100; i++)
        {
            var op = Op(id);
            if (op.GetProperty("step").GetString() == "in-drive" && op.GetProperty("workerPid").ValueKind == System.Text.Json.JsonValueKind.Number)
            {
                pid = op.GetProperty("workerPid").GetInt32();
                break;
            }
            Thread.Sleep(50);
        }
        Assert.NotEqual(0, pid);
        System.Diagnostics.Process.GetProcessById(pid).Kill();     // SIGKILL: no cleanup runs
        Thread.Sleep(200);
        var status = Run("status", "--json").Json;
        Assert.True(status.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == 500).GetProperty("full").GetBoolean());
        var rec = Run("operations", "recover");
        Assert.True(rec.ExitCode == 0, rec.Stderr);
        Assert.Contains($"{id}: passed ERROR_SUCCESS (the operation completed successfully)", rec.Stdout);
        Assert.Equal("passed", Op(id).GetProperty("state").GetString());
        var st = Run("cleaner", "status", "--json").Json;
        Assert.Equal(4u, st.GetProperty("cleansLeft").GetUInt32());
        status = Run("status", "--json").Json;
        Assert.False(status.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == 500).GetProperty("full").GetBoolean());
    }

    [Fact]
    public void A_dead_worker_shows_as_interrupted_and_the_next_clean_recovers_it_first()
    {
        ReserveAndInject(5);
        string id = Run("clean", "0", "--json").Json.GetProperty("operation").GetString()!;
        int pid = 0;
        for (int i = 0; i < 100 && pid == 0; i++)
        {
            var op = Op(id);
            if (op.GetProperty("step").GetString() == "in-drive" && op.GetProperty("workerPid").ValueKind == System.Text.Json.JsonValueKind.Number)
            {
                pid = op.GetProperty("workerPid").GetInt32();
            }
            else Thread.Sleep(50);
        }
        Assert.NotEqual(0, pid);
        System.Diagnostics.Process.GetProcessById(pid).Kill();
        Thread.Sleep(300);
        var dead = Op(id);
        Assert.Equal("interrupted", dead.GetProperty("state").GetString());
        Assert.Contains("run 'tapechanger operations recover'", dead.GetProperty("message").GetString());
        Assert.Contains("interrupted", Run("operations", id).Stdout);
        // The cleaner is still in drive 0; `clean 1` finishes that cleaning first, then cleans drive 1.
        var next = Run("clean", "1", "--wait", "--json");
        Assert.True(next.ExitCode == 0, next.Stdout + next.Stderr);
        Assert.Contains($"recovering cleaning {id} of drive 0 first", next.Stderr);
        Assert.Contains($"cleaning {id}: passed ERROR_SUCCESS (the operation completed successfully)", next.Stderr);
        Assert.Equal("passed", Op(id).GetProperty("state").GetString());
        Assert.Equal(3u, Run("cleaner", "status", "--json").Json.GetProperty("cleansLeft").GetUInt32());
    }

    [Fact]
    public async Task Concurrent_cleanings_of_different_drives_queue_for_the_one_cleaner()
    {
        ReserveAndInject(10);
        var jobs = new[] { "0", "1" }.Select(d => Task.Run(() => Run("clean", d, "--wait", "--json"))).ToArray();
        var results = await Task.WhenAll(jobs);
        Assert.All(results, r => Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr));
        var st = Run("cleaner", "status", "--json").Json;
        Assert.Equal(8u, st.GetProperty("cleansLeft").GetUInt32());
        Assert.Equal(2, st.GetProperty("history").EnumerateObject().Count());
    }
}
