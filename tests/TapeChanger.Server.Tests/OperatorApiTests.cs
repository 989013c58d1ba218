using System.Net;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>The cleaner functions, operator requests, drives and cancellation over HTTP, with their roles.</summary>
public class OperatorApiTests
{
    private static async Task<System.Text.Json.JsonElement> JsonOf(HttpResponseMessage r) => ServiceHost.Parse(await r.Content.ReadAsStringAsync());

    [Fact]
    public async Task A_door_inject_waits_on_an_operator_request_that_an_operator_satisfies()
    {
        await using var host = ServiceHost.Start();
        using var admin = host.Http(host.Token(AccessRole.Admin, "admin"));
        using var op = host.Http(host.Token(AccessRole.Operator, "night-operator"));
        using var viewer = host.Http(host.Token(AccessRole.Viewer));

        Assert.Equal(HttpStatusCode.Forbidden, (await op.PostAsync("api/v1/libraries/default/cleaner/reserve", ServiceHost.Json("""{"slot":24}"""))).StatusCode);
        var reserve = await admin.PostAsync("api/v1/libraries/default/cleaner/reserve", ServiceHost.Json("""{"slot":24}"""));
        Assert.Equal(HttpStatusCode.OK, reserve.StatusCode);

        var inject = await op.PostAsync("api/v1/libraries/default/cleaner/inject", ServiceHost.Json("""{"via":"door","cleansLeft":5,"wait":false}"""));
        Assert.Equal(HttpStatusCode.Accepted, inject.StatusCode);
        string injectId = (await JsonOf(inject)).GetProperty("id").GetString()!;

        System.Text.Json.JsonElement o = default;
        for (int i = 0; i < 100; i++)
        {
            var list = (await JsonOf(await viewer.GetAsync("api/v1/operator-requests?open=true"))).GetProperty("operatorRequests");
            if (list.GetArrayLength() == 1) { o = list[0]; break; }
            await Task.Delay(100);
        }
        Assert.Equal("DeviceService", o.GetProperty("kind").GetString());
        string oid = o.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"api/v1/operator-requests/{oid}/satisfy", null)).StatusCode);

        // The operator's hands: the cleaner goes into slot 24 through the door.
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "door", "open").ExitCode);
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "slot", "insert", "24", "CLN555L8").ExitCode);
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "door", "close").ExitCode);
        var satisfied = await op.PostAsync($"api/v1/operator-requests/{oid}/satisfy", null);
        Assert.Equal(HttpStatusCode.OK, satisfied.StatusCode);
        Assert.Equal("Complete", (await JsonOf(satisfied)).GetProperty("state").GetString());

        System.Text.Json.JsonElement done = default;
        for (int i = 0; i < 100; i++)
        {
            done = await JsonOf(await viewer.GetAsync($"api/v1/requests/{injectId}"));
            if (done.GetProperty("isFinal").GetBoolean()) break;
            await Task.Delay(100);
        }
        Assert.Equal("Passed", done.GetProperty("state").GetString());
        Assert.Contains("CLN555L8", done.GetProperty("message").GetString());
        var audit = host.Access.ReadAudit();
        Assert.Contains(audit, a => a.Who == "token:night-operator" && a.Action == "satisfy operator request" && a.Target == oid && a.Result == "Complete");
        Assert.Contains(audit, a => a.Who == "token:admin" && a.Action == "cleaner reserve" && a.Result.StartsWith("Passed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_queued_request_is_cancelled_and_drives_show_what_they_hold()
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator));
        var load = await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"load","slot":1,"drive":0}"""));
        Assert.True(load.StatusCode == HttpStatusCode.OK, await load.Content.ReadAsStringAsync());
        var drives = (await JsonOf(await op.GetAsync("api/v1/libraries/default/drives"))).GetProperty("drives");
        Assert.Equal(4, drives.GetArrayLength());
        var d2 = drives.EnumerateArray().Single(d => d.GetProperty("drive").GetInt32() == 0);
        Assert.True(d2.GetProperty("full").GetBoolean());
        Assert.Equal(1, d2.GetProperty("sourceSlot").GetInt32());

        // The library answers BUSY to MOVE MEDIUM for a while: the first move is on the robot, the second waits.
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "fault", "add", "busy", "--command", "MOVE MEDIUM", "--for", "3").ExitCode);
        var first = await JsonOf(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"transfer","slot":4,"toSlot":24,"wait":false}""")));
        var second = await JsonOf(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"transfer","slot":5,"toSlot":25,"wait":false}""")));
        string secondId = second.GetProperty("id").GetString()!;
        var cancel = await op.PostAsync($"api/v1/requests/{secondId}/cancel", null);
        Assert.True(cancel.StatusCode == HttpStatusCode.OK, await cancel.Content.ReadAsStringAsync());
        Assert.Equal("Cancelled", (await JsonOf(cancel)).GetProperty("state").GetString());
        var done = await JsonOf(await op.GetAsync($"api/v1/requests/{first.GetProperty("id").GetString()}"));
        for (int i = 0; i < 100 && !done.GetProperty("isFinal").GetBoolean(); i++)
        {
            await Task.Delay(100);
            done = await JsonOf(await op.GetAsync($"api/v1/requests/{first.GetProperty("id").GetString()}"));
        }
        Assert.Equal("Passed", done.GetProperty("state").GetString());
        var elements = ServiceHost.Parse(host.DirectStatus()).GetProperty("elements").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "storage").ToDictionary(e => e.GetProperty("slot").GetInt32());
        Assert.True(elements[5].GetProperty("full").GetBoolean());      // the cancelled transfer never ran
        Assert.False(elements[25].GetProperty("full").GetBoolean());
        Assert.True(elements[24].GetProperty("full").GetBoolean());
    }
}
