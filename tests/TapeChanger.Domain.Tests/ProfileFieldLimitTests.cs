using TapeChanger.Scsi.Sense;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// Every checked field of a profile at its limits: the last accepted value parses and reads back, the first refused
/// one gives the operator exactly one line naming the file and the field (hw-profiles/README.md, the schema).
/// </summary>
public sealed class ProfileFieldLimitTests
{
    private const string Quirk = "\"action\": \"Fail\", \"failure\": \"DeviceError\", \"meaning\": \"m\", \"source\": \"s\"";

    private static string Refused(string json) => Assert.Throws<InvalidDataException>(() => HardwareProfiles.Parse(json, "my.json")).Message;

    [Theory]
    [InlineData("{\"name\": \"Ab\"}", "name: 'Ab' must be lower-case letters, digits, '-' and '.'")]
    [InlineData("{\"name\": \"-a\"}", "name: '-a' must be lower-case letters, digits, '-' and '.'")]
    [InlineData("{\"name\": \"a_b\"}", "name: 'a_b' must be lower-case letters, digits, '-' and '.'")]
    [InlineData("{\"name\": \"x\", \"match\": null}", "match: missing")]
    [InlineData("{\"name\": \"x\", \"match\": {\"vendor\": null}}", "match.vendor: missing")]
    [InlineData("{\"name\": \"x\", \"match\": {\"product\": null}}", "match.product: missing")]
    [InlineData("{\"name\": \"x\", \"priority\": 1001}", "priority: must be 0 to 1000")]
    [InlineData("{\"name\": \"x\", \"priority\": -1}", "priority: must be 0 to 1000")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": null}}", "elements.transport: missing")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 1}, \"storage\": null}}", "elements.storage: missing")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 1}, \"importExport\": null}}", "elements.importExport: missing")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 1}, \"dataTransfer\": null}}", "elements.dataTransfer: missing")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 65536}}}", "elements.transport.first: 65536 is not a 16-bit element address")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 1}, \"storage\": {\"first\": -1}}}", "elements.storage.first: -1 is not a 16-bit element address")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 1}, \"importExport\": {\"first\": 65535, \"count\": 2}}}", "elements.importExport.count: 2 runs past address FFFFh")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 1}, \"dataTransfer\": {\"first\": 1, \"count\": -1}}}", "elements.dataTransfer.count: -1 runs past address FFFFh")]
    [InlineData("{\"name\": \"x\", \"elements\": {\"transport\": {\"first\": 1, \"count\": 0}}}", "elements.transport.count: a changer has at least one medium transport")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": null}", "readElementStatus: must be an object")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"maxElements\": 0}}", "readElementStatus.maxElements: must be 1 to 65535")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"maxElements\": 65536}}", "readElementStatus.maxElements: must be 1 to 65535")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"maxAllocation\": 1023}}", "readElementStatus.maxAllocation: must be 1024 to 16777215 (24-bit field)")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"maxAllocation\": 16777216}}", "readElementStatus.maxAllocation: must be 1024 to 16777215 (24-bit field)")]
    [InlineData("{\"name\": \"x\", \"timeouts\": null}", "timeouts: must be an object")]
    [InlineData("{\"name\": \"x\", \"timeouts\": {\"defaultSeconds\": 0}}", "timeouts.defaultSeconds: must be 1 to 86400")]
    [InlineData("{\"name\": \"x\", \"timeouts\": {\"moveSeconds\": 86401}}", "timeouts.moveSeconds: must be 1 to 86400")]
    [InlineData("{\"name\": \"x\", \"timeouts\": {\"initializeSeconds\": 0}}", "timeouts.initializeSeconds: must be 1 to 86400")]
    [InlineData("{\"name\": \"x\", \"timeouts\": {\"becomingReadySeconds\": -1}}", "timeouts.becomingReadySeconds: must be 0 to 86400")]
    [InlineData("{\"name\": \"x\", \"timeouts\": {\"becomingReadySeconds\": 86401}}", "timeouts.becomingReadySeconds: must be 0 to 86400")]
    [InlineData("{\"name\": \"x\", \"cleaning\": null}", "cleaning: must be an object")]
    [InlineData("{\"name\": \"x\", \"cleaning\": {\"seconds\": 0}}", "cleaning.seconds: must be 1 to 86400")]
    [InlineData("{\"name\": \"x\", \"cleaning\": {\"seconds\": 86401}}", "cleaning.seconds: must be 1 to 86400")]
    [InlineData("{\"name\": \"x\", \"cleaning\": {\"labelPrefix\": \"CL-\"}}", "cleaning.labelPrefix: must be 0 to 8 letters or digits")]
    [InlineData("{\"name\": \"x\", \"cleaning\": {\"labelPrefix\": \"ABCDEFGHI\"}}", "cleaning.labelPrefix: must be 0 to 8 letters or digits")]
    [InlineData("{\"name\": \"x\", \"importExport\": null}", "importExport: must be an object")]
    [InlineData("{\"name\": \"x\", \"documented\": null}", "documented: must be an object with cleaning and importExport objects")]
    [InlineData("{\"name\": \"x\", \"documented\": {\"cleaning\": null}}", "documented: must be an object with cleaning and importExport objects")]
    [InlineData("{\"name\": \"x\", \"documented\": {\"importExport\": null}}", "documented: must be an object with cleaning and importExport objects")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [null]}", "senseQuirks[0]: must be an object")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"28\", " + Quirk + "}, {\"asc\": null, " + Quirk + "}]}", "senseQuirks[1].asc: missing")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"key\": \"10\", \"asc\": \"28\", " + Quirk + "}]}", "senseQuirks[0].key: 10 is not a sense key (0-F)")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"key\": \"G\", \"asc\": \"28\", " + Quirk + "}]}", "senseQuirks[0].key: 'G' is not a hex byte")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"\", " + Quirk + "}]}", "senseQuirks[0].asc: '' is not a hex byte")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"28\", \"ascq\": \"100\", " + Quirk + "}]}", "senseQuirks[0].ascq: '100' is not a hex byte")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"28\", \"action\": \"Fail\", \"failure\": \"DeviceError\", \"meaning\": \" \", \"source\": \"s\"}]}", "senseQuirks[0].meaning: missing")]
    public void A_field_past_its_limit_is_refused_with_its_name(string json, string problem)
    {
        Assert.Equal($"hardware profile my.json is invalid: {problem}", Refused(json));
    }

    [Theory]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"strategy\": \"sideways\"}}", "readElementStatus.strategy", "perType, allTypes")]
    [InlineData("{\"name\": \"x\", \"readElementStatus\": {\"deviceId\": \"sideways\"}}", "readElementStatus.deviceId", "withVolumeTag, withoutVolumeTag, unsupported")]
    [InlineData("{\"name\": \"x\", \"documented\": {\"cleaning\": {\"hiddenSlots\": \"sideways\"}}}", "documented.cleaning.hiddenSlots", "unknown, no, optional, always")]
    [InlineData("{\"name\": \"x\", \"documented\": {\"cleaning\": {\"libraryManagedDetection\": \"sideways\"}}}", "documented.cleaning.libraryManagedDetection", "unknown, page1fAce, vendorModePage, notDetectable")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"28\", \"action\": \"sideways\"}]}", "senseQuirks[0].action", "RetrySoon, WaitAndRetry, WaitForOperator, Fail, ")]
    [InlineData("{\"name\": \"x\", \"senseQuirks\": [{\"asc\": \"28\", \"failure\": \"sideways\"}]}", "senseQuirks[0].failure", "InvalidElement, SourceEmpty, ")]
    public void An_unknown_enum_value_lists_the_values_of_that_field(string json, string field, string values)
    {
        string m = Refused(json);
        Assert.StartsWith($"hardware profile my.json is invalid at {field} (line 1): not a valid value; expected one of {values}", m);
        Assert.DoesNotContain("Path:", m);
    }

    [Fact]
    public void A_value_of_the_wrong_json_type_is_worded_without_the_serializers_path_tail()
    {
        Assert.Equal("hardware profile my.json is invalid at priority (line 1): The JSON value could not be converted to System.Int32.",
            Refused("{\"name\": \"x\", \"priority\": \"high\"}"));
    }

    [Fact]
    public void An_invalid_match_expression_names_the_field_and_the_pattern()
    {
        Assert.StartsWith("hardware profile my.json is invalid: match.product: /(ab/ is not a regular expression (", Refused("{\"name\": \"x\", \"match\": {\"product\": \"(ab\"}}"));
        Assert.StartsWith("hardware profile my.json is invalid: match.revision: /[/ is not a regular expression (", Refused("{\"name\": \"x\", \"match\": {\"revision\": \"[\"}}"));
    }

    [Fact]
    public void Every_limit_itself_is_accepted()
    {
        var low = HardwareProfiles.Parse("""
            {"name": "9a.b-c", "priority": 0,
             "elements": {"transport": {"first": 0, "count": 1}, "storage": {"first": 65535, "count": 1}, "importExport": {"first": 65535}, "dataTransfer": {"first": 1, "count": 0}},
             "readElementStatus": {"maxElements": 1, "maxAllocation": 1024},
             "timeouts": {"defaultSeconds": 1, "moveSeconds": 1, "initializeSeconds": 1, "becomingReadySeconds": 0},
             "cleaning": {"seconds": 1, "labelPrefix": ""},
             "senseQuirks": [{"key": "0F", "asc": "0x3B", "ascq": "1", "action": "Fail", "failure": "DeviceError", "meaning": "m", "source": "s"}]}
            """, "low.json");
        Assert.Equal(("9a.b-c", 0, 1, 1024), (low.Name, low.Priority, low.ReadElementStatus.MaxElements, low.ReadElementStatus.MaxAllocation));
        Assert.Equal((1, 1, 1, 0), (low.Timeouts.DefaultSeconds, low.Timeouts.MoveSeconds, low.Timeouts.InitializeSeconds, low.Timeouts.BecomingReadySeconds));
        Assert.Equal((1, ""), (low.Cleaning.Seconds, low.Cleaning.LabelPrefix));
        Assert.Equal("MT 0x1 ST 65535x1 IE 65535x? DT 1x0", low.Elements!.ToString());
        Assert.Null(low.Elements.ToAssignment());                            // a count left open: no default addresses
        var rule = Assert.Single(low.SenseQuirks).ToRule();
        Assert.Equal(((SenseKey?)(SenseKey)0x0F, (byte)0x3B, (byte?)0x01), (rule.Key, rule.Asc, rule.Ascq));
        Assert.Equal("0F/0x3B/1 Fail DeviceError", low.SenseQuirks[0].ToString());

        var high = HardwareProfiles.Parse("""
            {"name": "x", "priority": 1000,
             "readElementStatus": {"maxElements": 65535, "maxAllocation": 16777215},
             "timeouts": {"defaultSeconds": 86400, "moveSeconds": 86400, "initializeSeconds": 86400, "becomingReadySeconds": 86400},
             "cleaning": {"seconds": 86400, "labelPrefix": "ABCDEFGH"},
             "senseQuirks": [{"asc": "28", "action": "RetrySoon", "failure": "NotReady", "meaning": "m", "source": "s"}]}
            """, "high.json");
        Assert.Equal((1000, 65535, 16777215), (high.Priority, high.ReadElementStatus.MaxElements, high.ReadElementStatus.MaxAllocation));
        Assert.Equal((86400, 86400, 86400, 86400), (high.Timeouts.DefaultSeconds, high.Timeouts.MoveSeconds, high.Timeouts.InitializeSeconds, high.Timeouts.BecomingReadySeconds));
        Assert.Equal((86400, "ABCDEFGH"), (high.Cleaning.Seconds, high.Cleaning.LabelPrefix));
        var any = Assert.Single(high.SenseQuirks).ToRule();
        Assert.Equal(((SenseKey?)null, (byte)0x28, (byte?)null), (any.Key, any.Asc, any.Ascq));   // no key, no ASCQ: any
        Assert.Equal("*/28/* RetrySoon NotReady", high.SenseQuirks[0].ToString());
    }

    [Fact]
    public void A_profile_with_only_a_name_takes_the_documented_defaults()
    {
        var p = HardwareProfiles.Parse("{\"name\": \"x\"}", "my.json");
        Assert.Equal((".*", ".*", (string?)null), (p.Match.Vendor, p.Match.Product, p.Match.Revision));
        Assert.True(p.Matches("ANY", "THING", "0001"));
        Assert.True(p.Cleaning.CleanerMediumType2Trusted);
        Assert.True(p.Documented.ImportExport.ExposedAsElement);
        Assert.Null(p.Elements);
        Assert.Equal("", new HardwareProfile().Name);
        Assert.Equal("", new SenseQuirk().Asc);
        Assert.Equal("", new SenseQuirk().Meaning);
    }

    [Fact]
    public void Complete_element_defaults_become_the_address_assignment()
    {
        var p = HardwareProfiles.Parse("""
            {"name": "x", "elements": {"transport": {"first": 1, "count": 1}, "storage": {"first": 1000, "count": 40}, "importExport": {"first": 10, "count": 4}, "dataTransfer": {"first": 500, "count": 2}}}
            """, "my.json");
        Assert.Equal(new Scsi.Decoding.ElementAddressAssignment(1, 1, 1000, 40, 10, 4, 500, 2), p.Elements!.ToAssignment());
        Assert.Equal("MT 1x1 ST 1000x40 IE 10x4 DT 500x2", p.Elements.ToString());
    }
}
