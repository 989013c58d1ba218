using System.CommandLine;
using System.Diagnostics.CodeAnalysis;
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

    /// <summary>The feature switch of <see cref="IsSupported"/>.</summary>
    public const string Switch = "TapeChanger.Cli.ServiceClient.IsSupported";

    /// <summary>
    /// False in the lean `tapechanger` image (its publish sets the switch false, with Trim): no HTTP client, so the trimmer
    /// leaves out System.Net.Http and its TLS and certificate code (docs/performance.md "Start-up"). That image hands a command that
    /// goes to a service over to `tapechanger-full` before it gets here (<see cref="FullImage"/>); reaching
    /// <see cref="RunAsync"/> anyway is a one-line error. True everywhere else.
    /// </summary>
    [FeatureSwitchDefinition(Switch)]
    public static bool IsSupported => !AppContext.TryGetSwitch(Switch, out bool on) || on;

    /// <summary>
    /// True when the command goes to a service (then <paramref name="client"/> is it, or null after a usage error it
    /// printed); <paramref name="args"/> loses --server and --token.
    /// </summary>
    public static bool TryCreate(ref string[] args, TextWriter stderr, out RemoteClient? client) =>
        TryCreate(ref args, stderr, out client, Environment.GetEnvironmentVariable, ConfigValue);

    /// <summary><see cref="TryCreate(ref string[], TextWriter, out RemoteClient?)"/> with the environment and appsettings.json given (tests, <see cref="FullImage"/>).</summary>
    internal static bool TryCreate(ref string[] args, TextWriter stderr, out RemoteClient? client, Func<string, string?> environment, Func<string, string?> config)
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
        // Offline commands and the service's own stay here whatever is configured: decided before the environment
        // and appsettings.json are read, so `--version` reads no file.
        if (IsLocal(rest))
        {
            args = [.. rest];
            return false;
        }
        bool explicitServer = server is not null;
        server ??= NonEmpty(environment("TAPECHANGER_SERVER")) ?? config("Server");
        if (string.IsNullOrEmpty(server) || server == "none")
        {
            if (explicitServer || token is not null) args = [.. rest];
            return false;
        }
        if (!ValidServer(server))
        {
            stderr.WriteLine($"tapechanger: --server {server}: expected unix:PATH, http://HOST:PORT or https://HOST:PORT");
            return true;
        }
        token ??= NonEmpty(environment("TAPECHANGER_TOKEN")) ?? config("Token");
        args = [.. rest];
        client = new RemoteClient(server, token, rest.Contains("--json"));
        return true;
    }

    /// <summary>A command line that never goes to a service: an offline command (decode, profiles), the service's own (serve, token), the top --help or --version.</summary>
    internal static bool IsLocal(IReadOnlyList<string> args)
    {
        string first = args.FirstOrDefault(a => !a.StartsWith('-')) ?? "";
        return LocalCommands.Contains(first) || args.Count == 0 || args is ["--help" or "-h" or "-?" or "--version"];
    }

    private static bool ValidServer(string s) =>
        (s.StartsWith("unix:", StringComparison.Ordinal) && s.Length > 5) ||
        (Uri.TryCreate(s, UriKind.Absolute, out var u) && u.Scheme is "http" or "https");

    /// <summary>Sends the command line and writes the service's answer; without the service client (<see cref="IsSupported"/>) one line, exit 69.</summary>
    public Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default) =>
        IsSupported
            ? SendAsync(args, stdout, stderr, ct)   // a method of its own: its async state machine is trimmed with it
            : Task.FromResult(Fail("DeviceUnavailable", ExitCodes.DeviceUnavailable,
                $"this tapechanger is built without the service client (--server {server}); {FullImage.FileName} beside it has it (tools/install.sh installs both)", stdout, stderr));

    private async Task<int> SendAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct)
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
    internal static string? ConfigValue(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        // Read once per process and file: the lean image's hand-over decision (FullImage) and the run after it ask for the same values.
        var cached = s_config;
        if (cached is null || cached.Path != path) s_config = cached = new ConfigCache(path, ReadConfig(path));
        return cached.Values is { } values && values.TryGetValue(name, out var v) ? v : null;
    }

    private sealed record ConfigCache(string Path, Dictionary<string, string>? Values);

    private static ConfigCache? s_config;

    private static Dictionary<string, string>? ReadConfig(string path)
    {
        try
        {
            return File.Exists(path) ? RootStrings(File.ReadAllBytes(path), "Server", "Token") : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The non-empty string values of <paramref name="names"/> among the root object's members (the last of a repeated
    /// member counts, as JsonDocument's lookup gives it); null when the text is not one JSON object. Comments and
    /// trailing commas are allowed, as in the configuration files. One pass of <see cref="Utf8JsonReader"/>: a
    /// JsonDocument here returned its pooled arrays at the very start, where the runtime's first per-core pool use
    /// measures the processor-number instruction (ProcessorIdCache), about 5 % of a short command's time (perf).
    /// </summary>
    internal static Dictionary<string, string>? RootStrings(ReadOnlySpan<byte> json, params ReadOnlySpan<string> names)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? wanted = null;
                foreach (string name in names)
                {
                    if (reader.ValueTextEquals(name)) wanted = name;
                }
                reader.Read();
                if (wanted is not null)
                {
                    if (reader.TokenType == JsonTokenType.String && NonEmpty(reader.GetString()) is { } value) values[wanted] = value;
                    else values.Remove(wanted);
                }
                reader.Skip();
            }
            // Past the root object only the end of the text may follow.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? values : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
