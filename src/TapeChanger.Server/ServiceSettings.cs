namespace TapeChanger.Server;

/// <summary>
/// The <c>Service</c> section of appsettings.json (also <c>TAPECHANGER_Service__Listen__0</c>...): where tapechangerd
/// listens, how much it takes at once, and who gets which role on its Unix socket.
/// </summary>
public sealed class ServiceSettings
{
    /// <summary>unix:PATH, http://HOST:PORT or https://HOST:PORT; empty: unix:STATE/tapechangerd.sock. --listen replaces it.</summary>
    public List<string> Listen { get; set; } = [];

    /// <summary>File mode of the Unix socket (octal; 0660: the service's user and group connect, nobody else).</summary>
    public string SocketMode { get; set; } = "0660";

    /// <summary>Requests handled at once (event streams excepted); more wait in a queue of <see cref="RequestQueueLimit"/>.</summary>
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>Requests waiting for a slot; beyond it 429.</summary>
    public int RequestQueueLimit { get; set; } = 256;

    /// <summary>Open event streams at most; beyond it 429.</summary>
    public int MaxEventStreams { get; set; } = 32;

    /// <summary>Largest request body in bytes; beyond it 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// Unix socket callers without a token: uid → role ("0": "admin"). Root and the service's own uid are admin unless
    /// listed here otherwise.
    /// </summary>
    public Dictionary<string, string> UnixUsers { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Unix socket callers without a token: group name → role (the caller's primary group or a group listing the user in /etc/group).</summary>
    public Dictionary<string, string> UnixGroups { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether root and the service's own uid are admin without being listed (default true).</summary>
    public bool TrustOwnUid { get; set; } = true;
}
