using TapeChanger.Domain;

namespace TapeChanger.Domain.Tests;

public class HardwareProfileTests
{
    [Theory]
    [InlineData("STK", "L700", "mhvtl-stk-l-series")]        // mhVTL library 10 (emulators.md §1.2)
    [InlineData("STK", "L80", "mhvtl-stk-l-series")]         // mhVTL library 30
    [InlineData("HPE", "MSL3040", "generic-smc")]            // hwdata msl3040 capture: no specific profile yet
    [InlineData("IET", "VIRTUAL-CHANGER", "generic-smc")]    // tgt's default identity
    public void Profiles_match_on_inquiry_vendor_and_product(string vendor, string product, string expected)
    {
        var sel = HardwareProfiles.Select(vendor, product);
        Assert.Equal(expected, sel.Profile.Name);
        Assert.Contains(expected == "generic-smc" ? "generic" : "matches", sel.Reason);
    }

    [Fact]
    public void Every_shipped_profile_is_valid_and_cites_sources()
    {
        Assert.Contains(HardwareProfiles.All, p => p.Name == "generic-smc");
        Assert.All(HardwareProfiles.All, p => Assert.NotEmpty(p.Sources));
        Assert.Equal(120, HardwareProfiles.Select("STK", "L700").Profile.Cleaning.Seconds);   // 30 s + 90 s, emulators.md §1.10
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("{\"name\": \"\"}")]
    [InlineData("{\"name\": \"x\", \"match\": {\"vendor\": \"(\"}}")]
    [InlineData("{\"name\": \"x\", \"cleaning\": {\"seconds\": 0}}")]
    public void Invalid_profiles_are_rejected_with_the_source_named(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => HardwareProfiles.Parse(json, "my.json"));
        Assert.Contains("my.json", e.Message);
    }
}
