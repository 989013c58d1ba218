using System.Diagnostics;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using TapeChanger.Access;

namespace TapeChanger.Console.Tests;

/// <summary>A failure in operator words with its sense triplet; accessibility by axe-core; a 2,000-slot library drawn and filtered quickly.</summary>
public sealed class ConsoleDetailTests(BrowserFixture browser, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task A_failed_load_is_shown_in_operator_words_with_the_sense_triplet()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.LoginAsync(op);
        // Slot 5 holds an LTO-8 cartridge; drive 2 is an LTO-6 drive: the drive refuses it (sense 04/04/03).
        await c.Page.Locator("#storage [data-slot='5']").ClickAsync();
        await c.Page.Locator("#drives [data-drive='2']").ClickAsync();
        await c.Page.Locator("button[data-action='load']").ClickAsync();
        var failed = c.Page.Locator("#history-list li.state-failed", new() { HasTextString = "load slot 5 → drive 2" });
        await failed.WaitForAsync();
        string text = await failed.InnerTextAsync();
        Assert.Contains("the drive could not take the cartridge", text);
        Assert.Equal("sense 04/04/03 hardware error: logical unit not ready, manual intervention required", await failed.Locator(".sense").InnerTextAsync());
        // Nothing moved.
        var status = svc.Status(op);
        Assert.True(ServiceProcess.Element(status, "storage", "slot", 5).GetProperty("full").GetBoolean());
        Assert.False(ServiceProcess.Element(status, "dataTransfer", "drive", 2).GetProperty("full").GetBoolean());
        await c.ScreenshotAsync("08-failed-load");
        c.AssertNoErrors();
    }

    [BrowserFact]
    public async Task The_login_page_and_an_operators_console_have_no_serious_accessibility_violations()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        using (var admin = svc.Http(svc.Token(AccessRole.Admin, "console-admin")))
        {
            // An open operator request too: its Satisfy, reason and Refuse controls are checked with the rest.
            Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.PostAsync("api/v1/libraries/default/cleaner/reserve", Json("""{"slot":24}"""))).StatusCode);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, (await admin.PostAsync("api/v1/libraries/default/cleaner/inject", Json("""{"via":"door","wait":false}"""))).StatusCode);
        }
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.Page.WaitForSelectorAsync("#login:not([hidden])");
        AssertAccessible("login page", await c.Page.RunAxe());
        await c.LoginAsync(op);
        await c.Page.Locator("#opreq-list li.open").WaitForAsync();
        AssertAccessible("operator console", await c.Page.RunAxe());
        c.AssertNoErrors();
    }

    /// <summary>axe-core (bundled in Deque.AxeCore, run inside the page): no violation of serious or critical impact.</summary>
    private void AssertAccessible(string what, Deque.AxeCore.Commons.AxeResult result)
    {
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        foreach (var v in result.Violations)
            output.WriteLine($"{what}: axe {v.Impact} {v.Id}: {v.Help} ({v.Nodes.Length} nodes: {string.Join(", ", v.Nodes.Take(3).Select(n => n.Html))})");
        Assert.True(bad.Count == 0, $"{what}: " + string.Join("; ", bad.Select(v => $"{v.Id} ({v.Impact}): {v.Help}")));
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [BrowserFact]
    public async Task A_2000_slot_library_is_drawn_in_one_build_and_filtered_quickly()
    {
        string dir = Directory.CreateTempSubdirectory("tc-console-lib-").FullName;
        try
        {
            string profile = Path.Combine(RepoRoot(), "hw-profiles", "mhvtl", "library10");
            File.Copy(Path.Combine(profile, "device.conf"), Path.Combine(dir, "device.conf"));
            var lines = new List<string> { "VERSION: 2", "", "Drive 1:", "Drive 2:", "Drive 3:", "Drive 4:", "", "Picker 1:", "", "MAP 1:", "MAP 2:", "MAP 3:", "MAP 4:", "" };
            for (int s = 1; s <= 2000; s++) lines.Add(s % 3 == 0 ? $"Slot {s}:" : $"Slot {s}: A{s:D5}L8");
            File.WriteAllLines(Path.Combine(dir, "library_contents.10"), lines);

            await using var svc = await ServiceProcess.StartAsync("virtual:" + dir);
            string viewer = svc.Token(AccessRole.Viewer, "console-viewer");
            await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
            var clock = Stopwatch.StartNew();
            await c.LoginAsync(viewer);
            long toPicture = clock.ElapsedMilliseconds;
            Assert.Equal(2000, await c.Page.Locator("#storage .slot").CountAsync());
            int render = int.Parse((await c.Page.Locator("body").GetAttributeAsync("data-render-ms"))!, System.Globalization.CultureInfo.InvariantCulture);
            output.WriteLine($"2,000 slots: login to picture {toPicture} ms, one render {render} ms");
            Assert.True(render < 1000, $"drawing 2,000 slots took {render} ms");

            // Magazines: library 10's configuration groups the slots 13 to a magazine (the last one holds 11).
            Assert.Equal(154, await c.Page.Locator("#storage .magazine").CountAsync());
            Assert.Equal(11, await c.Page.Locator("#storage .magazine[data-magazine='154'] .slot").CountAsync());

            // First paint, end to end: the token is in the tab, so a reload goes from navigation straight to the
            // library (the marks main.js sets; see FirstPaint).
            var paint = await FirstPaint.MeasureAsync(c);
            Assert.Equal(2000, await c.Page.Locator("#storage .slot").CountAsync());
            output.WriteLine(paint.Line);
            FirstPaint.Record(paint, "2000-slots");

            clock.Restart();
            await c.Page.GetByLabel("Filter by barcode").FillAsync("A01234");
            await c.Page.Locator("#filter-count", new() { HasTextString = "1 cartridge match" }).WaitForAsync();
            output.WriteLine($"filter: {clock.ElapsedMilliseconds} ms");
            Assert.Equal(1, await c.Page.Locator("#storage .slot.full:not(.nomatch)").CountAsync());
            Assert.Equal("1234", await c.Page.Locator("#storage .slot.full:not(.nomatch)").GetAttributeAsync("data-slot"));
            await c.ScreenshotAsync("09-2000-slots");
            c.AssertNoErrors();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "TapeChanger.sln"))) return d.FullName;
        }
        throw new InvalidOperationException("the repository root (TapeChanger.sln) is not above " + AppContext.BaseDirectory);
    }
}
