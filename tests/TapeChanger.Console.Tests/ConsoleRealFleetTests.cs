using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TapeChanger.Testing;
using TapeChanger.Access;
using TapeChanger.Cli;

namespace TapeChanger.Console.Tests;

/// <summary>
/// The fleet panel against a real fleet: two tapechangerd processes on one fresh PostgreSQL database (created on the
/// TAPECHANGER_TEST_POSTGRES server, dropped afterwards) sharing two virtual libraries, one owned by each. The panel of
/// one service shows both libraries with the owner, health and queue depth the other service reports too.
/// </summary>
public sealed class ConsoleRealFleetTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    public const string Variable = ScratchPostgresDatabase.Variable;

    [FleetBrowserFact]
    public async Task Two_services_on_one_database_show_both_libraries_with_owner_health_and_queue()
    {
        if (ScratchPostgresDatabase.Server is null)
            throw new InvalidOperationException($"{Variable} is not set: CI (or {Browser.RequireVariable}=1) needs a PostgreSQL server for the fleet panel test (tools/lib/postgres.sh starts one)");
        using var scratch = new ScratchPostgresDatabase("tc_console");
        string database = scratch.Uri;
        string shared = Directory.CreateTempSubdirectory("tc-console-fleet-").FullName;
        var services = new List<ServiceProcess>();
        try
        {
            // A second library: mhVTL's library 10 with its own serial (as a second physical library would be).
            string vault = Path.Combine(shared, "vault-config");
            Directory.CreateDirectory(vault);
            foreach (var f in Directory.GetFiles(Path.Combine(RepoRoot(), "hw-profiles", "mhvtl", "library10"))) File.Copy(f, Path.Combine(vault, Path.GetFileName(f)));
            string conf = Path.Combine(vault, "device.conf");
            File.WriteAllText(conf, File.ReadAllText(conf).Replace("Unit serial number: XYZZY_A\n", "Unit serial number: CONSOLEV1\n", StringComparison.Ordinal));
            (string, string)[] libraries = [("vault", "virtual:" + vault)];

            foreach (var name in new[] { "A", "B" })
                services.Add(await ServiceProcess.StartInFleetAsync(shared, "virtual:", new ServiceProcess.FleetMember(name, FreePort(), database, libraries)));
            var (a, b) = (services[0], services[1]);
            string viewer = a.Token(AccessRole.Viewer, "console-viewer");
            string op = a.Token(AccessRole.Operator, "console-operator");

            // Fair share: two libraries, two services: one each once the first has handed one over.
            using var fromB = b.Http(viewer);
            var owners = await WaitAsync(async () =>
            {
                var o = Owners(await fromB.GetStringAsync("api/v1/fleet"));
                return o.Count == 2 && o.Values.All(x => x is "A" or "B") && o.Values.Distinct().Count() == 2 ? o : null;
            }, TimeSpan.FromSeconds(60), "each service to own one library");

            await using var c = await ConsolePage.OpenAsync(browser.Get(), a.Url);
            await c.LoginAsync(viewer);
            await c.Page.Locator("#fleet:not([hidden])").WaitForAsync();
            Assert.Equal(2, await c.Page.Locator("#fleet-list tr").CountAsync());
            foreach (var (library, owner) in owners)
            {
                var row = c.Page.Locator($"#fleet-list tr[data-library='{library}']");
                Assert.Equal(owner == "A" ? "A (here)" : owner, await row.Locator("td").Nth(0).InnerTextAsync());
                Assert.Equal("online", await row.Locator(".health").InnerTextAsync());
                Assert.Equal("0", await row.Locator(".queue").InnerTextAsync());
            }
            Assert.Contains("This service: A · 2 libraries · 2 services seen", await c.Page.Locator("#fleet-summary").InnerTextAsync());

            // A queue on B's library: its robot answers the next five MOVE MEDIUMs BUSY (B resends after 1, 2, 4, 8 and
            // 16 s: the first load ends some 31 s after it started, counted in commands, not on a clock a loaded machine
            // stretches), which holds one load in process (and B's session: the virtual library's lock, longer than the
            // 30 s a read of the library waits for it) while a second one waits, past the console check below and the
            // panel's 15 s refresh. Both loads are sent to A (not the owner): the fleet passes them on.
            string busyLibrary = owners.Single(o => o.Value == "B").Key;
            string device = busyLibrary == "vault" ? "virtual:" + vault : "virtual:";
            var (rc, _, err) = Cli("--state-dir", shared, "--device", device, "virtual", "fault", "add", "busy", "--command", "MOVE MEDIUM", "--count", "5");
            Assert.True(rc == 0, err);
            using var opA = a.Http(op);
            var ids = new List<string>();
            foreach (var (slot, drive) in new[] { (3, 0), (4, 1) })
            {
                var r = await opA.PostAsync($"api/v1/libraries/{busyLibrary}/moves",
                    new StringContent($$"""{"kind":"load","slot":{{slot}},"drive":{{drive}},"wait":false}""", Encoding.UTF8, "application/json"));
                Assert.True(r.StatusCode == HttpStatusCode.Accepted, await r.Content.ReadAsStringAsync());
                ids.Add(JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
            }
            // A's console showing B's library while B is in its BUSY load: A passes the status and cleaner reads on to
            // B, which answers from the status it keeps; A reading the library itself would wait for B's session (and
            // report it offline after the virtual library's 30 s lock time; the cleaner view answered 503).
            await WaitAsync(async () => JsonDocument.Parse(await opA.GetStringAsync($"api/v1/requests/{ids[0]}")).RootElement
                .GetProperty("state").GetString() == "InProcess" ? "" : null, TimeSpan.FromSeconds(20), "the first load to go in process");
            string otherLibrary = owners.Keys.Single(l => l != busyLibrary);
            var pick = c.Page.Locator("#library");
            if (await pick.InputValueAsync() == busyLibrary)
            {
                await c.Page.RunAndWaitForResponseAsync(() => pick.SelectOptionAsync(otherLibrary),
                    r => r.Url.EndsWith($"/api/v1/libraries/{otherLibrary}/status", StringComparison.Ordinal));
            }
            var shownAt = System.Diagnostics.Stopwatch.StartNew();
            var cleanerAnswer = c.Page.WaitForResponseAsync(r => r.Url.EndsWith($"/api/v1/libraries/{busyLibrary}/cleaner", StringComparison.Ordinal));
            var statusAnswer = await c.Page.RunAndWaitForResponseAsync(() => pick.SelectOptionAsync(busyLibrary),
                r => r.Url.EndsWith($"/api/v1/libraries/{busyLibrary}/status", StringComparison.Ordinal));
            Assert.Equal(200, statusAnswer.Status);
            Assert.Equal(200, (await cleanerAnswer).Status);
            Assert.True(shownAt.Elapsed < TimeSpan.FromSeconds(5), $"A's console took {shownAt.Elapsed.TotalSeconds:0.0} s to read {busyLibrary}");
            Assert.Equal("B", statusAnswer.Headers["x-tapechanger-served-by"]);
            await c.Page.WaitForFunctionAsync("() => document.getElementById('banner').hidden");
            Assert.Equal("InProcess", JsonDocument.Parse(await opA.GetStringAsync($"api/v1/requests/{ids[0]}")).RootElement.GetProperty("state").GetString());

            // The panel refreshes itself (every 15 s): the owner's queue depth reaches it without a reload.
            var queue = c.Page.Locator($"#fleet-list tr[data-library='{busyLibrary}'] .queue");
            await c.Page.WaitForFunctionAsync("""sel => { const e = document.querySelector(sel); return e && Number(e.textContent) > 0; }""",
                $"#fleet-list tr[data-library='{busyLibrary}'] .queue", new() { Timeout = 25_000 });
            int shown = int.Parse(await queue.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(shown, 1, 2);
            // A's own status of B's library says the same queue (the owner's), not A's empty one.
            var statusAtA = JsonDocument.Parse(await opA.GetStringAsync($"api/v1/libraries/{busyLibrary}/status")).RootElement;
            Assert.InRange(statusAtA.GetProperty("queueDepth").GetInt32(), 1, 2);
            Assert.Equal("B", await c.Page.Locator($"#fleet-list tr[data-library='{busyLibrary}'] td").Nth(0).InnerTextAsync());

            await c.ScreenshotAsync("13-fleet-real");
            c.AssertNoErrors();

            // Both loads end passed once the robot answers again (nothing was lost on the way through A).
            foreach (var id in ids)
            {
                await WaitAsync(async () =>
                {
                    var r = JsonDocument.Parse(await opA.GetStringAsync($"api/v1/requests/{id}")).RootElement;
                    return r.GetProperty("state").GetString() is "Passed" or "Failed" or "Cancelled" ? r.GetProperty("state").GetString() : null;
                }, TimeSpan.FromSeconds(60), $"request {id} to end");
                Assert.Equal("Passed", JsonDocument.Parse(await opA.GetStringAsync($"api/v1/requests/{id}")).RootElement.GetProperty("state").GetString());
            }
        }
        finally
        {
            foreach (var s in services) await s.DisposeAsync();
            try { Directory.Delete(shared, recursive: true); } catch (IOException) { }
        }
    }

    /// <summary>library → owner ("" when unowned) from a fleet document.</summary>
    private static Dictionary<string, string> Owners(string fleetJson) =>
        JsonDocument.Parse(fleetJson).RootElement.GetProperty("libraries").EnumerateArray().ToDictionary(
            l => l.GetProperty("library").GetString()!,
            l => l.GetProperty("state").GetString() == "Owned" && l.TryGetProperty("owner", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()! : "");

    private static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, TimeSpan limit, string what) where T : class
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            if (await probe() is { } found) return found;
            if (DateTime.UtcNow > until) throw new TimeoutException($"waited {limit.TotalSeconds:F0} s for {what}");
            await Task.Delay(250);
        }
    }

    private static (int ExitCode, string Stdout, string Stderr) Cli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int rc = TapeChangerCli.RunAsync(args, o, e).GetAwaiter().GetResult();
        return (rc, o.ToString(), e.ToString());
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
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

/// <summary>
/// A browser fact on a real fleet: skipped with the reason where TAPECHANGER_TEST_POSTGRES is unset, unless CI (or
/// TAPECHANGER_REQUIRE_BROWSER=1) requires it: then it runs and fails, like the other browser tests without chromium.
/// </summary>
public sealed class FleetBrowserFactAttribute : FactAttribute
{
    public FleetBrowserFactAttribute()
    {
        if (Browser.ExecutablePath is null && !Browser.Required)
            Skip = $"chromium is not installed here (apt-get install -y chromium); CI sets {Browser.RequireVariable}=1 and fails instead";
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ConsoleRealFleetTests.Variable)) && !Browser.Required)
            Skip = $"{ConsoleRealFleetTests.Variable} is not set (a postgresql:// URI of a throw-away server; tools/lib/postgres.sh starts one, CI sets it)";
    }
}
