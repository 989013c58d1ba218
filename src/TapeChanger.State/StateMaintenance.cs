using System.Globalization;
using Microsoft.Data.Sqlite;
using TapeChanger.Storage;

namespace TapeChanger.State;

/// <summary>What <c>db check</c> found: SQLite's integrity check, the schema, and the rows per table.</summary>
public sealed record StateCheckReport(string Path, bool IntegrityOk, IReadOnlyList<string> Problems, int SchemaVersion,
    IReadOnlyList<int> AppliedVersions, IReadOnlyList<(string Table, long Rows)> Tables);

/// <summary>The operator's tools: check, online backup, validated restore.</summary>
public static class StateMaintenance
{
    /// <summary>Runs PRAGMA integrity_check and reads the schema versions and the row count of every table.</summary>
    public static StateCheckReport Check(StateDatabase db) => db.Read(tx =>
    {
        var problems = tx.Query("PRAGMA integrity_check", r => r.GetString(0)).Where(l => l != "ok").ToList();
        var applied = tx.Query("SELECT version FROM schema_version ORDER BY version", r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture));
        var names = tx.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", r => r.GetString(0));
        var tables = names.Select(n => (n, Convert.ToInt64(tx.Scalar($"SELECT count(*) FROM \"{n}\""), CultureInfo.InvariantCulture))).ToList();
        return new StateCheckReport(db.Path, problems.Count == 0, problems, applied.DefaultIfEmpty().Max(), applied, tables);
    });

    /// <summary>
    /// Copies the live database to <paramref name="destination"/> with SQLite's online backup (a consistent copy while
    /// other processes keep working), created owner-only. Refuses to overwrite an existing file.
    /// </summary>
    public static void Backup(StateDatabase db, string destination)
    {
        string target = Path.GetFullPath(destination);
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new IOException($"{target} already exists; give a new file name");
        }
        StateDatabase.Guard(db.Path, () =>
        {
            using var source = db.Connect();
            CreateOwnerOnly(target);
            try
            {
                using var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
                copy.Open();
                source.BackupDatabase(copy);
                // The copy is one self-contained file: no WAL beside it.
                StateDatabase.Exec(copy, "PRAGMA journal_mode=DELETE");
            }
            catch
            {
                File.Delete(target);
                throw;
            }
            return 0;
        });
    }

    /// <summary>
    /// Replaces the database of <paramref name="stateDirectory"/> with <paramref name="source"/> after checking it:
    /// it must be a SQLite database that passes the integrity check and whose schema this program knows (an older one
    /// is migrated). The replaced database is kept beside it as <c>tapechanger.db.replaced-TIME</c>; returns that name
    /// (null when there was none). Other processes must not use the state directory meanwhile.
    /// </summary>
    public static string? Restore(string stateDirectory, string source)
    {
        string from = Path.GetFullPath(source);
        if (!File.Exists(from)) throw new FileNotFoundException($"backup {from} not found", from);
        string live = StateDatabase.PathIn(stateDirectory);
        AtomicFile.CreatePrivateDirectory(Path.GetDirectoryName(live)!);
        string staged = live + ".restoring";
        DeleteWithCompanions(staged);
        StateDatabase.ReleaseConnections();
        try
        {
            File.Copy(from, staged);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(staged, AtomicFile.OwnerOnly);
            var header = new byte[16];
            using (var f = File.OpenRead(staged)) f.ReadExactly(header.AsSpan(0, Math.Min(16, (int)Math.Min(16, f.Length))));
            if (!header.AsSpan().SequenceEqual("SQLite format 3\0"u8))
            {
                throw new StateDatabaseException(StateFailure.Failure, from, "is not a SQLite database; nothing was restored");
            }
            try
            {
                var candidate = StateDatabase.OpenFile(staged);       // refuses a newer schema, migrates an older one
                var report = Check(candidate);
                if (!report.IntegrityOk)
                {
                    throw new StateDatabaseException(StateFailure.Failure, from, $"fails the integrity check ({report.Problems[0]}); nothing was restored");
                }
            }
            catch (StateDatabaseException e) when (e.DatabasePath == staged)
            {
                throw new StateDatabaseException(e.Kind, from, e.Problem.Replace("; restore a backup (tapechanger db restore)", "") + "; nothing was restored", e);
            }
            StateDatabase.ReleaseConnections();                      // checkpoints and closes: the staged file is whole
            string? kept = null;
            if (File.Exists(live))
            {
                kept = $"{live}.replaced-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
                foreach (string suffix in Companions) if (File.Exists(live + suffix)) File.Move(live + suffix, kept + suffix);
            }
            File.Move(staged, live);
            return kept;
        }
        finally
        {
            DeleteWithCompanions(staged);
        }
    }

    private static readonly string[] Companions = ["", "-wal", "-shm"];

    private static void DeleteWithCompanions(string path)
    {
        foreach (string suffix in Companions) File.Delete(path + suffix);
    }

    private static void CreateOwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = AtomicFile.OwnerOnly;
        using var _ = new FileStream(path, options);
    }
}
