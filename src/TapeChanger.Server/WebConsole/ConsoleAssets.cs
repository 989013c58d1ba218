using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace TapeChanger.Server.WebConsole;

/// <summary>
/// The web console: HTML, CSS and JavaScript modules embedded in tapechangerd (EmbeddedResource "console/..."), read
/// once into memory and served at <c>/</c> and <c>/console/...</c>. The pages are public (they hold no data); every
/// call they make goes to /api/v1 with the operator's token, so the API's authentication and roles decide.
/// </summary>
public static class ConsoleAssets
{
    public const string Prefix = "/console";
    private const string ResourcePrefix = "console/";

    /// <summary>One asset: its bytes, content type and strong ETag.</summary>
    public sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    // Same-origin only: no inline script, no CDN, no frames. Styles set through the CSSOM (element.style) are allowed.
    private const string Csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static FrozenDictionary<string, Asset> All { get; } = Load();

    /// <summary>Paths served without a caller: the console page and its assets (not the API).</summary>
    public static bool IsConsolePath(PathString path) => path.Value is "/" || path.StartsWithSegments(Prefix);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Serve(http, "index.html"));
        app.MapGet(Prefix + "/{**path}", (HttpContext http, string? path) => Serve(http, path ?? ""));
    }

    public static string ContentTypeOf(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json; charset=utf-8",
        _ => "application/octet-stream",
    };

    private static IResult Serve(HttpContext http, string name)
    {
        if (!All.TryGetValue(name, out var asset))
            return Api.Http.Error(404, $"no such console file: {(name.Length > 64 ? name[..64] : name)}");
        var h = http.Response.Headers;
        h.ETag = asset.ETag;
        h.CacheControl = "no-cache";
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        if (asset.ContentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            h.ContentSecurityPolicy = Csp;
            h.XFrameOptions = "DENY";
        }
        if (http.Request.Headers.IfNoneMatch.Any(v => v == asset.ETag)) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var asm = typeof(ConsoleAssets).Assembly;
        var d = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string res in asm.GetManifestResourceNames())
        {
            if (!res.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var s = asm.GetManifestResourceStream(res)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            byte[] bytes = m.ToArray();
            string name = res[ResourcePrefix.Length..].Replace('\\', '/');
            d[name] = new Asset(bytes, ContentTypeOf(name), new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"").ToString());
        }
        return d.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
