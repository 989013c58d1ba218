using System.Net;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>Mail-slot lock and unlock over HTTP: PREVENT / ALLOW MEDIUM REMOVAL reaches the library, for operators only.</summary>
public class IePortApiTests
{
    private static async Task<System.Text.Json.JsonElement> JsonOf(HttpResponseMessage r) => ServiceHost.Parse(await r.Content.ReadAsStringAsync());

    /// <summary>The operator's hands on the virtual library's port: refused while removal is prevented.</summary>
    private static (int ExitCode, string Stderr) OpenPort(ServiceHost host)
    {
        var (rc, _, stderr) = host.RunCli("--device", "virtual:", "virtual", "ieport", "open");
        if (rc == 0) Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "ieport", "close").ExitCode);
        return (rc, stderr);
    }

    [Fact]
    public async Task An_operator_locks_and_unlocks_the_mail_slots_and_a_viewer_is_refused()
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator, "night-operator"));
        using var viewer = host.Http(host.Token(AccessRole.Viewer, "watcher"));
        Assert.Equal(0, OpenPort(host).ExitCode);

        var refused = await viewer.PostAsync("api/v1/libraries/default/ieport/lock", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(0, OpenPort(host).ExitCode);                       // nothing reached the library

        var locked = await op.PostAsync("api/v1/libraries/default/ieport/lock", null);
        var lockedJson = await JsonOf(locked);
        Assert.True(locked.StatusCode == HttpStatusCode.OK, lockedJson.GetRawText());
        Assert.Equal("IePortLock", lockedJson.GetProperty("kind").GetString());
        var shut = OpenPort(host);
        Assert.NotEqual(0, shut.ExitCode);
        Assert.Contains("locked", shut.Stderr);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("api/v1/libraries/default/ieport/unlock", null)).StatusCode);
        Assert.NotEqual(0, OpenPort(host).ExitCode);                    // still locked

        var unlocked = await op.PostAsync("api/v1/libraries/default/ieport/unlock", null);
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
        Assert.Equal("IePortUnlock", (await JsonOf(unlocked)).GetProperty("kind").GetString());
        Assert.Equal(0, OpenPort(host).ExitCode);

        var audit = host.Access.ReadAudit(100);
        Assert.Contains(audit, a => a.Who == "token:night-operator" && a.Result.StartsWith("Passed", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Who == "token:watcher" && a.Result.StartsWith("refused: ", StringComparison.Ordinal));
    }
}
