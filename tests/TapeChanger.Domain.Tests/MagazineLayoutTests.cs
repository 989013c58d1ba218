using TapeChanger.Domain;

namespace TapeChanger.Domain.Tests;

/// <summary>Magazines: the profile's <c>magazines</c> field (read, checked, sourced) and the grouping of storage slots it gives.</summary>
public class MagazineLayoutTests
{
    private static string Rows(IEnumerable<Magazine> m) => string.Join(" ", m.Select(x => $"{x.Number}:{x.Name ?? "-"}:{x.FirstSlot}+{x.Slots}"));

    [Fact]
    public void Equal_magazines_cover_every_slot_once_and_the_last_one_is_short()
    {
        var layout = MagazineLayout.Uniform(13, "test");
        Assert.Equal("1:-:1+13 2:-:14+13 3:-:27+13", Rows(layout.For(39)));
        Assert.Equal("1:-:1+13 2:-:14+13 3:-:27+13 4:-:40+1", Rows(layout.For(40)));
        Assert.Equal("1:-:1+5", Rows(layout.For(5)));
        Assert.Empty(layout.For(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MagazineLayout.Uniform(0, "test"));
    }

    [Fact]
    public void Without_a_layout_every_slot_is_one_group()
    {
        Assert.Equal("1:-:1+2000", Rows(MagazineLayout.None.For(2000)));
        Assert.Equal(MagazineLayout.NoSource, MagazineLayout.None.Source);
    }

    [Fact]
    public void Ranges_are_clipped_to_the_library_and_slots_outside_them_form_their_own_groups()
    {
        var layout = new MagazineLayout("test", null, [new("right", 11, 10), new("left", 1, 5)]);
        // 1-5 left, 6-10 uncovered, 11-20 right, 21-22 uncovered.
        Assert.Equal("1:left:1+5 2:-:6+5 3:right:11+10 4:-:21+2", Rows(layout.For(22)));
        Assert.Equal("1:left:1+5 2:-:6+2", Rows(layout.For(7)));
    }

    [Fact]
    public void The_superloader_profile_states_8_slot_magazines_with_a_source()
    {
        var p = HardwareProfiles.All.Single(x => x.Name == "quantum-superloader3");
        Assert.Equal(8, p.Magazines!.Slots);
        Assert.Contains("magazines", p.DifferingFields());
        Assert.Contains("8 slots", p.SourceFor("magazines"));
        var layout = p.Magazines.ToLayout("profile " + p.Name);
        Assert.Equal("1:-:1+8 2:-:9+8", Rows(layout.For(16)));
        Assert.Equal("profile quantum-superloader3", layout.Source);
        // Profiles without the field keep one group.
        Assert.Null(HardwareProfiles.All.Single(x => x.Name == "generic-smc").Magazines);
    }

    [Fact]
    public void A_profile_with_named_ranges_parses_into_its_layout()
    {
        var p = HardwareProfiles.Parse("""
            {"name":"x","match":{"vendor":"A","product":"B"},
             "magazines":{"ranges":[{"name":"left","first":1,"count":12},{"name":"right","first":13,"count":12}]},
             "sources":{"match":"m","magazines":"a manual"}}
            """, "x.json");
        Assert.Equal("1:left:1+12 2:right:13+12", Rows(p.Magazines!.ToLayout("profile x").For(24)));
        Assert.Equal("left 1x12, right 13x12", p.Facts()["magazines"]);
    }

    [Theory]
    [InlineData("""{"slots":0}""", "magazines.slots: must be 1 to 65535")]
    [InlineData("""{}""", "magazines: give either slots (per magazine) or ranges")]
    [InlineData("""{"slots":8,"ranges":[{"first":1,"count":8}]}""", "magazines: give either slots")]
    [InlineData("""{"ranges":[]}""", "magazines.ranges: empty")]
    [InlineData("""{"ranges":[{"first":0,"count":8}]}""", "magazines.ranges[0].first:")]
    [InlineData("""{"ranges":[{"first":1,"count":0}]}""", "magazines.ranges[0].count:")]
    [InlineData("""{"ranges":[{"first":1,"count":8},{"first":5,"count":8}]}""", "magazines.ranges[1]: slots 5-12 overlap magazines.ranges[0]")]
    [InlineData("""{"slot":8}""", "slot")]
    public void Bad_magazines_are_rejected_in_one_line_naming_the_field(string magazines, string expected)
    {
        string json = """{"name":"x","match":{"vendor":"A","product":"B"},"magazines":""" + magazines + ""","sources":{"match":"m","magazines":"s"}}""";
        var e = Assert.Throws<InvalidDataException>(() => HardwareProfiles.Parse(json, "my.json"));
        Assert.Contains("my.json", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
