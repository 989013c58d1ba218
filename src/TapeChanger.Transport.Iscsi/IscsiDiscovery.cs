using System.Globalization;

namespace TapeChanger.Transport.Iscsi;

/// <summary>A portal a target can be reached at: TargetAddress=&lt;address&gt;[:port],&lt;tpgt&gt;.</summary>
public sealed record IscsiPortal(string Address, int Port, int PortalGroupTag)
{
    public override string ToString() =>
        $"{(Address.Contains(':') ? $"[{Address}]" : Address)}:{Port.ToString(CultureInfo.InvariantCulture)},{PortalGroupTag.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>One target from a SendTargets answer.</summary>
public sealed record IscsiTarget(string Name, IReadOnlyList<IscsiPortal> Portals);

/// <summary>SendTargets discovery (RFC 7143 appendix "SendTargets Operation"; libiscsi lib/discovery.c).</summary>
public static class IscsiDiscovery
{
    /// <summary>
    /// Logs in to <paramref name="host"/>:<paramref name="port"/> with SessionType=Discovery, asks SendTargets=All, logs out.
    /// </summary>
    public static async Task<IReadOnlyList<IscsiTarget>> SendTargetsAsync(string host, int port = Pdu.IscsiConstants.DefaultPort,
        string? chapUser = null, string? chapSecret = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var t = timeout ?? TimeSpan.FromSeconds(10);
        var options = new IscsiSessionOptions
        {
            Host = host, Port = port, ChapUser = chapUser, ChapSecret = chapSecret,
            ConnectTimeout = t, LoginTimeout = t, TextTimeout = t,
        };
        await using var session = await IscsiSession.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        var keys = await session.TextAsync("SendTargets", "All", cancellationToken).ConfigureAwait(false);
        return ParseSendTargets(keys);   // a TargetAddress without a port means 3260 (RFC 7143 §13.9), not the discovery portal's port
    }

    /// <summary>Groups TargetName / TargetAddress pairs; an address without a port gets <paramref name="defaultPort"/>.</summary>
    public static IReadOnlyList<IscsiTarget> ParseSendTargets(IReadOnlyList<KeyValuePair<string, string>> keys, int defaultPort = Pdu.IscsiConstants.DefaultPort)
    {
        var result = new List<IscsiTarget>();
        string? name = null;
        var portals = new List<IscsiPortal>();
        foreach (var (k, v) in keys)
        {
            if (k == "TargetName")
            {
                if (name is not null) result.Add(new IscsiTarget(name, portals));
                name = v;
                portals = [];
            }
            else if (k == "TargetAddress" && name is not null && ParsePortal(v, defaultPort) is { } p)
            {
                portals.Add(p);
            }
        }
        if (name is not null) result.Add(new IscsiTarget(name, portals));
        return result;
    }

    /// <summary>Parses "10.0.0.1:3260,1", "[fe80::1]:3260,1" or "host,1" (port optional); null if malformed.</summary>
    public static IscsiPortal? ParsePortal(string value, int defaultPort = Pdu.IscsiConstants.DefaultPort)
    {
        int tpgt = 1;
        int comma = value.LastIndexOf(',');
        if (comma >= 0)
        {
            if (!int.TryParse(value.AsSpan(comma + 1), NumberStyles.None, CultureInfo.InvariantCulture, out tpgt)) return null;
            value = value[..comma];
        }
        string address;
        int port = defaultPort;
        if (value.StartsWith('['))
        {
            int close = value.IndexOf(']');
            if (close < 0) return null;
            address = value[1..close];
            string rest = value[(close + 1)..];
            if (rest.StartsWith(':') && !int.TryParse(rest.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out port)) return null;
        }
        else
        {
            int colon = value.LastIndexOf(':');
            address = colon >= 0 ? value[..colon] : value;
            if (colon >= 0 && !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)) return null;
        }
        return address.Length == 0 || port is < 1 or > 65535 ? null : new IscsiPortal(address, port, tpgt);
    }
}
