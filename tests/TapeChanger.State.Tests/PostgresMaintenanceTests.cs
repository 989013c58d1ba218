using System.Globalization;

namespace TapeChanger.State.Tests;

/// <summary>db check, backup and restore on PostgreSQL: consistency queries, a logical dump, a restore that never lets fencing tokens go back.</summary>
public class PostgresMaintenanceTests
{
    private static void Lease(StateDatabase db, string library, string owner, long token, bool held) => db.Write(tx => tx.Execute(
        "INSERT INTO library_leases (library, owner, token, expires_ms, acquired_ms, renewed_ms, queue_depth) VALUES (@l, @o, @t, " +
        (held ? db.NowMilliseconds + " + 600000" : "0") + ", 0, 0, 0) ON CONFLICT (library) DO UPDATE SET owner = excluded.owner, token = excluded.token, expires_ms = excluded.expires_ms",
        ("l", library), ("o", owner), ("t", token)));

    private static void Journal(StateDatabase db, string library, long seq, long token) => db.Write(tx => tx.Execute(
        "INSERT INTO move_journal (library, seq, request_id, step, token, owner, source, destination, barcode, at) VALUES (@l, @s, 'r', 'Moving', @t, 'A', 1000, 1001, 'X', 'now')",
        ("l", library), ("s", seq), ("t", token)));

    private static void Audit(StateDatabase db, string action) => db.Write(tx => tx.Execute(
        "INSERT INTO audit_log (at, who, action, result) VALUES ('2026-12-05', 'carol', @a, 'ok')", ("a", action)));

