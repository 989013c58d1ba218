using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TapeChanger.Server;

/// <summary>
/// An https listener needs Kestrel's default certificate (<c>Kestrel:Certificates:Default</c>: <c>Path</c> to a
/// PKCS#12 file with its <c>Password</c>, or a PEM certificate with <c>KeyPath</c>; or <c>Subject</c>/<c>Store</c>).
/// Checked before Kestrel starts, so a missing file, a wrong password or a certificate without its key is one line
/// naming the setting (exit 78), not Kestrel's exception at bind time.
/// </summary>
internal static class HttpsCertificate
{
    private const string Section = "Kestrel:Certificates:Default";

    public static void Check(IConfiguration configuration, IReadOnlyList<ListenAddress> listen, string contentRoot)
    {
        if (listen.FirstOrDefault(l => l.Scheme == "https") is not { } https) return;
        var c = configuration.GetSection(Section);
        string? path = c["Path"];
        if (string.IsNullOrEmpty(path))
        {
            if (!string.IsNullOrEmpty(c["Subject"])) return;             // a certificate store: Kestrel looks it up
            throw new InvalidOperationException($"--listen {https}: no certificate; set {Section}:Path (a .pfx with {Section}:Password, or a PEM certificate with {Section}:KeyPath) in appsettings.json or TAPECHANGER_Kestrel__Certificates__Default__Path");
        }
        string full = Path.GetFullPath(path, contentRoot);
        if (!File.Exists(full)) throw new InvalidOperationException($"--listen {https}: certificate {full} not found ({Section}:Path)");
        X509Certificate2 cert;
        try
        {
            cert = c["KeyPath"] is { Length: > 0 } key
                ? (c["Password"] is { Length: > 0 } pw ? X509Certificate2.CreateFromEncryptedPemFile(full, pw, Path.GetFullPath(key, contentRoot)) : X509Certificate2.CreateFromPemFile(full, Path.GetFullPath(key, contentRoot)))
                : X509CertificateLoader.LoadPkcs12FromFile(full, c["Password"]);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new InvalidOperationException($"--listen {https}: certificate {full} cannot be loaded ({Section}:Path, Password, KeyPath): {e.Message.Trim()}");
        }
        using (cert)
        {
            if (!cert.HasPrivateKey) throw new InvalidOperationException($"--listen {https}: certificate {full} has no private key ({Section}:KeyPath for a PEM certificate)");
            if (cert.NotAfter < DateTime.Now) throw new InvalidOperationException($"--listen {https}: certificate {full} expired on {cert.NotAfter.ToUniversalTime():yyyy-MM-dd}");
        }
    }
}
