using System.Text.Json;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The CLI under bad arguments: every case gets the exit code documented in README "Exit codes"
/// (src/TapeChanger.Cli/ExitCodes.cs), exactly one line on stderr and nothing on stdout, or with --json one
/// <c>{"ok": false, ...}</c> document on stdout and nothing on stderr; never a stack trace; and the persisted state
/// (virtual state.json byte for byte, the state database row for row) is what it was before the rejected command.
/// </summary>
public abstract class BadArgumentMatrix : IDisposable
{
    // In-process (rows with an environment assignment still run as processes); CliEndToEndTests and CliStateTests keep
    // process-level checks of the same one-line errors and exit codes.
    private readonly CliRunner _cli = new() { InProcess = true };
    private readonly string _scratch = Directory.CreateTempSubdirectory("tc-bad-").FullName;

    /// <summary>A state directory with the virtual library and its cleaner state written once (status, cleaner status).</summary>
    private static readonly Lazy<string> Primed = new(() =>
    {
        var runner = new CliRunner { InProcess = true };
        Assert.Equal(0, runner.Run("status").ExitCode);          // writes state.json and takes the power-on unit attention
        Assert.Equal(0, runner.Run("cleaner", "status").ExitCode); // writes the state database (device index)
        TapeChanger.State.StateDatabase.ReleaseConnections();      // checkpointed: the copies below are whole
        AppDomain.CurrentDomain.ProcessExit += (_, _) => runner.Dispose();
        return runner.StateDirectory;
    });

    public void Dispose()
    {
        _cli.Dispose();
        try { Directory.Delete(_scratch, recursive: true); } catch (IOException) { }
    }

    /// <summary>One row: name, documented exit code, a setup command line ("" for none), an env assignment ("" for none), the arguments.</summary>
    protected static object[] Row(string name, int exit, string setup, string env, params string[] args) => [name, exit, setup, env, args];

    protected void Check(string name, int exit, string setup, string env, string[] args)
    {
        CopyDirectory(Primed.Value, _cli.StateDirectory);
        if (setup.Length > 0) Assert.Equal(0, _cli.Run(setup.Split(' ')).ExitCode);
        var environment = new Dictionary<string, string>();
        if (env.Length > 0) environment[env[..env.IndexOf('=')]] = Resolve(env[(env.IndexOf('=') + 1)..]);
        args = args.Select(Resolve).ToArray();
        // A device that answered CHECK CONDITION (exit 4, 5) keeps that sense for REQUEST SENSE, as mhVTL does: the
        // virtual library's PendingSense may change then; the library's contents may not.
        bool deviceAnswered = exit is 4 or 5;
        var before = Snapshot(deviceAnswered);

        // Both variants at once (rejected commands leave the state alone, so order does not matter).
        var humanRun = Task.Run(() => _cli.RunWithEnv(environment, args));
        var jsonRun = Task.Run(() => _cli.RunWithEnv(environment, [.. args, "--json"]));
        var human = humanRun.GetAwaiter().GetResult();
        var json = jsonRun.GetAwaiter().GetResult();
        string shown = $"{name}: tapechanger {string.Join(' ', args)}\nexit {human.ExitCode}\nstdout: {human.Stdout}\nstderr: {human.Stderr}";
        Assert.True(exit == human.ExitCode, $"expected exit {exit}; {shown}");
        Assert.True(human.Stdout.Length == 0, $"stdout should be empty; {shown}");
        Assert.Matches(@"^tapechanger: [^\r\n]+\n?$", human.Stderr);
        NoStackTrace(human, shown);

        shown = $"{name}: tapechanger {string.Join(' ', args)} --json\nexit {json.ExitCode}\nstdout: {json.Stdout}\nstderr: {json.Stderr}";
        Assert.True(exit == json.ExitCode, $"expected exit {exit}; {shown}");
        Assert.True(json.Stderr.Length == 0, $"stderr should be empty with --json; {shown}");
        NoStackTrace(json, shown);
        AssertJsonError(json, exit, shown);
        AssertStateUnchanged(before, deviceAnswered, shown);
    }

