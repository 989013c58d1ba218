using System.Text;

namespace TapeChanger.Storage.Tests;

/// <summary>
/// <see cref="SharedLog"/>: lines appended at once through separate descriptors (as separate processes do) all arrive
/// whole: none overwritten, none split.
/// </summary>
public sealed class SharedLogTests
{
    [Fact]
    public void Lines_appended_at_once_through_separate_descriptors_all_arrive_whole()
    {
        using var dir = new TempDir();
        string path = dir["scsi.log"];
        const int Writers = 4, Lines = 1500;
        // Lines of different lengths, so an overwrite or a split shows as a line that was never written.
        static string Line(int w, int i) => $"writer {w} line {i} {new string((char)('a' + w), 1 + (i * 7 + w * 13) % 90)}\n";
        var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            for (int i = 0; i < Lines; i++) SharedLog.Append(path, Encoding.UTF8.GetBytes(Line(w, i)));
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        var expected = Enumerable.Range(0, Writers).SelectMany(w => Enumerable.Range(0, Lines).Select(i => Line(w, i).TrimEnd('\n'))).Order(StringComparer.Ordinal).ToList();
        var actual = File.ReadAllText(path).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Writers * Lines, actual.Count);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_log_that_cannot_be_opened_is_an_io_error_naming_it()
    {
        using var dir = new TempDir();
        string path = System.IO.Path.Combine(dir.Path, "missing", "scsi.log");
        var e = Assert.ThrowsAny<IOException>(() => SharedLog.Append(path, "x\n"u8));
        Assert.Contains(path, e.Message);
    }
}
