using System.Globalization;

namespace TapeChanger.State;

/// <summary>Brings a database to the newest schema: applies, in version order, every migration not yet in <c>schema_version</c>.</summary>
internal static class MigrationRunner
{
    private const string CreateVersionTable =
        "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

    /// <summary>Returns the highest applied version. Refuses a database holding a version this program does not know (a newer program wrote it).</summary>
    public static int Apply(StateDatabase db, IReadOnlyList<Migration> migrations)
    {
        // Fast path, no write lock: everything known is applied already.
        var applied = db.Read(tx => Applied(db, tx));
        if (applied is not null && Check(db, applied, migrations) is var pending && pending.Count == 0) return applied.DefaultIfEmpty().Max();

        return db.Write(tx =>
        {
            tx.Execute(CreateVersionTable);
            var now = Applied(db, tx)!;                       // again under the lock: another process may have migrated
            foreach (var m in Check(db, now, migrations))
            {
                foreach (string statement in m.Statements()) tx.Execute(db.Translate(statement));
                tx.Execute("INSERT INTO schema_version (version, name, applied_at) VALUES (@v, @n, @t)",
                    ("v", m.Version), ("n", m.Name), ("t", StateDatabase.Now()));
                now.Add(m.Version);
            }
            return now.DefaultIfEmpty().Max();
        });
    }

    private static List<int>? Applied(StateDatabase db, StateTransaction tx)
    {
        bool exists = Convert.ToInt64(tx.Scalar(db.TableExists, ("name", "schema_version")), CultureInfo.InvariantCulture) > 0;
        return exists ? tx.Query("SELECT version FROM schema_version ORDER BY version", r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)) : null;
    }

    private static List<Migration> Check(StateDatabase db, List<int> applied, IReadOnlyList<Migration> migrations)
    {
        var known = migrations.Select(m => m.Version).ToHashSet();
        if (applied.FirstOrDefault(v => !known.Contains(v)) is var unknown and > 0)
        {
            throw new StateDatabaseException(StateFailure.Failure, db.Path,
                $"has schema version {unknown}, newer than this tapechanger understands (up to {known.DefaultIfEmpty().Max()}); use the tapechanger that wrote it");
        }
        return [.. migrations.Where(m => !applied.Contains(m.Version))];
    }
}
