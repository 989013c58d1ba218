using System.Text;
using TapeChanger.Testing;

namespace TapeChanger.Storage.Tests;

public sealed class AtomicFileTests
{
    [Fact]
    public void Write_creates_and_replaces_the_file_and_leaves_no_temp()
    {
        using var dir = new TempDir();
        string path = dir["state.json"];
        AtomicFile.Write(path, "first"u8);
        Assert.Equal("first", File.ReadAllText(path));
        AtomicFile.Write(path, "second, longer"u8);
        Assert.Equal("second, longer", File.ReadAllText(path));
        AtomicFile.Write(path, "3"u8);
        Assert.Equal("3", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_writer_that_fails_half_way_leaves_the_good_file_untouched_and_removes_its_temp()
    {
        using var dir = new TempDir();
        string path = dir["state.json"];
        AtomicFile.Write(path, "good"u8);
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("partial-"u8);
            s.Flush();
            throw new InvalidOperationException("crash in the middle of the write");
        }));
        Assert.Equal("crash in the middle of the write", e.Message);
        Assert.Equal("good", File.ReadAllText(path));
        Assert.Equal(["state.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_temp_left_by_a_crashed_process_neither_blocks_nor_replaces_the_next_write()
    {
        using var dir = new TempDir();
        string path = dir["state.json"];
        AtomicFile.Write(path, "good"u8);
        // What a process killed between write and rename leaves behind, under every temp-name shape in use.
        File.WriteAllText(path + ".tmp", "partial");
        File.WriteAllText($"{path}.{Environment.ProcessId}.tmp", "partial");
        Assert.Equal("good", File.ReadAllText(path));
        AtomicFile.Write(path, "next"u8);
        Assert.Equal("next", File.ReadAllText(path));
    }

    [Fact]
    public void Each_write_has_a_temp_of_its_own_named_after_the_process()
    {
        using var dir = new TempDir();
        string path = dir["state.json"];
        var temps = new List<string>();
        for (int i = 0; i < 3; i++) AtomicFile.Write(path, s => { temps.Add(((FileStream)s).Name); s.WriteByte((byte)'x'); });

        Assert.Equal(3, temps.Distinct().Count());
        var counts = temps.Select(t =>
        {
            // STATE.PID.COUNT.RANDOM.tmp: RANDOM eight hex digits.
            string[] parts = t[(path.Length + 1)..].Split('.');
            Assert.Equal([Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "tmp"], [parts[0], parts[3]]);
            Assert.Matches("^[0-9a-f]{8}$", parts[2]);
            return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        }).ToList();
        Assert.All(counts.Skip(1).Zip(counts), p => Assert.True(p.First > p.Second));
        Assert.Equal(["state.json"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void The_file_is_synced_before_the_rename_and_the_directory_after_it()
    {
        using var dir = new TempDir();
        var steps = new List<string>();
        AtomicFile.StepObserver.Value = steps.Add;
        try
        {
            AtomicFile.Write(dir["a"], "x"u8);
        }
        finally
        {
            AtomicFile.StepObserver.Value = null;
        }
        Assert.Equal(["write", "fsync-file", "rename", "fsync-dir"], steps);
    }

    [Fact]
    public async Task A_reader_never_sees_a_partial_file_while_a_writer_replaces_it()
    {
        using var dir = new TempDir();
        string path = dir["state.json"];
        string Content(int n) => new((char)('a' + n % 26), 64 * 1024);
        AtomicFile.Write(path, Encoding.ASCII.GetBytes(Content(0)));
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            for (int i = 1; i < 60; i++) AtomicFile.Write(path, Encoding.ASCII.GetBytes(Content(i)));
            stop.Cancel();
        });
        int reads = 0;
        while (!stop.IsCancellationRequested)
        {
            string seen = File.ReadAllText(path);
            Assert.Equal(64 * 1024, seen.Length);
            Assert.All(seen, c => Assert.Equal(seen[0], c));
            reads++;
        }
        await writer;
        Assert.True(reads > 0);
    }

    [UnixFact]
    public void Files_and_directories_are_owner_only_on_unix()
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException();   // [UnixFact] skips it there
        using var dir = new TempDir();
        string sub = Path.Combine(dir.Path, "libraries", "x");
        AtomicFile.CreatePrivateDirectory(sub);
        AtomicFile.Write(Path.Combine(sub, "f"), "x"u8);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(sub));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(sub, "f")));
    }

    [Fact]
    public void Writing_into_a_missing_directory_fails_with_the_path_and_creates_nothing()
    {
        using var dir = new TempDir();
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(Path.Combine(dir.Path, "missing", "f"), "x"u8));
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
