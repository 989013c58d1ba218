using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;

namespace TapeChanger.Access;

/// <summary>One API token as listed (the token itself is never kept: only its SHA-256).</summary>
public sealed record TokenInfo(long Id, string Name, AccessRole Role, DateTimeOffset Created, DateTimeOffset? LastUsed, DateTimeOffset? Revoked)
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
/// and a stolen database gives no usable token.
/// </summary>
public sealed class AccessStore
{
    public const string TokenPrefix = "tct_";
    private readonly Func<SqliteConnection> _open;

    /// <param name="open">Opens a connection to the state database with the access tables in place.</param>
    public AccessStore(Func<SqliteConnection> open) => _open = open;

    /// <summary>The store over a database file, creating the tables when missing.</summary>
    public static AccessStore OpenFile(string path)
    {
        string cs = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, DefaultTimeout = 30 }.ToString();
        bool created = false;
        var store = new AccessStore(() =>
        {
            var c = new SqliteConnection(cs);
            c.Open();
            using var pragma = c.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout=30000; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
            pragma.ExecuteNonQuery();
            return c;
        });
        if (!created)
        {
            using var c = store._open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = Schema;
            cmd.ExecuteNonQuery();
            created = true;
        }
        return store;
    }

    /// <summary>The schema (also the service's migration of these tables).</summary>
    public static string Schema { get; } = ReadSchema();

    private static string ReadSchema()
    {
        using var s = typeof(AccessStore).Assembly.GetManifestResourceStream("TapeChanger.Access.AccessSchema.sql")
            ?? throw new InvalidOperationException("AccessSchema.sql is not embedded");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    public static bool ValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@');

    public CreatedToken CreateToken(AccessRole role, string? name = null)
    {
        name ??= $"token-{DateTimeOffset.UtcNow:yyyyMMddHHmmss}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}";
        if (!ValidName(name)) throw new AccessException($"invalid token name '{name}' (letters, digits, '-', '_', '.', '@'; at most 64)");
        string token = TokenPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow;
        using var c = _open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES ($n, $r, $h, $t) RETURNING id";
        cmd.Parameters.AddWithValue("$n", name);
        cmd.Parameters.AddWithValue("$r", AccessRoles.Name(role));
        cmd.Parameters.AddWithValue("$h", Hash(token));
        cmd.Parameters.AddWithValue("$t", Format(now));
        long id;
        try
        {
            id = (long)cmd.ExecuteScalar()!;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT: the name is taken
        {
            throw new AccessException($"a token named '{name}' already exists");
        }
        return new CreatedToken(new TokenInfo(id, name, role, now, null, null), token);
    }

    public IReadOnlyList<TokenInfo> ListTokens()
    {
        using var c = _open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, role, created_at, last_used, revoked_at FROM api_tokens ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<TokenInfo>();
        while (r.Read()) list.Add(ReadToken(r));
        return list;
    }

    /// <summary>Revokes the token with this name or id; false when there is none (or it was revoked already).</summary>
    public bool RevokeToken(string nameOrId)
    {
        using var c = _open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "UPDATE api_tokens SET revoked_at = $t WHERE (name = $n OR CAST(id AS TEXT) = $n) AND revoked_at IS NULL";
        cmd.Parameters.AddWithValue("$t", Format(DateTimeOffset.UtcNow));
        cmd.Parameters.AddWithValue("$n", nameOrId);
        return cmd.ExecuteNonQuery() > 0;
    }

    /// <summary>The active token this text is, or null (unknown, revoked, malformed).</summary>
    public TokenInfo? Verify(string token)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 128) return null;
        using var c = _open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, role, created_at, last_used, revoked_at FROM api_tokens WHERE token_hash = $h AND revoked_at IS NULL";
        cmd.Parameters.AddWithValue("$h", Hash(token));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadToken(r) : null;
    }

    public void Audit(string who, int? uid, AccessRole? role, string action, string? target, string result, string? detail = null)
    {
        using var c = _open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "INSERT INTO audit_log (at, who, uid, role, action, target, result, detail) VALUES ($at, $who, $uid, $role, $a, $t, $r, $d)";
        cmd.Parameters.AddWithValue("$at", Format(DateTimeOffset.UtcNow));
        cmd.Parameters.AddWithValue("$who", who);
        cmd.Parameters.AddWithValue("$uid", (object?)uid ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$role", role is { } ro ? AccessRoles.Name(ro) : DBNull.Value);
        cmd.Parameters.AddWithValue("$a", action);
        cmd.Parameters.AddWithValue("$t", (object?)target ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$r", result);
        cmd.Parameters.AddWithValue("$d", (object?)detail ?? DBNull.Value);
        cmd.ExecuteNonQuery();
    }

    /// <summary>The newest audit rows first.</summary>
    public IReadOnlyList<AuditEntry> ReadAudit(int limit = 100)
    {
        using var c = _open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, at, who, uid, role, action, target, result, detail FROM audit_log ORDER BY id DESC LIMIT $l";
        cmd.Parameters.AddWithValue("$l", Math.Clamp(limit, 1, 10_000));
        using var r = cmd.ExecuteReader();
        var list = new List<AuditEntry>();
        while (r.Read())
        {
            list.Add(new AuditEntry(r.GetInt64(0), Parse(r.GetString(1)), r.GetString(2), r.IsDBNull(3) ? null : r.GetInt32(3),
                r.IsDBNull(4) ? null : r.GetString(4), r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6), r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8)));
        }
        return list;
    }

    private static TokenInfo ReadToken(SqliteDataReader r)
    {
        AccessRoles.TryParse(r.GetString(2), out var role);
        return new TokenInfo(r.GetInt64(0), r.GetString(1), role, Parse(r.GetString(3)),
            r.IsDBNull(4) ? null : Parse(r.GetString(4)), r.IsDBNull(5) ? null : Parse(r.GetString(5)));
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
