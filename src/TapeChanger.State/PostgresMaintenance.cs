using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TapeChanger.State;

/// <summary>
/// <c>db check</c>, <c>db backup</c> and <c>db restore</c> for a PostgreSQL state database (fleet mode). PostgreSQL has
/// no single integrity check like SQLite's: the check is the schema (every migration applied, every table present) and
/// consistency queries over the service's tables. Backup and restore are a logical dump of the service's tables in
/// the format of docs/fleet.md ("State dump"): JSON lines, one header, per table a column line and its rows, an end line.
/// </summary>
public static class PostgresMaintenance
{
    public const string Format = "tapechanger-state-dump";
    public const int FormatVersion = 1;

    /// <summary>Schema, tables and consistency of a PostgreSQL state database; <see cref="StateCheckReport.Problems"/> lists what failed.</summary>
    public static StateCheckReport Check(StateDatabase db) => db.Read(tx =>
    {
        var problems = new List<string>();
        var applied = tx.Query("SELECT version FROM schema_version ORDER BY version", r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture));
        foreach (var m in Migration.BuiltIn.Where(m => !applied.Contains(m.Version))) problems.Add($"migration {m.Version:0000} {m.Name} is not applied");
        foreach (int v in applied.Where(v => Migration.BuiltIn.All(m => m.Version != v))) problems.Add($"schema version {v} is unknown to this program");
        var names = Tables(tx);
        foreach (string t in Expected.Where(t => !names.Contains(t))) problems.Add($"table {t} is missing");
        // An index a failed CREATE INDEX CONCURRENTLY or a crash left invalid is not used, and a unique one no longer enforces uniqueness.
        problems.AddRange(tx.Query("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace " +
            "WHERE n.nspname = current_schema() AND NOT (i.indisvalid AND i.indisready)", r => $"index {r.GetString(0)} is invalid (REINDEX it)"));
        var tables = names.Select(n => (n, Convert.ToInt64(tx.Scalar($"SELECT count(*) FROM \"{n}\""), CultureInfo.InvariantCulture))).ToList();
        if (names.Contains("library_leases"))
        {
            problems.AddRange(tx.Query("SELECT library FROM library_leases WHERE token < 0 OR (owner = '' AND token > 0 AND expires_ms > " + db.NowMilliseconds + ")",
                r => $"library_leases: {r.GetString(0)} is held by nobody but has not expired"));
        }
        if (names.Contains("move_journal") && names.Contains("library_leases"))
        {
            // A journal entry written under a token the lease never reached: tokens went back (a restore that kept old leases).
            problems.AddRange(tx.Query("SELECT j.library, max(j.token), min(l.token) FROM move_journal j JOIN library_leases l ON l.library = j.library " +
                "GROUP BY j.library HAVING max(j.token) > min(l.token)",
                r => $"move_journal: library {r.GetString(0)} has entries under fencing token {r.GetValue(1)} but its lease is at {r.GetValue(2)}"));
        }
        if (names.Contains("service_requests"))
        {
            problems.AddRange(tx.Query("SELECT id FROM service_requests WHERE state NOT IN ('Queued', 'InProcess', 'Waiting', 'Passed', 'Failed', 'Cancelled')",
                r => $"service_requests: request {r.GetString(0)} has an unknown state"));
        }
        return new StateCheckReport(db.Path, problems.Count == 0, problems, applied.DefaultIfEmpty().Max(), applied, tables);
    });

    /// <summary>The tables the built-in migrations create (the check reports a missing one).</summary>
    private static readonly string[] Expected = ["schema_version", "libraries", "device_index", "cleaner_reservations", "cleaner_cartridges", "cleaning_history",
        "pending_cleanings", "cleaner_operations", "learned_quirks", "learned_quirk_reasons", "service_requests", "operator_requests", "api_tokens", "audit_log",
        "library_leases", "fleet_members", "move_journal"];

    private static List<string> Tables(StateTransaction tx) => tx.Query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
        r => r.GetString(0));

    /// <summary>The libraries whose lease a service holds now: (library, service), for the refusal of a restore.</summary>
    public static IReadOnlyList<(string Library, string Owner)> HeldLeases(StateDatabase db) => db.Read(tx =>
        Tables(tx).Contains("library_leases")
            ? tx.Query($"SELECT library, owner FROM library_leases WHERE owner <> '' AND expires_ms > {db.NowMilliseconds} ORDER BY library", r => (r.GetString(0), r.GetString(1)))
            : []);

    private sealed record Column(string Name, string Type, bool Identity);

    /// <summary>
    /// The service's tables (every table of the schema but schema_version) in an order where a table comes after the
    /// tables its foreign keys name, with their columns.
    /// </summary>
    private static List<(string Table, List<Column> Columns)> Layout(StateTransaction tx)
    {
        var tables = Tables(tx).Where(t => t != "schema_version").ToList();
        var parents = tx.Query("SELECT c.relname, p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid " +
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = current_schema()", r => (Child: r.GetString(0), Parent: r.GetString(1)));
        var ordered = new List<string>();
        void Visit(string t, int depth)
        {
            if (ordered.Contains(t) || depth > tables.Count) return;
            foreach (var p in parents.Where(x => x.Child == t && x.Parent != t)) Visit(p.Parent, depth + 1);
            ordered.Add(t);
        }
        foreach (string t in tables) Visit(t, 0);
        return [.. ordered.Select(t => (t, tx.Query(
            "SELECT column_name, data_type, is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = @t ORDER BY ordinal_position",
            r => new Column(r.GetString(0), r.GetString(1), r.GetString(2) == "YES"), ("t", t))))];
    }

    /// <summary>
    /// Writes a dump of the service's tables to <paramref name="destination"/> (created owner-only, never overwritten)
    /// from one consistent snapshot; other services keep working. Returns the rows written.
    /// </summary>
    public static long Backup(StateDatabase db, string destination)
    {
        string target = Path.GetFullPath(destination);
        if (File.Exists(target) || Directory.Exists(target)) throw new IOException($"{target} already exists; give a new file name");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = Storage.AtomicFile.OwnerOnly;
        try
        {
            using var file = new FileStream(target, options);
            return Dump(db, file);
        }
        catch
        {
            File.Delete(target);
            throw;
        }
    }

    private static long Dump(StateDatabase db, Stream output) => db.Read(tx =>
    {
        using var w = new Utf8JsonWriter(output);
        long total = 0;
        void Line()
        {
            w.Flush();
            output.WriteByte((byte)'\n');
            w.Reset();
        }
        var layout = Layout(tx);
        w.WriteStartObject();
        w.WriteString("format", Format);
        w.WriteNumber("version", FormatVersion);
        w.WriteNumber("schema", Convert.ToInt32(tx.Scalar("SELECT max(version) FROM schema_version"), CultureInfo.InvariantCulture));
        w.WriteString("database", db.Path);
        w.WriteString("created", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteEndObject();
        Line();
        foreach (var (table, columns) in layout)
        {
            var rows = tx.Query($"SELECT {string.Join(", ", columns.Select(c => $"\"{c.Name}\""))} FROM \"{table}\" ORDER BY 1",
                r => Enumerable.Range(0, columns.Count).Select(i => r.IsDBNull(i) ? null : r.GetValue(i)).ToArray());
            w.WriteStartObject();
            w.WriteString("table", table);
            w.WriteStartArray("columns");
            foreach (var c in columns)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                w.WriteString("type", c.Type);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("rows", rows.Count);
            w.WriteEndObject();
            Line();
            foreach (var row in rows)
            {
                w.WriteStartArray();
                foreach (var v in row) WriteValue(w, v);
                w.WriteEndArray();
                Line();
            }
            total += rows.Count;
        }
        w.WriteStartObject();
        w.WriteNumber("end", layout.Count);
        w.WriteNumber("rows", total);
        w.WriteEndObject();
        Line();
        return total;
    });

    private static void WriteValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); break;
            case string s: w.WriteStringValue(s); break;
            case bool b: w.WriteBooleanValue(b); break;
            case short or int or long: w.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture)); break;
            case float or double or decimal: w.WriteNumberValue(Convert.ToDouble(v, CultureInfo.InvariantCulture)); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            default: w.WriteStringValue(Convert.ToString(v, CultureInfo.InvariantCulture)); break;
        }
    }

    /// <summary>A dump read back and checked: its schema and its tables with their rows.</summary>
    private sealed record ParsedDump(int Schema, List<(string Table, List<Column> Columns, List<JsonElement[]> Rows)> Tables);

    private static ParsedDump Parse(string from)
    {
        string Bad(string why) => throw new StateDatabaseException(StateFailure.Failure, from, $"is not a usable state dump ({why}); nothing was restored");
        var lines = File.ReadAllLines(from, Encoding.UTF8);
        if (lines.Length < 2) Bad("too short");
        JsonElement Json(int i)
        {
            try { using var d = JsonDocument.Parse(lines[i]); return d.RootElement.Clone(); }
            catch (JsonException e) { Bad($"line {i + 1}: {e.Message}"); return default; }
        }
        var head = Json(0);
        if (head.ValueKind != JsonValueKind.Object || !head.TryGetProperty("format", out var fmt) || fmt.GetString() != Format) Bad($"no '{Format}' header");
        if (!head.TryGetProperty("version", out var ver) || ver.GetInt32() != FormatVersion) Bad($"format version is not {FormatVersion}");
        int schema = head.GetProperty("schema").GetInt32();
        var tables = new List<(string, List<Column>, List<JsonElement[]>)>();
        int at = 1;
        while (true)
        {
            if (at >= lines.Length) Bad("it ends before its end line: truncated");
            var t = Json(at++);
            if (t.TryGetProperty("end", out var end))
            {
                long total = tables.Sum(x => (long)x.Item3.Count);
                if (end.GetInt32() != tables.Count || t.GetProperty("rows").GetInt64() != total) Bad("its end line does not match its tables");
                break;
            }
            string name = t.GetProperty("table").GetString()!;
            var cols = t.GetProperty("columns").EnumerateArray().Select(c => new Column(c.GetProperty("name").GetString()!, c.GetProperty("type").GetString()!, false)).ToList();
            long n = t.GetProperty("rows").GetInt64();
            var rows = new List<JsonElement[]>();
            for (long i = 0; i < n; i++)
            {
                if (at >= lines.Length) Bad($"table {name} ends early: truncated");
                var row = Json(at++);
                if (row.ValueKind != JsonValueKind.Array || row.GetArrayLength() != cols.Count) Bad($"line {at}: a row of {name} without its {cols.Count} values");
                rows.Add([.. row.EnumerateArray()]);
            }
            tables.Add((name, cols, rows));
        }
        return new ParsedDump(schema, tables);
    }

    /// <summary>
    /// Replaces the rows of the service's tables with those of the dump <paramref name="source"/>, in one transaction
    /// under the database-wide write lock (services' writes wait; a failure changes nothing). The dump must be whole
    /// and of this database's schema version, with the same tables and columns. Leases are not restored as they were:
    /// every lease is left expired and its fencing token is the larger of the dump's and the database's, so tokens never
    /// go back and every library is taken afresh (and reconciled) by the services. Before anything is replaced, the
    /// current rows are dumped to <paramref name="keepAs"/> (when given). Returns the rows restored.
    /// </summary>
    public static long Restore(StateDatabase db, string source, string? keepAs)
    {
        string from = Path.GetFullPath(source);
        if (!File.Exists(from)) throw new FileNotFoundException($"backup {from} not found", from);
        var dump = Parse(from);
        if (dump.Schema != db.SchemaVersion)
        {
            throw new StateDatabaseException(StateFailure.Failure, from,
                $"was made at schema {dump.Schema}, this database is at schema {db.SchemaVersion}; restore it with the program version that made it; nothing was restored");
        }
        if (keepAs is not null) Backup(db, keepAs);
        return db.Write(tx =>
        {
            var layout = Layout(tx);
            string Mismatch(string why) => throw new StateDatabaseException(StateFailure.Failure, from, $"does not match this database's tables ({why}); nothing was restored");
            if (!layout.Select(l => l.Table).Order().SequenceEqual(dump.Tables.Select(t => t.Table).Order())) Mismatch("a different set of tables");
            var tokens = layout.Any(l => l.Table == "library_leases")
                ? tx.Query("SELECT library, token FROM library_leases", r => (r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture))).ToDictionary(x => x.Item1, x => x.Item2)
                : [];
            tx.Execute($"TRUNCATE {string.Join(", ", layout.Select(l => $"\"{l.Table}\""))}");
            long restored = 0;
            foreach (var (table, columns) in layout)
            {
                var d = dump.Tables.Single(t => t.Table == table);
                if (!d.Columns.Select(c => c.Name).SequenceEqual(columns.Select(c => c.Name))) Mismatch($"the columns of {table}");
                string sql = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c.Name}\""))}) " +
                    (columns.Any(c => c.Identity) ? "OVERRIDING SYSTEM VALUE " : "") +
                    $"VALUES ({string.Join(", ", columns.Select((c, i) => $"CAST(@p{i} AS {c.Type})"))})";
                foreach (var row in d.Rows)
                {
                    tx.Execute(sql, [.. columns.Select((c, i) => ($"p{i}", Value(row[i], c.Type)))]);
                    restored++;
                }
                foreach (var c in columns.Where(c => c.Identity))
                {
                    tx.Execute($"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{c.Name}'), GREATEST(1, (SELECT COALESCE(max(\"{c.Name}\"), 0) FROM \"{table}\")))");
                }
            }
            if (layout.Any(l => l.Table == "library_leases"))
            {
                foreach (var (library, token) in tokens)
                {
                    // A library the dump does not know keeps its row (and token): the next lease taken on it goes on from there.
                    tx.Execute("INSERT INTO library_leases (library, owner, token, expires_ms, acquired_ms, renewed_ms, queue_depth) VALUES (@l, '', @t, 0, 0, 0, 0) " +
                        "ON CONFLICT (library) DO UPDATE SET token = GREATEST(library_leases.token, excluded.token)", ("l", library), ("t", token));
                }
                tx.Execute("UPDATE library_leases SET owner = '', owner_url = NULL, expires_ms = 0");
            }
            return restored;
        });
    }

    private static object? Value(JsonElement e, string type) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number when type is "double precision" or "real" or "numeric" => e.GetDouble(),
        JsonValueKind.Number => e.GetInt64(),
        JsonValueKind.String when type == "bytea" => e.GetBytesFromBase64(),
        _ => e.GetString(),
    };
}
