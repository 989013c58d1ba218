using Microsoft.Playwright;
using TapeChanger.Access;

namespace TapeChanger.Console.Tests;

/// <summary>The mail-slot panel's Lock and Unlock buttons: PREVENT / ALLOW MEDIUM REMOVAL reaches the virtual library's port.</summary>
public sealed class ConsoleMailSlotTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task An_operator_locks_the_mail_slots_the_port_stays_shut_then_unlocks_them()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.LoginAsync(op);

        await c.Page.Locator("#ieport-actions").GetByRole(AriaRole.Button, new() { Name = "Lock mail slots", Exact = true }).ClickAsync();
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "lock the mail slots" }).WaitForAsync();
        // The operator's hands: the port does not open while removal is prevented.
        var (rc, _, err) = svc.Cli(op, "virtual", "ieport", "open");
        Assert.NotEqual(0, rc);
        Assert.Contains("locked", err);
        await c.ScreenshotAsync("10-mail-slots-locked");

        // Keyboard path: focus and Enter.
        await c.Page.Locator("#ieport-actions").GetByRole(AriaRole.Button, new() { Name = "Unlock mail slots", Exact = true }).FocusAsync();
        await c.Page.Keyboard.PressAsync("Enter");
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "unlock the mail slots" }).WaitForAsync();
        (rc, _, err) = svc.Cli(op, "virtual", "ieport", "open");
        Assert.True(rc == 0, err);
        Assert.Equal(0, svc.Cli(op, "virtual", "ieport", "close").ExitCode);
        c.AssertNoErrors();
    }
}
