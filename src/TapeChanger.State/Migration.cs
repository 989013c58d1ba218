using System.Reflection;

namespace TapeChanger.State;

/// <summary>
/// One schema step: <c>Migrations/NNNN_name.sql</c>, embedded in this assembly. Versions are applied in ascending
/// order, each once, each in its own write transaction together with its <c>schema_version</c> row. Version ranges
/// per area keep parallel work from colliding: 0001-0009 state foundation and cleaner, 0010-0019 service engine
/// (request queue, operator requests), 0020-0029 service API (tokens, audit), 0030-0039 fleet (leases, fenced move journal). The SQL is portable (INTEGER, BIGINT,
/// TEXT, no SQLite-only syntax) so the same files can build the schema on PostgreSQL.
/// </summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>
    /// The SQL text, or null until first read for a built-in migration (two threads may both read it: the same text): a
    /// database already at the newest schema is checked by versions alone, and reading every migration's text from the
    /// resources whenever a command opened the database cost 0.2 million instructions (docs/performance.md).
    /// </summary>
    private string? _sql = Sql;
    private readonly Func<string>? _load;

    public string Sql
    {
        get => _sql ??= _load!();
        init => _sql = value;
    }

    private Migration(int version, string name, Func<string> load) : this(version, name, Sql: null!) => _load = load;

    /// <summary>The migrations built into this program, in order.</summary>
    public static IReadOnlyList<Migration> BuiltIn { get; } = Load(typeof(Migration).Assembly);

    internal static IReadOnlyList<Migration> Load(Assembly assembly)
    {
        var list = new List<Migration>();
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!TryParseResourceName(resource, out int version, out string name)) continue;
            list.Add(new Migration(version, name, () =>
            {
                using var stream = assembly.GetManifestResourceStream(resource)!;
                using var reader = new StreamReader(stream);
                return reader.ReadToEnd();
            }));
        }
        return Ordered(list);
    }

    /// <summary>
    /// <c>migrations.NNNN_name.sql</c> (four ASCII digits, a name of ASCII letters, digits and '_'): its version and
    /// name; false for any other resource name.
    /// </summary>
    internal static bool TryParseResourceName(string resource, out int version, out string name)
    {
        const string Prefix = "migrations.", Suffix = ".sql";
        version = 0;
        name = "";
        if (resource.Length < Prefix.Length + 6 + Suffix.Length
            || !resource.StartsWith(Prefix, StringComparison.Ordinal) || !resource.EndsWith(Suffix, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> body = resource.AsSpan(Prefix.Length, resource.Length - Prefix.Length - Suffix.Length);
        if (body[4] != '_' || !char.IsAsciiDigit(body[0]) || !char.IsAsciiDigit(body[1]) || !char.IsAsciiDigit(body[2]) || !char.IsAsciiDigit(body[3])) return false;
        ReadOnlySpan<char> rest = body[5..];
        foreach (char c in rest)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        }
        version = (body[0] - '0') * 1000 + (body[1] - '0') * 100 + (body[2] - '0') * 10 + (body[3] - '0');
        name = rest.ToString();
        return true;
    }

    /// <summary>Sorts by version; two migrations with one version are a build mistake and throw.</summary>
    internal static IReadOnlyList<Migration> Ordered(IEnumerable<Migration> migrations)
    {
        var sorted = migrations.OrderBy(m => m.Version).ToList();
        for (int i = 1; i < sorted.Count; i++)
        {
            if (sorted[i].Version == sorted[i - 1].Version)
            {
                throw new InvalidOperationException($"two migrations numbered {sorted[i].Version:0000}: {sorted[i - 1].Name} and {sorted[i].Name}");
            }
        }
        return sorted;
    }

    /// <summary>The statements of <see cref="Sql"/>, split at semicolons that end a line (no procedural bodies in migrations).</summary>
    public IEnumerable<string> Statements()
    {
        var text = string.Join('\n', Sql.Split('\n').Select(l => l.TrimEnd()).Where(l => !l.TrimStart().StartsWith("--", StringComparison.Ordinal)));
        foreach (string part in text.Split(";\n"))
        {
            string s = part.Trim().TrimEnd(';').Trim();
            if (s.Length > 0) yield return s;
        }
    }
}
