namespace TapeChanger.Cli.Tests;

/// <summary>--profile, profile overrides from the config directory, `profiles`, and replay: devices.</summary>
public sealed class CliProfileTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };
    private readonly string _config = Directory.CreateTempSubdirectory("tc-cfg-").FullName;
    private string ProfilesDir => Path.Combine(_config, "tapechanger", "hw-profiles");
    private static readonly string Msl = "replay:" + CliRunner.Fixture(Path.Combine("replay", "hpe-msl3040-lib1.replay"));

    public void Dispose()
    {
        _cli.Dispose();
        try { Directory.Delete(_config, recursive: true); } catch (IOException) { }
    }

    private CliRunner.Result Run(params string[] args) =>
        _cli.RunWithEnv(new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _config }, args);

    [Fact]
    public void Status_over_a_replayed_msl3040_capture()
    {
        var r = Run("--device", Msl, "status", "--json");
        Assert.Equal(0, r.ExitCode);
        var elements = r.Json.GetProperty("elements").EnumerateArray().ToList();
        var slot1 = elements.Single(e => e.GetProperty("address").GetInt32() == 1001);
        Assert.Equal(("CLNU01L9", "cleaning"), (slot1.GetProperty("barcode").GetString(), slot1.GetProperty("mediumType").GetString()!.ToLowerInvariant()));
        Assert.Equal(2, elements.Count(e => e.GetProperty("type").GetString() == "dataTransfer"));
    }

    [Fact]
    public void Inquiry_names_the_profile_why_and_its_file()
    {
        var r = Run("--device", Msl, "inquiry", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("hpe-msl3040", r.Json.GetProperty("profile").GetString());
        Assert.Equal("match", r.Json.GetProperty("profileSelectedBy").GetString());
        Assert.Equal("hw-profiles/hpe-msl3040.json", r.Json.GetProperty("profileFile").GetString());
        Assert.Contains("MSL3040", r.Json.GetProperty("profileReason").GetString());

        var forced = Run("--device", Msl, "--profile", "generic-smc", "inquiry", "--json");
        Assert.Equal(("generic-smc", "option"), (forced.Json.GetProperty("profile").GetString(), forced.Json.GetProperty("profileSelectedBy").GetString()));
        var text = Run("--device", Msl, "inquiry");
        Assert.Contains("Profile:  hpe-msl3040", text.Stdout);
    }

    [Fact]
    public void Unknown_profile_is_a_usage_error_listing_the_known_names()
    {
        var r = Run("--device", "virtual:", "--profile", "nope", "status");
        Assert.Equal(64, r.ExitCode);
        Assert.Contains("unknown hardware profile 'nope'", r.Stderr);
        Assert.Contains("mhvtl-stk-l-series", r.Stderr);
        Assert.Single(r.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void A_config_directory_file_overrides_the_shipped_profile_and_a_broken_one_is_named()
    {
        Directory.CreateDirectory(ProfilesDir);
        string file = Path.Combine(ProfilesDir, "msl.json");
        var template = Run("profiles", "hpe-msl3040");
        Assert.Equal(0, template.ExitCode);
        File.WriteAllText(file, template.Stdout.Replace("\"seconds\": 300", "\"seconds\": 77", StringComparison.Ordinal));
        var r = Run("--device", Msl, "inquiry", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(file, r.Json.GetProperty("profileFile").GetString());
        Assert.True(r.Json.GetProperty("profileOverride").GetBoolean());

        var list = Run("profiles", "--json");
        var row = list.Json.GetProperty("profiles").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "hpe-msl3040");
        Assert.True(row.GetProperty("override").GetBoolean());

        File.WriteAllText(Path.Combine(ProfilesDir, "bad.json"), """{"name": "x", "timeouts": {"moveSeconds": "soon"}}""");
        var bad = Run("--device", Msl, "status");
        Assert.Equal(78, bad.ExitCode);
        Assert.Contains("bad.json", bad.Stderr);
        Assert.Contains("timeouts.moveSeconds", bad.Stderr);
        Assert.Single(bad.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Profiles_lists_every_shipped_profile()
    {
        var r = Run("profiles", "--json");
        Assert.Equal(0, r.ExitCode);
        var names = r.Json.GetProperty("profiles").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        Assert.Contains("generic-smc", names);
        Assert.Contains("quadstor-vtl-ibm-03584", names);
        Assert.False(r.Json.GetProperty("directoryExists").GetBoolean());
    }

    [Fact]
    public void A_trace_log_replays_to_the_same_status()
    {
        // README "How to add your library": capture with --trace, reproduce with replay:.
        var live = Run("--device", "virtual:", "--trace", "status", "--json");
        Assert.Equal(0, live.ExitCode);
        string trace = Path.Combine(_config, "trace.txt");
        File.WriteAllText(trace, live.Stderr);
        var replayed = Run("--device", "replay:" + trace, "status", "--json");
        Assert.Equal(0, replayed.ExitCode);
        Assert.Equal(live.Json.GetProperty("elements").GetRawText(), replayed.Json.GetProperty("elements").GetRawText());
        Assert.Equal(live.Json.GetProperty("elementMap").GetRawText(), replayed.Json.GetProperty("elementMap").GetRawText());
    }

    [Fact]
    public void The_profiles_directory_setting_is_honoured()
    {
        string dir = Path.Combine(_config, "elsewhere");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "mine.json"), """{"name":"my-lib","match":{"vendor":"^HPE$","product":"^MSL3040$"},"priority":99,"sources":{"match":"my capture"}}""");
        var r = _cli.RunWithEnv(new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = _config, ["TAPECHANGER_ProfilesDirectory"] = dir },
            "--device", Msl, "inquiry", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("my-lib", r.Json.GetProperty("profile").GetString());
        Assert.Equal(Path.Combine(dir, "mine.json"), r.Json.GetProperty("profileFile").GetString());
    }

    [Fact]
    public void A_missing_replay_script_is_device_not_found()
    {
        var r = Run("--device", "replay:/nonexistent/lib.replay", "status");
        Assert.Equal(69, r.ExitCode);
        Assert.Contains("/nonexistent/lib.replay", r.Stderr);
    }

    /// <summary>Writes the shipped mhVTL profile, with one value changed (and cited), as an override in the config directory.</summary>
    private void OverrideMhvtl(string from, string to, string sourceKey)
    {
        var shipped = Run("profiles", "mhvtl-stk-l-series");
        Assert.Equal(0, shipped.ExitCode);
        Assert.Contains(from, shipped.Stdout);
        string json = shipped.Stdout.Replace(from, to).Replace("\"sources\": {", $"\"sources\": {{ \"{sourceKey}\": \"test override\",");
        Directory.CreateDirectory(ProfilesDir);
        File.WriteAllText(Path.Combine(ProfilesDir, "mhvtl-stk-l-series.json"), json);
    }

    [Fact]
    public void Status_sends_fewer_commands_than_mtx_cold_and_only_the_element_reads_warm()
    {
        Assert.Equal(0, Run("virtual", "reset").ExitCode);
        var cold = Run("--verbose", "status");
        Assert.Equal(0, cold.ExitCode);
        // Cold: INQUIRY (once: the profile choice reuses it) + MODE SENSE 1Dh (+1 re-sent after the power-on unit
        // attention) + 4 x READ ELEMENT STATUS. mtx sends INQUIRY, MODE SENSE 1Dh and the same four reads.
        var coldSent = Sent(cold.Stderr);
        Assert.Single(coldSent, l => l.StartsWith("> INQUIRY"));
        Assert.Equal(2, coldSent.Count(l => l.StartsWith("> MODE SENSE")));
        Assert.Equal(4, coldSent.Count(l => l.StartsWith("> READ ELEMENT STATUS")));
        Assert.Equal(7, coldSent.Count);

        // Warm: the identity and map kept from the cold run; only the four reads, which check the kept map.
        var warm = Run("--verbose", "status");
        Assert.Equal(0, warm.ExitCode);
        var warmSent = Sent(warm.Stderr);
        Assert.All(warmSent, l => Assert.StartsWith("> READ ELEMENT STATUS", l));
        Assert.Equal(4, warmSent.Count);
        Assert.Equal(cold.Stdout, warm.Stdout);
    }

    private static List<string> Sent(string verbose) => verbose.Split('\n').Where(l => l.StartsWith("> ")).ToList();

    /// <summary>READ ELEMENT STATUS CDBs from --verbose output whose element type code (byte 1 bits 3-0) is 0: all types.</summary>
    private static int AllTypeReads(string verbose) =>
        verbose.Split('\n').Count(l => l.Contains("cdb b8 ") && l.Split("cdb b8 ")[1].Length >= 2
            && (Convert.ToByte(l.Split("cdb b8 ")[1][..2], 16) & 0x0F) == 0);

    /// <summary>Runtime learning end to end: a combined READ ELEMENT STATUS rejected once is split, remembered, and not tried again.</summary>
    [Fact]
    public void A_rejected_combined_read_is_split_remembered_and_not_retried()
    {
        // The mhVTL profile, overridden to ask for all element types at once (a profile file in the config directory).
        OverrideMhvtl("\"strategy\": \"perType\"", "\"strategy\": \"allTypes\"", "readElementStatus");

        Assert.Equal(0, Run("status").ExitCode);                               // absorbs the power-on unit attention
        // The library rejects the next READ ELEMENT STATUS once, as a library that cannot read all types at once would.
        Assert.Equal(0, Run("virtual", "fault", "add", "not-ready", "--command", "READ ELEMENT STATUS", "--count", "1", "--sense", "05/24/00").ExitCode);

        var first = Run("--verbose", "status", "--json");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(1, AllTypeReads(first.Stderr));
        Assert.Contains("tapechanger: warning:", first.Stderr);
        Assert.Contains("one element type at a time", first.Stderr);
        Assert.Equal(48, first.Json.GetProperty("elements").GetArrayLength());
        var learned = TapeChanger.Cleaning.Tests.StateRows.Column(_cli.StateDirectory, "learned_quirks", "read_strategy");
        Assert.Equal(["PerType"], learned);
        Assert.NotEmpty(TapeChanger.Cleaning.Tests.StateRows.Column(_cli.StateDirectory, "learned_quirk_reasons", "reason"));

        // The next session reads one type at a time from the start and has nothing new to say.
        var second = Run("--verbose", "status", "--json");
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, AllTypeReads(second.Stderr));
        Assert.DoesNotContain("warning", second.Stderr);
        Assert.Equal(48, second.Json.GetProperty("elements").GetArrayLength());
    }

    /// <summary>Eject before unload on the virtual library: the drive is reached as its LUN and unloaded first.</summary>
    [Fact]
    public void A_profile_asking_for_it_unloads_the_drive_before_the_move()
    {
        OverrideMhvtl("\"ejectBeforeUnload\": false", "\"ejectBeforeUnload\": true", "ejectBeforeUnload");

        Assert.Equal(0, Run("load", "3", "1").ExitCode);
        var unload = Run("--verbose", "unload", "3", "1", "--json");
        Assert.Equal(0, unload.ExitCode);
        var commands = unload.Stderr.Split('\n').Where(l => l.StartsWith("> LOAD UNLOAD") || l.StartsWith("> MOVE MEDIUM")).Select(l => l[2..6]).Distinct().ToList();
        Assert.Equal(["LOAD", "MOVE"], commands);                  // the eject came first
        Assert.Equal(1002, unload.Json.GetProperty("destination").GetInt32());
    }
}
