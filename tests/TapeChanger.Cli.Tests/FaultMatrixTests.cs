using TapeChanger.Testing;
using TapeChanger.Virtual;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The fault matrix: every changer command under every injected fault either succeeds after the client's
/// retries or fails with the documented exit code and a one-line message carrying the raw sense triplet. After each
/// case the virtual library must still hold every cartridge exactly once. The CLI runs in-process
/// (<see cref="TapeChangerCli.RunAsync"/>), one invocation per command with the state on disk between them, so the
/// faults travel through the persisted state as they do between separate processes (CliFaultProcessTests does a
/// subset with real processes). Faults whose outcome does not depend on the retry policy's details are used:
/// UA storms of 2 (retried) vs 20 (exhausted), one BUSY, one 04/01.
/// </summary>
public sealed class FaultMatrixTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tc-faults-").FullName;
    private string Config => Path.Combine(_root, "cfg");
    private string State => Path.Combine(_root, "state");

    public FaultMatrixTests()
    {
        // Library 10 with EXCHANGE MEDIUM advertised, so 'exchange' reaches the robot.
        VirtualLibraryFiles.CopyLibrary10(Config, VirtualLibraryFiles.ExchangeYes);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    private async Task<Outcome> Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync([.. args, "--device", "virtual:" + Config, "--state-dir", State], stdout, stderr);
        return new Outcome(rc, stdout.ToString(), stderr.ToString());
    }

    private async Task Ok(params string[] args)
    {
        var r = await Cli(args);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)} -> {r.ExitCode}: {r.Stderr}");
    }

    /// <summary>Each operation: its setup, its command line, and the robot command a "mid-operation" fault targets.</summary>
    private static readonly Dictionary<string, (string[][] Setup, string[] Args, string Robot)> Operations = new()
    {
        ["status"] = ([], ["status"], "READ ELEMENT STATUS"),
        ["load"] = ([], ["load", "1", "0"], "MOVE MEDIUM"),
        ["unload"] = ([["load", "1", "0"]], ["unload"], "MOVE MEDIUM"),
        ["transfer"] = ([], ["transfer", "1", "21"], "MOVE MEDIUM"),
        ["exchange"] = ([], ["exchange", "1", "2"], "EXCHANGE MEDIUM"),
        ["import"] = ([["virtual", "ieport", "open"], ["virtual", "ieport", "insert", "IMP001L8"], ["virtual", "ieport", "close"]], ["import"], "MOVE MEDIUM"),
        ["export"] = ([], ["export", "1"], "MOVE MEDIUM"),
        ["inventory"] = ([], ["inventory"], "INITIALIZE ELEMENT STATUS"),
        ["position"] = ([], ["position", "1"], "POSITION TO ELEMENT"),
    };

    /// <summary>`virtual fault add` arguments per fault; {robot} is the operation's robot command.</summary>
    private static readonly Dictionary<string, string[]> Faults = new()
    {
        ["ua-2"] = ["unit-attention", "--count", "2", "--sense", "29/00"],
        ["ua-2-28"] = ["unit-attention", "--count", "2", "--sense", "28/00"],
        ["ua-20"] = ["unit-attention", "--count", "20", "--sense", "2A/01"],
        ["busy-1"] = ["busy", "--count", "1"],
        ["becoming-ready-1"] = ["not-ready", "--count", "1", "--sense", "02/04/01"],
        ["timeout"] = ["timeout"],
        ["drop"] = ["drop"],
        ["reply-lost"] = ["drop", "--command", "{robot}", "--after-execute", "--count", "1"],
        ["half-move"] = ["half-move", "--command", "{robot}", "--count", "1"],
        ["magazine"] = ["magazine-removed", "--command", "{robot}", "--magazine", "1", "--count", "1"],
        ["refuse-unload"] = ["refuse-unload", "--element", "500"],
    };

    private static readonly string[] Moving = ["load", "unload", "transfer", "exchange", "import", "export"];

    /// <summary>The expected exit code and the sense triplet the message must show (null: no sense involved).</summary>
    private static (int Exit, string? Triplet) Expected(string op, string fault) => fault switch
    {
        "ua-2" or "ua-2-28" or "busy-1" or "becoming-ready-1" => (0, null),          // within every retry budget
        "ua-20" => (5, "06/2A/01"),                                                    // more UAs than any budget
        "timeout" or "drop" => (74, null),
        "reply-lost" => (74, null),
        "half-move" => Moving.Contains(op) ? (5, "04/3B/16") : (0, null),           // only MOVE/EXCHANGE can stop halfway
        "magazine" => (4, "02/3B/12"),                                               // pulled during the robot command: operator needed
        "refuse-unload" => op == "unload" ? (5, "05/53/03") : (0, null),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    /// <summary>Time-based faults cost a real second of retry wait in the CLI; they run on two operations here (all of them in the domain matrix).</summary>
    private static readonly HashSet<string> Slow = ["busy-1", "becoming-ready-1"];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in Operations.Keys)
        {
            foreach (var fault in Faults.Keys)
            {
                if (Slow.Contains(fault) && op is not ("status" or "load")) continue;
                data.Add(op, fault);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Operation_under_fault_succeeds_or_fails_cleanly_and_keeps_every_cartridge(string op, string fault)
    {
        var (setup, args, robot) = Operations[op];
        foreach (var step in setup) await Ok(step);
        await Ok("status");                                  // consumes the power-on 06/29/00
        var before = Inventory();

        await Ok(["virtual", "fault", "add", .. Faults[fault].Select(a => a.Replace("{robot}", robot))]);
        var r = await Cli(args);
        var (exit, triplet) = Expected(op, fault);

        Assert.True(r.ExitCode == exit, $"{op} under {fault}: expected exit {exit}, got {r.ExitCode}: {r.Stderr}{r.Stdout}");
        if (exit != 0)
        {
            string line = r.Stderr.TrimEnd('\n', '\r');
            Assert.StartsWith("tapechanger: ", line);
            Assert.DoesNotContain('\n', line);                // one line, no stack trace
            Assert.DoesNotContain("   at ", line);
            if (triplet is not null) Assert.Contains(triplet, line);
        }

        // Conservation: the same cartridges, each exactly once, wherever they are (picker included).
        var after = Inventory();
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        await Ok("virtual", "fault", "clear");
        var status = await Cli("status", "--json");
        Assert.Equal(0, status.ExitCode);

        if (fault == "half-move" && exit != 0)
        {
            // The cartridge waits in the picker: status shows it, and a move from the picker puts it back (page 1Fh allows MT sources).
            string barcode = Assert.Single(after, kv => kv.Value.Type == Scsi.ElementType.MediumTransport).Key;
            var picture = await Cli("status");
            Assert.Contains($"Picker [1]  {barcode}", picture.Stdout);
            ushort home = before[barcode].Address;
            await Ok("move", "1", home.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(home, Inventory()[barcode].Address);
        }
        if (fault == "magazine" && exit != 0)
        {
            Assert.Contains("3B/12", (await Cli("status")).Stdout);
            await Ok("virtual", "magazine", "insert", "1");
        }
        Assert.Equal(before.Keys.Order(), Inventory().Keys.Order());
    }

    [Fact]
    public async Task Inventory_without_range_completes()
    {
        // Regression: 'inventory' without --range indexed an empty array (exit 70, IndexOutOfRangeException).
        var r = await Cli("inventory");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("inventory complete", r.Stdout);
        Assert.Contains("inventory of 4 element(s) from 10 complete", (await Cli("inventory", "--range", "10", "4")).Stdout);
    }

    [Fact]
    public async Task Fault_commands_persist_list_and_clear_with_json()
    {
        var add = await Cli("virtual", "fault", "add", "not-ready", "--command", "TEST UNIT READY", "--for", "30", "--sense", "02/04/12", "--json");
        Assert.Equal(0, add.ExitCode);
        Assert.Contains("\"kind\": \"not-ready\"", add.Stdout);
        Assert.Contains("\"sense\": \"02/04/12\"", add.Stdout);
        await Ok("virtual", "fault", "add", "refuse-unload", "--element", "501");
        var list = await Cli("virtual", "fault", "list");
        Assert.Contains("#1 not-ready, 02/04/12, TEST UNIT READY", list.Stdout);
        Assert.Contains("#2 refuse-unload, 05/53/03, MOVE MEDIUM, element 501", list.Stdout);
        await Ok("virtual", "fault", "clear", "1");
        Assert.DoesNotContain("#1", (await Cli("virtual", "fault", "list")).Stdout);
        var missing = await Cli("virtual", "fault", "clear", "7");
        Assert.Equal(64, missing.ExitCode);
        Assert.Contains("no fault #7", missing.Stderr);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("not-ready", "--sense", "zz")]
    [InlineData("not-ready", "--sense", "02/04/01/07")]
    [InlineData("busy", "--count", "0")]
    [InlineData("busy", "--for", "-3")]
    [InlineData("busy", "--command", "FROBNICATE")]
    [InlineData("refuse-unload")]
    [InlineData("refuse-unload", "--element", "1000")]
    [InlineData("timeout", "--element", "9999")]
    [InlineData("magazine-removed", "--magazine", "9")]
    [InlineData("unit-attention", "--sense", "02/29/00")]
    [InlineData("half-move", "--after-execute")]
    [InlineData("busy", "--drive", "7")]
    public async Task Bad_fault_arguments_are_one_line_usage_errors(params string[] args)
    {
        var r = await Cli(["virtual", "fault", "add", .. args]);
        Assert.Equal(64, r.ExitCode);
        string line = r.Stderr.TrimEnd('\n', '\r');
        Assert.StartsWith("tapechanger: ", line);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain("\"id\"", (await Cli("virtual", "fault", "list", "--json")).Stdout);
    }

    /// <summary>Barcode → element, read straight from the persisted state; fails if a barcode is in two places.</summary>
    private Dictionary<string, VirtualElement> Inventory()
    {
        using var store = VirtualLibraryStore.Open(Config, State);
        var full = store.Library.Elements.Where(e => e.Barcode is not null).ToList();
        var dup = full.GroupBy(e => e.Barcode).FirstOrDefault(g => g.Count() > 1);
        Assert.True(dup is null, $"barcode {dup?.Key} is in {dup?.Count()} elements");
        return full.ToDictionary(e => e.Barcode!);
    }
}
