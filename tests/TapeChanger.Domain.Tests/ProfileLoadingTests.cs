using System.Text.RegularExpressions;
using TapeChanger.Domain;

namespace TapeChanger.Domain.Tests;

/// <summary>Start-up path of the profiles: heads scanned, one profile parsed, plain patterns compared without Regex.</summary>
public class ProfileLoadingTests
{
    private static readonly string[] Values =
    [
        "STK", "stk", "STKX", "ST", "HP", "HPE", "hpe", "HPEE", "H", "IBM", "IBM ", " IBM", "ORACLE", "SUN", "L700", "l700", "L70", "L7000",
        "MSL G3 Series", "MSL G3 series", "MSL G3  Series", "MSL3040", "Magnum224", "Magnum 224", "Magnum  224", "StorageLibrary T24",
        "StorageLibraryT24", "Scalar i500", "Scalar i", "ML6000", "VIRTUAL-CHANGER", "VIRTUAL CHANGER", "", "F270", "7000", "0108", "K", "\u212A",
        "SL150", "VLSTK", "UHDL", "FlexStor II", "FlexStorII", "LTO 1x7 2U", "3573-TL", "03584L32", "anything",
    ];

    [Fact]
    public void Plain_patterns_give_the_answer_the_regular_expression_gives()
    {
        var patterns = HardwareProfiles.All.SelectMany(p => new[] { p.Match.Vendor, p.Match.Product, p.Match.Revision }).OfType<string>()
            .Concat(["^A?B$", "^(AB?|C)$", "^HPE?$", "^X-Y Z$", "^a.b$", "^(A|B)*$", "^A$|^B$", "A", "^$", "^()$"]).Distinct().ToList();
        Assert.Contains(patterns, ProfilePattern.IsPlain);
        Assert.Contains(patterns, p => !ProfilePattern.IsPlain(p));
        foreach (var pattern in patterns)
        {
            foreach (var value in Values.Concat(Values.Select(v => v + "   ")))
            {
                bool expected = Regex.IsMatch(value.Trim(), pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
                Assert.True(expected == ProfilePattern.IsMatch(value, pattern), $"/{pattern}/ on '{value}': regex says {expected}");
            }
        }
    }

    [Fact]
    public void Every_shipped_pattern_of_the_virtual_and_tgt_libraries_is_plain()
    {
        // The libraries the benchmarks start: choosing their profile must not build a regular expression.
        foreach (var name in new[] { "mhvtl-stk-l-series", "tgt", "generic-smc" })
        {
            var m = HardwareProfiles.All.Single(p => p.Name == name).Match;
            Assert.True(ProfilePattern.IsPlain(m.Vendor) && ProfilePattern.IsPlain(m.Product), name);
        }
    }

    [Fact]
    public void The_scanned_head_of_every_shipped_profile_is_what_the_full_parse_says()
    {
        foreach (var entry in HardwareProfiles.ShippedEntries)
        {
            var p = entry.Profile;
            Assert.Equal(p.Name, entry.Name);
            Assert.Equal(p.Priority, entry.Priority);
            Assert.Equal((p.Match.Vendor, p.Match.Product, p.Match.Revision), (entry.Match.Vendor, entry.Match.Product, entry.Match.Revision));
        }
    }

    [Fact]
    public void Selecting_a_profile_parses_only_the_chosen_one()
    {
        var catalog = ProfileCatalog.Load(null);
        var sel = catalog.Select("STK", "L700", "0108");
        Assert.Equal("mhvtl-stk-l-series", sel.Profile.Name);
        var parsed = catalog.ParsedNames();
        Assert.Equal(["mhvtl-stk-l-series"], parsed);
    }

    [Fact]
    public void The_head_scan_reads_name_match_and_priority_in_any_order_and_skips_the_rest()
    {
        var head = ProfileHead.Scan("""
            { "sources": { "match": "x" }, "senseQuirks": [ { "asc": "04" } ], "priority": 7,
              // comment
              "match": { "product": "^P$", "revision": "^R$", "vendor": "^V$" }, "name": "n", }
            """u8);
        Assert.Equal("n", head.Name);
        Assert.Equal(7, head.Priority);
        Assert.Equal(("^V$", "^P$", "^R$"), (head.Match.Vendor, head.Match.Product, head.Match.Revision));
    }
}
