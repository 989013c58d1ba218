using System.Text;
using Microsoft.Extensions.Configuration;

namespace TapeChanger.Service.Tests;

/// <summary>The Libraries section of appsettings.json, bound by the source-generated binder.</summary>
public sealed class ConfigurationTests
{
    private static LibraryServiceOptions Bind(string json) =>
        LibraryServiceOptions.From(new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build());

    [Fact]
    public void Libraries_ByName_WithTheDefaultDeviceAsDefault()
    {
        var options = Bind("""
            { "Device": "virtual:", "AutoCleaning": true, "OperatorRequestTimeoutSeconds": 90,
              "Libraries": { "robot1": { "Device": "iscsi://10.0.0.5/iqn.2026-11.example:vtl/3", "AutoCleaning": true },
                             "loader": { "Device": "sg:/dev/sg4" } } }
            """);
        Assert.Equal(90, options.OperatorRequestTimeoutSeconds);
        Assert.Equal(
            [new LibraryInfo("default", "virtual:", true, true), new LibraryInfo("loader", "sg:/dev/sg4", false, false),
             new LibraryInfo("robot1", "iscsi://10.0.0.5/iqn.2026-11.example:vtl/3", true, false)],
            options.Resolve());
    }

    [Fact]
    public void ADefaultEntry_ReplacesTheDefaultDevice()
    {
        var options = Bind("""{ "Device": "virtual:", "Libraries": { "default": { "Device": "sg:/dev/sg9" } } }""");
        Assert.Equal([new LibraryInfo("default", "sg:/dev/sg9", false, true)], options.Resolve());
    }

    [Theory]
    [InlineData("""{ "Libraries": { "../x": { "Device": "virtual:" } } }""", "not a valid library name")]
    [InlineData("""{ "Libraries": { "a": { "AutoCleaning": true } } }""", "Libraries:a:Device is missing")]
    public void BadLibraries_AreRefusedWithTheName(string json, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Bind(json).Resolve());
        Assert.Contains(message, e.Message);
    }
}
