using System.Diagnostics;
using TapeChanger.Testing;

namespace TapeChanger.Storage.Tests;

public sealed class FileLockTests
{
    [Fact]
    public void Backoff_is_10ms_doubling_to_200ms()
    {
        Assert.Equal([10, 20, 40, 80, 160, 200, 200, 200],
            Enumerable.Range(0, 8).Select(i => (int)FileLock.Backoff(i).TotalMilliseconds));
        Assert.Equal(200, FileLock.Backoff(int.MaxValue).TotalMilliseconds);
    }

    [Fact]
    public void A_held_lock_cannot_be_taken_again_until_it_is_released()
    {
        using var dir = new TempDir();
        string path = dir["x.lock"];
        using (var held = FileLock.TryAcquire(path))
        {
            Assert.NotNull(held);
            Assert.Null(FileLock.TryAcquire(path));
        }
        using var again = FileLock.TryAcquire(path);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task Acquire_times_out_with_the_lock_path_and_the_wait()
    {
        using var dir = new TempDir();
        string path = dir["x.lock"];
        using var held = FileLock.Acquire(path, TimeSpan.Zero);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<FileLockTimeoutException>(() => FileLock.Acquire(path, TimeSpan.FromMilliseconds(150)));
        Assert.InRange(clock.ElapsedMilliseconds, 150, 5000);
        Assert.Equal(path, e.LockPath);
        Assert.Contains(path, e.Message);
        await Assert.ThrowsAsync<FileLockTimeoutException>(() => FileLock.AcquireAsync(path, TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public async Task A_waiter_gets_the_lock_when_the_holder_releases_it()
    {
        using var dir = new TempDir();
        string path = dir["x.lock"];
        var held = FileLock.Acquire(path, TimeSpan.Zero);
        var waiter = FileLock.AcquireAsync(path, TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        Assert.False(waiter.IsCompleted);
        held.Dispose();
        using var got = await waiter;
        Assert.Equal(path, got.Path);
    }

    [Fact]
    public void Read_change_write_under_the_lock_loses_no_update()
    {
        using var dir = new TempDir();
        string data = dir["counter"], lockPath = dir["counter.lock"];
        AtomicFile.Write(data, "0"u8);
        Parallel.For(0, 8, _ =>
        {
            for (int i = 0; i < 25; i++)
            {
                using var l = FileLock.Acquire(lockPath, TimeSpan.FromSeconds(30));
                int n = int.Parse(File.ReadAllText(data));
                AtomicFile.Write(data, System.Text.Encoding.ASCII.GetBytes((n + 1).ToString()));
            }
        });
        Assert.Equal("200", File.ReadAllText(data));
    }

    // Another process: util-linux flock(1) takes flock(2) LOCK_EX, the lock .NET takes for FileShare.None on Unix.
    private static Process Flock(params string[] args)
    {
        Assert.True(File.Exists("/usr/bin/flock"), "flock(1) from util-linux is needed for the cross-process lock tests");
        var psi = new ProcessStartInfo("/usr/bin/flock") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [UnixFact]
    public void Another_process_holding_the_lock_makes_us_wait_until_it_exits()
    {
        using var dir = new TempDir();
        string path = dir["x.lock"], marker = dir["ready"];
        using var other = Flock(path, "sh", "-c", $"touch '{marker}'; sleep 0.6");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!File.Exists(marker) && DateTime.UtcNow < deadline) Thread.Sleep(10);
        Assert.Null(FileLock.TryAcquire(path));
        var clock = Stopwatch.StartNew();
        using var got = FileLock.Acquire(path, TimeSpan.FromSeconds(10));
        other.WaitForExit();
        Assert.InRange(clock.ElapsedMilliseconds, 200, 10_000);
    }

    [UnixFact]
    public void Another_process_cannot_take_the_lock_while_we_hold_it()
    {
        using var dir = new TempDir();
        string path = dir["x.lock"];
        using (FileLock.Acquire(path, TimeSpan.Zero))
        {
            using var busy = Flock("-n", path, "true");
            busy.WaitForExit();
            Assert.Equal(1, busy.ExitCode);
        }
        using var free = Flock("-n", path, "true");
        free.WaitForExit();
        Assert.Equal(0, free.ExitCode);
    }
}
