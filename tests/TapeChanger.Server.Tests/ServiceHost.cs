using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TapeChanger.Access;
using TapeChanger.Cli;

namespace TapeChanger.Server.Tests;

/// <summary>
/// tapechangerd in this process, on the built-in virtual library, listening on a temporary Unix socket and a loopback
/// port, with its own state directory. Requests go through real sockets (SO_PEERCRED included).
/// </summary>
public sealed class ServiceHost : IAsyncDisposable
{
    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("tc-svc-").FullName;
    public string Socket => Path.Combine(StateDirectory, "tapechangerd.sock");
    public WebApplication App { get; }
    public Uri Tcp { get; }

    private ServiceHost(WebApplication app, Uri tcp)
    {
        App = app;
        Tcp = tcp;
    }

    private ServiceHost(Dictionary<string, string?> settings)
    {
        var cmd = new ServerCommandLine(["unix:" + Socket, "http://127.0.0.1:0"], StateDirectory);
        App = ServerHost.Build(cmd, EngineFactory.Create, b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning);
        });
        App.StartAsync().GetAwaiter().GetResult();
        string http = ServerHost.Addresses(App).First(a => a.StartsWith("http://", StringComparison.Ordinal) && !a.Contains("unix:", StringComparison.Ordinal));
        Tcp = new Uri(http.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
    }

    public static ServiceHost Start(params (string Key, string? Value)[] settings)
    {
        var dict = new Dictionary<string, string?> { ["Device"] = "virtual:" };
        foreach (var (k, v) in settings) dict[k] = v;
        return new ServiceHost(dict);
    }

    public AccessStore Access => App.Services.GetRequiredService<AccessStore>();

    public string Token(AccessRole role, string? name = null) => Access.CreateToken(role, name).Token;

    /// <summary>An HTTP client over the Unix socket (the caller is this process's uid: root in CI).</summary>
    public HttpClient Unix(string? token = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(Socket), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        var c = new HttpClient(handler) { BaseAddress = new Uri("http://tapechangerd/") };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>An HTTP client over loopback TCP.</summary>
    public HttpClient Http(string? token = null)
    {
        var c = new HttpClient { BaseAddress = Tcp };
        if (token is not null) c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The library as the CLI sees it directly (same state directory): the oracle for "nothing changed".</summary>
    public string DirectStatus()
    {
        var (rc, stdout, stderr) = RunCli("--device", "virtual:", "status", "--json");
        Assert.True(rc == 0, stderr);
        // The read time differs between two reads; everything else must be equal.
        return stdout;
    }

    public (int ExitCode, string Stdout, string Stderr) RunCli(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int rc = TapeChangerCli.RunAsync(["--state-dir", StateDirectory, .. args], o, e).GetAwaiter().GetResult();
        return (rc, o.ToString(), e.ToString());
    }

    /// <summary>The CLI through this service (--server unix:SOCKET), in this process.</summary>
    public (int ExitCode, string Stdout, string Stderr) RunRemote(string server, params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int rc = TapeChangerCli.RunAsync(["--server", server, .. args], o, e).GetAwaiter().GetResult();
        return (rc, o.ToString(), e.ToString());
    }

    public static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        TapeChanger.State.StateDatabase.ReleaseConnections();
        try { Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { }
    }
}
