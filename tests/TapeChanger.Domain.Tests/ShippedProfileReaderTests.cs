using System.Text;
using TapeChanger.Domain;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The shipped profiles are read without the serializer (ShippedProfileReader): every shipped file gives the profile
/// the serializer gives, member for member, and what the reader does not know goes to the serializer and its errors.
/// </summary>
public class ShippedProfileReaderTests
{
    private static IEnumerable<(string Name, byte[] Utf8)> ShippedFiles()
    {
        for (int i = 0; i < ShippedProfileFiles.Names.Length; i++) yield return (ShippedProfileFiles.Names[i], ShippedProfileFiles.Content(i).ToArray());
    }

    [Fact]
    public void The_compiled_in_files_are_the_files_of_hw_profiles_byte_for_byte()
    {
        string dir = Path.Combine(RepoRoot(), "hw-profiles");
        var onDisk = Directory.GetFiles(dir, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(onDisk, ShippedProfileFiles.Names);
        for (int i = 0; i < ShippedProfileFiles.Names.Length; i++)
        {
            byte[] file = File.ReadAllBytes(Path.Combine(dir, ShippedProfileFiles.Names[i]));
            if (file is [0xEF, 0xBB, 0xBF, ..]) file = file[3..];
            Assert.Equal(file, ShippedProfileFiles.Content(i).ToArray());
        }

        static string RepoRoot()
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (Directory.Exists(Path.Combine(d.FullName, "hw-profiles")) && File.Exists(Path.Combine(d.FullName, "README.md"))) return d.FullName;
            throw new DirectoryNotFoundException("repository root above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>
    /// The heads compiled in at build time (src/CompiledFiles.targets) are what the run-time scan reads from each file,
    /// and every shipped file has one, so choosing a profile scans no file.
    /// </summary>
    [Fact]
    public void The_compiled_heads_are_the_files_heads()
    {
        for (int i = 0; i < ShippedProfileFiles.Names.Length; i++)
        {
            var compiled = ShippedProfileFiles.Head(i);
            Assert.True(compiled is not null, $"{ShippedProfileFiles.Names[i]}: no head compiled in");
            var scanned = ProfileHead.Scan(ShippedProfileFiles.Content(i));
            Assert.Equal((scanned.Name, scanned.Match.Vendor, scanned.Match.Product, scanned.Match.Revision, scanned.Priority), compiled!.Value);
        }
        var entries = HardwareProfiles.ShippedEntries;
        Assert.Equal(ShippedProfileFiles.Names.Length, entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            var h = ShippedProfileFiles.Head(i)!.Value;
            Assert.Equal((h.Name, h.Vendor, h.Product, h.Revision, h.Priority, "hw-profiles/" + ShippedProfileFiles.Names[i]),
                (entries[i].Name, entries[i].Match.Vendor, entries[i].Match.Product, entries[i].Match.Revision, entries[i].Priority, entries[i].File));
        }
    }

    [Fact]
    public void Every_shipped_file_reads_as_the_serializer_reads_it()
    {
        var files = ShippedFiles().ToList();
        Assert.True(files.Count >= 17, $"{files.Count} shipped profiles");
        foreach (var (name, utf8) in files)
        {
            var fast = ShippedProfileReader.Read(utf8);
            var slow = HardwareProfiles.Parse(Encoding.UTF8.GetString(utf8), name);
            Assert.Equal(HardwareProfiles.ToJson(slow), HardwareProfiles.ToJson(fast));
        }
    }

    [Fact]
    public void The_shipped_catalog_serves_the_profiles_the_serializer_makes()
    {
        var byName = ShippedFiles().ToDictionary(f => HardwareProfiles.Parse(Encoding.UTF8.GetString(f.Utf8), f.Name).Name, f => f.Utf8);
        foreach (var p in HardwareProfiles.All)
            Assert.Equal(HardwareProfiles.ToJson(HardwareProfiles.Parse(Encoding.UTF8.GetString(byName[p.Name]), p.Name)), HardwareProfiles.ToJson(p));
    }

    [Theory]
    [InlineData("""{ "name": "x", "match": { "vendor": "A", "product": "B" }, "colour": "red" }""", "colour")]
    [InlineData("""{ "name": "x", "match": { "vendor": "A", "product": "B" }, "readElementStatus": { "strategy": "sideways" } }""", "readElementStatus.strategy")]
    [InlineData("""{ "name": "x", "match": { "vendor": "A", "product": "B" }, "priority": 1.5 }""", "priority")]
    [InlineData("""{ "name": "x", "name": "y", "match": { "vendor": "A", "product": "B" } }""", "name")]
    public void What_the_reader_does_not_know_is_worded_by_the_serializer(string json, string member)
    {
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        Assert.Throws<System.Text.Json.JsonException>(() => ShippedProfileReader.Read(utf8));
        var e = Assert.Throws<InvalidDataException>(() => HardwareProfiles.ParseShipped(utf8, "hw-profiles/x.json"));
        Assert.StartsWith("hardware profile hw-profiles/x.json is invalid", e.Message);
        Assert.Contains(member, e.Message);
    }

    [Fact]
    public void The_readers_enum_tables_name_every_member_once()
    {
        Assert.Equal(Enum.GetValues<TapeChanger.Scsi.Sense.SenseAction>().Select(v => (v.ToString(), v)), ShippedProfileReader.SenseActions);
        Assert.Equal(Enum.GetValues<TapeChanger.Scsi.Sense.SenseFailure>().Select(v => (v.ToString(), v)), ShippedProfileReader.SenseFailures);
    }

    [Theory]
    [InlineData("waitforoperator", true)]
    [InlineData("WAITFOROPERATOR", true)]
    [InlineData("2", false)]
    [InlineData("WaitForOperator,Fail", false)]
    [InlineData("", false)]
    public void A_sense_action_is_read_by_name_in_any_case_and_nothing_else(string action, bool read)
    {
        string json = $$"""{ "name": "x", "match": { "vendor": "A", "product": "B" }, "senseQuirks": [ { "asc": "04", "action": "{{action}}", "failure": "notready", "meaning": "m", "source": "s" } ] }""";
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        if (read) Assert.Equal(TapeChanger.Scsi.Sense.SenseAction.WaitForOperator, ShippedProfileReader.Read(utf8).SenseQuirks[0].Action);
        else Assert.Throws<System.Text.Json.JsonException>(() => ShippedProfileReader.Read(utf8));
    }

    [Fact]
    public void A_read_profile_is_still_validated()
    {
        byte[] utf8 = Encoding.UTF8.GetBytes("""{ "name": "x", "match": { "vendor": "A", "product": "B" }, "priority": 5000 }""");
        Assert.Equal(5000, ShippedProfileReader.Read(utf8).Priority);
        var e = Assert.Throws<InvalidDataException>(() => HardwareProfiles.ParseShipped(utf8, "hw-profiles/x.json"));
        Assert.Contains("priority: must be 0 to 1000", e.Message);
    }
}
