namespace TapeChanger.Cli.Tests;

/// <summary>The test runner itself: what the process-level tests rely on.</summary>
public sealed class CliRunnerTests
{
    [Fact]
    public void Threads_that_start_processes_at_once_share_one_state_directory()
    {
        // Concurrent_processes_do_not_lose_moves starts its four processes from four threads; each reads
        // StateDirectory first. With an unguarded lazy `??=` two threads could each create a directory, and the moves
        // of one process went to a library the test never read.
        for (int round = 0; round < 20; round++)
        {
            using var cli = new CliRunner();
            using var start = new Barrier(8);
            var seen = new string[8];
            var threads = Enumerable.Range(0, 8).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                seen[i] = cli.StateDirectory;
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.Single(seen.Distinct());
            Assert.True(Directory.Exists(seen[0]));
        }
    }
}
