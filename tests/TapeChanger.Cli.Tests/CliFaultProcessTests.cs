using System.Text.Json;
using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// A representative subset of the fault matrix with one real process per command: faults added by one process fire in
/// the next, messages are one line, and the operator can recover what a fault left behind.
/// </summary>
public sealed class CliFaultProcessTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _config;

    public CliFaultProcessTests()
    {
        // Library 10 with a 1 s cleaning stage, so a cleaning takes about 4 s.
        _config = Path.Combine(_cli.StateDirectory, "cfg");
        VirtualLibraryFiles.CopyLibrary10(_config, VirtualLibraryFiles.CleaningTime1s);
    }

    public void Dispose() => _cli.Dispose();

    private CliRunner.Result Run(params string[] args) => _cli.Run([.. args, "--device", "virtual:" + _config]);

    private CliRunner.Result Ok(params string[] args)
    {
        var r = Run(args);
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', args)} -> {r.ExitCode}: {r.Stderr}{r.Stdout}");
        return r;
    }

    private static string OneLine(CliRunner.Result r)
    {
        string line = r.Stderr.TrimEnd('\n', '\r');
        Assert.StartsWith("tapechanger: ", line);
        Assert.DoesNotContain('\n', line);
        return line;
    }

    private static JsonElement Element(JsonElement status, int address) =>
        status.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("address").GetInt32() == address);

    [Fact]
    public void Half_move_leaves_the_cartridge_in_the_picker_until_the_operator_moves_it_back()
    {
        Ok("virtual", "fault", "add", "half-move", "--count", "1");
        var load = Run("load", "1", "0");
        Assert.Equal(5, load.ExitCode);
        Assert.Contains("04/3B/16", OneLine(load));

        var status = Ok("status", "--json").Json;
        Assert.Equal("E01001L8", Element(status, 1).GetProperty("barcode").GetString());
        Assert.False(Element(status, 1000).GetProperty("full").GetBoolean());
        Assert.False(Element(status, 500).GetProperty("full").GetBoolean());

        Ok("move", "1", "1000");
        status = Ok("status", "--json").Json;
        Assert.False(Element(status, 1).GetProperty("full").GetBoolean());
        Assert.Equal("E01001L8", Element(status, 1000).GetProperty("barcode").GetString());
    }

    [Fact]
    public void Persistent_timeout_is_exit_74_in_every_process_until_cleared()
    {
        Ok("virtual", "fault", "add", "timeout", "--command", "READ ELEMENT STATUS");
        var r = Run("status", "--json");
        Assert.Equal(74, r.ExitCode);
        Assert.Equal("TransportTimeout", r.Json.GetProperty("error").GetProperty("kind").GetString());
        Assert.Contains("READ ELEMENT STATUS", OneLine(Run("load", "1", "0")));
        Ok("virtual", "fault", "clear");
        Ok("load", "1", "0");
    }

    [Fact]
    public void Cleaning_stopped_by_a_drive_that_keeps_the_cleaner_is_recovered_and_counted_once()
    {
        Ok("cleaner", "reserve", "21");
        Ok("virtual", "ieport", "open");
        Ok("virtual", "ieport", "insert", "CLN201L8");
        Ok("virtual", "ieport", "close");
        Ok("cleaner", "inject", "--cleans", "5", "--wait");
        Ok("virtual", "fault", "add", "refuse-unload", "--element", "500");

        var clean = Run("clean", "0", "--wait", "--json");
        Assert.Equal(87, clean.ExitCode);                    // ERROR_UNABLE_TO_CLEAN: the cleaner is still in the drive
        Assert.Contains("05/53/03", clean.Stdout);
        var ops = Ok("operations", "--json").Stdout;
        Assert.Contains("\"interrupted\"", ops);
        Assert.Equal(5u, Ok("cleaner", "status", "--json").Json.GetProperty("cleansLeft").GetUInt32());

        Ok("virtual", "fault", "clear");
        Ok("operations", "recover");
        var state = Ok("cleaner", "status", "--json").Json;
        Assert.Equal(4u, state.GetProperty("cleansLeft").GetUInt32());
        Assert.Equal("CLN201L8", Element(Ok("status", "--json").Json, 1020).GetProperty("barcode").GetString());
    }
}
