namespace TapeChanger.Server.Api;

/// <summary>The OpenAPI 3.1 document of /api/v1 (Api/openapi.json, embedded; a test holds it to the mapped routes).</summary>
public static class OpenApiDocument
{
    public static string Text { get; } = Read();

    private static string Read()
    {
        using var s = typeof(OpenApiDocument).Assembly.GetManifestResourceStream("openapi.json") ?? throw new InvalidOperationException("openapi.json is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }
}
