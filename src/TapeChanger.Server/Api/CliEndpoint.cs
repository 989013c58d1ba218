using TapeChanger.Access;
using TapeChanger.Cli;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>
/// POST /api/v1/cli: the CLI's --server mode. The argv runs here, in the service, through the same code the CLI runs
/// (so the text and exit codes are the CLI's own), as a queued Command request of its library: nothing else moves that
/// robot meanwhile, and the request is in the history with its exit code.
/// </summary>
public static class CliEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.MapPost("/api/v1/cli", HandleAsync);

    private static async Task<IResult> HandleAsync(HttpContext http, ILibraryService engine, Auditor audit, ServerState state, Observability.ServiceMetrics metrics)
    {
        var caller = Http.Caller(http);
        CliRunBody body;
        PreparedCommand prepared;
        try
        {
            body = await Http.BodyAsync(http, ApiJsonContext.Default.CliRunBody);
            prepared = CliCommandPolicy.Prepare(body.Argv ?? [], key => Resolve(engine, key), state.StateDirectory);
        }
        catch (Exception e) when (e is ApiException or CommandRefusedException)
        {
            // Refused before its role is known (a malformed body, a refused command line): in the audit log too.
            audit.Write(caller, "cli", null, $"refused: {Http.OneLine(e.Message)}");
            throw;
        }
        // Fleet mode: a command runs on the service holding the library's lease; sent here, it is passed on there.
        if (await FleetEndpoints.ForwardAsync(http, engine, prepared.Library, body) is { } forwarded) return forwarded;
        if (prepared.Role == AccessRole.Viewer)
        {
            Http.Require(http, AccessRole.Viewer);
            return (await RunAsync(http, engine, metrics, prepared, caller)).Result;
        }
        return await audit.RunAsync(http, prepared.Role, "cli", $"{prepared.Library}: {prepared.Text}", async c =>
        {
            var (result, rc) = await RunAsync(http, engine, metrics, prepared, c);
            return (result, $"exit {rc}");
        });
    }

    private static async Task<(IResult Result, int ExitCode)> RunAsync(HttpContext http, ILibraryService engine, Observability.ServiceMetrics metrics, PreparedCommand prepared, Security.ApiCaller caller)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int? rc = null;
        string[] argv = [.. prepared.Argv];
        var spec = new RequestSpec(RequestKind.Command)
        {
            Arguments = new RequestArguments { CommandText = prepared.Text },
            Command = async (ctx, ct) =>
            {
                // The command's SCSI commands count in /metrics with the engine's own (its sessions are its own).
                using var counted = TransportObserver.Observe(t => new Observability.ScsiCounter(t, prepared.Library, metrics));
                int code = await TapeChangerCli.RunLocalAsync(argv, stdout, stderr, ct).ConfigureAwait(false);
                rc = code;
                return new CommandOutcome(code, code == 0 ? null : FirstLine(stderr.ToString()) ?? FirstLine(stdout.ToString()));
            },
        };
        var queued = await engine.SubmitAsync(prepared.Library, spec, Http.ToService(caller), http.RequestAborted);
        // The command runs to its end even if this client goes away: it may be moving a cartridge.
        var done = await engine.WaitAsync(queued.Id, CancellationToken.None);
        if (rc is null)
        {
            // Never ran: cancelled in the queue, or the service stopped first.
            throw new ApiException(done.State == RequestState.Cancelled ? 409 : 503,
                $"command not run: request {done.Id} ended {done.State}{(done.Message is null ? "" : ": " + done.Message)}");
        }
        return (Results.Json(new CliRunResult(rc.Value, stdout.ToString(), stderr.ToString(), queued.Id), ApiJsonContext.Default.CliRunResult), rc.Value);
    }

    private static string? FirstLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();

    internal static (string Name, string Uri)? Resolve(ILibraryService engine, string key)
    {
        var lib = engine.Libraries.FirstOrDefault(l => l.Name == key) ?? engine.Libraries.FirstOrDefault(l => l.DeviceUri == key);
        return lib is null ? null : (lib.Name, lib.DeviceUri);
    }
}