    private static void NoStackTrace(CliRunner.Result r, string shown)
    {
        foreach (var text in new[] { r.Stdout, r.Stderr })
        {
            Assert.False(text.Contains("   at ", StringComparison.Ordinal), shown);
            Assert.False(text.Contains("at TapeChanger.", StringComparison.Ordinal), shown);
            Assert.False(text.Contains("Unhandled exception", StringComparison.OrdinalIgnoreCase), shown);
            Assert.False(text.Contains("internal error", StringComparison.Ordinal), shown);
        }
    }

    /// <summary>The two documented shapes: {"ok": false, "error": {"exitCode", "message", ...}}, or the cleaner's {"ok": false, "result", "code", "message"}.</summary>
    private static void AssertJsonError(CliRunner.Result r, int exit, string shown)
    {
        JsonElement doc;
        try
        {
            using var parsed = JsonDocument.Parse(r.Stdout);   // exactly one document: trailing content fails the parse
            doc = parsed.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({e.Message}); {shown}");
        }
        Assert.False(doc.GetProperty("ok").GetBoolean(), shown);
        string message;
        if (doc.TryGetProperty("error", out var error))
        {
            Assert.Equal(exit, error.GetProperty("exitCode").GetInt32());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("kind").GetString()), shown);
            message = error.GetProperty("message").GetString()!;
        }
        else
        {
            Assert.NotEqual("ERROR_SUCCESS", doc.GetProperty("result").GetString());
            Assert.NotEqual(0u, doc.GetProperty("code").GetUInt32());
            message = doc.GetProperty("message").GetString()!;
        }
        Assert.True(message.Length > 0 && !message.Contains('\n'), shown);
    }

    /// <summary>
    /// Every file of the state directory but the lock files (empty, created by flock users), and the rows of the state
    /// database (its files change when a reader opens them: the WAL index, a checkpoint; its rows do not).
    /// </summary>
    private Dictionary<string, byte[]> Snapshot(bool withoutPendingSense)
    {
        var files = Directory.EnumerateFiles(_cli.StateDirectory, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith(".lock", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith(TapeChanger.State.StateDatabase.FileName, StringComparison.Ordinal))
            .ToDictionary(f => Path.GetRelativePath(_cli.StateDirectory, f),
                f => withoutPendingSense && f.EndsWith("state.json", StringComparison.Ordinal) ? WithoutPendingSense(f) : File.ReadAllBytes(f));
        files["(state database rows)"] = System.Text.Encoding.UTF8.GetBytes(TapeChanger.Cleaning.Tests.StateRows.Dump(_cli.StateDirectory));
        return files;
    }

    private static byte[] WithoutPendingSense(string stateJson)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(stateJson))!.AsObject();
        node.Remove("PendingSense");
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private void AssertStateUnchanged(Dictionary<string, byte[]> before, bool withoutPendingSense, string shown)
    {
        var after = Snapshot(withoutPendingSense);
        Assert.True(before.Keys.Order().SequenceEqual(after.Keys.Order()),
            $"state files changed: before [{string.Join(", ", before.Keys.Order())}], after [{string.Join(", ", after.Keys.Order())}]; {shown}");
        foreach (var (file, bytes) in before)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed; {shown}");
        }
        Assert.Contains(before.Keys, k => k.EndsWith("state.json", StringComparison.Ordinal));   // the check saw the virtual library's state
    }

    /// <summary>{file}: a regular file; {dir}: a directory; {garbage}: a file that is not hex; {missing}: a path that does not exist.</summary>
    private string Resolve(string arg)
    {
        if (!arg.Contains('{')) return arg;
        string file = Path.Combine(_scratch, "regular.txt");
        File.WriteAllText(file, "not a device\n");
        string garbage = Path.Combine(_scratch, "garbage.hex");
        File.WriteAllText(garbage, "70 00 05 zz\n");
        return arg.Replace("{file}", file).Replace("{dir}", _scratch).Replace("{garbage}", garbage)
            .Replace("{missing}", Path.Combine(_scratch, "does", "not", "exist"));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
    }
}

