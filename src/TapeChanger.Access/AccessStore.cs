using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Data.Common;
using TapeChanger.State;

namespace TapeChanger.Access;

/// <summary>One API token as listed (the token itself is never kept: only its SHA-256).</summary>
public sealed record TokenInfo(long Id, string Name, AccessRole Role, DateTimeOffset Created, DateTimeOffset? Revoked)
{
    public bool Active => Revoked is null;
}

/// <summary>A token just created: <see cref="Token"/> is shown once and cannot be read back.</summary>
public sealed record CreatedToken(TokenInfo Info, string Token);

/// <summary>One audit row: who did what, to what, when, and how it ended.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Who, int? Uid, string? Role, string Action, string? Target, string Result, string? Detail);

/// <summary>Why a token operation was refused.</summary>
public sealed class AccessException(string message) : Exception(message);

/// <summary>
/// Tokens and the audit log in the state database. A token is 32 random bytes (base64url, prefix <c>tct_</c>); the
/// database keeps its SHA-256 only: with 256 bits of entropy a fast hash is enough (no password stretching needed),
/// and a copy of the database gives no usable token.
/// </summary>
public sealed class AccessStore(StateDatabase db)
{
    public const string TokenPrefix = "tct_";

    /// <summary>The store of a state directory (the database is created and migrated when needed).</summary>
    public static AccessStore Open(string stateDirectory) => new(StateDatabase.Open(stateDirectory));

    public static bool ValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@');

    public CreatedToken CreateToken(AccessRole role, string? name = null)
    {
        name ??= $"token-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        if (!ValidName(name)) throw new AccessException($"invalid token name '{name}' (letters, digits, '-', '_', '.', '@'; at most 64)");
        string token = TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow;
        long id = db.Write(tx =>
        {
            if (Convert.ToInt64(tx.Scalar("SELECT COUNT(*) FROM api_tokens WHERE name = @n", ("n", name)), CultureInfo.InvariantCulture) > 0)
                throw new AccessException($"a token named '{name}' already exists");
            return Convert.ToInt64(tx.Scalar("INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (@n, @r, @h, @t) RETURNING id",
                ("n", name), ("r", AccessRoles.Name(role)), ("h", Hash(token)), ("t", Format(now))), CultureInfo.InvariantCulture);
        });
        return new CreatedToken(new TokenInfo(id, name, role, now, null), token);
    }

    public IReadOnlyList<TokenInfo> ListTokens() =>
        db.Read(tx => tx.Query("SELECT id, name, role, created_at, revoked_at FROM api_tokens ORDER BY id", ReadToken));

    /// <summary>Revokes the token with this name or id; false when there is none (or it was revoked already).</summary>
    public bool RevokeToken(string nameOrId) =>
        db.Write(tx => tx.Execute("UPDATE api_tokens SET revoked_at = @t WHERE (name = @n OR CAST(id AS TEXT) = @n) AND revoked_at IS NULL",
            ("t", Format(DateTimeOffset.UtcNow)), ("n", nameOrId)) > 0);

    /// <summary>The active token this text is, or null (unknown, revoked, malformed).</summary>
    public TokenInfo? Verify(string token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 128) return null;
        string hash = Hash(token);
        return db.Read(tx => tx.Query("SELECT id, name, role, created_at, revoked_at FROM api_tokens WHERE token_hash = @h AND revoked_at IS NULL",
            ReadToken, ("h", hash))).FirstOrDefault();
    }

    public void Audit(string who, int? uid, AccessRole? role, string action, string? target, string result, string? detail = null) =>
        db.Write(tx => tx.Execute("INSERT INTO audit_log (at, who, uid, role, action, target, result, detail) VALUES (@at, @who, @uid, @role, @a, @t, @r, @d)",
            ("at", Format(DateTimeOffset.UtcNow)), ("who", who), ("uid", uid is { } u ? (long)u : null), ("role", role is { } ro ? AccessRoles.Name(ro) : null),
            ("a", action), ("t", target), ("r", result), ("d", detail)));

    /// <summary>The newest audit rows first.</summary>
    public IReadOnlyList<AuditEntry> ReadAudit(int limit = 100) =>
        db.Read(tx => tx.Query("SELECT id, at, who, uid, role, action, target, result, detail FROM audit_log ORDER BY id DESC LIMIT @l",
            r => new AuditEntry(r.GetInt64(0), Parse(r.GetString(1)), r.GetString(2), r.IsDBNull(3) ? null : (int)r.GetInt64(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8)),
            ("l", (long)Math.Clamp(limit, 1, 10_000))));

    private static TokenInfo ReadToken(DbDataReader r)
    {
        AccessRoles.TryParse(r.GetString(2), out var role);
        return new TokenInfo(r.GetInt64(0), r.GetString(1), role, Parse(r.GetString(3)), r.IsDBNull(4) ? null : Parse(r.GetString(4)));
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
