using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>Tokens from the CLI, /metrics, the event stream, the OpenAPI document.</summary>
public class ServiceFeatureTests
{
    private const string Load = """{"kind":"load","slot":1,"drive":0}""";

    [Fact]
    public async Task Token_create_list_revoke_from_the_cli_and_the_token_works_until_revoked()
    {
        await using var host = ServiceHost.Start();
        var (rc, stdout, stderr) = host.RunCli("token", "create", "--role", "operator", "--name", "cron-nightly");
        Assert.Equal(0, rc);
        string token = stdout.Trim();
        Assert.Matches("^tct_[A-Za-z0-9_-]{43}$", token);
        Assert.Contains("not shown again", stderr);

        var list = host.RunCli("token", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"cron-nightly\s+operator\s+created", list.Stdout);
        Assert.DoesNotContain(token, list.Stdout);
        Assert.DoesNotContain(token, File.ReadAllText(Path.Combine(host.StateDirectory, "tapechanger.db")) + ReadWal(host));

        using (var op = host.Http(token))
            Assert.Equal(HttpStatusCode.OK, (await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load))).StatusCode);

        Assert.Equal(64, host.RunCli("token", "create", "--role", "operator", "--name", "cron-nightly").ExitCode);   // name taken
        Assert.Equal(64, host.RunCli("token", "create", "--role", "root").ExitCode);
        Assert.Equal(0, host.RunCli("token", "revoke", "cron-nightly").ExitCode);
        Assert.Contains("REVOKED", host.RunCli("token", "list").Stdout);
        Assert.Equal(2, host.RunCli("token", "revoke", "cron-nightly").ExitCode);
        using (var op = host.Http(token))
            Assert.Equal(HttpStatusCode.Unauthorized, (await op.GetAsync("api/v1/libraries")).StatusCode);
    }

    private static string ReadWal(ServiceHost host)
    {
        string wal = Path.Combine(host.StateDirectory, "tapechanger.db-wal");
        if (!File.Exists(wal)) return "";
        using var f = new FileStream(wal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var r = new StreamReader(f);
        return r.ReadToEnd();
    }

    [Fact]
    public async Task Metrics_after_a_move_count_it_with_its_latency_queue_and_http_figures()
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator));
        Assert.Equal(HttpStatusCode.OK, (await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load))).StatusCode);  // slot 1 is empty now

        string text = "";
        for (int i = 0; i < 50 && !text.Contains("result=\"failed\"", StringComparison.Ordinal); i++)
        {
            text = await op.GetStringAsync("metrics");
            await Task.Delay(100);
        }
        Assert.Contains("tapechanger_moves_total{library=\"default\",kind=\"load\",result=\"passed\"} 1\n", text);
        Assert.Contains("tapechanger_moves_total{library=\"default\",kind=\"load\",result=\"failed\"} 1\n", text);
        Assert.Contains("tapechanger_move_duration_seconds_count{library=\"default\",kind=\"load\"} 2\n", text);
        Assert.Matches(new Regex("tapechanger_queue_wait_seconds_count\\{library=\"default\"\\} 2\n"), text);
        Assert.Contains("tapechanger_queue_depth{library=\"default\"} 0\n", text);
        Assert.Contains("tapechanger_drives_needing_cleaning{library=\"default\"} 0\n", text);
        Assert.Contains("tapechanger_http_requests_total{method=\"POST\",route=\"/api/v1/libraries/{name}/moves\",code=\"200\"} 1\n", text);
        Assert.Contains("# TYPE tapechanger_operator_requests_open gauge\n", text);
        // Every sample line is NAME{labels} VALUE (the text format a scraper parses).
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')))
            Assert.Matches(@"^[a-z_]+(\{[a-z_]+=""[^""]*""(,[a-z_]+=""[^""]*"")*\})? (\+Inf|[0-9.eE+-]+)$", line);
        using var anonymous = host.Http();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("metrics")).StatusCode);
    }

    [Fact]
    public async Task The_event_stream_tells_of_a_move()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer));
        using var op = host.Http(host.Token(AccessRole.Operator));
        using var stream = await viewer.GetStreamAsync("api/v1/events");
        using var reader = new StreamReader(stream);
        Assert.StartsWith(":", await reader.ReadLineAsync());
        var move = op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        string? evt = null, data = null;
        while (!timeout.IsCancellationRequested)
        {
            string? line = await reader.ReadLineAsync(timeout.Token);
            if (line is null) break;
            if (line.StartsWith("event: ", StringComparison.Ordinal)) evt = line[7..];
            if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
            if (line.Length == 0 && evt == "request" && data is not null)
            {
                var r = ServiceHost.Parse(data).GetProperty("request");
                if (r.GetProperty("kind").GetString() == "Load" && r.GetProperty("state").GetString() == "Passed") break;
            }
            if (line.Length == 0) { evt = null; data = null; }
        }
        Assert.Equal("request", evt);
        var done = ServiceHost.Parse(data!).GetProperty("request");
        Assert.Equal("Passed", done.GetProperty("state").GetString());
        Assert.Equal(1, done.GetProperty("arguments").GetProperty("slot").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await move).StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_lists_every_mapped_route_and_no_other()
    {
        await using var host = ServiceHost.Start();
        using var anonymous = host.Http();
        var doc = ServiceHost.Parse(await anonymous.GetStringAsync("api/v1/openapi.json"));
        var documented = doc.GetProperty("paths").EnumerateObject().SelectMany(p => p.Value.EnumerateObject().Select(m => $"{m.Name.ToUpperInvariant()} {p.Name}")).ToHashSet();
        var mapped = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } t && !t.Contains("{*", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                $"{m} {Regex.Replace(e.RoutePattern.RawText!, @"\{(\w+):\w+\}", "{$1}")}"))
            .ToHashSet();
        Assert.Equal(mapped.Order(), documented.Order());
    }

    [Fact]
    public async Task Unknown_library_request_and_endpoint_are_404_with_one_line()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer));
        var r = await viewer.GetAsync("api/v1/libraries/nosuch/status");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Equal("no library named 'nosuch'", ServiceHost.Parse(await r.Content.ReadAsStringAsync()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync($"api/v1/requests/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await viewer.GetAsync("api/v2/anything")).StatusCode);
    }
}
