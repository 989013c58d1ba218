using System.Net;
using System.Text.RegularExpressions;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>
/// The web console as the service serves it: the page and every asset it loads, from memory, with their content types
/// and headers; no data without a token (the console's calls are API calls like any other); the two API calls added
/// for it (whoami, a library's cleaner).
/// </summary>
public class WebConsoleTests
{
    private static async Task<System.Text.Json.JsonElement> JsonOf(HttpResponseMessage r) => ServiceHost.Parse(await r.Content.ReadAsStringAsync());

    [Fact]
    public async Task The_page_and_every_asset_it_loads_are_served_without_a_token_with_their_content_types()
    {
        await using var host = ServiceHost.Start();
        using var anonymous = host.Http();
        var page = await anonymous.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        string html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);

        // Everything the page names, and every module the scripts import, transitively.
        var todo = new Queue<string>(Regex.Matches(html, "(?:src|href)=\"(/console/[^\"]+)\"").Select(m => m.Groups[1].Value));
        var seen = new Dictionary<string, string>();
        while (todo.TryDequeue(out var path))
        {
            if (seen.ContainsKey(path)) continue;
            var r = await anonymous.GetAsync(path.TrimStart('/'));
            Assert.True(r.StatusCode == HttpStatusCode.OK, $"{path}: {r.StatusCode}");
            string type = r.Content.Headers.ContentType!.ToString();
            seen[path] = type;
            if (!path.EndsWith(".js", StringComparison.Ordinal)) continue;
            string js = await r.Content.ReadAsStringAsync();
            Assert.DoesNotMatch("(?:import|from)\\s*['\"]https?:", js);
            foreach (Match m in Regex.Matches(js, @"from '\./([\w-]+\.js)'"))
                todo.Enqueue(path[..(path.LastIndexOf('/') + 1)] + m.Groups[1].Value);
        }
        Assert.Equal("text/css; charset=utf-8", seen["/console/console.css"]);
        Assert.Equal("image/svg+xml", seen["/console/favicon.svg"]);
        foreach (var js in new[] { "main", "api", "events", "library", "actions", "requests", "plot", "text", "fleet", "drag" })
            Assert.Equal("text/javascript; charset=utf-8", seen[$"/console/js/{js}.js"]);
    }

    [Fact]
    public async Task An_unchanged_asset_is_304_and_an_unknown_one_404()
    {
        await using var host = ServiceHost.Start();
        using var anonymous = host.Http();
        var first = await anonymous.GetAsync("console/js/main.js");
        string etag = first.Headers.ETag!.Tag;
        Assert.Equal("no-cache", first.Headers.CacheControl!.ToString());
        using var again = new HttpRequestMessage(HttpMethod.Get, "console/js/main.js");
        again.Headers.TryAddWithoutValidation("If-None-Match", etag);
        Assert.Equal(HttpStatusCode.NotModified, (await anonymous.SendAsync(again)).StatusCode);
        var missing = await anonymous.GetAsync("console/js/nosuch.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.StartsWith("no such console file", (await JsonOf(missing)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task The_console_path_opens_no_API_call_without_a_token_and_nothing_moves()
    {
        await using var host = ServiceHost.Start();
        string before = host.DirectStatus();
        using var anonymous = host.Http();
        // What the console's page would send before logging in: same origin, referred by /, no Authorization.
        foreach (var (method, path) in new[] { ("GET", "api/v1/whoami"), ("GET", "api/v1/libraries/default/status"), ("GET", "api/v1/events"),
                     ("POST", "api/v1/libraries/default/moves"), ("POST", "api/v1/libraries/default/inventory") })
        {
            using var req = new HttpRequestMessage(new HttpMethod(method), path);
            req.Headers.Referrer = host.Tcp;
            req.Headers.TryAddWithoutValidation("Origin", host.Tcp.GetLeftPart(UriPartial.Authority));
            if (method == "POST") req.Content = ServiceHost.Json("""{"kind":"load","slot":1,"drive":0}""");
            var r = await anonymous.SendAsync(req);
            Assert.True(r.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path}: {r.StatusCode}");
            Assert.Equal("Bearer", r.Headers.WwwAuthenticate.Single().Scheme);
        }
        // The console's own prefix does not open the API: dot segments are resolved before the check.
        foreach (var path in new[] { "console/../api/v1/libraries", "console/%2e%2e/api/v1/libraries", "console/..%2fapi/v1/libraries" })
        {
            var r = await anonymous.GetAsync(path);
            Assert.NotEqual(HttpStatusCode.OK, r.StatusCode);
            Assert.DoesNotContain("\"libraries\"", await r.Content.ReadAsStringAsync());
        }
        using var wrong = host.Http("not-a-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("api/v1/whoami")).StatusCode);
        Assert.Equal(before, host.DirectStatus());
    }

    [Fact]
    public async Task Whoami_tells_the_caller_its_name_and_role()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer, "wall-screen"));
        var me = await JsonOf(await viewer.GetAsync("api/v1/whoami"));
        Assert.Equal("token:wall-screen", me.GetProperty("name").GetString());
        Assert.Equal("viewer", me.GetProperty("role").GetString());
        Assert.Equal("token", me.GetProperty("via").GetString());
        Assert.False(me.GetProperty("fleet").GetBoolean());                 // its own state directory: no fleet
        using var unix = host.Unix();
        Assert.Equal("admin", (await JsonOf(await unix.GetAsync("api/v1/whoami"))).GetProperty("role").GetString());
    }

    [Fact]
    public void The_cleaner_view_lists_cleanings_oldest_first_and_an_uncounted_cleaner_without_a_count()
    {
        var t0 = new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.Zero);
        var state = new Cleaning.CleanerState
        {
            Reservation = new Cleaning.CleanerReservation { Slot = 24, Address = 1023, ReservedAt = t0 },
            Cleaner = new Cleaning.CleanerCartridge { Barcode = "CLN001L8", CleansLeft = Cleaning.CleanerService.Unlimited, TimesUsed = 3, InjectedAt = t0 },
            DriveHistory =
            {
                ["XYZZY_A2"] = [new Cleaning.CleaningRecord { At = t0.AddDays(2), Drive = 1, Address = 501, CleanerBarcode = "CLN001L8", CleansLeftAfter = 8, Outcome = "passed" }],
                ["XYZZY_A1"] =
                [
                    new Cleaning.CleaningRecord { At = t0.AddDays(1), Drive = 0, Address = 500, CleanerBarcode = "CLN001L8", CleansLeftAfter = 9, Outcome = "passed" },
                    new Cleaning.CleaningRecord { At = t0.AddDays(3), Drive = 0, Address = 500, CleanerBarcode = "CLN001L8", CleansLeftAfter = Cleaning.CleanerService.Unlimited, Outcome = "passed" },
                ],
            },
            PendingCleaning = { ["XYZZY_A3"] = new Cleaning.CleaningRequest { Drive = 2, Address = 502, Reason = "TapeAlert 20: clean now", Since = t0 } },
        };
        var v = WebConsole.ConsoleApi.ViewOf("default", state);
        Assert.Equal(24, v.Reserved!.Slot);
        Assert.True(v.Cleaner!.Unlimited);
        Assert.Null(v.Cleaner.CleansLeft);
        Assert.Equal([0, 1, 0], v.History.Select(h => h.Drive));
        Assert.Equal([9u, 8u, null], v.History.Select(h => h.CleansLeftAfter));
        Assert.Equal("XYZZY_A2", v.History[1].DriveKey);
        var p = Assert.Single(v.Pending);
        Assert.Equal((2, "TapeAlert 20: clean now"), (p.Drive, p.Reason));
        var none = WebConsole.ConsoleApi.ViewOf("default", null);
        Assert.Null(none.Reserved);
        Assert.Empty(none.History);
    }

    [Fact]
    public async Task The_cleaner_view_has_the_reserved_slot_and_the_cleaner_with_its_cleans_left()
    {
        await using var host = ServiceHost.Start();
        using var admin = host.Http(host.Token(AccessRole.Admin));
        using var viewer = host.Http(host.Token(AccessRole.Viewer));
        var empty = await JsonOf(await viewer.GetAsync("api/v1/libraries/default/cleaner"));
        Assert.False(empty.TryGetProperty("reserved", out _));
        Assert.Equal(0, empty.GetProperty("history").GetArrayLength());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("api/v1/libraries/default/cleaner/reserve", ServiceHost.Json("""{"slot":24}"""))).StatusCode);
        var inject = await admin.PostAsync("api/v1/libraries/default/cleaner/inject", ServiceHost.Json("""{"via":"door","cleansLeft":5,"wait":false}"""));
        string injectId = (await JsonOf(inject)).GetProperty("id").GetString()!;
        string? oid = null;
        for (int i = 0; i < 100 && oid is null; i++)
        {
            var list = (await JsonOf(await viewer.GetAsync("api/v1/operator-requests?open=true"))).GetProperty("operatorRequests");
            if (list.GetArrayLength() == 1) oid = list[0].GetProperty("id").GetString();
            else await Task.Delay(100);
        }
        Assert.NotNull(oid);
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "door", "open").ExitCode);
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "slot", "insert", "24", "CLN555L8").ExitCode);
        Assert.Equal(0, host.RunCli("--device", "virtual:", "virtual", "door", "close").ExitCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"api/v1/operator-requests/{oid}/satisfy", null)).StatusCode);
        for (int i = 0; i < 100 && !(await JsonOf(await viewer.GetAsync($"api/v1/requests/{injectId}"))).GetProperty("isFinal").GetBoolean(); i++) await Task.Delay(100);

        var v = await JsonOf(await viewer.GetAsync("api/v1/libraries/default/cleaner"));
        Assert.Equal(24, v.GetProperty("reserved").GetProperty("slot").GetInt32());
        var c = v.GetProperty("cleaner");
        Assert.Equal("CLN555L8", c.GetProperty("barcode").GetString());
        Assert.Equal(5u, c.GetProperty("cleansLeft").GetUInt32());
        Assert.False(c.GetProperty("unlimited").GetBoolean());
        // /metrics finds the same cleaner although the kept status has no library serial.
        Assert.Contains("tapechanger_cleaner_cleans_left{library=\"default\",barcode=\"CLN555L8\"} 5\n", await viewer.GetStringAsync("metrics"));

        using var anonymous = host.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/v1/libraries/default/cleaner")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await viewer.GetAsync("api/v1/libraries/..%2f/cleaner")).StatusCode);
    }
}
