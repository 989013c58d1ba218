using System.Text.Json.Nodes;
using Microsoft.Playwright;
using TapeChanger.Access;

namespace TapeChanger.Console.Tests;

/// <summary>The fleet panel: hidden (and /api/v1/fleet never asked) on a service with its own state; drawn from the fleet document in a fleet.</summary>
public sealed class ConsoleFleetTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task Outside_a_fleet_the_panel_stays_hidden_and_the_fleet_is_not_asked()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string viewer = svc.Token(AccessRole.Viewer, "console-viewer");
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        var asked = new List<string>();
        c.Page.Request += (_, r) => { if (r.Url.Contains("/api/v1/fleet", StringComparison.Ordinal)) lock (asked) asked.Add(r.Url); };
        await c.LoginAsync(viewer);
        Assert.True(await c.Page.Locator("#fleet").IsHiddenAsync());
        lock (asked) Assert.Empty(asked);
        c.AssertNoErrors();
    }

    /// <summary>
    /// A fleet needs a shared PostgreSQL database: here the browser is told so (whoami's fleet member) and given a fleet
    /// document of the API's shape, with and without the optional cleaning members of a row.
    /// </summary>
    [BrowserFact]
    public async Task In_a_fleet_every_library_is_listed_with_owner_health_queue_and_cleaning()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string viewer = svc.Token(AccessRole.Viewer, "console-viewer");
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.Page.RouteAsync("**/api/v1/whoami", async route =>
        {
            var real = await route.FetchAsync();
            var me = JsonNode.Parse(await real.TextAsync())!.AsObject();
            me["fleet"] = true;
            await route.FulfillAsync(new() { Response = real, Body = me.ToJsonString() });
        });
        await c.Page.RouteAsync("**/api/v1/fleet", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "application/json",
            Body = """
                {"service":"svc-a","database":"postgresql://db/tc","libraries":[
                 {"library":"default","state":"Owned","owner":"svc-a","ownerUrl":"http://a:8080","fencingToken":3,"leaseLeftMilliseconds":9000,"health":"online","queueDepth":2,"servedHere":true,"drivesNeedingCleaning":[1,3],"cleaning":true},
                 {"library":"vault","state":"Unowned","owner":null,"ownerUrl":null,"fencingToken":5,"leaseLeftMilliseconds":0,"health":"offline","queueDepth":0,"servedHere":false},
                 {"library":"east","state":"Owned","owner":"svc-b","ownerUrl":"http://b:8080","fencingToken":1,"leaseLeftMilliseconds":8000,"health":"online","queueDepth":7,"servedHere":false,"drivesNeedingCleaning":[],"cleaning":false}],
                 "services":[{"service":"svc-a","url":"http://a:8080","seenMillisecondsAgo":100},{"service":"svc-b","url":"http://b:8080","seenMillisecondsAgo":900}]}
                """,
        }));
        await c.LoginAsync(viewer);
        var rows = c.Page.Locator("#fleet-list tr");
        await c.Page.Locator("#fleet:not([hidden])").WaitForAsync();
        Assert.Equal(3, await rows.CountAsync());
        var a = c.Page.Locator("#fleet-list tr[data-library='default']");
        Assert.Equal("svc-a (here)", await a.Locator("td").Nth(0).InnerTextAsync());
        Assert.Equal("online", await a.Locator(".health").InnerTextAsync());
        Assert.Equal("2", await a.Locator(".queue").InnerTextAsync());
        Assert.Equal("cleaning now · drives 1, 3 need cleaning", await a.Locator(".cleaning").InnerTextAsync());
        var v = c.Page.Locator("#fleet-list tr[data-library='vault']");
        Assert.Equal("no owner", await v.Locator("td").Nth(0).InnerTextAsync());
        Assert.Equal("—", await v.Locator(".cleaning").InnerTextAsync());       // the members are absent
        var e = c.Page.Locator("#fleet-list tr[data-library='east']");
        Assert.Equal("7", await e.Locator(".queue").InnerTextAsync());
        Assert.Equal("none", await e.Locator(".cleaning").InnerTextAsync());
        Assert.Contains("svc-a · 3 libraries · 2 services seen", await c.Page.Locator("#fleet-summary").InnerTextAsync());
        await c.ScreenshotAsync("11-fleet");
        c.AssertNoErrors();
    }
}
