using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace TapeChanger.Server;

/// <summary>One --listen address: unix:PATH, http://HOST:PORT or https://HOST:PORT.</summary>
public sealed record ListenAddress(string Scheme, string? Path, string? Host, int Port)
{
    public bool IsUnix => Scheme == "unix";

    public override string ToString() => IsUnix ? $"unix:{Path}" : $"{Scheme}://{Host}:{Port}";

    public static ListenAddress Parse(string text)
    {
        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = text["unix:".Length..];
            if (path.Length == 0) throw new ArgumentException($"--listen {text}: give the socket's path (unix:/run/tapechanger/tapechangerd.sock)");
            return new ListenAddress("unix", System.IO.Path.GetFullPath(path), null, 0);
        }
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath is "/" or "")
        {
            if (uri.IsDefaultPort && !text.Contains(":" + uri.Port, StringComparison.Ordinal))
                throw new ArgumentException($"--listen {text}: give the port (http://127.0.0.1:8750)");
            return new ListenAddress(uri.Scheme, null, uri.Host, uri.Port);
        }
        throw new ArgumentException($"--listen {text}: expected unix:PATH, http://HOST:PORT or https://HOST:PORT");
    }

    /// <summary>Adds the listener to Kestrel. https uses Kestrel's certificate configuration (Kestrel:Certificates:Default).</summary>
    public void Apply(KestrelServerOptions kestrel)
    {
        if (IsUnix)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path!)!);
            if (File.Exists(Path)) File.Delete(Path!);   // a socket left by a killed service; a live one would have refused the start below
            kestrel.ListenUnixSocket(Path!);
            return;
        }
        Action<ListenOptions> https = Scheme == "https" ? o => o.UseHttps() : _ => { };
        string host = Host!.Trim('[', ']');
        if (host is "localhost") kestrel.ListenLocalhost(Port, https);
        else if (host is "*" or "0.0.0.0") kestrel.ListenAnyIP(Port, https);
        else if (IPAddress.TryParse(host, out var ip)) kestrel.Listen(ip, Port, https);
        else throw new ArgumentException($"--listen {this}: the host must be an IP address, localhost or 0.0.0.0");
    }
}
