using TapeChanger.Scsi.Sense;

namespace TapeChanger.Scsi.Tests;

/// <summary>README's "Sense policy" tables must be the data in <see cref="SensePolicy"/> (built-in, drive and key-default rows) and <see cref="TapeAlertPolicy"/>.</summary>
public class SensePolicyReadmeTests
{
    private static string Readme()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TapeChanger.sln"))) dir = dir.Parent;
        Assert.NotNull(dir);
        return File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
    }

    private static string Row(SenseRule r, bool keyDefault) =>
        $"| {SensePolicy.Pattern(r, keyDefault)}{(r.Commands is { } c ? $" ({string.Join(", ", c)})" : "")} | {r.Action} | {r.Failure} | {r.Meaning} | {r.Source} |";

    /// <summary>The table as README shows it (rows, then key defaults), one line per row.</summary>
    public static IReadOnlyList<string> ExpectedLines() =>
        SensePolicy.Rules.Select(r => Row(r, false))
            .Concat(SensePolicy.DriveRules.Select(r => Row(r, false).Replace($"| {SensePolicy.Pattern(r)} |", $"| {SensePolicy.Pattern(r)} (tape drive) |", StringComparison.Ordinal)))
            .Concat(SensePolicy.KeyDefaults.Select(r => Row(r, true)))
            .Concat(TapeAlertPolicy.Rules.Select(r => $"| TapeAlert {r.Flag} | {r.Action} | | {r.Meaning} | {r.Source} |"))
            .ToList();

    [Fact]
    public void Readme_sense_policy_table_matches_the_data()
    {
        string text = Readme();
        int start = text.IndexOf("\n## Sense policy", StringComparison.Ordinal);
        Assert.True(start >= 0, "README has no '## Sense policy' section");
        int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = text[start..(end < 0 ? text.Length : end)];
        var lines = section.Split('\n')
            .Select(l => l.TrimEnd())
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| Sense |", StringComparison.Ordinal))
            .ToList();
        var expected = ExpectedLines();
        Assert.True(expected.SequenceEqual(lines),
            "README's sense policy table differs from SensePolicy; the rows should read:\n" + string.Join("\n", expected));
    }
}
