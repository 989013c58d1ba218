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
}
