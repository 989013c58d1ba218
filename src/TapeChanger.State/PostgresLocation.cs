using Npgsql;

namespace TapeChanger.State;

/// <summary>
/// A <c>postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?sslmode=...&amp;connect_timeout=S&amp;application_name=...]</c>
/// URI (libpq's URI form, PostgreSQL manual "Connection URIs") as an Npgsql connection string, and the same URI
/// without its password, for messages.
/// </summary>
public sealed record PostgresLocation(string ConnectionString, string Display, string User, string Database, string Endpoint)
{
    public static bool IsPostgres(string? database) =>
        database is not null && (database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses the URI; anything else is an <see cref="ArgumentException"/> with a one-line reason.</summary>
    public static PostgresLocation Parse(string uri)
    {
        if (!IsPostgres(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out var u) || u.Host.Length == 0)
        {
            throw new ArgumentException($"Database '{Redact(uri)}' is not a postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE URI");
        }
        string database = Uri.UnescapeDataString(u.AbsolutePath.Trim('/'));
        if (database.Length == 0) throw new ArgumentException($"Database '{Redact(uri)}' names no database (postgresql://HOST[:PORT]/DATABASE)");
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = u.Host.Trim('[', ']'),
            Port = u.IsDefaultPort || u.Port <= 0 ? 5432 : u.Port,
            Database = database,
            Timeout = 5,
            CommandTimeout = 30,
            ApplicationName = "tapechanger",
            MaxPoolSize = 20,
        };
        string user = "";
        if (u.UserInfo.Length > 0)
        {
            string[] parts = u.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            b.Username = user;
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (string pair in u.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]), value = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            switch (key)
            {
                case "sslmode": b.SslMode = Enum.TryParse<SslMode>(value.Replace("-", ""), true, out var m) ? m : throw new ArgumentException($"Database: unknown sslmode '{value}'"); break;
                case "connect_timeout": b.Timeout = int.TryParse(value, out int t) && t > 0 ? t : throw new ArgumentException($"Database: connect_timeout '{value}' is not a number of seconds"); break;
                case "application_name": b.ApplicationName = value; break;
                case "pool_size": b.MaxPoolSize = int.TryParse(value, out int p) && p > 0 ? p : throw new ArgumentException($"Database: pool_size '{value}' is not a positive number"); break;
                default: throw new ArgumentException($"Database: unknown parameter '{key}' (sslmode, connect_timeout, application_name, pool_size)");
            }
        }
        string endpoint = $"{b.Host}:{b.Port}";
        string display = $"postgresql://{(user.Length > 0 ? user + "@" : "")}{endpoint}/{database}";
        return new PostgresLocation(b.ToString(), display, user, database, endpoint);
    }

    /// <summary>The URI without a password (for error messages).</summary>
    public static string Redact(string uri)
    {
        int scheme = uri.IndexOf("://", StringComparison.Ordinal), at = uri.LastIndexOf('@');
        if (scheme < 0 || at < scheme) return uri;
        string info = uri[(scheme + 3)..at];
        int colon = info.IndexOf(':');
        return colon < 0 ? uri : uri[..(scheme + 3)] + info[..colon] + ":***" + uri[at..];
    }
}