/// <summary>Devices, global options, settings and unknown words.</summary>
public sealed class CliBadDeviceAndOptionTests : BadArgumentMatrix
{
    public static IEnumerable<object[]> Cases() =>
    [
        // device URIs (README "Device URIs"); a malformed URI is a usage error (64), a missing device 69
        Row("unknown scheme", 64, "", "", "--device", "foo://x", "status"),
        Row("sg without path", 64, "", "", "--device", "sg:", "status"),
        Row("iscsi without host", 64, "", "", "--device", "iscsi://", "status"),
        Row("iscsi without host, with target", 64, "", "", "--device", "iscsi:///iqn.2026-11.example:x/0", "status"),
        Row("usb not VID:PID", 64, "", "", "--device", "usb:zzzz", "status"),
        Row("empty device", 64, "", "", "--device", "", "status"),
        Row("device option without value", 64, "", "", "--device"),
        Row("nonexistent sg node", 69, "", "", "--device", "sg:/dev/nonexistent", "status"),
        Row("nonexistent virtual dir", 69, "", "", "--device", "virtual:{missing}", "status"),
        Row("virtual dir without device.conf", 78, "", "", "--device", "virtual:{dir}", "status"),
        Row("sg on a regular file", 69, "", "", "--device", "sg:{file}", "status"),
        Row("sg on a directory", 69, "", "", "--device", "sg:{dir}", "status"),
        Row("spt off Windows", 69, "", "", "--device", @"spt:\\.\Changer0", "status"),
        Row("virtual verbs on a non-virtual device", 64, "", "", "--device", "sg:/dev/sg0", "virtual", "reset"),
        // unknown verbs and options, missing arguments
        Row("unknown verb", 64, "", "", "frobnicate"),
        Row("unknown option", 64, "", "", "status", "--frob"),
        Row("option that does not exist (--cleaner-prefix is a setting)", 64, "", "", "status", "--cleaner-prefix", "XX"),
        Row("unknown virtual verb", 64, "", "", "virtual", "frob"),
        Row("unknown decode kind", 64, "", "", "decode", "frob", "{file}"),
        Row("no verb under cleaner", 64, "", "", "cleaner"),
        Row("load without slot", 64, "", "", "load"),
        Row("transfer without destination", 64, "", "", "transfer", "1"),
        Row("move without addresses", 64, "", "", "move"),
        Row("decode without file", 64, "", "", "decode", "sense"),
        Row("operations confirm without id", 64, "", "", "operations", "confirm"),
        Row("ieport with a bad action", 64, "", "", "ieport", "frob"),
        // decode inputs
        Row("decode a missing file", 66, "", "", "decode", "sense", "{missing}"),
        Row("decode a directory", 66, "", "", "decode", "sense", "{dir}"),
        Row("decode a file that is not hex", 65, "", "", "decode", "sense", "{garbage}"),
        // global options and settings (appsettings.json keys, TAPECHANGER_* environment variables)
        Row("state dir is a file", 78, "", "", "--state-dir", "{file}", "status"),
        Row("state dir is empty", 64, "", "", "--state-dir", "", "status"),
        Row("TAPECHANGER_STATE_DIR is a file", 78, "", "TAPECHANGER_STATE_DIR={file}", "status"),
        Row("retries not a number", 78, "", "TAPECHANGER_UnitAttentionRetries=abc", "status"),
        Row("retries out of range", 78, "", "TAPECHANGER_UnitAttentionRetries=99", "status"),
        Row("cleaning seconds negative", 78, "", "TAPECHANGER_CleaningSeconds=-1", "status"),
        Row("becoming-ready seconds not an int", 78, "", "TAPECHANGER_BecomingReadySeconds=1e9", "status"),
        Row("cleaner prefix with a space", 78, "", "TAPECHANGER_CleanerPrefix=CL N", "status"),
        Row("cleaner prefix with a control character", 78, "", "TAPECHANGER_CleanerPrefix=CL\u0001", "status"),
        Row("cleaner prefix too long", 78, "", "TAPECHANGER_CleanerPrefix=CLEANERS9", "status"),
        Row("device setting malformed", 64, "", "TAPECHANGER_DEVICE=foo://x", "status"),
        Row("device setting empty", 78, "", "TAPECHANGER_DEVICE=", "status"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_rejected_with_its_documented_exit_code(string name, int exit, string setup, string env, string[] args) =>
        Check(name, exit, setup, env, args);
}

/// <summary>Slots, drives, elements, barcodes and conflicting options of the verbs.</summary>
public sealed class CliBadValueTests : BadArgumentMatrix
{
    public static IEnumerable<object[]> Cases() =>
    [
        // out-of-range and malformed numbers: no such slot/drive is 2, a non-number 64
        Row("load slot 0", 2, "", "", "load", "0", "0"),
        Row("load slot 999", 2, "", "", "load", "999", "0"),
        Row("load slot 65536", 2, "", "", "load", "65536", "0"),
        Row("load negative slot", 2, "", "", "load", "-1", "0"),
        Row("load drive 99", 2, "", "", "load", "1", "99"),
        Row("load negative drive", 2, "", "", "load", "1", "-1"),
        Row("load slot not a number", 64, "", "", "load", "x", "0"),
        Row("load drive not a number", 64, "", "", "load", "1", "x"),
        Row("load slot beyond int", 64, "", "", "load", "99999999999"),
        Row("unload to slot 999", 2, "load 1 0", "", "unload", "999", "0"),
        Row("unload drive 99", 2, "", "", "unload", "1", "99"),
        Row("transfer to slot 999", 2, "", "", "transfer", "1", "999"),
        Row("position slot 0", 2, "", "", "position", "0"),
        Row("export slot 999", 2, "", "", "export", "999"),
        Row("export via a storage element", 2, "", "", "export", "1", "--element", "1000"),
        Row("import from a storage element", 2, "", "", "import", "--element", "1000"),
        Row("move to an address the library lacks", 2, "", "", "move", "1000", "9999"),
        Row("move address beyond 16 bits", 64, "", "", "move", "70000", "1"),
        Row("move negative address", 64, "", "", "move", "-1", "1"),
        Row("inventory range count 0", 64, "", "", "inventory", "--range", "1", "0"),
        Row("inventory range with one value", 64, "", "", "inventory", "--range", "1"),
        Row("inventory range beyond 16 bits", 64, "", "", "inventory", "--range", "70000", "1"),
        // refused by the library's state (1), not supported (3), needs the operator (4)
        Row("unload an empty drive", 1, "", "", "unload"),
        Row("load from an empty slot", 1, "", "", "load", "21", "0"),
        Row("load into a full drive", 1, "load 1 0", "", "load", "2", "0"),
        Row("transfer to a full slot", 1, "", "", "transfer", "1", "2"),
        Row("transfer from an empty slot", 1, "", "", "transfer", "21", "22"),
        Row("move from an empty element", 1, "", "", "move", "1020", "1021"),
        Row("import with empty mail slots", 1, "", "", "import"),
        Row("exchange unsupported", 3, "", "", "exchange", "1", "2"),
        Row("load with the door open", 4, "virtual door open", "", "load", "1"),
        // barcodes (virtual ieport insert, virtual slot insert): syntax is a usage error, a duplicate a refusal
        Row("ieport barcode with a control character", 64, "virtual ieport open", "", "virtual", "ieport", "insert", "AB\u0001C"),
        Row("ieport barcode with a newline", 64, "virtual ieport open", "", "virtual", "ieport", "insert", "AB\nC"),
        Row("ieport barcode with escape sequence", 64, "virtual ieport open", "", "virtual", "ieport", "insert", "\u001b[2J"),
        Row("ieport barcode with DEL", 64, "virtual ieport open", "", "virtual", "ieport", "insert", "AB\u007f"),
        Row("ieport barcode with a space", 64, "virtual ieport open", "", "virtual", "ieport", "insert", "AB C"),
        Row("ieport barcode not ASCII", 64, "virtual ieport open", "", "virtual", "ieport", "insert", "ÄB001L8"),
        Row("ieport barcode empty", 64, "virtual ieport open", "", "virtual", "ieport", "insert", ""),
        Row("ieport barcode overlong", 64, "virtual ieport open", "", "virtual", "ieport", "insert", new string('A', 200)),
        Row("ieport barcode overlong with control characters", 64, "virtual ieport open", "", "virtual", "ieport", "insert", new string('\n', 40)),
        Row("ieport barcode already in the library", 1, "virtual ieport open", "", "virtual", "ieport", "insert", "E01001L8"),
        Row("ieport insert with the port closed", 1, "", "", "virtual", "ieport", "insert", "NEW001L8"),
        Row("ieport insert at a storage element", 2, "virtual ieport open", "", "virtual", "ieport", "insert", "NEW001L8", "--element", "1000"),
        Row("ieport remove at element 999", 2, "virtual ieport open", "", "virtual", "ieport", "remove", "--element", "999"),
        Row("slot barcode with a tab", 64, "virtual door open", "", "virtual", "slot", "insert", "21", "X\tY"),
        Row("slot barcode empty", 64, "virtual door open", "", "virtual", "slot", "insert", "21", ""),
        Row("slot barcode overlong", 64, "virtual door open", "", "virtual", "slot", "insert", "21", "ABCDEFGHIJKLMNOPQ"),
        Row("slot insert at slot 99", 2, "virtual door open", "", "virtual", "slot", "insert", "99", "NEW001L8"),
        Row("slot insert without barcode", 64, "virtual door open", "", "virtual", "slot", "insert", "21"),
        Row("slot remove at slot 99", 2, "virtual door open", "", "virtual", "slot", "remove", "99"),
        Row("slot remove with the door closed", 1, "", "", "virtual", "slot", "remove", "1"),
        Row("magazine 9", 2, "", "", "virtual", "magazine", "remove", "9"),
        Row("magazine 0", 2, "", "", "virtual", "magazine", "insert", "0"),
        Row("tapealert drive 9", 2, "", "", "virtual", "drive", "tapealert", "9", "1"),
        Row("tapealert flags not hex", 64, "", "", "virtual", "drive", "tapealert", "0", "xyz"),
        // cleaner management: conflicting and missing options (64), RSM results with their codes (80-90, 2)
        Row("inject with --cleans and --unlimited", 64, "", "", "cleaner", "inject", "--cleans", "3", "--unlimited"),
        Row("inject without a count", 64, "", "", "cleaner", "inject"),
        Row("inject negative count", 64, "", "", "cleaner", "inject", "--cleans", "-1"),
        Row("inject zero timeout", 64, "", "", "cleaner", "inject", "--cleans", "1", "--timeout", "0"),
        Row("inject via nowhere", 64, "", "", "cleaner", "inject", "--via", "frob", "--cleans", "1"),
        Row("inject stop of a non-id", 64, "", "", "cleaner", "inject", "--stop", "notaguid"),
        Row("inject stop with a count", 64, "", "", "cleaner", "inject", "--stop", "00000000-0000-0000-0000-000000000001", "--cleans", "3"),
        Row("eject stop with --wait", 64, "", "", "cleaner", "eject", "--stop", "00000000-0000-0000-0000-000000000001", "--wait"),
        Row("inject stop of an unknown operation", 90, "", "", "cleaner", "inject", "--stop", "00000000-0000-0000-0000-000000000001"),
        Row("eject negative timeout", 64, "", "", "cleaner", "eject", "--timeout", "-5"),
        Row("clean without drive or --all", 64, "", "", "clean"),
        Row("clean a drive and --all", 64, "", "", "clean", "0", "--all"),
        Row("clean drive 99", 2, "", "", "clean", "99"),
        Row("clean negative drive", 2, "", "", "clean", "-1"),
        Row("clean drive not a number", 64, "", "", "clean", "x"),
        Row("reserve slot 0", 2, "", "", "cleaner", "reserve", "0"),
        Row("reserve slot 99", 2, "", "", "cleaner", "reserve", "99"),
        Row("reserve slot not a number", 64, "", "", "cleaner", "reserve", "x"),
        Row("reserve a full slot", 82, "", "", "cleaner", "reserve", "1"),
        Row("release with nothing reserved", 80, "", "", "cleaner", "release"),
        Row("operations of a non-id", 64, "", "", "operations", "notaguid"),
        Row("operations of an unknown id", 90, "", "", "operations", "00000000-0000-0000-0000-000000000001"),
        Row("confirm a non-id", 64, "", "", "operations", "confirm", "notaguid"),
        Row("confirm an unknown id", 90, "", "", "operations", "confirm", "00000000-0000-0000-0000-000000000001"),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_rejected_with_its_documented_exit_code(string name, int exit, string setup, string env, string[] args) =>
        Check(name, exit, setup, env, args);
}

/// <summary>Cases that need their own set-up: an unreadable state directory, a broken appsettings.json.</summary>
public sealed class CliBadEnvironmentTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static void OneLineError(CliRunner.Result r, int exit)
    {
        Assert.True(exit == r.ExitCode, $"exit {r.ExitCode}, stderr: {r.Stderr}");
        Assert.Empty(r.Stdout);
        Assert.Matches(@"^tapechanger: [^\r\n]+\n?$", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [UnreadableDirectoryFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Unreadable_state_directory_is_permission_denied()
    {
        string dir = Path.Combine(_cli.StateDirectory, "locked");
        Directory.CreateDirectory(dir);
        File.SetUnixFileMode(dir, UnixFileMode.None);   // chmod 000
        try
        {
            OneLineError(_cli.Run("--state-dir", dir, "status"), 77);
            var json = _cli.Run("--state-dir", dir, "status", "--json");
            Assert.Equal(77, json.ExitCode);
            Assert.Equal("PermissionDenied", json.Json.GetProperty("error").GetProperty("kind").GetString());
        }
        finally
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Theory]
    [InlineData("{ \"Device\": ", "appsettings.json")]                                  // not JSON
    [InlineData("{ \"UnitAttentionRetries\": \"many\" }", "UnitAttentionRetries")]       // wrong type
    [InlineData("{ \"CleanerPrefix\": \"CL N\" }", "CleanerPrefix")]                     // fails validation
    [InlineData("{ \"Device\": \"\" }", "Device")]                                        // required
    public void Bad_appsettings_json_is_a_configuration_error(string content, string named)
    {
        // A copy of the CLI's output directory, so this test's appsettings.json does not affect the others.
        string bin = Path.Combine(_cli.StateDirectory, "bin");
        Directory.CreateDirectory(bin);
        foreach (var f in Directory.EnumerateFiles(AppContext.BaseDirectory)) File.Copy(f, Path.Combine(bin, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(bin, "appsettings.json"), content);
        var cli = new CliRunner { BinDirectory = bin };
        try
        {
            var r = cli.Run("status");
            OneLineError(r, 78);
            Assert.Contains(named, r.Stderr);
        }
        finally
        {
            cli.Dispose();
        }
    }
}

/// <summary>
/// Skipped where chmod 000 does not stop this process (root, CAP_DAC_OVERRIDE; Windows), checked by trying it: then
/// the case cannot be produced, and the test says so in its skip reason.
/// </summary>
public sealed class UnreadableDirectoryFactAttribute : FactAttribute
{
    public UnreadableDirectoryFactAttribute()
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = "chmod 000 has no meaning on Windows";
            return;
        }
        string probe = Directory.CreateTempSubdirectory("tc-perm-").FullName;
        try
        {
            File.SetUnixFileMode(probe, UnixFileMode.None);
            try
            {
                _ = Directory.EnumerateFileSystemEntries(probe).Any();
                Skip = "running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not make the state directory unreadable";
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        finally
        {
            File.SetUnixFileMode(probe, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            Directory.Delete(probe);
        }
    }
}

/// <summary>The exit codes the matrix expects are the documented ones: README "Exit codes" and ExitCodes.Table agree.</summary>
public sealed class ExitCodeDocumentationTests
{
    private static string Readme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string f = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(f) && Directory.Exists(Path.Combine(dir.FullName, "src", "TapeChanger.Cli"))) return File.ReadAllText(f);
        }
        throw new FileNotFoundException("README.md of the repository not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void Readme_table_is_the_ExitCodes_table_and_covers_the_matrix()
    {
        string readme = Readme();
        int start = readme.IndexOf("## Exit codes", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no 'Exit codes' section");
        var section = readme[start..].Split('\n').Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal));
        var documented = section.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\| (\d+) \| (.*) \|$")).Where(m => m.Success)
            .Select(m => (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[2].Value)).ToList();
        Assert.Equal(ExitCodes.Table.Select(t => (t.Code, t.Meaning)), documented);
        var all = ExitCodes.Table.Select(t => t.Code).ToHashSet();
        var expected = CliBadDeviceAndOptionTests.Cases().Concat(CliBadValueTests.Cases()).Select(r => (int)r[1]).Distinct();
        Assert.All(expected, code => Assert.Contains(code, all));
    }

    [Fact]
    public void Readme_cleaner_results_exit_with_the_tables_code()
    {
        // | ERROR_X (...), ERROR_Y (...) | value | exit code |
        var rows = Readme().Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, @"^\| (ERROR_[^|]*)\|[^|]*\| (\d+) \|$")).Where(m => m.Success).ToList();
        Assert.True(rows.Count >= 20, $"{rows.Count} cleaner result rows");
        foreach (var row in rows)
        {
            int code = int.Parse(row.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (System.Text.RegularExpressions.Match name in System.Text.RegularExpressions.Regex.Matches(row.Groups[1].Value, @"ERROR_[A-Z_]+"))
            {
                Assert.Equal((name.Value, code), (name.Value, ExitCodes.For(Enum.Parse<TapeChanger.Cleaning.NtmsResult>(name.Value))));
            }
        }
    }

    [Fact]
    public void Every_domain_error_and_cleaner_result_has_its_row()
    {
        Assert.All(Enum.GetValues<TapeChanger.Domain.ChangerError>(), e => Assert.Single(ExitCodes.Table, r => r.Errors.Contains(e)));
        Assert.All(Enum.GetValues<TapeChanger.Cleaning.NtmsResult>().Where(r => r != TapeChanger.Cleaning.NtmsResult.ERROR_LIBRARY_FULL),
            r => Assert.Single(ExitCodes.Table, row => row.Results.Contains(r)));
        Assert.Equal(ExitCodes.OperationRefused, ExitCodes.For(TapeChanger.Domain.ChangerError.Reserved));
        Assert.Equal(ExitCodes.NotReady, ExitCodes.For(TapeChanger.Cleaning.NtmsResult.ERROR_LIBRARY_OFFLINE));
    }
}
