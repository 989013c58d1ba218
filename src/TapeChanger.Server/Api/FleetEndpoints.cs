using System.Net.Http.Json;
using System.Text.Json.Serialization;
using TapeChanger.Access;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>
/// GET /api/v1/fleet: the control plane. Any service of a fleet lists every library of the fleet with its owner (and
/// the owner's address, for the CLI's --server), health and queue depth, and the services seen. A service with a state
/// database of its own answers 404 with why.
/// </summary>
public static class FleetEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/fleet", Get);
    }

    private static IResult Get(HttpContext http, ILibraryService engine)
    {
        Http.Require(http, AccessRole.Viewer);
        var fleet = engine.GetFleet() ?? throw new ApiException(404, "this service is not in a fleet (its state is not in a shared PostgreSQL database: set Database)");
        return Results.Json(fleet, FleetJsonContext.Default.FleetView);
    }

    /// <summary>On a request passed on to the owner: the service that passed it on (a request carrying it is never passed on again).</summary>
    internal const string ForwardedHeader = "X-TapeChanger-Forwarded-By";
    private static readonly HttpClient Client = new() { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>
    /// A CLI command for a library another service of the fleet owns: passed on to the owner's address with the
    /// caller's credentials (the tokens are in the shared database), its answer returned as it came. Null when this
    /// service owns the library (or is not in a fleet). Passed on once: a forwarded command is never forwarded again.
    /// </summary>
    public static async Task<IResult?> ForwardAsync(HttpContext http, ILibraryService engine, string library, CliRunBody body)
    {
        var fleet = engine.GetFleet();
        var row = fleet?.Libraries.FirstOrDefault(l => l.Library == library);
        if (fleet is null || row is null || row.Owner == fleet.Service) return null;
        if (row.State != FleetLibraryState.Owned) throw new ApiException(503, $"library {library} has no owner now (a service takes it over within a lease time); try again");
        if (http.Request.Headers.ContainsKey(ForwardedHeader) || row.OwnerUrl is not { } url || !url.StartsWith("http", StringComparison.Ordinal))
        {
            throw new ApiException(421, $"library {library} is owned by {row.Owner}{(row.OwnerUrl is { } u ? " at " + u : "")}; send the command there");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, url.TrimEnd('/') + "/api/v1/cli")
        {
            Content = JsonContent.Create(body, ApiJsonContext.Default.CliRunBody),
        };
        if (http.Request.Headers.Authorization.ToString() is { Length: > 0 } auth) request.Headers.TryAddWithoutValidation("Authorization", auth);
        request.Headers.Add(ForwardedHeader, fleet.Service);
        HttpResponseMessage response;
        try
        {
            response = await Client.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new ApiException(503, $"library {library} is owned by {row.Owner} at {url}, which cannot be reached ({e.Message})");
        }
        using (response)
        {
            string text = await response.Content.ReadAsStringAsync(CancellationToken.None).ConfigureAwait(false);
            return Results.Text(text, "application/json; charset=utf-8", statusCode: (int)response.StatusCode);
        }
    }
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(FleetView))]
internal sealed partial class FleetJsonContext : JsonSerializerContext;
