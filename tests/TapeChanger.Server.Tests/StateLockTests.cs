using TapeChanger.State;

namespace TapeChanger.Server.Tests;

/// <summary>`db restore` refuses to replace the state database under a running service (exit 75, one line).</summary>
public class StateLockTests
{
    [Fact]
    public async Task Db_restore_while_the_service_runs_is_refused_and_changes_nothing_then_works_once_it_stopped()
    {
        var host = ServiceHost.Start();
        string state = host.StateDirectory;
        string backup = Path.Combine(Path.GetTempPath(), $"tc-restore-{Guid.NewGuid():N}.db");
        try
        {
            Assert.Equal(0, host.RunCli("--device", "virtual:", "status").ExitCode);
            var b = host.RunCli("db", "backup", backup);
            Assert.True(b.ExitCode == 0, b.Stderr);
            // A token made after the backup: a restore would drop it.
            host.Token(Access.AccessRole.Viewer, "after-backup");
            string db = StateDatabase.PathIn(state);
            var replacedBefore = Directory.GetFiles(state, "*.replaced-*");

            var r = host.RunCli("db", "restore", backup);
            Assert.Equal(75, r.ExitCode);
            Assert.Equal("", r.Stdout);
            Assert.Matches(@"^tapechanger: a tapechangerd service is running on [^\n]+; stop it first \(systemctl stop tapechanger\), then restore\n$", r.Stderr);
            Assert.Equal(replacedBefore, Directory.GetFiles(state, "*.replaced-*"));
            Assert.Contains(host.Access.ListTokens(), t => t.Name == "after-backup");

            var json = host.RunCli("--json", "db", "restore", backup);
            Assert.Equal(75, json.ExitCode);
            Assert.Contains("\"Busy\"", json.Stdout, StringComparison.Ordinal);

            await host.App.StopAsync();
            StateDatabase.ReleaseConnections();
            var ok = host.RunCli("db", "restore", backup);
            Assert.True(ok.ExitCode == 0, ok.Stderr);
            Assert.Single(Directory.GetFiles(state, "tapechanger.db.replaced-*"), f => !f.EndsWith("-wal", StringComparison.Ordinal) && !f.EndsWith("-shm", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(backup);
            await host.DisposeAsync();
        }
    }
}
