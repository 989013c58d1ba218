using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TapeChanger.Access;

namespace TapeChanger.Server.Tests;

/// <summary>
/// --listen https://HOST:PORT with the certificate configured as README says (Kestrel:Certificates:Default:Path and
/// Password, or a PEM certificate with KeyPath): a real TLS handshake through HttpClient; and tapechangerd with no,
/// a missing or an unreadable certificate ends with one line and exit 78.
/// </summary>
public sealed class HttpsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-tls-").FullName;
    private readonly X509Certificate2 _cert;

    public HttpsTests()
    {
        using var key = RSA.Create(2048);
        var req = new CertificateRequest("CN=tapechangerd-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        req.CertificateExtensions.Add(san.Build());
        _cert = req.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        File.WriteAllBytes(Pfx, _cert.Export(X509ContentType.Pkcs12, "s3cret"));
        File.WriteAllText(Pem, _cert.ExportCertificatePem());
        File.WriteAllText(KeyPem, key.ExportPkcs8PrivateKeyPem());
    }

    private string Pfx => Path.Combine(_dir, "tapechangerd.pfx");
    private string Pem => Path.Combine(_dir, "tapechangerd.pem");
    private string KeyPem => Path.Combine(_dir, "tapechangerd.key");

    public void Dispose()
    {
        _cert.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("pfx")]
    [InlineData("pem")]
    public async Task Https_serves_the_api_over_tls_with_the_configured_certificate(string form)
    {
        string state = Path.Combine(_dir, "state-" + form);
        var settings = new Dictionary<string, string?> { ["Device"] = "virtual:" };
        if (form == "pfx")
        {
            settings["Kestrel:Certificates:Default:Path"] = Pfx;
            settings["Kestrel:Certificates:Default:Password"] = "s3cret";
        }
        else
        {
            settings["Kestrel:Certificates:Default:Path"] = Pem;
            settings["Kestrel:Certificates:Default:KeyPath"] = KeyPem;
        }
        var app = ServerHost.Build(new ServerCommandLine(["https://127.0.0.1:0"], state), EngineFactory.Create, b =>
        {
            b.Configuration.AddInMemoryCollection(settings);
            b.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        try
        {
            var url = new Uri(ServerHost.Addresses(app).Single(a => a.StartsWith("https://", StringComparison.Ordinal)) + "/");
            string token = app.Services.GetRequiredService<AccessStore>().CreateToken(AccessRole.Viewer).Token;
            X509Certificate2? seen = null;
            using var pinned = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, c, _, _) =>
                {
                    seen = c is null ? null : new X509Certificate2(c);
                    return c is not null && c.GetCertHashString() == _cert.GetCertHashString();
                } },
            }) { BaseAddress = url };
            pinned.DefaultRequestHeaders.Authorization = new("Bearer", token);
            using var r = await pinned.GetAsync("api/v1/libraries/default/status");
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.Equal("default", ServiceHost.Parse(await r.Content.ReadAsStringAsync()).GetProperty("library").GetString());
            Assert.Equal(_cert.Thumbprint, seen!.Thumbprint);
            // TLS for real: a client that trusts only the system's roots refuses the self-signed certificate...
            using var strict = new HttpClient { BaseAddress = url };
            var e = await Assert.ThrowsAsync<HttpRequestException>(() => strict.GetAsync("healthz"));
            Assert.IsType<System.Security.Authentication.AuthenticationException>(e.InnerException);
            // ...and plain HTTP on the TLS port gets no answer.
            using var plain = new HttpClient { BaseAddress = new Uri(url.ToString().Replace("https://", "http://", StringComparison.Ordinal)), Timeout = TimeSpan.FromSeconds(10) };
            await Assert.ThrowsAnyAsync<Exception>(() => plain.GetStringAsync("healthz"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            TapeChanger.State.StateDatabase.ReleaseConnections();
        }
    }

    [Theory]
    [InlineData("none", "no certificate; set Kestrel:Certificates:Default:Path")]
    [InlineData("missing", "not found (Kestrel:Certificates:Default:Path)")]
    [InlineData("password", "cannot be loaded (Kestrel:Certificates:Default:Path, Password, KeyPath)")]
    [InlineData("nokey", "has no private key")]
    public void A_bad_certificate_configuration_is_one_line_and_exit_78(string fault, string expected)
    {
        var env = new Dictionary<string, string> { ["TAPECHANGER_DEVICE"] = "virtual:" };
        string? path = fault switch
        {
            "missing" => Path.Combine(_dir, "nowhere.pfx"),
            "password" => Pfx,
            "nokey" => Path.Combine(_dir, "public.pfx"),
            _ => null,
        };
        if (fault == "nokey") File.WriteAllBytes(path!, X509CertificateLoader.LoadCertificate(_cert.RawData).Export(X509ContentType.Pkcs12, "s3cret"));
        if (path is not null) env["TAPECHANGER_Kestrel__Certificates__Default__Path"] = path;
        env["TAPECHANGER_Kestrel__Certificates__Default__Password"] = fault == "password" ? "wrong" : "s3cret";
        using var d = DaemonProcess.Start(["--listen", "https://127.0.0.1:0", "--state-dir", Path.Combine(_dir, "state-" + fault)], env);
        int rc = d.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.True(rc == 78, $"exit {rc}; stderr: {d.Stderr}");
        Assert.Matches(@"^tapechangerd: --listen https://127\.0\.0\.1:0: [^\n]+\n$", d.Stderr.Replace("\r", "", StringComparison.Ordinal));
        Assert.Contains(expected, d.Stderr);
        Assert.DoesNotContain("   at ", d.Stdout + d.Stderr);
    }
}
