using System.Globalization;
using System.Text.RegularExpressions;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>The SCSI commands of CLI commands run for --server clients count in /metrics like the engine's own.</summary>
public class CliMetricsTests
{
    private static long Sample(string metrics, string labels)
    {
        var m = Regex.Match(metrics, "tapechanger_scsi_(?:commands|senses)_total\\{" + Regex.Escape(labels) + "\\} (\\d+)\n");
        return m.Success ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public async Task A_load_and_a_refused_unit_attention_through_server_count_their_commands_and_sense()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer));
        const string move = "library=\"default\",command=\"MOVE MEDIUM\",status=\"good\"";
        const string ua = "library=\"default\",key=\"UNIT ATTENTION\",asc=\"29/00\"";
        // The engine's first read done first: a fresh virtual library answers its first command with a power-on unit
        // attention (29/00), and a scrape writes the counters before its gauges make that read.
        await viewer.GetStringAsync("api/v1/libraries/default/status");
        string before = await viewer.GetStringAsync("metrics");

        // One unit attention waits for the next command: the CLI's session (not the engine's) gets it and retries.
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "fault", "add", "unit-attention", "--count", "1").ExitCode);
        var load = host.RunRemote("unix:" + host.Socket, "load", "1", "0");
        Assert.True(load.ExitCode == 0, load.Stderr);
        var mtx = host.RunRemote("unix:" + host.Socket, "mtx", "status");
        Assert.True(mtx.ExitCode == 0, mtx.Stderr);

        string after = await viewer.GetStringAsync("metrics");
        // No API move ran: the one MOVE MEDIUM is the CLI's load.
        Assert.Equal(Sample(before, move) + 1, Sample(after, move));
        Assert.Equal(Sample(before, ua) + 1, Sample(after, ua));
        const string res = "library=\"default\",command=\"READ ELEMENT STATUS\",status=\"good\"";
        Assert.True(Sample(after, res) > Sample(before, res), "mtx status read the element status: counted");
    }
}
