using TapeChanger.Virtual;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The commands whose meaning is the CDB they send, run in-process through <see cref="TapeChangerCli.RunAsync"/> with
/// --verbose: each test asserts the CDB lines the trace printed and the virtual library's state afterwards. The state
/// directory is per test.
/// </summary>
public sealed class CliCommandsSentTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-cli-sent-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_state, recursive: true); } catch (IOException) { }
    }

    private sealed record Outcome(int ExitCode, string Stdout, string Stderr)
    {
        /// <summary>The CDBs the trace printed ("> NAME: cdb 1e 00 ..."), as their hex bytes.</summary>
        public IReadOnlyList<string> Cdbs => Stderr.Split('\n')
            .Where(l => l.StartsWith("> ", StringComparison.Ordinal) && l.Contains(": cdb ", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(": cdb ", StringComparison.Ordinal) + 6)..].Split(" (")[0].Trim())
            .ToList();
    }

    private async Task<Outcome> Cli(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync([.. args, "--device", "virtual:", "--state-dir", _state], stdout, stderr);
        return new Outcome(rc, stdout.ToString(), stderr.ToString());
    }

    private async Task<Outcome> Ok(params string[] args)
    {
        var r = await Cli(args);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)} -> {r.ExitCode}: {r.Stderr}");
        return r;
    }

    private T WithLibrary<T>(Func<VirtualLibrary, T> read)
    {
        using var store = VirtualLibraryStore.Open(null, _state);
        return read(store.Library);
    }

    [Fact]
    public async Task Ieport_lock_sends_prevent_and_the_port_stays_shut_until_unlock()
    {
        var locked = await Ok("ieport", "lock", "--verbose");
        Assert.Contains("1e 00 00 00 01 00", locked.Cdbs);              // SMC-3 §6.10 byte 4 PREVENT = 01b
        Assert.DoesNotContain("1e 00 00 00 00 00", locked.Cdbs);
        Assert.True(WithLibrary(l => l.RemovalPrevented));
        var refused = await Cli("virtual", "ieport", "open");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("locked", refused.Stderr);

        var unlocked = await Ok("ieport", "unlock", "--verbose");
        Assert.Contains("1e 00 00 00 00 00", unlocked.Cdbs);
        Assert.False(WithLibrary(l => l.RemovalPrevented));
        await Ok("virtual", "ieport", "open");
    }

    [Fact]
    public async Task Inventory_range_sends_37h_with_range_first_and_count()
    {
        var r = await Ok("inventory", "--range", "1002", "4", "--verbose");
        var inits = r.Cdbs.Where(c => c.StartsWith("07 ", StringComparison.Ordinal) || c.StartsWith("37 ", StringComparison.Ordinal) || c.StartsWith("e7 ", StringComparison.Ordinal)).ToList();
        // 37h, RANGE bit, STARTING ELEMENT ADDRESS 1002 (03eah), NUMBER OF ELEMENTS 4 (SMC-3 §6.5)
        Assert.Equal(["37 01 03 ea 00 00 00 04 00 00"], inits);
        Assert.Contains("inventory of 4 element(s) from 1002 complete", r.Stdout);
    }

    [Fact]
    public async Task Inventory_range_refused_as_unknown_opcode_is_resent_as_E7h()
    {
        await Ok("virtual", "fault", "add", "not-ready", "--command", "37", "--count", "1", "--sense", "05/20/00");
        var r = await Ok("inventory", "--range", "1000", "3", "--verbose");
        var inits = r.Cdbs.Where(c => c.StartsWith("37 ", StringComparison.Ordinal) || c.StartsWith("e7 ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["37 01 03 e8 00 00 00 03 00 00", "e7 01 03 e8 00 00 00 03 00 00"], inits);
        Assert.Empty(WithLibrary(l => l.Faults));                       // the one-shot refusal fired
    }

    [Fact]
    public async Task Import_takes_the_operator_placed_cartridge_not_the_robot_exported_one()
    {
        var (ies, slot1) = WithLibrary(l => (
            l.Elements.Where(e => e.Type == TapeChanger.Scsi.ElementType.ImportExport).Select(e => e.Address).Order().ToList(),
            l.Elements.Where(e => e.Type == TapeChanger.Scsi.ElementType.Storage).Min(e => e.Address)));
        ushort low = ies[0], high = ies[^1];
        string exported = WithLibrary(l => l.Element(slot1).Barcode)!;
        await Ok("export", "1", "--element", low.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Ok("virtual", "ieport", "open");
        await Ok("virtual", "ieport", "insert", "OPR001L8", "--element", high.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Ok("virtual", "ieport", "close");

        var r = await Ok("import", "--verbose");

        string move = Assert.Single(r.Cdbs, c => c.StartsWith("a5 ", StringComparison.Ordinal));
        // MOVE MEDIUM bytes 4-5 SOURCE = the operator's element, 6-7 DESTINATION = slot 1 (SMC-3 §6.6)
        Assert.Equal($"{high >> 8:x2} {high & 0xFF:x2} {slot1 >> 8:x2} {slot1 & 0xFF:x2}", string.Join(' ', move.Split(' ')[4..8]));
        Assert.Equal("OPR001L8", WithLibrary(l => l.Element(slot1).Barcode));
        Assert.Equal(exported, WithLibrary(l => l.Element(low).Barcode));
        Assert.Null(WithLibrary(l => l.Element(high).Barcode));
    }
}