    private static List<string> Rows(StateDatabase db, string sql) => db.Read(tx => tx.Query(sql, r =>
        string.Join("|", Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? "NULL" : Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)))));

    [Theory, OnPostgres]
    public void The_check_passes_a_sound_database_and_names_each_inconsistency(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(Migration.BuiltIn);
        Lease(db, "v1", "A", 3, held: true);
        Journal(db, "v1", 1, 3);
        var ok = PostgresMaintenance.Check(db);
        Assert.True(ok.IntegrityOk, string.Join("; ", ok.Problems));
        Assert.Equal(Migration.BuiltIn.Max(m => m.Version), ok.SchemaVersion);
        Assert.Contains(("move_journal", 1L), ok.Tables);

        Journal(db, "v1", 2, 5);                                                // a token the lease never reached
        db.Write(tx => tx.Execute("INSERT INTO service_requests (id, sequence, library, state, submitted_at, record_json) VALUES ('q', 1, 'v1', 'Lost', 'now', '{}')"));
        db.Write(tx => tx.Execute("DELETE FROM schema_version WHERE version = 31"));
        var bad = PostgresMaintenance.Check(db);
        Assert.False(bad.IntegrityOk);
        Assert.Contains("move_journal: library v1 has entries under fencing token 5 but its lease is at 3", bad.Problems);
        Assert.Contains("service_requests: request q has an unknown state", bad.Problems);
        Assert.Contains(bad.Problems, p => p.StartsWith("migration 0031 ", StringComparison.Ordinal) && p.EndsWith(" is not applied", StringComparison.Ordinal));
    }

    [Theory, OnPostgres]
    public void A_backup_restores_the_rows_it_dumped_and_leaves_every_lease_free_with_tokens_never_going_back(Backend backend)
    {
        using var t = new TestDatabase(backend);
        using var dir = new TempDir();
        var db = t.Open(Migration.BuiltIn);
        Lease(db, "v1", "A", 3, held: true);
        Lease(db, "v2", "B", 7, held: false);
        Journal(db, "v1", 1, 3);
        Audit(db, "load");
        Audit(db, "unload");
        const string Audits = "SELECT id, action FROM audit_log ORDER BY id";
        var audits = Rows(db, Audits);
        string file = dir.File("state.jsonl");
        Assert.Equal(5, PostgresMaintenance.Backup(db, file));                // 2 leases, 1 journal entry, 2 audit rows

        var lines = File.ReadAllLines(file);
        Assert.StartsWith("{\"format\":\"tapechanger-state-dump\",\"version\":1,\"schema\":" + db.SchemaVersion.ToString(CultureInfo.InvariantCulture), lines[0]);
        Assert.Equal("{\"end\":" + (db.Read(tx => tx.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()", r => 0)).Count - 1).ToString(CultureInfo.InvariantCulture) + ",\"rows\":5}", lines[^1]);
        Assert.Contains("{\"table\":\"library_leases\",", lines.Single(l => l.Contains("\"table\":\"library_leases\"")));
        Assert.Throws<IOException>(() => PostgresMaintenance.Backup(db, file));   // never overwritten

        // After the backup: the leases moved on (v1 to token 9), another journal entry and audit row, a new library.
        Lease(db, "v1", "C", 9, held: true);
        Lease(db, "v3", "C", 4, held: true);
        Journal(db, "v1", 2, 9);
        Audit(db, "inventory");
        string kept = dir.File("state.jsonl.replaced");
        Assert.Equal(5, PostgresMaintenance.Restore(db, file, kept));

        Assert.Equal(audits, Rows(db, Audits));
        Assert.Equal(["v1|1|3"], Rows(db, "SELECT library, seq, token FROM move_journal ORDER BY library, seq"));
        // Every lease free; v1's token stays at 9 (not the dump's 3), v2 keeps 7, v3 (unknown to the dump) keeps its row and 4.
        Assert.Equal(["v1||9|0", "v2||7|0", "v3||4|0"], Rows(db, "SELECT library, owner, token, expires_ms FROM library_leases ORDER BY library"));
        Audit(db, "after");                                                     // the identity sequence goes on after the restored ids
        Assert.Equal(3, Rows(db, Audits).Count);
        Assert.True(PostgresMaintenance.Check(db).IntegrityOk);
        // What was replaced was dumped first (3 leases, 2 journal entries, 3 audit rows): restoring it brings them back.
        Assert.Equal(8, PostgresMaintenance.Restore(db, kept, null));
        Assert.Equal(2, Rows(db, "SELECT seq FROM move_journal").Count);
        Assert.Equal(["v1||9|0", "v2||7|0", "v3||4|0"], Rows(db, "SELECT library, owner, token, expires_ms FROM library_leases ORDER BY library"));
    }

    [Theory, OnPostgres]
    public void A_truncated_or_foreign_dump_is_refused_and_nothing_changes(Backend backend)
    {
        using var t = new TestDatabase(backend);
        using var dir = new TempDir();
        var db = t.Open(Migration.BuiltIn);
        Audit(db, "load");
        string file = dir.File("state.jsonl");
        PostgresMaintenance.Backup(db, file);
        Audit(db, "unload");

        string cut = dir.File("cut.jsonl");
        File.WriteAllLines(cut, File.ReadAllLines(file)[..^1]);
        Assert.Contains("(it ends before its end line: truncated); nothing was restored", Assert.Throws<StateDatabaseException>(() => PostgresMaintenance.Restore(db, cut, null)).Message);
        string older = dir.File("older.jsonl");
        File.WriteAllLines(older, File.ReadAllLines(file).Select((l, i) => i == 0 ? l.Replace($"\"schema\":{db.SchemaVersion}", "\"schema\":20") : l));
        Assert.Contains("was made at schema 20, this database is at schema", Assert.Throws<StateDatabaseException>(() => PostgresMaintenance.Restore(db, older, null)).Message);
        string sqlite = dir.File("sqlite.db");
        File.WriteAllBytes(sqlite, "SQLite format 3\0"u8.ToArray());
        Assert.Contains("is not a usable state dump", Assert.Throws<StateDatabaseException>(() => PostgresMaintenance.Restore(db, sqlite, null)).Message);
        Assert.Equal(2, Rows(db, "SELECT id FROM audit_log").Count);
    }

    [Theory, OnPostgres]
    public void Held_leases_are_listed_for_the_refusal_of_a_restore(Backend backend)
    {
        using var t = new TestDatabase(backend);
        var db = t.Open(Migration.BuiltIn);
        Lease(db, "v1", "A", 3, held: true);
        Lease(db, "v2", "B", 7, held: false);
        Assert.Equal([("v1", "A")], PostgresMaintenance.HeldLeases(db));
    }
}
