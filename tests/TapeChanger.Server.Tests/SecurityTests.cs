using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>Who gets in, who is refused, and that a refusal changes nothing on the library.</summary>
public class SecurityTests
{
    private const string Load = """{"kind":"load","slot":1,"drive":0}""";

    private static Task<string> Elements(ServiceHost host)
    {
        // The library as the CLI reads it directly, without the service.
        var doc = ServiceHost.Parse(host.DirectStatus());
        return Task.FromResult(doc.GetProperty("elements").GetRawText());
    }

    private static async Task AssertOneLineError(HttpResponseMessage r, HttpStatusCode expected, string contains)
    {
        Assert.Equal(expected, r.StatusCode);
        string body = await r.Content.ReadAsStringAsync();
        Assert.Single(body.TrimEnd('\n').Split('\n'));
        Assert.Contains(contains, ServiceHost.Parse(body).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Tcp_without_a_token_or_with_a_wrong_or_revoked_one_is_401_and_nothing_moves()
    {
        await using var host = ServiceHost.Start();
        string before = await Elements(host);
        using (var anonymous = host.Http())
        {
            await AssertOneLineError(await anonymous.GetAsync("api/v1/libraries"), HttpStatusCode.Unauthorized, "authentication required");
            await AssertOneLineError(await anonymous.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load)), HttpStatusCode.Unauthorized, "authentication required");
        }
        using (var wrong = host.Http("tct_" + new string('A', 43)))
        {
            await AssertOneLineError(await wrong.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load)), HttpStatusCode.Unauthorized, "invalid or revoked token");
        }
        string op = host.Token(AccessRole.Operator, "revoked-op");
        Assert.True(host.Access.RevokeToken("revoked-op"));
        using (var revoked = host.Http(op))
        {
            await AssertOneLineError(await revoked.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load)), HttpStatusCode.Unauthorized, "invalid or revoked token");
        }
        Assert.Equal(before, await Elements(host));
    }

    [Fact]
    public async Task A_viewer_reads_but_a_move_is_403_audited_and_the_library_is_unchanged()
    {
        await using var host = ServiceHost.Start();
        using var viewer = host.Http(host.Token(AccessRole.Viewer, "watcher"));
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("api/v1/libraries/default/status")).StatusCode);
        string before = await Elements(host);

        await AssertOneLineError(await viewer.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load)), HttpStatusCode.Forbidden, "needs operator");
        await AssertOneLineError(await viewer.PostAsync("api/v1/cli", ServiceHost.Json("""{"argv":["load","1","0"]}""")), HttpStatusCode.Forbidden, "needs operator");

        Assert.Equal(before, await Elements(host));
        var audit = host.Access.ReadAudit();
        Assert.Contains(audit, a => a.Who == "token:watcher" && a.Action == "move" && a.Result.StartsWith("refused", StringComparison.Ordinal));
        Assert.Contains(audit, a => a.Who == "token:watcher" && a.Action == "cli" && a.Target == "default: load 1 0" && a.Result.StartsWith("refused", StringComparison.Ordinal));
        var requests = ServiceHost.Parse(await viewer.GetStringAsync("api/v1/requests")).GetProperty("requests");
        Assert.Equal(0, requests.GetArrayLength());
    }

    [Fact]
    public async Task An_operator_moves_and_the_audit_log_has_who_what_and_the_result()
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator, "backup-job"));
        var r = await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        var rec = ServiceHost.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("Passed", rec.GetProperty("state").GetString());
        Assert.Equal("token:backup-job", rec.GetProperty("submitter").GetProperty("name").GetString());

        var drive0 = ServiceHost.Parse(host.DirectStatus()).GetProperty("elements").EnumerateArray().First(e => e.GetProperty("type").GetString() == "dataTransfer" && e.GetProperty("drive").GetInt32() == 0);
        Assert.True(drive0.GetProperty("full").GetBoolean());
        var row = Assert.Single(host.Access.ReadAudit(), a => a.Action == "move");
        Assert.Equal("token:backup-job", row.Who);
        Assert.Equal("operator", row.Role);
        Assert.Equal("default", row.Target);
        Assert.StartsWith("Passed", row.Result, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.UtcNow - row.At < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Oversized_and_malformed_bodies_are_413_and_400_with_one_line_and_nothing_moves()
    {
        await using var host = ServiceHost.Start(("Service:MaxRequestBodyBytes", "1024"));
        using var op = host.Http(host.Token(AccessRole.Operator));
        string before = await Elements(host);

        string big = "{\"kind\":\"load\",\"slot\":1,\"drive\":0,\"pad\":\"" + new string('x', 4096) + "\"}";
        await AssertOneLineError(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(big)), HttpStatusCode.RequestEntityTooLarge, "too large");
        await AssertOneLineError(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"load","slot":1,""")), HttpStatusCode.BadRequest, "malformed JSON");
        await AssertOneLineError(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"load","slot":"one"}""")), HttpStatusCode.BadRequest, "malformed JSON");
        await AssertOneLineError(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"load","slot":70000,"drive":0}""")), HttpStatusCode.BadRequest, "slot must be 1 to 65535");
        await AssertOneLineError(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("""{"kind":"teleport","slot":1}""")), HttpStatusCode.BadRequest, "kind must be");
        await AssertOneLineError(await op.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json("[]")), HttpStatusCode.BadRequest, "malformed JSON");

        Assert.Equal(before, await Elements(host));
    }

    [Theory]
    [InlineData("api/v1/libraries/..%2F..%2Fetc%2Fpasswd/status")]
    [InlineData("api/v1/libraries/%2E%2E/status")]
    [InlineData("api/v1/libraries/default%2F..%2F..%2Fetc/status")]
    [InlineData("api/v1/libraries/..%5Cwindows/status")]
    public async Task A_path_traversal_in_a_library_name_is_400_or_404_and_nothing_moves(string path)
    {
        await using var host = ServiceHost.Start();
        using var op = host.Http(host.Token(AccessRole.Operator));
        string before = await Elements(host);
        var get = await op.GetAsync(path);
        Assert.True(get.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {get.StatusCode}");
        var post = await op.PostAsync(path.Replace("/status", "/moves", StringComparison.Ordinal), ServiceHost.Json(Load));
        Assert.True(post.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{path}: {post.StatusCode}");
        Assert.Single((await post.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n'));
        // The CLI endpoint: a device that is not one of the service's libraries is refused before anything opens it.
        await AssertOneLineError(await op.PostAsync("api/v1/cli", ServiceHost.Json("""{"argv":["--device","virtual:../../etc","load","1","0"]}""")), HttpStatusCode.NotFound, "has no library");
        await AssertOneLineError(await op.PostAsync("api/v1/cli", ServiceHost.Json("""{"argv":["--state-dir","/etc","status"]}""")), HttpStatusCode.BadRequest, "--state-dir");
        Assert.Equal(before, await Elements(host));
        Assert.False(Directory.Exists(Path.Combine(host.StateDirectory, "..", "etc")));
    }

    [Fact]
    public async Task A_flood_is_bounded_the_excess_is_429_and_the_library_is_unchanged()
    {
        await using var host = ServiceHost.Start(("Service:MaxConcurrentRequests", "2"), ("Service:RequestQueueLimit", "2"));
        using var viewer = host.Http(host.Token(AccessRole.Viewer));
        string before = await Elements(host);
        const string body = """{"argv":["status"]}""";
        // Four requests whose bodies are held back take the two permits and the two queue places, whatever the
        // machine's speed: the limiter admits a request when its headers arrive, before the body is read.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = Enumerable.Range(0, 4).Select(_ => viewer.PostAsync("api/v1/cli", new HeldBody(body, gate.Task))).ToList();
        // Until the limiter counts the four (two permits taken, two queued), a request sent would be queued or admitted
        // behind them; after it, every further request is refused at once.
        var limiter = host.App.Services.GetRequiredService<IOptions<RateLimiterOptions>>().Value.GlobalLimiter!;
        var cli = new DefaultHttpContext();
        cli.Request.Path = "/api/v1/cli";
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (limiter.GetStatistics(cli) is not { CurrentAvailablePermits: 0, CurrentQueuedCount: 2 })
        {
            Assert.True(DateTime.UtcNow < deadline, "the four held requests never filled the limit");
            await Task.Delay(20);
        }
        HttpResponseMessage[] flood;
        try
        {
            // A refused request is answered at once; one queued instead would wait for the held ones: a timeout here.
            flood = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => viewer.PostAsync("api/v1/cli", ServiceHost.Json(body))))
                .WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            gate.SetResult();
        }
        var admitted = await Task.WhenAll(held);

        Assert.All(admitted, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(flood, r => Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode));
        await AssertOneLineError(flood[0], HttpStatusCode.TooManyRequests, "too many requests");
        Assert.Equal(before, await Elements(host));
        // What was admitted ran as requests; none is left behind in the queue.
        var history = ServiceHost.Parse(await viewer.GetStringAsync("api/v1/requests?limit=1000")).GetProperty("requests");
        Assert.Equal(admitted.Length, history.GetArrayLength());
        Assert.All(history.EnumerateArray(), r => Assert.Equal("Passed", r.GetProperty("state").GetString()));
    }

    /// <summary>
    /// A JSON body sent in two parts: leading white space at once (enough that Kestrel's minimum body data rate is
    /// kept while it waits), the document when <paramref name="release"/> completes.
    /// </summary>
    private sealed class HeldBody : HttpContent
    {
        private readonly string _json;
        private readonly Task _release;

        public HeldBody(string json, Task release)
        {
            _json = json;
            _release = release;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        private static readonly byte[] Padding = System.Text.Encoding.ASCII.GetBytes(new string(' ', 8192));

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Padding);
            await stream.FlushAsync();
            await _release;
            await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(_json));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Padding.Length + System.Text.Encoding.UTF8.GetByteCount(_json);
            return true;
        }
    }

    [Fact]
    public async Task On_the_unix_socket_the_peer_uid_decides_the_role()
    {
        int uid = int.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
        await using (var host = ServiceHost.Start())
        {
            using var unix = host.Unix();
            var r = await unix.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var row = Assert.Single(host.Access.ReadAudit(), a => a.Action == "move");
            Assert.Equal(uid, row.Uid);
            Assert.Equal("admin", row.Role);
        }
        await using (var host = ServiceHost.Start(($"Service:UnixUsers:{uid}", "viewer")))
        {
            using var unix = host.Unix();
            string before = await Elements(host);
            Assert.Equal(HttpStatusCode.OK, (await unix.GetAsync("api/v1/libraries/default/status")).StatusCode);
            await AssertOneLineError(await unix.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load)), HttpStatusCode.Forbidden, "needs operator");
            Assert.Equal(before, await Elements(host));
            // A token still works on the socket, with its own role.
            using var withToken = host.Unix(host.Token(AccessRole.Operator, "op"));
            Assert.Equal(HttpStatusCode.OK, (await withToken.PostAsync("api/v1/libraries/default/moves", ServiceHost.Json(Load))).StatusCode);
        }
        await using (var host = ServiceHost.Start(("Service:TrustOwnUid", "false")))
        {
            using var unix = host.Unix();
            await AssertOneLineError(await unix.GetAsync("api/v1/libraries"), HttpStatusCode.Unauthorized, $"uid {uid} has no role");
        }
    }
}
