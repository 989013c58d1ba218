using System.Text.Json;
using TapeChanger.Access;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>/api/v1/requests, /api/v1/operator-requests, /api/v1/events (server-sent events) and /api/v1/audit.</summary>
public static class RequestEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/api/v1");
        v1.MapGet("/requests", async (HttpContext http, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            var q = http.Request.Query;
            RequestState? state = null;
            if (q["state"].ToString() is { Length: > 0 } st)
                state = Enum.TryParse<RequestState>(st, ignoreCase: true, out var s) && Enum.IsDefined(s) ? s : throw new ApiException(400, "state must be queued, inprocess, waiting, passed, failed or cancelled");
            int limit = q["limit"].ToString() is { Length: > 0 } l ? (int.TryParse(l, out var n) && n is >= 1 and <= 1000 ? n : throw new ApiException(400, "limit must be 1 to 1000")) : 100;
            string? library = q["library"].ToString() is { Length: > 0 } lib ? Http.LibraryName(lib) : null;
            var list = await engine.ListRequestsAsync(new RequestQuery { Library = library, State = state, OpenOnly = q["open"] == "true", Limit = limit }, http.RequestAborted);
            return Results.Json(new RequestsView(list), ApiJsonContext.Default.RequestsView);
        });
        v1.MapGet("/requests/{id:guid}", async (HttpContext http, Guid id, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return Results.Json(await engine.GetRequestAsync(id, http.RequestAborted), ApiJsonContext.Default.RequestRecord);
        });
        v1.MapPost("/requests/{id:guid}/cancel", (HttpContext http, Guid id, ILibraryService engine, Auditor audit) =>
            audit.RunAsync(http, AccessRole.Operator, "cancel request", id.ToString(), async caller =>
            {
                var r = await engine.CancelAsync(id, Http.ToService(caller), http.RequestAborted);
                return (Results.Json(r, ApiJsonContext.Default.RequestRecord), $"{r.State}");
            }));
        v1.MapGet("/operator-requests", async (HttpContext http, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            var q = http.Request.Query;
            string? library = q["library"].ToString() is { Length: > 0 } lib ? Http.LibraryName(lib) : null;
            var list = await engine.ListOperatorRequestsAsync(library, q["open"] == "true", http.RequestAborted);
            return Results.Json(new OperatorRequestsView(list), ApiJsonContext.Default.OperatorRequestsView);
        });
        v1.MapGet("/operator-requests/{id:guid}", async (HttpContext http, Guid id, ILibraryService engine) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return Results.Json(await engine.GetOperatorRequestAsync(id, http.RequestAborted), ApiJsonContext.Default.OperatorRequestRecord);
        });
        v1.MapPost("/operator-requests/{id:guid}/satisfy", (HttpContext http, Guid id, ILibraryService engine, Auditor audit) =>
            audit.RunAsync(http, AccessRole.Operator, "satisfy operator request", id.ToString(), async caller =>
            {
                var r = await engine.SatisfyOperatorRequestAsync(id, Http.ToService(caller), http.RequestAborted);
                return (Results.Json(r, ApiJsonContext.Default.OperatorRequestRecord), $"{r.State}");
            }));
        v1.MapPost("/operator-requests/{id:guid}/refuse", (HttpContext http, Guid id, ILibraryService engine, Auditor audit) =>
            audit.RunAsync(http, AccessRole.Operator, "refuse operator request", id.ToString(), async caller =>
            {
                string? reason = null;
                if (http.Request.ContentLength is > 0) reason = (await Http.BodyAsync(http, ApiJsonContext.Default.RefuseBody)).Reason;
                if (reason is { Length: > 500 }) throw new ApiException(400, "reason is longer than 500 characters");
                var r = await engine.RefuseOperatorRequestAsync(id, Http.ToService(caller), reason, http.RequestAborted);
                return (Results.Json(r, ApiJsonContext.Default.OperatorRequestRecord), $"{r.State}");
            }));
        v1.MapGet("/audit", (HttpContext http, AccessStore store) =>
        {
            Http.Require(http, AccessRole.Admin);
            int limit = int.TryParse(http.Request.Query["limit"], out var n) ? Math.Clamp(n, 1, 10_000) : 100;
            return Results.Json(new AuditView(store.ReadAudit(limit)), ApiJsonContext.Default.AuditView);
        });
        v1.MapGet("/events", async (HttpContext http, ILibraryService engine, EventStreams streams) =>
        {
            Http.Require(http, AccessRole.Viewer);
            string? library = http.Request.Query["library"].ToString() is { Length: > 0 } lib ? Http.LibraryName(lib) : null;
            if (!streams.TryEnter()) throw new ApiException(429, "too many open event streams");
            try
            {
                http.Response.ContentType = "text/event-stream";
                http.Response.Headers.CacheControl = "no-cache";
                await http.Response.WriteAsync(": tapechangerd events\n\n", http.RequestAborted);
                await http.Response.Body.FlushAsync(http.RequestAborted);
                await foreach (var e in engine.EventsAsync(http.RequestAborted))
                {
                    if (library is not null && e.Library != library) continue;
                    string data = JsonSerializer.Serialize(e, ApiJsonContext.Default.ServiceEvent);
                    await http.Response.WriteAsync($"id: {e.Sequence}\nevent: {JsonNamingPolicy.KebabCaseLower.ConvertName(e.Kind.ToString())}\ndata: {data}\n\n", http.RequestAborted);
                    await http.Response.Body.FlushAsync(http.RequestAborted);
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
            }
            finally
            {
                streams.Exit();
            }
            return Results.Empty;
        });
    }
}

/// <summary>Counts open event streams (they hold a connection for long: outside the request concurrency limit, bounded here).</summary>
public sealed class EventStreams(ServiceSettings settings)
{
    private int _open;

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _open) <= settings.MaxEventStreams) return true;
        Interlocked.Decrement(ref _open);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _open);
}
