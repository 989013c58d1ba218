using Microsoft.Playwright;
using TapeChanger.Access;
using TapeChanger.Cli;

namespace TapeChanger.Console.Tests;

/// <summary>
/// The console on tgt (an iSCSI library in tgtd, not the virtual one): tools/console-tier.sh starts it with
/// tools/tgt-library.sh and names its changer in TAPECHANGER_CONSOLE_TGT. A load by clicking, checked by reading the
/// library itself (the CLI's READ ELEMENT STATUS over iSCSI, not the service's kept status nor the page).
/// </summary>
public sealed class ConsoleTgtTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    public const string Variable = "TAPECHANGER_CONSOLE_TGT";

    [TgtBrowserFact]
    public async Task An_operator_loads_a_cartridge_on_a_tgt_library_by_clicking_and_the_library_has_it()
    {
        string uri = Environment.GetEnvironmentVariable(Variable)!;
        string cliState = Directory.CreateTempSubdirectory("tc-console-tgt-cli-").FullName;
        try
        {
            var before = ReadLibrary(uri, cliState);
            string barcode = ServiceProcess.Element(before, "storage", "slot", 1).GetProperty("barcode").GetString()!;
            Assert.False(ServiceProcess.Element(before, "dataTransfer", "drive", 0).GetProperty("full").GetBoolean());

            await using var svc = await ServiceProcess.StartAsync(uri);
            string op = svc.Token(AccessRole.Operator, "console-operator");
            await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
            await c.LoginAsync(op);
            Assert.Contains("STK L700", await c.Page.Locator("#lib-summary").InnerTextAsync());
            Assert.Contains(uri, await c.Page.Locator("#library").InnerTextAsync());
            // tgt says nothing of magazines and its profile states none: one group.
            Assert.Equal(1, await c.Page.Locator("#storage .magazine").CountAsync());
            Assert.Contains("not known", await c.Page.Locator("#magazine-source").InnerTextAsync());

            await c.Page.Locator("#storage [data-slot='1']").ClickAsync();
            await c.Page.Locator("#drives [data-drive='0']").ClickAsync();
            await c.Page.Locator("button[data-action='load']").ClickAsync();
            await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "load slot 1 → drive 0" }).WaitForAsync();
            await c.Page.Locator("#storage [data-slot='1'].empty").WaitForAsync();
            await c.Page.Locator("#drives .drive:has([data-drive='0'])", new() { HasTextString = barcode }).WaitForAsync();
            await c.ScreenshotAsync("12-tgt-loaded");
            c.AssertNoErrors();

            // The library itself: tgt's element status, read by the CLI over iSCSI.
            var after = ReadLibrary(uri, cliState);
            Assert.Equal(barcode, ServiceProcess.Element(after, "dataTransfer", "drive", 0).GetProperty("barcode").GetString());
            Assert.False(ServiceProcess.Element(after, "storage", "slot", 1).GetProperty("full").GetBoolean());

            // Put it back (the library is the tier's, the next run starts from the same contents).
            var (rc, _, err) = svc.Cli(op, "unload", "1", "0");
            Assert.True(rc == 0, err);
        }
        finally
        {
            Directory.Delete(cliState, recursive: true);
        }
    }

    /// <summary>`tapechanger --device URI status --json` in this process: READ ELEMENT STATUS on the library.</summary>
    private static System.Text.Json.JsonElement ReadLibrary(string uri, string stateDirectory)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int rc = TapeChangerCli.RunAsync(["--state-dir", stateDirectory, "--device", uri, "status", "--json"], o, e).GetAwaiter().GetResult();
        Assert.True(rc == 0, $"status on {uri} exited {rc}: {e}");
        return System.Text.Json.JsonDocument.Parse(o.ToString()).RootElement;
    }
}

/// <summary>A browser fact on the tier's tgt library: skipped with the reason where none is given (tools/test.sh), run by the console tier.</summary>
public sealed class TgtBrowserFactAttribute : FactAttribute
{
    public TgtBrowserFactAttribute()
    {
        if (Browser.ExecutablePath is null && !Browser.Required)
            Skip = $"chromium is not installed here (apt-get install -y chromium); CI sets {Browser.RequireVariable}=1 and fails instead";
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConsoleTgtTests.Variable)))
            Skip = $"no tgt library given: tools/console-tier.sh starts one with tools/tgt-library.sh and names its changer in {ConsoleTgtTests.Variable}";
    }
}
