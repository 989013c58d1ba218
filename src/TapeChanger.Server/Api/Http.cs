using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using TapeChanger.Access;
using TapeChanger.Server.Security;
using TapeChanger.Service;

namespace TapeChanger.Server.Api;

/// <summary>A request the API refuses: its status code and a one-line message.</summary>
public sealed class ApiException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>The small helpers every endpoint uses: errors, bodies, callers, library names.</summary>
public static class Http
{
    public const string CallerKey = "tapechanger.caller";

    public static IResult Error(int status, string message) =>
        Results.Json(new ErrorBody(OneLine(message)), ApiJsonContext.Default.ErrorBody, statusCode: status);

    public static Task WriteErrorAsync(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new ErrorBody(OneLine(message)), ApiJsonContext.Default.ErrorBody) + "\n");
    }

    public static string OneLine(string message) =>
        string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Replace('\r', ' ');

    public static ApiCaller Caller(HttpContext http) =>
        http.Items[CallerKey] as ApiCaller ?? throw new ApiException(401, "authentication required");

    /// <summary>The caller, if it has at least <paramref name="role"/> (else 403: nothing is done).</summary>
    public static ApiCaller Require(HttpContext http, AccessRole role)
    {
        var caller = Caller(http);
        if (!caller.Allows(role))
            throw new ApiException(403, $"{caller.Name} is {AccessRoles.Name(caller.Role)}; this needs {AccessRoles.Name(role)}");
        return caller;
    }

    public static Caller ToService(ApiCaller c) => new(c.Name, c.Role switch
    {
        AccessRole.Admin => CallerRole.Admin,
        AccessRole.Operator => CallerRole.Operator,
        _ => CallerRole.Viewer,
    }, c.Uid);

    /// <summary>
    /// The JSON body, within the size limit (413 beyond it), or 400 with the parser's reason. Bodies are read here,
    /// not bound by the framework, so a malformed one gets the same one-line error as every other refusal.
    /// </summary>
    public static async Task<T> BodyAsync<T>(HttpContext http, JsonTypeInfo<T> type) where T : class
    {
        if (http.Request.ContentLength is 0) throw new ApiException(400, "empty request body: send a JSON object");
        try
        {
            return await JsonSerializer.DeserializeAsync(http.Request.Body, type, http.RequestAborted).ConfigureAwait(false)
                ?? throw new ApiException(400, "request body is null: send a JSON object");
        }
        catch (JsonException e)
        {
            throw new ApiException(400, "malformed JSON body: " + (e.Message.Split(". Path")[0]));
        }
        catch (BadHttpRequestException e)
        {
            throw new ApiException(e.StatusCode, e.StatusCode == 413 ? "request body too large" : e.Message);
        }
    }

    /// <summary>Library names: letters, digits, '-', '_', '.', at most 64 (a path or '..' is 400 before any lookup).</summary>
    public static string LibraryName(string name)
    {
        if (!LibraryServiceOptions.ValidName(name)) throw new ApiException(400, "invalid library name (letters, digits, '-', '_', '.'; at most 64)");
        return name;
    }

    /// <summary>The engine's refusals as HTTP codes.</summary>
    public static int StatusOf(ServiceError e) => e switch
    {
        ServiceError.UnknownLibrary or ServiceError.UnknownRequest or ServiceError.UnknownOperatorRequest => 404,
        ServiceError.InvalidArgument => 400,
        ServiceError.NotCancellable or ServiceError.OperatorRequestClosed => 409,
        ServiceError.ShuttingDown => 503,
        ServiceError.DatabaseFailure => 503,
        ServiceError.NotOwner => 421,
        _ => 500,
    };
}
