using System.Globalization;

namespace TapeChanger.Transport;

public enum DeviceScheme
{
    /// <summary><c>virtual:</c> or <c>virtual:DIR</c>: the in-process mhVTL-compatible library.</summary>
    Virtual,
    /// <summary><c>sg:/dev/sgN</c> or a bare <c>/dev/sgN</c>: Linux SG_IO.</summary>
    Sg,
    /// <summary><c>iscsi://[user[%pass]@]host[:port]/target-iqn/lun</c>, libiscsi's URL form.</summary>
    Iscsi,
    /// <summary><c>spt:\\.\ChangerN</c>: Windows SCSI pass-through.</summary>
    Spt,
    /// <summary><c>usb:VID:PID[:serial]</c>: USB bulk-only transport through libusb.</summary>
    Usb,
    /// <summary><c>replay:PATH</c>: answers from a replay script or a <c>--trace</c> log (CaptureReplayTransport).</summary>
    Replay,
    /// <summary><c>mhvtl:SOCKET[?config=DIR]</c>: an mhVTL daemon's userland backend socket (userland.N.sock).</summary>
    Mhvtl,
}

/// <summary>A parsed device URI. Only the fields of its scheme are set.</summary>
public sealed record DeviceAddress(DeviceScheme Scheme, string Original)
{
    /// <summary>virtual: and mhvtl: directory holding mhVTL config files; null for the built-in library 10 (virtual:) or the default (mhvtl:).</summary>
    public string? ConfigDirectory { get; init; }
    /// <summary>sg/spt: device path; replay: the script file; mhvtl: the daemon's socket.</summary>
    public string? Path { get; init; }
    public string? User { get; init; }
    public string? Password { get; init; }
    public string? Host { get; init; }
    public int Port { get; init; }
    public string? TargetName { get; init; }
    public int Lun { get; init; }
    public ushort VendorId { get; init; }
    public ushort ProductId { get; init; }
    public string? Serial { get; init; }

    public override string ToString() => Original;
}

/// <summary>A device URI that does not parse. The message names the part that is wrong.</summary>
public sealed class DeviceUriException(string message) : FormatException(message);

/// <summary>Parses the device URIs documented in README.md.</summary>
public static class DeviceUri
{
    public const int DefaultIscsiPort = 3260;

    public static DeviceAddress Parse(string uri)
    {
        if (string.IsNullOrWhiteSpace(uri)) throw new DeviceUriException("device URI is empty");
        uri = uri.Trim();
        if (uri.StartsWith("/dev/", StringComparison.Ordinal)) return ParseSg(uri, uri);
        int colon = uri.IndexOf(':');
        if (colon <= 0) throw new DeviceUriException($"device '{uri}' has no scheme; expected virtual:, sg:, iscsi://, spt:, usb:, replay: or mhvtl:");
        string scheme = uri[..colon].ToLowerInvariant();
        string rest = uri[(colon + 1)..];
        return scheme switch
        {
            "virtual" => new DeviceAddress(DeviceScheme.Virtual, uri) { ConfigDirectory = rest.Length == 0 ? null : rest },
            "sg" => ParseSg(uri, rest),
            "iscsi" => ParseIscsi(uri, rest),
            "spt" => ParseSpt(uri, rest),
            "usb" => ParseUsb(uri, rest),
            "replay" => rest.Length > 0
                ? new DeviceAddress(DeviceScheme.Replay, uri) { Path = rest }
                : throw new DeviceUriException($"replay device '{uri}' needs a file: replay:PATH"),
            "mhvtl" => ParseMhvtl(uri, rest),
            _ => throw new DeviceUriException($"unknown device scheme '{scheme}:' in '{uri}'; expected virtual:, sg:, iscsi://, spt:, usb:, replay: or mhvtl:"),
        };
    }

    private static DeviceAddress ParseSg(string uri, string path)
    {
        if (path.StartsWith("//", StringComparison.Ordinal)) path = path[2..];
        if (!path.StartsWith('/')) throw new DeviceUriException($"sg device '{uri}' needs an absolute path such as sg:/dev/sg3");
        return new DeviceAddress(DeviceScheme.Sg, uri) { Path = path };
    }

