using System.Diagnostics;

namespace TapeChanger.State.Tests;

/// <summary>
/// The migrations are portable SQL: every built-in migration runs, statement by statement as the runner splits it,
/// on a throw-away PostgreSQL 15 cluster (initdb as the postgres user, a Unix socket in a temp folder, no TCP). Where
/// PostgreSQL 15 is not installed or this is not root, the test is reported as skipped with the reason.
/// </summary>
public class PostgresPortabilityTests
{
    internal const string Bin = "/usr/lib/postgresql/15/bin";

    [ThrowAwayPostgresFact]
    public void Every_built_in_migration_runs_on_postgresql()
    {
        string dir = Directory.CreateTempSubdirectory("tc-pg-").FullName;
        string data = Path.Combine(dir, "data");
        Run("chown", "postgres", dir);
        Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "initdb"), "-A", "trust", "-U", "postgres", "-D", data);
        Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", data, "-w", "-l", Path.Combine(dir, "log"),
            "-o", $"-k {dir} -c listen_addresses='' -p 55432", "start");
        try
        {
            foreach (var m in Migration.BuiltIn)
            {
                string sql = "BEGIN;\n" + string.Join(";\n", m.Statements()) + ";\nCOMMIT;\n";
                string file = Path.Combine(dir, $"{m.Version:0000}.sql");
                File.WriteAllText(file, sql);
                Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "psql"), "-h", dir, "-p", "55432", "-U", "postgres",
                    "-v", "ON_ERROR_STOP=1", "-q", "-f", file);
            }
            string tables = Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "psql"), "-h", dir, "-p", "55432", "-U", "postgres",
                "-At", "-c", "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'");
            Assert.Contains("cleaner_operations", tables);
            Assert.Contains("learned_quirks", tables);
        }
        finally
        {
            Run("runuser", "-u", "postgres", "--", Path.Combine(Bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop");
            Directory.Delete(dir, true);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} exited {p.ExitCode}: {error}{output}");
        return output;
    }
}

/// <summary>A fact that starts its own PostgreSQL 15 cluster: skipped, with the reason, where it cannot.</summary>
public sealed class ThrowAwayPostgresFactAttribute : FactAttribute
{
    public ThrowAwayPostgresFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux only (PostgreSQL 15 from Debian)";
        else if (Environment.UserName != "root") Skip = "needs root (initdb runs as the postgres user)";
        else if (!File.Exists(Path.Combine(PostgresPortabilityTests.Bin, "initdb"))) Skip = "PostgreSQL 15 is not installed (Debian: apt install postgresql-15)";
    }
}
