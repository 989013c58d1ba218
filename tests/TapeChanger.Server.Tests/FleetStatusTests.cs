using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using TapeChanger.Testing;
using TapeChanger.Access;
using TapeChanger.Cli;

namespace TapeChanger.Server.Tests;

/// <summary>
/// Status reads of a library sent to a service of the fleet that does not own it, while the owner holds the library's
/// session: two tapechangerd processes on one fresh PostgreSQL database (created on the TAPECHANGER_TEST_POSTGRES
/// server, dropped afterwards) and one state folder, sharing the built-in virtual library. The owner's MOVE MEDIUM is
/// answered BUSY four times (resent after 1, 2, 4 and 8 s), which keeps its session (the virtual library's lock) for
/// some 15 s: a non-owner that read the library itself would wait that long.
/// </summary>
public sealed class FleetStatusTests
{
    /// <summary>Well under the 15 s the owner holds the library, well over a loaded machine's forwarding.</summary>
    private static readonly TimeSpan Prompt = TimeSpan.FromSeconds(5);

    [FleetFact]
    public async Task A_non_owner_passes_status_drives_and_cleaner_on_to_the_owner_while_the_owner_moves()
    {
        await using var fleet = new Fleet();
        await fleet.StartAsync("A");
        await fleet.StartAsync("B");
        string viewer = fleet.Token(AccessRole.Viewer, "fleet-viewer");
        string op = fleet.Token(AccessRole.Operator, "fleet-operator");
        string owner = await fleet.OwnerAsync(viewer);
        string other = owner == "A" ? "B" : "A";
        using var atOwner = fleet.Http(owner, viewer);
        using var atOther = fleet.Http(other, viewer);

        var idle = await atOther.GetAsync("api/v1/libraries/default/status");
        Assert.True(idle.StatusCode == HttpStatusCode.OK, await idle.Content.ReadAsStringAsync());

        var (id, _) = await fleet.HoldOwnerAsync(other, op);

        var sw = Stopwatch.StartNew();
        var status = await atOther.GetAsync("api/v1/libraries/default/status");
        var took = sw.Elapsed;
        string body = await status.Content.ReadAsStringAsync();
        Assert.True(status.StatusCode == HttpStatusCode.OK, body);
        Assert.True(took < Prompt, $"the non-owner's status took {took.TotalSeconds:0.0} s while the owner moved");
        var doc = JsonDocument.Parse(body).RootElement;
        Assert.True(doc.GetProperty("online").GetBoolean(), body);
        Assert.InRange(doc.GetProperty("queueDepth").GetInt32(), 1, 2);
        // The owner's own view, element for element (its kept status: the load has not ended yet), and said so.
        var mine = JsonDocument.Parse(await atOwner.GetStringAsync("api/v1/libraries/default/status")).RootElement;
        Assert.Equal(mine.GetProperty("status").GetRawText(), doc.GetProperty("status").GetRawText());
        Assert.Equal(owner, ServedBy(status));
        Assert.Equal(owner, ServedBy(idle));

        sw.Restart();
        var drives = await atOther.GetAsync("api/v1/libraries/default/drives");
        Assert.True(drives.StatusCode == HttpStatusCode.OK && sw.Elapsed < Prompt, $"{drives.StatusCode} after {sw.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(owner, ServedBy(drives));
        Assert.Equal(JsonDocument.Parse(await atOwner.GetStringAsync("api/v1/libraries/default/drives")).RootElement.GetRawText(),
            JsonDocument.Parse(await drives.Content.ReadAsStringAsync()).RootElement.GetRawText());

        sw.Restart();
        var cleaner = await atOther.GetAsync("api/v1/libraries/default/cleaner");
        string cleanerBody = await cleaner.Content.ReadAsStringAsync();
        Assert.True(cleaner.StatusCode == HttpStatusCode.OK && sw.Elapsed < Prompt, $"{cleaner.StatusCode} after {sw.Elapsed.TotalSeconds:0.0} s: {cleanerBody}");
        Assert.Equal("default", JsonDocument.Parse(cleanerBody).RootElement.GetProperty("library").GetString());

        // /metrics: the library's gauges are its owner's to report; the non-owner's scrape does not read it (nor wait).
        using var metricsAtOwner = fleet.Http(owner, viewer);
        sw.Restart();
        string scraped = await atOther.GetStringAsync("metrics");
        Assert.True(sw.Elapsed < Prompt, $"the non-owner's /metrics took {sw.Elapsed.TotalSeconds:0.0} s while the owner moved");
        Assert.DoesNotContain("tapechanger_library_online{library=\"default\"}", scraped);
        Assert.Contains("tapechanger_library_online{library=\"default\"} 1", await metricsAtOwner.GetStringAsync("metrics"));

        // The owner was still in its move through all of it (else the test proved nothing).
        Assert.Equal("InProcess", await fleet.StateAsync(other, op, id));

        // A caller without a token (the Unix socket: root, by its uid) cannot be passed on: the non-owner reads the
        // library itself for at most 5 s, then says who owns it.
        using var unix = fleet.Unix(other);
        sw.Restart();
        var local = await unix.GetAsync("api/v1/libraries/default/status");
        string localBody = await local.Content.ReadAsStringAsync();
        Assert.True(local.StatusCode == HttpStatusCode.ServiceUnavailable, $"{local.StatusCode}: {localBody}");
        Assert.InRange(sw.Elapsed, Api.FleetReads.LocalReadTime - TimeSpan.FromMilliseconds(100), Api.FleetReads.LocalReadTime + Prompt);
        string error = JsonDocument.Parse(localBody).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith($"library default is owned by {owner} at {fleet.Url(owner).ToString().TrimEnd('/')}, and the caller has no token", error);
        Assert.Contains("did not finish within 5 s", error);

        await fleet.WaitPassedAsync(other, op, id);
        // The cleaner read ran on the owner as the caller (its request log names the token), passed on once: one line
        // on each service.
        static int Lines(string log, string what) => log.Split('\n').Count(l => l.Contains(what, StringComparison.Ordinal));
        Assert.Matches(@"GET /api/v1/libraries/default/cleaner 200 [0-9.]+ms caller=token:fleet-viewer", fleet.Log(owner));
        Assert.Equal(1, Lines(fleet.Log(owner), "GET /api/v1/libraries/default/cleaner "));
        Assert.Equal(1, Lines(fleet.Log(other), "GET /api/v1/libraries/default/cleaner "));
    }

    [FleetFact]
    public async Task An_owner_that_cannot_be_reached_is_named_and_the_non_owner_reads_the_library_itself_within_a_bound()
    {
        await using var fleet = new Fleet();
        // A's address (Fleet:Url) is a port nobody listens on; A starts alone and takes the library.
        int dead = FreePort();
        await fleet.StartAsync("A", $"http://127.0.0.1:{dead}");
        string viewer = fleet.Token(AccessRole.Viewer, "fleet-viewer");
        string op = fleet.Token(AccessRole.Operator, "fleet-operator");
        Assert.Equal("A", await fleet.OwnerAsync(viewer));
        await fleet.StartAsync("B");
        using var atB = fleet.Http("B", viewer);

        // Idle: nothing holds the library, so B's own read answers (and says it is B's).
        var idle = await atB.GetAsync("api/v1/libraries/default/status");
        string idleBody = await idle.Content.ReadAsStringAsync();
        Assert.True(idle.StatusCode == HttpStatusCode.OK, idleBody);
        Assert.True(JsonDocument.Parse(idleBody).RootElement.GetProperty("online").GetBoolean(), idleBody);

        var (id, _) = await fleet.HoldOwnerAsync("B", op);
        var sw = Stopwatch.StartNew();
        var held = await atB.GetAsync("api/v1/libraries/default/status");
        string body = await held.Content.ReadAsStringAsync();
        Assert.True(held.StatusCode == HttpStatusCode.ServiceUnavailable, $"{held.StatusCode}: {body}");
        Assert.True(sw.Elapsed < Api.FleetReads.LocalReadTime + Prompt, $"took {sw.Elapsed.TotalSeconds:0.0} s");
        string error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith($"library default is owned by A at http://127.0.0.1:{dead}, and http://127.0.0.1:{dead} cannot be reached (", error);
        Assert.Contains("reading the library here did not finish within 5 s", error);
        Assert.DoesNotContain("\n", error);
        Assert.Equal("B", ServedBy(idle));
        Assert.Equal("InProcess", await fleet.StateAsync("B", op, id));
        await fleet.WaitPassedAsync("B", op, id);
    }

    private static string? ServedBy(HttpResponseMessage r) =>
        r.Headers.TryGetValues(Api.FleetReads.ServedByHeader, out var v) ? string.Join(",", v) : null;

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Services of one fleet as processes (the shared database is process-wide state, so not in this process).</summary>
    private sealed class Fleet : IAsyncDisposable
    {
        private readonly ScratchPostgresDatabase _database = new("tc_status");
        private readonly string _shared = Directory.CreateTempSubdirectory("tc-fleet-status-").FullName;
        private readonly Dictionary<string, (DaemonProcess Process, Uri Url)> _services = [];

        public string Database => _database.Uri;

        public Uri Url(string name) => _services[name].Url;

        public string Log(string name) => _services[name].Process.Stdout + _services[name].Process.Stderr;

        /// <summary>Starts service NAME on a loopback port and NAME.sock; its Fleet:Url is that port unless <paramref name="fleetUrl"/> says otherwise.</summary>
        public async Task StartAsync(string name, string? fleetUrl = null)
        {
            var url = new Uri($"http://127.0.0.1:{FreePort()}/");
            string listen = url.ToString().TrimEnd('/');
            var d = DaemonProcess.Start(
                ["--state-dir", _shared, "--listen", listen, "--listen", "unix:" + Path.Combine(_shared, name + ".sock"), "--database", Database],
                new Dictionary<string, string>
                {
                    ["TAPECHANGER_Device"] = "virtual:",
                    ["TAPECHANGER_Fleet__Name"] = name,
                    ["TAPECHANGER_Fleet__Url"] = fleetUrl ?? listen,
                });
            _services[name] = (d, url);
            using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(5) };
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    if ((await probe.GetAsync("healthz")).IsSuccessStatusCode) return;
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException)
                {
                }
                if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"service {name} did not answer: {Log(name)}");
                await Task.Delay(100);
            }
        }

        public string Token(AccessRole role, string name) =>
            new AccessStore(TapeChanger.State.StateDatabase.OpenShared(Database)).CreateToken(role, name).Token;

        public HttpClient Http(string name, string token)
        {
            var c = new HttpClient { BaseAddress = Url(name), Timeout = TimeSpan.FromSeconds(60) };
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return c;
        }

        /// <summary>An HTTP client over NAME.sock, without a token: the caller is this process's uid (root in CI: admin).</summary>
        public HttpClient Unix(string name)
        {
            string path = Path.Combine(_shared, name + ".sock");
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            };
            return new HttpClient(handler) { BaseAddress = new Uri("http://tapechangerd/"), Timeout = TimeSpan.FromSeconds(60) };
        }

        /// <summary>The owner of the default library once one holds it.</summary>
        public async Task<string> OwnerAsync(string token)
        {
            using var c = Http(_services.Keys.First(), token);
            var until = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                var lib = JsonDocument.Parse(await c.GetStringAsync("api/v1/fleet")).RootElement.GetProperty("libraries").EnumerateArray()
                    .FirstOrDefault(l => l.GetProperty("library").GetString() == "default");
                if (lib.ValueKind == JsonValueKind.Object && lib.GetProperty("state").GetString() == "Owned") return lib.GetProperty("owner").GetString()!;
                if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException("the default library got no owner");
                await Task.Delay(200);
            }
        }

        /// <summary>
        /// The owner's next four MOVE MEDIUMs are answered BUSY; two loads are sent through <paramref name="via"/>:
        /// returns once the first is in process on the owner (its session held) and the second queued.
        /// </summary>
        public async Task<(string First, string Second)> HoldOwnerAsync(string via, string token)
        {
            using var o = new StringWriter();
            using var e = new StringWriter();
            int rc = await TapeChangerCli.RunAsync(["--state-dir", _shared, "--device", "virtual:", "virtual", "fault", "add", "busy", "--command", "MOVE MEDIUM", "--count", "4"], o, e);
            Assert.True(rc == 0, e.ToString());
            using var c = Http(via, token);
            var ids = new List<string>();
            foreach (var (slot, drive) in new[] { (3, 0), (4, 1) })
            {
                var r = await c.PostAsync("api/v1/libraries/default/moves",
                    new StringContent($$"""{"kind":"load","slot":{{slot}},"drive":{{drive}},"wait":false}""", Encoding.UTF8, "application/json"));
                string body = await r.Content.ReadAsStringAsync();
                Assert.True(r.StatusCode == HttpStatusCode.Accepted, body);
                ids.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!);
            }
            var until = DateTime.UtcNow.AddSeconds(20);
            while (await StateAsync(via, token, ids[0]) != "InProcess")
            {
                if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"the first load never went in process: {await StateAsync(via, token, ids[0])}");
                await Task.Delay(50);
            }
            await Task.Delay(300);                                   // into its first BUSY backoff, the library's lock held
            return (ids[0], ids[1]);
        }

        public async Task<string> StateAsync(string via, string token, string id)
        {
            using var c = Http(via, token);
            return JsonDocument.Parse(await c.GetStringAsync($"api/v1/requests/{id}")).RootElement.GetProperty("state").GetString()!;
        }

        public async Task WaitPassedAsync(string via, string token, string id)
        {
            var until = DateTime.UtcNow.AddSeconds(60);
            string state;
            while ((state = await StateAsync(via, token, id)) is "Queued" or "InProcess")
            {
                if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"request {id} still {state} after 60 s");
                await Task.Delay(200);
            }
            Assert.Equal("Passed", state);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var (d, _) in _services.Values) d.Dispose();
            await Task.Yield();
            _database.Dispose();
            try { Directory.Delete(_shared, recursive: true); } catch (IOException) { }
        }
    }
}

/// <summary>A fact that needs a PostgreSQL server (two services in one fleet): skipped, with the reason, where TAPECHANGER_TEST_POSTGRES is not set.</summary>
public sealed class FleetFactAttribute : FactAttribute
{
    public const string Variable = ScratchPostgresDatabase.Variable;

    public FleetFactAttribute() => Skip = ScratchPostgresDatabase.SkipReason;
}
