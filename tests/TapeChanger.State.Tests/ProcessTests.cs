using System.Diagnostics;
using System.Globalization;

namespace TapeChanger.State.Tests;

/// <summary>Separate processes on one database file: no lost update, and a kill -9 loses nothing acknowledged.</summary>
public class ProcessTests
{
    private static Process Child(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(ProcessTests).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Fact]
    public async Task Three_processes_incrementing_200_times_each_lose_no_update()
    {
        using var dir = new TempDir();
        var db = StateDatabase.OpenFile(dir.File("test.db"), TestMigrations.CounterSchema);
        var children = Enumerable.Range(0, 3).Select(_ => Child("increment", dir.Path, "200")).ToList();
        foreach (var c in children)
        {
            await c.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(c.ExitCode == 0, await c.StandardError.ReadToEndAsync());
        }
        Assert.Equal(600, TestMigrations.Counter(db));
    }

    [Fact]
    public async Task Kill_9_in_a_write_loop_loses_no_acknowledged_update()
    {
        using var dir = new TempDir();
        StateDatabase.OpenFile(dir.File("test.db"), TestMigrations.CounterSchema);
        using var child = Child("journal", dir.Path);
        long lastAck = 0;
        while (lastAck < 150 && await child.StandardOutput.ReadLineAsync() is { } line)
        {
            lastAck = long.Parse(line["ack ".Length..], CultureInfo.InvariantCulture);
        }
        child.Kill();                                                 // SIGKILL on Unix: no cleanup runs
        await child.WaitForExitAsync();
        Assert.True(lastAck >= 150, await child.StandardError.ReadToEndAsync());

        StateDatabase.ReleaseConnections();
        var db = StateDatabase.OpenFile(dir.File("test.db"), TestMigrations.CounterSchema);
        Assert.True(StateMaintenance.Check(db).IntegrityOk);
        long counter = TestMigrations.Counter(db);
        var rows = db.Read(tx => tx.Query("SELECT n FROM journal ORDER BY n", r => r.GetInt64(0)));
        Assert.True(counter >= lastAck, $"acknowledged {lastAck}, found {counter}");
        Assert.Equal(Enumerable.Range(1, (int)counter).Select(i => (long)i), rows);   // every committed row, no partial one
    }
}
