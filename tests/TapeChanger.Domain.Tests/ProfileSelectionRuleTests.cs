using System.Text;
using System.Text.Json;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// Which profile a library gets and the one line that says why; the override directory; and the shipped-file reader on
/// the forms the shipped files do not use (nulls, trailing commas, every enum name), which must give what the
/// serializer gives or throw <see cref="JsonException"/> so the serializer words the problem.
/// </summary>
public sealed class ProfileSelectionRuleTests
{
    private static HardwareProfile P(string name, string vendor, string product, string? revision = null, int priority = 10) =>
        HardwareProfiles.Parse(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["name"] = name,
            ["priority"] = priority,
            ["match"] = new Dictionary<string, string?> { ["vendor"] = vendor, ["product"] = product, ["revision"] = revision },
        }), name + ".json");

    [Fact]
    public void On_equal_priority_the_profile_that_also_matches_the_revision_wins_then_the_first_name()
    {
        var any = P("b-any", "^ACME$", "^LIB$");
        var rev = P("c-rev", "^ACME$", "^LIB$", "^2");
        var other = P("a-any", "^ACME$", "^LIB$");
        var s = HardwareProfiles.Select("ACME", "LIB", "2.1", [any, rev, other]);
        Assert.Equal("c-rev", s.Profile.Name);
        Assert.Equal(ProfileSelectionKind.Match, s.Kind);
        Assert.Equal("INQUIRY vendor 'ACME' matches /^ACME$/ and product 'LIB' matches /^LIB$/ and revision '2.1' matches /^2/", s.Reason);

        var older = HardwareProfiles.Select("ACME", "LIB", "1.0", [any, rev, other]);
        Assert.Equal("a-any", older.Profile.Name);                                  // same priority, no revision: ordinal name order
        Assert.Equal("INQUIRY vendor 'ACME' matches /^ACME$/ and product 'LIB' matches /^LIB$/", older.Reason);

        var higher = P("z-high", "^ACME$", ".*", priority: 50);
        Assert.Equal("z-high", HardwareProfiles.Select("ACME", "LIB", "2.1", [any, rev, higher]).Profile.Name);
    }

    [Fact]
    public void Without_a_specific_profile_the_generic_one_is_chosen_and_says_so()
    {
        var s = HardwareProfiles.Select("NOBODY", "NOTHING");
        Assert.Equal("generic-smc", s.Profile.Name);
        Assert.Equal(ProfileSelectionKind.Fallback, s.Kind);
        Assert.Equal("no specific profile for NOBODY NOTHING; using the generic SMC profile", s.Reason);
        Assert.Equal("hw-profiles/generic-smc.json", s.File);
        var none = Assert.Throws<InvalidDataException>(() => HardwareProfiles.Select("X", "Y", [P("only", "^A$", "^B$")]));
        Assert.Equal("no hardware profile matches, not even generic-smc", none.Message);
    }

    [Fact]
    public void Forcing_names_the_option_and_unknown_names_list_the_known_ones_in_order()
    {
        var catalog = new ProfileCatalog([(P("b", "^B$", ".*"), "b.json"), (P("a", "^A$", ".*"), "a.json")]);
        var f = catalog.Force("B");
        Assert.Equal(("b", "--profile b", ProfileSelectionKind.Forced, "b.json"), (f.Profile.Name, f.Reason, f.Kind, f.File));
        Assert.Equal("unknown hardware profile 'c'; known profiles: a, b", Assert.Throws<ArgumentException>(() => catalog.Force("c")).Message);
        Assert.Equal(["a", "b"], catalog.Profiles.Select(p => p.Name));
        Assert.Equal("a.json", catalog.FileOf(catalog.Find("a")!));
        Assert.Equal("", catalog.FileOf(P("zz", "^Z$", ".*")));
    }

    [Fact]
    public void Override_files_are_read_in_name_order_and_the_last_of_one_name_wins()
    {
        string dir = Directory.CreateTempSubdirectory("tc-override-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "1.json"), """{"name":"mine","priority":20,"match":{"vendor":"^ME$","product":".*"},"cleaning":{"seconds":11}}""");
            File.WriteAllText(Path.Combine(dir, "2.json"), """{"name":"mine","priority":20,"match":{"vendor":"^ME$","product":".*"},"cleaning":{"seconds":22}}""");
            File.WriteAllText(Path.Combine(dir, "notes.txt"), "not a profile");
            var catalog = ProfileCatalog.Load(dir);
            var s = catalog.Select("ME", "X");
            Assert.Equal((22, Path.Combine(dir, "2.json")), (s.Profile.Cleaning.Seconds, s.File));
            Assert.Single(catalog.Profiles, p => p.Name == "mine");
            Assert.Equal(HardwareProfiles.All.Count + 1, catalog.Profiles.Count);
        }
        finally { Directory.Delete(dir, true); }
        Assert.Equal(HardwareProfiles.All.Count, ProfileCatalog.Load(Path.Combine(dir, "gone")).Profiles.Count);   // a missing directory adds nothing
        Assert.Equal(HardwareProfiles.All.Count, ProfileCatalog.Load(null).Profiles.Count);
    }

    [Fact]
    public void Selection_parses_only_the_chosen_shipped_profile_of_a_catalog()
    {
        var catalog = ProfileCatalog.Load(null);
        Assert.Empty(catalog.ParsedNames());
        var s = catalog.Select("NOBODY", "NOTHING");
        Assert.Equal(["generic-smc"], catalog.ParsedNames());
        Assert.Equal("hw-profiles/generic-smc.json", s.File);
        Assert.Empty(ProfileCatalog.Load(null).ParsedNames());                   // a new catalog parses for itself
    }

    [Fact]
    public void A_json_error_names_the_member_and_its_line()
    {
        var e = Assert.Throws<InvalidDataException>(() => HardwareProfiles.Parse("{\n  \"name\": \"x\",\n  \"priority\": true\n}", "my.json"));
        Assert.Equal("hardware profile my.json is invalid at priority (line 3): The JSON value could not be converted to System.Int32.", e.Message);
    }

    [Fact]
    public void The_json_template_keeps_non_ascii_text_readable()
    {
        var p = HardwareProfiles.Parse("{\"name\": \"x\", \"description\": \"Bibliothèque <1>\"}", "my.json");
        Assert.Contains("\"description\": \"Bibliothèque <1>\"", HardwareProfiles.ToJson(p));
    }

    private static byte[] U(string json) => Encoding.UTF8.GetBytes(json);

    [Theory]
    [InlineData("""{"name": "x", "description": null, "elements": null}""")]
    [InlineData("""{"name": "x", "elements": {"transport": {"first": 1, "count": 1}, "storage": {"first": 2, "count": null}},}""")]
    [InlineData("""{"name": "x", "readElementStatus": {"strategy": "perType", "deviceId": "withVolumeTag"}}""")]
    [InlineData("""{"name": "x", "readElementStatus": {"strategy": "allTypes", "deviceId": "withoutVolumeTag"}}""")]
    [InlineData("""{"name": "x", "readElementStatus": {"deviceId": "unsupported"}}""")]
    [InlineData("""{"name": "x", "documented": {"cleaning": {"hiddenSlots": "unknown", "libraryManaged": "no", "libraryManagedDetection": "unknown"}, "importExport": {}}}""")]
    [InlineData("""{"name": "x", "documented": {"cleaning": {"hiddenSlots": "always", "libraryManaged": "optional", "libraryManagedDetection": "notDetectable"}}}""")]
    [InlineData("""{"name": "x", "documented": {"cleaning": {"libraryManagedDetection": "page1fAce"}, "importExport": {"exposedAsElement": false}}}""")]
    [InlineData("""{"name": "x", "documented": {"cleaning": {"libraryManagedDetection": "vendorModePage"}}}""")]
    [InlineData("""{"name": "x", "senseQuirks": [{"asc": "28", "action": "Fail", "failure": "DeviceError", "meaning": "m", "source": "s", "commands": null}]}""")]
    public void Forms_the_shipped_files_do_not_use_read_as_the_serializer_reads_them(string json)
    {
        var fast = ShippedProfileReader.Read(U(json));
        Assert.Equal(HardwareProfiles.ToJson(HardwareProfiles.Parse(json, "x.json")), HardwareProfiles.ToJson(fast));
    }

    [Theory]
    [InlineData("""{"name": 5}""")]
    [InlineData("""{"name": "x", "readElementStatus": {"strategy": "1"}}""")]
    [InlineData("""{"name": "x", "readElementStatus": {"strategy": ""}}""")]
    [InlineData("""{"name": "x", "senseQuirks": [{"asc": "28", "action": "1", "failure": "DeviceError", "meaning": "m", "source": "s"}]}""")]
    [InlineData("""{"name": "x", "senseQuirks": [{"asc": "28", "action": "Fail", "failure": "", "meaning": "m", "source": "s"}]}""")]
    [InlineData("""{"name": "x"} {"name": "y"}""")]
    [InlineData("""[{"name": "x"}]""")]
    public void Forms_the_reader_does_not_take_throw_a_json_error(string json)
    {
        Assert.ThrowsAny<JsonException>(() => ShippedProfileReader.Read(U(json)));
    }
}
