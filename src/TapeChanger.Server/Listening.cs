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
            if (File.Exists(Path))
            {
                // A socket file left by a killed service goes; one a running service answers on stays, and we stop.
                using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                try
                {
                    probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(Path!));
                    throw new ListenerBusyException($"another service is listening on unix:{Path}");
                }
                catch (System.Net.Sockets.SocketException)
                {
                    File.Delete(Path!);
                }
            }
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

/// <summary>The address is in use by a running service (exit 75).</summary>
public sealed class ListenerBusyException(string message) : IOException(message);
