using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>
/// Every route the service maps, enumerated from its endpoint data source (a route added later is checked without
/// touching this file): no route but /healthz and the OpenAPI document answers without credentials, a viewer is
/// refused every mutating one (403, audited, nothing changes), and every mutating route writes one audit row whatever
/// its outcome.
/// </summary>
public class RouteRoleTests
{
    private sealed record Route(string Method, string Pattern);

    private static List<Route> Routes(ServiceHost host) =>
        [.. host.App.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } t && !t.Contains("{*", StringComparison.Ordinal))    // the 404 fallback
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => new Route(m, e.RoutePattern.RawText!)))
            .Distinct()];

    /// <summary>A concrete path: each parameter gets a value its route accepts (an unknown parameter fails the test).</summary>
    private static string PathOf(Route r) => Regex.Replace(r.Pattern.TrimStart('/'), @"\{([a-z]+)(:[a-z]+)?\}", m => m.Groups[1].Value switch
    {
        "name" => "default",
        "drive" => "0",
        "id" => Guid.NewGuid().ToString(),
        "action" => "reserve",
        var p => throw new Xunit.Sdk.XunitException($"{r.Method} {r.Pattern}: give parameter '{p}' a value in RouteRoleTests"),
    });

    private static bool Mutating(Route r) => r.Method is not ("GET" or "HEAD" or "OPTIONS");

    // The web console's page holds no data (its API calls carry the caller's token); its assets are the /console/{**path} catch-all.
    private static readonly string[] Public = ["/healthz", "/api/v1/openapi.json", "/"];

    private static async Task<HttpResponseMessage> SendAsync(HttpClient c, Route r, string body)
    {
        var m = new HttpRequestMessage(new HttpMethod(r.Method), PathOf(r));
        if (Mutating(r)) m.Content = ServiceHost.Json(body);
        // The event stream never ends: the headers decide.
        return await c.SendAsync(m, HttpCompletionOption.ResponseHeadersRead);
    }

    [Fact]
    public async Task Every_route_needs_credentials_and_a_viewer_is_refused_every_mutating_one_with_an_audit_row()
    {
        await using var host = ServiceHost.Start();
        var routes = Routes(host);
        Assert.Contains(new Route("POST", "/api/v1/libraries/{name}/moves"), routes);
        Assert.Contains(new Route("POST", "/api/v1/cli"), routes);
        string before = Elements(host);
        using var anonymous = host.Http();
        using var viewer = host.Http(host.Token(AccessRole.Viewer, "route-viewer"));
        foreach (var r in routes)
        {
            using var a = await SendAsync(anonymous, r, """{"kind":"load","slot":1,"drive":0}""");
            if (Public.Contains(r.Pattern)) Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            else Assert.True(a.StatusCode == HttpStatusCode.Unauthorized, $"{r.Method} {r.Pattern} without a token: {(int)a.StatusCode}");
            if (!Mutating(r)) continue;

            int rows = host.Access.ReadAudit(10_000).Count;
            // A body that would be valid for a move, and a command line that moves: only the role stops them.
            string body = r.Pattern == "/api/v1/cli" ? """{"argv":["load","1","0"]}""" : """{"kind":"load","slot":1,"drive":0}""";
            using var v = await SendAsync(viewer, r, body);
            string text = await v.Content.ReadAsStringAsync();
            Assert.True(v.StatusCode == HttpStatusCode.Forbidden, $"{r.Method} {r.Pattern} as a viewer: {(int)v.StatusCode} {text}");
            Assert.Contains("route-viewer is viewer; this needs ", ServiceHost.Parse(text).GetProperty("error").GetString());
            var audit = host.Access.ReadAudit(10_000);
            Assert.True(audit.Count == rows + 1, $"{r.Method} {r.Pattern}: {audit.Count - rows} audit rows for a refused viewer, expected 1");
            Assert.Equal("token:route-viewer", audit[0].Who);
            Assert.StartsWith("refused: needs ", audit[0].Result);
        }
        Assert.Equal(before, Elements(host));
        using var admin = host.Http(host.Token(AccessRole.Admin));
        Assert.Equal(0, ServiceHost.Parse(await admin.GetStringAsync("api/v1/requests")).GetProperty("requests").GetArrayLength());
    }

    [Fact]
    public async Task Every_mutating_route_writes_one_audit_row_whatever_the_outcome()
    {
        await using var host = ServiceHost.Start();
        using var admin = host.Http(host.Token(AccessRole.Admin, "route-admin"));
        foreach (var r in Routes(host).Where(Mutating))
        {
            int rows = host.Access.ReadAudit(10_000).Count;
            // A malformed body: refused where a body is read, otherwise the route runs (or finds no such request).
            using var resp = await SendAsync(admin, r, "{\"kind\":");
            string text = await resp.Content.ReadAsStringAsync();
            var audit = host.Access.ReadAudit(10_000);
            Assert.True(audit.Count == rows + 1, $"{r.Method} {r.Pattern} -> {(int)resp.StatusCode} {text}: {audit.Count - rows} audit rows, expected 1");
            Assert.Equal("token:route-admin", audit[0].Who);
            // Refused (4xx before the library) or failed on the library (409): never recorded as passed.
            if ((int)resp.StatusCode >= 400) Assert.False(audit[0].Result.StartsWith("Passed", StringComparison.Ordinal), audit[0].Result);
            if ((int)resp.StatusCode is 400 or 403 or 404) Assert.StartsWith("refused: ", audit[0].Result);
        }
    }

    private static string Elements(ServiceHost host) => ServiceHost.Parse(host.DirectStatus()).GetProperty("elements").GetRawText();
}
