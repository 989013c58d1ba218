using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests.Mtx;

/// <summary>`tapechanger mtx` in-process (TapeChangerCli.RunAsync) on the virtual library and on a replayed real capture.</summary>
public sealed class MtxCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tc-mtx-").FullName;
    private string State => Path.Combine(_root, "state");
    private string Config => Path.Combine(_root, "cfg");
    private string Device => "virtual:" + Config;

    public MtxCliTests()
    {
        VirtualLibraryFiles.CopyLibrary10(Config);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    private async Task<Outcome> Mtx(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync(["--state-dir", State, "mtx", .. args], stdout, stderr);
        return new Outcome(rc, stdout.ToString(), stderr.ToString());
    }

    private async Task<string[]> StatusLines()
    {
        var r = await Mtx("-f", Device, "status");
        Assert.Equal(0, r.ExitCode);
        Assert.EndsWith("\n", r.Stdout);
        return r.Stdout.Split('\n');
    }

    [Fact]
    public async Task Status_of_a_replayed_msl3040_is_the_real_mtx_capture_byte_for_byte()
    {
        string replay = "replay:" + CliRunner.Fixture(Path.Combine("replay", "hpe-msl3040-lib1.replay"));
        var r = await Mtx("-f", replay, "status");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
        string capture = File.ReadAllText(CliRunner.Fixture(Path.Combine("mtx", "hpe-msl3040-status.txt")));
        Assert.Equal(capture.Replace("Storage Changer /dev/sg7:", $"Storage Changer {replay}:"), r.Stdout);
    }

    [Fact]
    public async Task Status_header_drives_storage_and_import_export_lines()
    {
        var lines = await StatusLines();
        Assert.Equal($"  Storage Changer {Device}:4 Drives, 43 Slots ( 4 Import/Export )", lines[0]);
        Assert.Equal("Data Transfer Element 0:Empty", lines[1]);
        Assert.Equal("      Storage Element 1:Full :VolumeTag=E01001L8" + new string(' ', 24), lines[5]);
        Assert.StartsWith("      Storage Element 40 IMPORT/EXPORT:Empty", lines[44]);
    }

    [Fact]
    public async Task Several_commands_in_one_run_in_order_with_mtx_progress_text()
    {
        var r = await Mtx("-f", Device, "load", "1", "0", "load", "2", "1", "unload", "1", "0");
        Assert.Equal((0, ""), (r.ExitCode, r.Stderr));
        Assert.Equal(
            "Loading media from Storage Element 1 into drive 0...done\n" +
            "Loading media from Storage Element 2 into drive 1...done\n" +
            "Unloading drive 0 into Storage Element 1...done\n", r.Stdout);
        var lines = await StatusLines();
        Assert.Equal("Data Transfer Element 0:Empty", lines[1]);
        Assert.Equal("Data Transfer Element 1:Full (Storage Element 2 Loaded):VolumeTag = E01002L8" + new string(' ', 24), lines[2]);
        Assert.Equal("      Storage Element 2:Empty", lines[6]);   // this virtual library sends NULs for an empty slot's tag (tgt sends blanks, and mtx prints them)
    }

    [Theory]
    [InlineData(new[] { "load", "21", "0" }, "Loading media from Storage Element 21 into drive 0...", "Source Element Address 1020 is Empty")]
    [InlineData(new[] { "load", "99", "0" }, "", "Invalid <storage-element-number> argument '99' to 'load' command")]
    [InlineData(new[] { "load", "1", "9" }, "", "illegal <drive-number> argument '9' to 'load' command")]
    [InlineData(new[] { "unload", "1", "0" }, "", "Data Transfer Element 0 is Empty")]
    [InlineData(new[] { "unload" }, "", "Data Transfer Element 0 is Empty")]
    [InlineData(new[] { "transfer", "21", "1" }, "", "Source Element Address 1020 is Empty")]
    [InlineData(new[] { "transfer", "1", "2" }, "", "Destination Element Address 1001 is Already Full")]
    [InlineData(new[] { "transfer", "1", "99" }, "", "Invalid destination")]
    [InlineData(new[] { "load" }, "", "No source specified")]
    [InlineData(new[] { "eepos", "4" }, "", "eepos equires argument between 0 and 3.")]
    public async Task Errors_are_mtx_messages_on_stderr_with_exit_1(string[] command, string stdout, string stderr)
    {
        var r = await Mtx(["-f", Device, .. command]);
        Assert.Equal((1, stdout, stderr + "\n"), (r.ExitCode, r.Stdout, r.Stderr));
    }

    [Fact]
    public async Task Loading_into_a_full_drive_names_the_slot_it_came_from()
    {
        Assert.Equal(0, (await Mtx("-f", Device, "load", "3", "0")).ExitCode);
        var r = await Mtx("-f", Device, "load", "4", "0");
        Assert.Equal((1, "Drive 0 Full (Storage Element 3 loaded)\n"), (r.ExitCode, r.Stderr));
        var next = await Mtx("-f", Device, "next");
        Assert.Equal("Unloading drive 0 into Storage Element 3...done\nLoading media from Storage Element 4 into drive 0...done\n", next.Stdout);
    }

    [Fact]
    public async Task Unknown_words_missing_devices_and_version_end_like_mtx()
    {
        var bad = await Mtx("-f", Device, "frobnicate");
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("Usage:\n\tmtx --version\n", bad.Stderr);

        var version = await Mtx("--version");
        Assert.Equal(1, version.ExitCode);
        Assert.StartsWith("mtx version 1.3.12\n\nUsage:\n", version.Stderr);

        var missing = await Mtx("-f", "/dev/sg-does-not-exist", "status");
        Assert.Equal((1, "cannot open SCSI device '/dev/sg-does-not-exist' - No such file or directory\n"), (missing.ExitCode, missing.Stderr));
    }

    [Fact]
    public async Task The_reserved_cleaner_slot_is_refused_and_nothing_moves()
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        // Slot 21 is empty in library 10: reserve it for the cleaner, then try to put a data cartridge there.
        Assert.Equal(0, await TapeChangerCli.RunAsync(["cleaner", "reserve", "21", "--device", Device, "--state-dir", State], o, e));
        var r = await Mtx("-f", Device, "transfer", "1", "21");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("reserved cleaner slot", r.Stderr);
        Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        var lines = await StatusLines();
        Assert.StartsWith("      Storage Element 1:Full ", lines[5]);
    }

    [Fact]
    public async Task Inquiry_prints_mtx_fields()
    {
        var r = await Mtx("-f", Device, "inquiry");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("Product Type: Medium Changer\nVendor ID: 'STK     '\nProduct ID: 'L700            '\nRevision: '0108'\nAttached Changer API: No\n", r.Stdout);
    }

    [Fact]
    public async Task An_unusable_state_directory_is_one_line_and_exit_1_not_a_stack_trace()
    {
        string file = Path.Combine(_root, "plain-file");
        File.WriteAllText(file, "");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync(["--state-dir", Path.Combine(file, "state"), "mtx", "-f", Device, "load", "1", "0"], stdout, stderr);
        Assert.Equal(1, rc);
        Assert.Single(stderr.ToString().TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("   at ", stderr.ToString());
    }
}
