using System.Net;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>/api/v1/fleet on a service that keeps its state to itself (the fleet itself: tools/fleet-tier.sh).</summary>
public class FleetEndpointTests
{
    [Fact]
    public async Task A_service_not_in_a_fleet_answers_404_with_why_and_a_stranger_401()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer));
        var r = await viewer.GetAsync("api/v1/fleet");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.StartsWith("this service is not in a fleet", ServiceHost.Parse(await r.Content.ReadAsStringAsync()).GetProperty("error").GetString());
        using var anonymous = host.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/fleet")).StatusCode);
    }

    [Fact]
    public void The_fleet_list_names_each_librarys_cleaning_state_as_the_web_console_reads_it()
    {
        var view = new TapeChanger.Service.FleetView("A", "postgresql://db/fleet",
            [new TapeChanger.Service.FleetLibrary("default", TapeChanger.Service.FleetLibraryState.Owned, "A", "http://a", 3, 5000, "online", 1, true, [0, 2], true)], []);
        var lib = ServiceHost.Parse(System.Text.Json.JsonSerializer.Serialize(view, Api.FleetJsonContext.Default.FleetView)).GetProperty("libraries")[0];
        Assert.Equal("[0,2]", lib.GetProperty("drivesNeedingCleaning").GetRawText());
        Assert.True(lib.GetProperty("cleaning").GetBoolean());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-5")]
    public void A_bad_move_budget_is_one_line_and_exit_78(string budget)
    {
        string dir = Directory.CreateTempSubdirectory("tc-budget-").FullName;
        try
        {
            var env = new Dictionary<string, string> { ["TAPECHANGER_DEVICE"] = "virtual:", ["TAPECHANGER_Fleet__MoveBudgetSeconds"] = budget };
            using var d = DaemonProcess.Start(["--listen", $"unix:{Path.Combine(dir, "s.sock")}", "--state-dir", Path.Combine(dir, "state")], env);
            int rc = d.WaitForExit(TimeSpan.FromSeconds(60));
            Assert.True(rc == 78, $"exit {rc}; stderr: {d.Stderr}");
            Assert.Equal($"tapechangerd: Fleet:MoveBudgetSeconds is '{budget}': give the seconds one robot move may take (more than 0, at most 86400)\n",
                d.Stderr.Replace("\r", "", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
