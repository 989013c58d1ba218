using TapeChanger.Testing;

namespace TapeChanger.Cli.Tests.Mtx;

/// <summary>`tapechanger bacula-changer` (mtx-changer's contract) in-process on the virtual library (mhVTL library 10).</summary>
public sealed class BaculaChangerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tc-bacula-").FullName;
    private string State => Path.Combine(_root, "state");
    private string Config => Path.Combine(_root, "cfg");
    private string Device => "virtual:" + Config;

    public BaculaChangerTests()
    {
        VirtualLibraryFiles.CopyLibrary10(Config);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private async Task<(int Rc, string Out, string Err)> Changer(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync(["--state-dir", State, "bacula-changer", Device, .. args], stdout, stderr);
        return (rc, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Slots_list_and_listall_follow_mtx_changer()
    {
        Assert.Equal((0, "43\n", ""), await Changer("slots"));

        var list = (await Changer("list", "0", "/dev/nst0", "0")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("1:E01001L8", list[0]);
        Assert.DoesNotContain(list, l => l.Contains("CLN"));                       // cleaners are never offered for labelling
        var withCleaners = (await Changer("list", "0", "/dev/nst0", "0", "--with-cleaners")).Out;
        Assert.Contains("22:CLN101L8\n", withCleaners);

        var all = (await Changer("listall")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["D:0:E", "D:1:E", "D:2:E", "D:3:E", "S:1:F:E01001L8"], all.Take(5));
        Assert.Contains("I:40:E", all);
        Assert.Contains("S:40:E", (await Changer("listall", "--bareos")).Out.Split('\n'));
    }

    [Fact]
    public async Task Load_waits_for_the_drive_then_loaded_unload_and_transfer()
    {
        var load = await Changer("load", "3", "/dev/nst0", "1");
        Assert.Equal((0, "Loading media from Storage Element 3 into drive 1...done\n", ""), load);
        Assert.Equal("3\n", (await Changer("loaded", "0", "/dev/nst0", "1")).Out);
        Assert.Equal("0\n", (await Changer("loaded", "0", "/dev/nst0", "0")).Out);
        Assert.Contains("D:1:F:3:E01003L8\n", (await Changer("listall")).Out);

        var full = await Changer("load", "4", "/dev/nst0", "1");
        Assert.Equal((1, "Drive 1 Full (Storage Element 3 loaded)\n"), (full.Rc, full.Out));   // mtx's text, on stdout as mtx-changer prints it

        Assert.Equal(0, (await Changer("unload", "3", "/dev/nst0", "1")).Rc);
        Assert.Equal(0, (await Changer("transfer", "1", "21")).Rc);
        Assert.Contains("21:E01001L8\n", (await Changer("list")).Out);
        var bad = await Changer("transfer", "1", "x");
        Assert.Equal(1, bad.Rc);
        Assert.Contains("destination slot", bad.Err);
    }
}
