using Microsoft.AspNetCore.Connections.Features;
using TapeChanger.Access;

namespace TapeChanger.Server.Security;

/// <summary>
/// Decides who a request is. A bearer token (any listener) is looked up hashed in the state database: unknown or
/// revoked is 401. Without one, on the Unix socket, the peer's uid (SO_PEERCRED) decides: root and the service's own
/// uid are admin (TrustOwnUid), then Service:UnixUsers (uid → role), then Service:UnixGroups (group → role; the highest
/// wins); a uid with no role is 401. Without a token on TCP: 401.
/// </summary>
public sealed class CallerResolver(AccessStore store, ServiceSettings settings, UnixAccounts accounts)
{
    private readonly int _ownUid = OperatingSystem.IsWindows() ? -1 : GetOwnUid();

    public (ApiCaller? Caller, AuthFailure? Failure) Resolve(HttpContext http)
    {
        var peer = PeerCredentials.Of(http.Features.Get<IConnectionSocketFeature>()?.Socket);
        string? auth = http.Request.Headers.Authorization;
        if (!string.IsNullOrEmpty(auth))
        {
            if (!auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return (null, new AuthFailure(401, "unsupported authorization scheme: send 'Authorization: Bearer TOKEN'"));
            var token = store.Verify(auth["Bearer ".Length..].Trim());
            if (token is null) return (null, new AuthFailure(401, "invalid or revoked token"));
            return (new ApiCaller("token:" + token.Name, token.Role, peer?.Uid, "token"), null);
        }
        if (peer is { } p)
        {
            var role = UnixRole(p);
            if (role is null) return (null, new AuthFailure(401, $"uid {p.Uid} has no role on this service: use a token (--token, TAPECHANGER_TOKEN)"));
            string name = accounts.UserName(p.Uid) ?? $"uid{p.Uid}";
            return (new ApiCaller("unix:" + name, role.Value, p.Uid, "unix"), null);
        }
        return (null, new AuthFailure(401, "authentication required: send 'Authorization: Bearer TOKEN'"));
    }

    public AccessRole? UnixRole(PeerCredentials peer)
    {
        string uid = peer.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (settings.UnixUsers.TryGetValue(uid, out var byUid)) return AccessRoles.TryParse(byUid, out var r) ? r : null;
        if (settings.TrustOwnUid && (peer.Uid == 0 || peer.Uid == _ownUid)) return AccessRole.Admin;
        AccessRole? best = null;
        if (settings.UnixGroups.Count > 0)
        {
            foreach (var g in accounts.Groups(peer.Uid, peer.Gid))
            {
                if (settings.UnixGroups.TryGetValue(g, out var text) && AccessRoles.TryParse(text, out var r) && (best is null || r > best)) best = r;
            }
        }
        return best;
    }

    private static int GetOwnUid()
    {
        // /proc/self/status "Uid:\treal\teffective\tsaved\tfs": the effective uid, without P/Invoke.
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("Uid:", StringComparison.Ordinal))
                    return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        return -1;
    }
}
