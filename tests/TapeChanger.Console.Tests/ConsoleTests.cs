using System.Net;
using System.Text;
using Microsoft.Playwright;
using TapeChanger.Access;

namespace TapeChanger.Console.Tests;

/// <summary>
/// The web console in chromium against tapechangerd (a process, on the virtual library): log in, see the library,
/// act by clicking, follow moves made elsewhere, answer an operator request, and a viewer without actions. Every test
/// fails on any browser console error and leaves screenshots in artifacts/console (or $TAPECHANGER_ARTIFACTS/console).
/// </summary>
public sealed class ConsoleTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static ILocator Slot(IPage p, int slot) => p.Locator($"#storage [data-slot='{slot}']");
    private static ILocator DriveCard(IPage p, int drive) => p.Locator($"#drives .drive:has([data-drive='{drive}'])");

    [BrowserFact]
    public async Task An_operator_logs_in_sees_the_library_and_loads_a_cartridge_by_clicking()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        var before = svc.Status(op);
        string barcode = ServiceProcess.Element(before, "storage", "slot", 3).GetProperty("barcode").GetString()!;
        Assert.False(ServiceProcess.Element(before, "dataTransfer", "drive", 1).GetProperty("full").GetBoolean());

        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.Page.WaitForSelectorAsync("#login:not([hidden])");
        await c.ScreenshotAsync("01-login");
        await c.LoginAsync(op);
        // The picture: 4 drives, 4 mail slots, 39 storage slots, the picker; the name and role in the header.
        Assert.Equal(4, await c.Page.Locator("#drives .drive").CountAsync());
        Assert.Equal(4, await c.Page.Locator("#mailslots .mail").CountAsync());
        Assert.Equal(39, await c.Page.Locator("#storage .slot").CountAsync());
        // The slot's text in the DOM (textContent). innerText depends on layout, and a magazine box is
        // content-visibility: auto; once, under load, innerText read "" here right after the 39 slots were counted.
        Assert.Contains(barcode, await Slot(c.Page, 3).TextContentAsync());
        Assert.Contains("token:console-operator · operator", await c.Page.Locator("#who").InnerTextAsync());
        Assert.Contains("Picker", await c.Page.Locator("#picker").InnerTextAsync());
        // By magazine: library 10's configuration puts 13 slots in a magazine.
        Assert.Equal(3, await c.Page.Locator("#storage .magazine").CountAsync());
        foreach (var (m, first) in new[] { (1, 1), (2, 14), (3, 27) })
        {
            var mag = c.Page.GetByRole(AriaRole.Group, new() { Name = $"Magazine {m} slots {first}–{first + 12}", Exact = false });
            Assert.Equal(13, await mag.Locator(".slot").CountAsync());
            Assert.Equal($"{first}", await mag.Locator(".slot").First.GetAttributeAsync("data-slot"));
        }
        Assert.Contains("3 magazines, as the virtual library configuration (Magazine size) states", await c.Page.Locator("#magazine-source").InnerTextAsync());
        await c.ScreenshotAsync("02-library");

        // Slot 3 chosen with the keyboard (focused, Enter), drive 1 clicked, then Load.
        await Slot(c.Page, 3).FocusAsync();
        await c.Page.Keyboard.PressAsync("Enter");
        Assert.Equal("true", await Slot(c.Page, 3).GetAttributeAsync("aria-pressed"));
        await c.Page.Locator("#drives [data-drive='1']").ClickAsync();
        Assert.Equal("3", await c.Page.Locator("#f-load-slot").InputValueAsync());
        Assert.Equal("1", await c.Page.Locator("#f-load-drive").InputValueAsync());
        await c.Page.Locator("button[data-action='load']").ClickAsync();
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "load slot 3 → drive 1" }).WaitForAsync();

        // The library changed (the CLI through the service says so), and the picture followed.
        var after = svc.Status(op);
        var d1 = ServiceProcess.Element(after, "dataTransfer", "drive", 1);
        Assert.True(d1.GetProperty("full").GetBoolean());
        Assert.Equal(barcode, d1.GetProperty("barcode").GetString());
        Assert.False(ServiceProcess.Element(after, "storage", "slot", 3).GetProperty("full").GetBoolean());
        await c.Page.Locator("#storage [data-slot='3'].empty").WaitForAsync();
        await DriveCard(c.Page, 1).Filter(new() { HasTextString = barcode }).WaitForAsync();
        Assert.Contains("From slot3", (await DriveCard(c.Page, 1).InnerTextAsync()).Replace("\n", "").Replace("\t", ""));
        // The move latency plot has its point (start to end of the passed load).
        await c.Page.Locator("#plot-latency svg circle").First.WaitForAsync();
        await c.ScreenshotAsync("03-loaded");
        c.AssertNoErrors();
    }

    [BrowserFact]
    public async Task A_move_made_with_the_CLI_shows_without_a_reload_and_filtering_finds_a_barcode()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.LoginAsync(op);
        string barcode = (await Slot(c.Page, 5).GetAttributeAsync("data-barcode"))!;

        var (rc, _, stderr) = svc.Cli(op, "load", "5", "0");
        Assert.True(rc == 0, stderr);
        await c.Page.Locator("#storage [data-slot='5'].empty").WaitForAsync();
        await DriveCard(c.Page, 0).Filter(new() { HasTextString = barcode }).WaitForAsync();
        // The CLI's command is a request of the service too: it is in the history.
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "CLI: tapechanger load 5 0" }).WaitForAsync();

        await c.Page.GetByLabel("Filter by barcode").FillAsync(barcode);
        // The cartridge is in drive 0 now: every storage slot is dimmed, drive 0 is not.
        Assert.Equal(0, await c.Page.Locator("#storage .slot:not(.nomatch)").CountAsync());
        Assert.Equal(1, await c.Page.Locator("#drives .drive:not(.nomatch)").CountAsync());
        Assert.Equal(1, await DriveCard(c.Page, 0).Locator("xpath=self::*[not(contains(@class,'nomatch'))]").CountAsync());
        Assert.Contains("1 cartridge match", await c.Page.Locator("#filter-count").InnerTextAsync());
        await c.ScreenshotAsync("04-filtered");
        c.AssertNoErrors();
    }

    [BrowserFact]
    public async Task An_operator_satisfies_the_operator_request_of_a_cleaner_inject_through_the_mail_slot()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        using (var admin = svc.Http(svc.Token(AccessRole.Admin, "console-admin")))
        {
            var r = await admin.PostAsync("api/v1/libraries/default/cleaner/reserve", new StringContent("""{"slot":24}""", Encoding.UTF8, "application/json"));
            Assert.True(r.StatusCode == HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
        }
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.LoginAsync(op);
        await c.Page.Locator("#storage [data-slot='24'].reserved").WaitForAsync();
        Assert.DoesNotContain("button[data-action='reserve']", await c.Page.ContentAsync()); // admin only

        await c.Page.Locator("#f-inject-cleansLeft").FillAsync("7");
        await c.Page.Locator("#f-inject-via").SelectOptionAsync("ieport");
        await c.Page.Locator("button[data-action='inject']").ClickAsync();
        var opreq = c.Page.Locator("#opreq-list li.open", new() { HasTextString = "insert the cleaner" });
        await opreq.WaitForAsync();
        await c.Page.Locator("#queue-list li.state-waiting", new() { HasTextString = "inject a cleaner (ieport)" }).WaitForAsync();
        await c.ScreenshotAsync("05-operator-request");

        // The operator's hands (the virtual library's mail slot), then Satisfy in the console, then the port closes.
        foreach (var words in new[] { new[] { "virtual", "ieport", "open" }, ["virtual", "ieport", "insert", "CLN321L1"] })
        {
            var (rc, _, err) = svc.Cli(op, words);
            Assert.True(rc == 0, string.Join(' ', words) + ": " + err);
        }
        await opreq.GetByRole(AriaRole.Button, new() { Name = "Satisfy" }).ClickAsync();
        await c.Page.Locator("#opreq-list li.closed", new() { HasTextString = "satisfied" }).WaitForAsync();
        Assert.Equal(0, svc.Cli(op, "virtual", "ieport", "close").ExitCode);
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "inject a cleaner (ieport)" }).WaitForAsync();

        // The cleaner is in the reserved slot with its count, in the library and in the picture.
        Assert.Equal("CLN321L1", ServiceProcess.Element(svc.Status(op), "storage", "slot", 24).GetProperty("barcode").GetString());
        await c.Page.Locator("#cleaner-box", new() { HasTextString = "CLN321L1" }).WaitForAsync();
        Assert.Equal("7", await c.Page.Locator("#cleaner-box .cleans").InnerTextAsync());
        await c.Page.Locator("#plot-cleans svg").WaitForAsync();
        await c.ScreenshotAsync("06-cleaner-injected");
        c.AssertNoErrors();
    }

    [BrowserFact]
    public async Task A_viewer_sees_the_library_and_no_action_button_and_the_API_refuses_the_viewer_anyway()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string viewer = svc.Token(AccessRole.Viewer, "console-viewer");
        string op = svc.Token(AccessRole.Operator, "console-operator");
        // Something to act on: a queued-then-waiting request and an open operator request (a door inject).
        using (var admin = svc.Http(svc.Token(AccessRole.Admin, "console-admin")))
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("api/v1/libraries/default/cleaner/reserve", new StringContent("""{"slot":24}""", Encoding.UTF8, "application/json"))).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("api/v1/libraries/default/cleaner/inject", new StringContent("""{"via":"door","wait":false}""", Encoding.UTF8, "application/json"))).StatusCode);
        }
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.LoginAsync(viewer);
        await c.Page.Locator("#opreq-list li.open").WaitForAsync();
        Assert.Equal(39, await c.Page.Locator("#storage .slot").CountAsync());
        Assert.Equal(0, await c.Page.Locator("#actions").CountAsync());
        Assert.Equal(0, await c.Page.Locator("[data-action]").CountAsync());
        Assert.Equal(0, await c.Page.GetByRole(AriaRole.Button, new() { Name = "Satisfy" }).CountAsync());
        Assert.Equal(0, await c.Page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).CountAsync());
        Assert.Contains("viewer", await c.Page.Locator("#who").InnerTextAsync());
        await c.ScreenshotAsync("07-viewer");
        c.AssertNoErrors();

        // The API refuses the viewer's token what the console does not show, and nothing moves.
        string before = Normalised(svc.Status(op));
        using var v = svc.Http(viewer);
        var load = await v.PostAsync("api/v1/libraries/default/moves", new StringContent("""{"kind":"load","slot":3,"drive":1,"wait":false}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, load.StatusCode);
        Assert.Contains("this needs operator", await load.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await v.PostAsync("api/v1/libraries/default/inventory", null)).StatusCode);
        string oid = await c.Page.Locator("#opreq-list li.open").GetAttributeAsync("id") is { } id ? id["op-".Length..] : throw new InvalidOperationException("no operator request");
        Assert.Equal(HttpStatusCode.Forbidden, (await v.PostAsync($"api/v1/operator-requests/{oid}/satisfy", null)).StatusCode);
        Assert.Equal(before, Normalised(svc.Status(op)));
    }

    private static string Normalised(System.Text.Json.JsonElement status) =>
        string.Join('\n', status.GetProperty("elements").EnumerateArray().Select(e => e.GetRawText()));
}
