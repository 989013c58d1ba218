using TapeChanger.Access;

namespace TapeChanger.Console.Tests;

/// <summary>Drag and drop: a full slot onto a drive loads it, onto an empty slot transfers it (checked in the library by the CLI).</summary>
public sealed class ConsoleDragTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    [BrowserFact]
    public async Task An_operator_drags_a_slot_onto_a_drive_then_another_slot_onto_the_emptied_one()
    {
        await using var svc = await ServiceProcess.StartAsync();
        string op = svc.Token(AccessRole.Operator, "console-operator");
        var before = svc.Status(op);
        string three = ServiceProcess.Element(before, "storage", "slot", 3).GetProperty("barcode").GetString()!;
        string five = ServiceProcess.Element(before, "storage", "slot", 5).GetProperty("barcode").GetString()!;
        await using var c = await ConsolePage.OpenAsync(browser.Get(), svc.Url);
        await c.LoginAsync(op);

        await c.Page.DragAndDropAsync("#storage [data-slot='3']", "#drives [data-drive='1']");
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "load slot 3 → drive 1" }).WaitForAsync();
        await c.Page.Locator("#storage [data-slot='3'].empty").WaitForAsync();

        await c.Page.DragAndDropAsync("#storage [data-slot='5']", "#storage [data-slot='3']");
        await c.Page.Locator("#history-list li.state-passed", new() { HasTextString = "transfer slot 5 → slot 3" }).WaitForAsync();

        var after = svc.Status(op);
        Assert.Equal(three, ServiceProcess.Element(after, "dataTransfer", "drive", 1).GetProperty("barcode").GetString());
        Assert.Equal(five, ServiceProcess.Element(after, "storage", "slot", 3).GetProperty("barcode").GetString());
        Assert.False(ServiceProcess.Element(after, "storage", "slot", 5).GetProperty("full").GetBoolean());
        c.AssertNoErrors();
    }
}
