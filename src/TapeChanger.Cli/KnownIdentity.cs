using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using TapeChanger.Domain;

namespace TapeChanger.Cli;

/// <summary>
/// The library identity a device URI answered with last time, kept in <c>STATE/identity/HASH.json</c>, so `status`
/// can name the library's serial (VPD 80h) without asking for it on every run: asked once, then taken from here while
/// the standard INQUIRY (vendor, product, revision) still matches.
/// </summary>
internal static class KnownIdentity
{
    public static async Task<string?> SerialAsync(CliContext ctx, MediaChanger changer, LibraryIdentity id, CancellationToken ct)
    {
        if (Load(ctx) is { } kept && kept.Vendor == id.Vendor && kept.Product == id.Product && kept.Revision == id.Revision) return kept.Serial;
        // A replay script answers only what was recorded: never ask it for more.
        if (ctx.Address.Scheme == TapeChanger.Transport.DeviceScheme.Replay) return null;
        var full = await changer.GetIdentityAsync(withSerial: true, ct);
        Keep(ctx, full);
        return full.SerialNumber;
    }

    public static void Keep(CliContext ctx, LibraryIdentity full)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(PathOf(ctx))!);
            var doc = new KeptIdentity(ctx.DeviceUri, full.Vendor, full.Product, full.Revision, full.SerialNumber);
            TapeChanger.Storage.AtomicFile.Write(PathOf(ctx), JsonSerializer.SerializeToUtf8Bytes(doc, KnownIdentityJson.Default.KeptIdentity));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only state directory: the serial is asked again next time.
        }
    }

    private static KeptIdentity? Load(CliContext ctx)
    {
        try
        {
            return File.Exists(PathOf(ctx)) ? JsonSerializer.Deserialize(File.ReadAllBytes(PathOf(ctx)), KnownIdentityJson.Default.KeptIdentity) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }
    }

    private static string PathOf(CliContext ctx) =>
        Path.Combine(ctx.StateDirectory, "identity", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ctx.DeviceUri)))[..16].ToLowerInvariant() + ".json");
}

internal sealed record KeptIdentity(string Device, string Vendor, string Product, string Revision, string? Serial);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(KeptIdentity))]
internal sealed partial class KnownIdentityJson : JsonSerializerContext;