    /// <summary><c>mhvtl:SOCKET[?config=DIR]</c>: SOCKET is the library's userland.N.sock; DIR holds device.conf.</summary>
    private static DeviceAddress ParseMhvtl(string uri, string rest)
    {
        string socket = rest;
        string? config = null;
        int q = rest.IndexOf('?');
        if (q >= 0)
        {
            socket = rest[..q];
            string query = rest[(q + 1)..];
            if (!query.StartsWith("config=", StringComparison.Ordinal) || query.Length == "config=".Length)
                throw new DeviceUriException($"mhvtl device '{uri}': the only option is ?config=DIR (the directory holding device.conf)");
            config = Uri.UnescapeDataString(query["config=".Length..]);
        }
        if (socket.Length == 0)
            throw new DeviceUriException($"mhvtl device '{uri}' needs the library's socket: mhvtl:/var/run/mhvtl/userland.10.sock[?config=/etc/mhvtl]");
        return new DeviceAddress(DeviceScheme.Mhvtl, uri) { Path = socket, ConfigDirectory = config };
    }

    private static DeviceAddress ParseSpt(string uri, string path)
    {
        if (path.Length == 0) throw new DeviceUriException($"spt device '{uri}' needs a path such as spt:\\\\.\\Changer0");
        return new DeviceAddress(DeviceScheme.Spt, uri) { Path = path };
    }

    private static DeviceAddress ParseUsb(string uri, string rest)
    {
        var parts = rest.Split(':');
        if (parts.Length is < 2 or > 3) throw new DeviceUriException($"usb device '{uri}' must be usb:VID:PID[:serial] with hex VID and PID");
        if (!ushort.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var vid))
            throw new DeviceUriException($"usb device '{uri}': vendor id '{parts[0]}' is not a 16-bit hex number");
        if (!ushort.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var pid))
            throw new DeviceUriException($"usb device '{uri}': product id '{parts[1]}' is not a 16-bit hex number");
        string? serial = parts.Length == 3 && parts[2].Length > 0 ? parts[2] : null;
        return new DeviceAddress(DeviceScheme.Usb, uri) { VendorId = vid, ProductId = pid, Serial = serial };
    }

    /// <summary>iscsi://[user[%password]@]host[:port]/target-iqn/lun (libiscsi iscsi_parse_full_url form).</summary>
    private static DeviceAddress ParseIscsi(string uri, string rest)
    {
        if (!rest.StartsWith("//", StringComparison.Ordinal)) throw new DeviceUriException($"iscsi device '{uri}' must start with iscsi://");
        rest = rest[2..];
        string? user = null, password = null;
        int at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            string cred = rest[..at];
            rest = rest[(at + 1)..];
            int pct = cred.IndexOf('%');
            user = Uri.UnescapeDataString(pct >= 0 ? cred[..pct] : cred);
            password = pct >= 0 ? Uri.UnescapeDataString(cred[(pct + 1)..]) : null;
            if (user.Length == 0) throw new DeviceUriException($"iscsi device '{uri}': empty user name before '@'");
        }
        int slash = rest.IndexOf('/');
        string hostPort = slash >= 0 ? rest[..slash] : rest;
        string path = slash >= 0 ? rest[(slash + 1)..] : "";
        string host;
        int port = DefaultIscsiPort;
        if (hostPort.StartsWith('['))
        {
            int close = hostPort.IndexOf(']');
            if (close < 0) throw new DeviceUriException($"iscsi device '{uri}': unterminated IPv6 address");
            host = hostPort[1..close];
            string after = hostPort[(close + 1)..];
            if (after.StartsWith(':')) port = ParsePort(uri, after[1..]);
            else if (after.Length > 0) throw new DeviceUriException($"iscsi device '{uri}': unexpected '{after}' after the host");
        }
        else
        {
            int c = hostPort.LastIndexOf(':');
            host = c >= 0 ? hostPort[..c] : hostPort;
            if (c >= 0) port = ParsePort(uri, hostPort[(c + 1)..]);
        }
        if (host.Length == 0) throw new DeviceUriException($"iscsi device '{uri}' has no host");
        string? target = null;
        int lun = 0;
        if (path.Length > 0)
        {
            int ls = path.LastIndexOf('/');
            if (ls <= 0) throw new DeviceUriException($"iscsi device '{uri}' must name target and LUN: iscsi://host[:port]/target-iqn/lun");
            target = path[..ls];
            if (!int.TryParse(path[(ls + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out lun) || lun > 16383)
                throw new DeviceUriException($"iscsi device '{uri}': LUN '{path[(ls + 1)..]}' is not a number from 0 to 16383");
        }
        return new DeviceAddress(DeviceScheme.Iscsi, uri) { User = user, Password = password, Host = host, Port = port, TargetName = target, Lun = lun };
    }

    private static int ParsePort(string uri, string text)
    {
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new DeviceUriException($"iscsi device '{uri}': port '{text}' is not a number from 1 to 65535");
        return port;
    }
}
