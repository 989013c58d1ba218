namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The journal's operation kind, path and step are typed enums in code and the same strings on disk: a cleaner.json
/// written before they were typed reads back, resumes, and is written again with the same names.
/// </summary>
public sealed class JournalFormatTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Written = """
    {
      "schemaVersion": 1,
      "libraryKey": "K",
      "vendor": "STK",
      "product": "L700",
      "operations": [
        { "id": "11111111-1111-1111-1111-111111111111", "kind": "clean", "state": "interrupted", "via": "ieport", "step": "in-drive", "drive": 1, "element": 501 },
        { "id": "22222222-2222-2222-2222-222222222222", "kind": "inject", "state": "passed", "via": "door" },
        { "id": "33333333-3333-3333-3333-333333333333", "kind": "eject", "state": "queued", "via": "ieport" }
      ]
    }
    """;

    [Fact]
    public void Journal_strings_read_as_enums_and_are_written_back_unchanged()
    {
        var store = new CleanerStateStore(_dir, "STK", "L700", "X");
        Directory.CreateDirectory(store.Directory);
        File.WriteAllText(store.StatePath, Written);
        var ops = store.Read().Operations;
        Assert.Equal([(OperationKind.Clean, CleanerPath.IePort, (CleanStep?)CleanStep.InDrive), (OperationKind.Inject, CleanerPath.Door, null), (OperationKind.Eject, CleanerPath.IePort, null)],
            ops.Select(o => (o.Kind, o.Via, o.Step)));
        store.Update(st => st.Operations[0].Step = CleanStep.Done);
        string text = File.ReadAllText(store.StatePath);
        Assert.Contains("\"kind\": \"clean\"", text);
        Assert.Contains("\"via\": \"door\"", text);
        Assert.Contains("\"step\": \"done\"", text);
        Assert.Contains("\"kind\": \"eject\"", text);
        Assert.DoesNotContain("\"step\": 2", text);
    }

    [Fact]
    public void Names_match_the_json()
    {
        Assert.Equal(["inject", "eject", "clean"], Enum.GetValues<OperationKind>().Select(k => k.Name()));
        Assert.Equal(["auto", "ieport", "door"], Enum.GetValues<CleanerPath>().Select(k => k.Name()));
        Assert.Equal(["to-drive", "in-drive", "done", null], new CleanStep?[] { CleanStep.ToDrive, CleanStep.InDrive, CleanStep.Done, null }.Select(k => k.Name()));
    }
}
