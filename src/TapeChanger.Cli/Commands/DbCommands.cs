using System.CommandLine;
using System.Text;
using TapeChanger.Cli.Output;
using TapeChanger.State;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// `db check|backup PATH|restore PATH`: the operator's tools for the state database of the state directory, or for
/// the shared PostgreSQL database when one is configured (TAPECHANGER_DATABASE): there the check is schema and
/// consistency queries and backup/restore a logical dump (<see cref="PostgresMaintenance"/>).
/// </summary>
internal static class DbCommands
{
    public static Command Build()
    {
        var cmd = new Command("db", $"The state database ({StateDatabase.FileName} in the state directory, or the PostgreSQL database of TAPECHANGER_DATABASE): check, back up, restore.");
        cmd.Subcommands.Add(Check());
        cmd.Subcommands.Add(Backup());
        cmd.Subcommands.Add(Restore());
        return cmd;
    }

    private static Command Check()
    {
        var cmd = new Command("check", "Run SQLite's integrity check (PostgreSQL: schema, index and consistency queries) and show the schema version and the rows per table (exit 78 when damaged).");
        cmd.SetAction(Handler((ctx, _, _) =>
        {
            string path = StateDatabase.PathIn(ctx.StateDirectory);
            bool shared = StateDatabase.SharedDatabase is not null;
            if (!shared && !File.Exists(path))
            {
                ctx.Emit(new DbCheckDocument(path, false, true, [], 0, [], new Dictionary<string, long>()), static () => CliJsonContext.Default.DbCheckDocument,
                    $"no state database at {path}: nothing saved yet");
                return Task.CompletedTask;
            }
            var db = StateDatabase.Open(ctx.StateDirectory);
            var report = shared ? PostgresMaintenance.Check(db) : StateMaintenance.Check(db);
            if (!report.IntegrityOk)
            {
                throw new StateDatabaseException(StateFailure.Failure, path,
                    $"fails the integrity check ({report.Problems.Count} problem(s), first: {report.Problems[0]}); restore a backup (tapechanger db restore)");
            }
            var names = Migration.BuiltIn.ToDictionary(m => m.Version, m => m.Name);
            var text = new StringBuilder();
            text.AppendLine($"database: {report.Path}");
            text.AppendLine(shared ? "integrity: ok (every migration applied, every table present, indexes valid, leases, journal tokens and request states consistent)" : "integrity: ok");
            text.AppendLine($"schema: {report.SchemaVersion} ({string.Join(", ", report.AppliedVersions.Select(v => $"{v:0000} {names.GetValueOrDefault(v, "?")}"))})");
            text.Append("rows: " + string.Join(", ", report.Tables.Where(t => t.Table != "schema_version").Select(t => $"{t.Table} {t.Rows}")));
            ctx.Emit(new DbCheckDocument(report.Path, true, true, [], report.SchemaVersion, report.AppliedVersions,
                report.Tables.ToDictionary(t => t.Table, t => t.Rows)), static () => CliJsonContext.Default.DbCheckDocument, text.ToString());
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Backup()
    {
        var file = new Argument<string>("PATH") { Description = "The backup file to create (must not exist)." };
        var cmd = new Command("backup", "Copy the state database to PATH with SQLite's online backup (PostgreSQL: a dump of the service's tables from one snapshot, JSON lines); other processes may keep working.") { file };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            string path = StateDatabase.PathIn(ctx.StateDirectory);
            if (StateDatabase.SharedDatabase is not null)
            {
                string to = Path.GetFullPath(p.GetValue(file)!);
                if (File.Exists(to) || Directory.Exists(to)) throw new UsageException($"{to} already exists; give a new file name");
                var shared = StateDatabase.Open(ctx.StateDirectory);
                long rows = PostgresMaintenance.Backup(shared, to);
                ctx.Emit(new DbFileDocument(path, to, shared.SchemaVersion, null), static () => CliJsonContext.Default.DbFileDocument,
                    $"backed up {path} (schema {shared.SchemaVersion}, {rows} rows) to {to} (a tapechanger state dump)");
                return Task.CompletedTask;
            }
            if (!File.Exists(path)) throw new UsageException($"no state database at {path}: nothing to back up") { ExitCode = ExitCodes.NoInput };
            string target = Path.GetFullPath(p.GetValue(file)!);
            if (File.Exists(target) || Directory.Exists(target)) throw new UsageException($"{target} already exists; give a new file name");
            var db = StateDatabase.Open(ctx.StateDirectory);
            StateMaintenance.Backup(db, target);
            ctx.Emit(new DbFileDocument(path, target, db.SchemaVersion, null), static () => CliJsonContext.Default.DbFileDocument,
                $"backed up {path} (schema {db.SchemaVersion}) to {target}");
            return Task.CompletedTask;
        }));
        return cmd;
    }

    private static Command Restore()
    {
        var file = new Argument<string>("PATH") { Description = "A backup made with `db backup` (checked before anything is replaced)." };
        var force = new Option<bool>("--force") { Description = "PostgreSQL: restore even while services hold library leases (they lose them and take the libraries afresh)." };
        var cmd = new Command("restore", "Replace the state database with a checked backup; the replaced database is kept beside it (PostgreSQL: the replaced rows are dumped beside the backup). Refused (exit 75) while a tapechangerd service runs on the state directory (PostgreSQL: while a service holds a library's lease, unless --force).") { file, force };
        cmd.SetAction(Handler((ctx, p, _) =>
        {
            string source = Path.GetFullPath(p.GetValue(file)!);
            string path = StateDatabase.PathIn(ctx.StateDirectory);
            if (StateDatabase.SharedDatabase is not null)
            {
                if (!File.Exists(source)) throw new UsageException($"no backup at {source}") { ExitCode = ExitCodes.NoInput };
                var db = StateDatabase.Open(ctx.StateDirectory);
                var held = PostgresMaintenance.HeldLeases(db);
                if (held.Count > 0 && !p.GetValue(force))
                {
                    throw new StateInUseException($"services hold the leases of {held.Count} librar{(held.Count == 1 ? "y" : "ies")} ({string.Join(", ", held.Take(5).Select(h => $"{h.Library} by {h.Owner}"))}" +
                        $"{(held.Count > 5 ? ", ..." : "")}); stop them first, or give --force (they then lose the leases and take the libraries afresh)");
                }
                string keep = $"{source}.replaced-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture)}";
                long rows = PostgresMaintenance.Restore(db, source, keep);
                ctx.Emit(new DbFileDocument(path, source, db.SchemaVersion, keep), static () => CliJsonContext.Default.DbFileDocument,
                    $"restored {source} into {path} (schema {db.SchemaVersion}, {rows} rows; every lease left free); the replaced rows are kept as {keep}");
                return Task.CompletedTask;
            }
            // A running service holds tapechangerd.lock shared: replacing its database under it would lose what it
            // writes next. Held exclusively here, no service starts until the restore has ended.
            using var service = ServiceLock.TryExclusive(ctx.StateDirectory) ?? throw new StateInUseException(
                $"a tapechangerd service is running on {Path.GetFullPath(ctx.StateDirectory)} (it holds {ServiceLock.PathIn(ctx.StateDirectory)}); stop it first (systemctl stop tapechanger), then restore");
            string? kept = StateMaintenance.Restore(ctx.StateDirectory, source);
            int schema = StateDatabase.Open(ctx.StateDirectory).SchemaVersion;
            ctx.Emit(new DbFileDocument(path, source, schema, kept), static () => CliJsonContext.Default.DbFileDocument,
                $"restored {source} into {path} (schema {schema})" + (kept is null ? "" : $"; the replaced database is kept as {kept}"));
            return Task.CompletedTask;
        }));
        return cmd;
    }
}
