using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TapeChanger.Cli.Output;

namespace TapeChanger.Cli.Remote;

internal sealed record RemoteRun(string[] Argv);

internal sealed record RemoteResult(int ExitCode, string? Stdout, string? Stderr);

internal sealed record RemoteError(string? Error);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RemoteRun))]
[JsonSerializable(typeof(RemoteResult))]
[JsonSerializable(typeof(RemoteError))]
internal sealed partial class RemoteJsonContext : JsonSerializerContext;

/// <summary>
/// --server: sends the whole command line to tapechangerd (POST /api/v1/cli), which runs it as a queued request of
/// the library, through the same code, and answers with its exit code, stdout and stderr; they are written here as
/// they came. Offline commands (decode, profiles, --help, --version) and the service's own (serve, token) stay local.
/// </summary>
internal sealed class RemoteClient(string server, string? token, bool json)
{
    internal static readonly Option<string?> ServerOption = new("--server")
    {
        Description = "Send the command to the library service: unix:PATH, http://HOST:PORT or https://HOST:PORT (also TAPECHANGER_SERVER, Server in appsettings.json).",
        Recursive = true,
        HelpName = "ADDRESS",
    };
    internal static readonly Option<string?> TokenOption = new("--token")
    {
        Description = "API token for --server (also TAPECHANGER_TOKEN, Token in appsettings.json); on the service's Unix socket the Unix user may do without.",
        Recursive = true,
    };

    private static readonly HashSet<string> LocalCommands = ["serve", "token", "decode", "profiles"];

    /// <summary>
    /// True when the command goes to a service (then <paramref name="client"/> is it, or null after a usage error it
    /// printed); <paramref name="args"/> loses --server and --token.
    /// </summary>
    public static bool TryCreate(ref string[] args, TextWriter stderr, out RemoteClient? client)
    {
        client = null;
        string? server = null, token = null;
        var rest = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "--server" or "--token")
            {
                if (i + 1 >= args.Length)
                {
                    stderr.WriteLine($"tapechanger: {a} needs a value (see 'tapechanger --help')");
                    return true;
                }
                if (a == "--server") server = args[++i];
                else token = args[++i];
            }
            else if (a.StartsWith("--server=", StringComparison.Ordinal)) server = a["--server=".Length..];
            else if (a.StartsWith("--token=", StringComparison.Ordinal)) token = a["--token=".Length..];
            else rest.Add(a);
        }
        bool explicitServer = server is not null;
        server ??= NonEmpty(Environment.GetEnvironmentVariable("TAPECHANGER_SERVER")) ?? ConfigValue("Server");
        if (string.IsNullOrEmpty(server) || server == "none")
        {
            if (explicitServer || token is not null) args = [.. rest];
            return false;
        }
        string first = rest.FirstOrDefault(a => !a.StartsWith('-')) ?? "";
        bool topHelp = rest.Count == 0 || rest is ["--help" or "-h" or "-?" or "--version"];
        if (LocalCommands.Contains(first) || topHelp)
        {
            args = [.. rest];
            return false;
        }
        if (!ValidServer(server))
        {
            stderr.WriteLine($"tapechanger: --server {server}: expected unix:PATH, http://HOST:PORT or https://HOST:PORT");
            return true;
        }
        token ??= NonEmpty(Environment.GetEnvironmentVariable("TAPECHANGER_TOKEN")) ?? ConfigValue("Token");
        args = [.. rest];
        client = new RemoteClient(server, token, rest.Contains("--json"));
        return true;
    }

    private static bool ValidServer(string s) =>
        (s.StartsWith("unix:", StringComparison.Ordinal) && s.Length > 5) ||
        (Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https");

    public async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        using var http = CreateHttpClient(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/cli")
        {
            Content = new StringContent(JsonSerializer.Serialize(new RemoteRun(args), RemoteJsonContext.Default.RemoteRun), Encoding.UTF8, "application/json"),
        };
        if (!string.IsNullOrEmpty(token)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        string body;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return Fail("DeviceUnavailable", ExitCodes.DeviceUnavailable, $"cannot reach the service at {server}: {Inner(e)}", stdout, stderr);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return Fail("Cancelled", ExitCodes.Cancelled, "cancelled (the service finishes a command it has started)", stdout, stderr);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                RemoteResult? result = null;
                try
                {
                    result = JsonSerializer.Deserialize(body, RemoteJsonContext.Default.RemoteResult);
                }
                catch (JsonException)
                {
                }
                if (result is null) return Fail("DataError", ExitCodes.DataError, $"the service at {server} answered something that is not a command result", stdout, stderr);
                stdout.Write(result.Stdout);
                stderr.Write(result.Stderr);
                return result.ExitCode;
            }
            string message = ErrorOf(body) ?? $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
            (string kind, int code) = (int)response.StatusCode switch
            {
                400 or 413 => ("Usage", ExitCodes.Usage),
                401 or 403 => ("PermissionDenied", ExitCodes.PermissionDenied),
                404 => ("DeviceUnavailable", ExitCodes.DeviceUnavailable),
                409 or 429 => ("Busy", ExitCodes.Busy),
                503 => ("DeviceUnavailable", ExitCodes.DeviceUnavailable),
                _ => ("Internal", ExitCodes.Internal),
            };
            return Fail(kind, code, $"service: {message}", stdout, stderr);
        }
    }

    private int Fail(string kind, int code, string message, TextWriter stdout, TextWriter stderr) =>
        TapeChangerCli.Fail(new ErrorInfo(kind, code, message), json, stdout, stderr);

    private static string? ErrorOf(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, RemoteJsonContext.Default.RemoteError)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Inner(Exception e)
    {
        while (e.InnerException is not null) e = e.InnerException;
        return e.Message;
    }

    /// <summary>An HttpClient for unix:PATH (HTTP/1.1 over the socket) or an http(s) base address. No timeout: a move can wait for an operator.</summary>
    internal static HttpClient CreateHttpClient(string server)
    {
        if (server.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = server["unix:".Length..];
            var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct).ConfigureAwait(false);
                        return new NetworkStream(socket, ownsSocket: true);
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                },
            };
            return new HttpClient(handler) { BaseAddress = new Uri("http://tapechangerd/"), Timeout = Timeout.InfiniteTimeSpan };
        }
        return new HttpClient { BaseAddress = new Uri(server.TrimEnd('/') + "/"), Timeout = Timeout.InfiniteTimeSpan };
    }

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>A root string value of appsettings.json beside the executable (read without building the configuration).</summary>
    private static string? ConfigValue(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        try
        {
            if (!File.Exists(path)) return null;
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? NonEmpty(v.GetString()) : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
