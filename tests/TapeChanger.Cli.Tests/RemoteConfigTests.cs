using System.Text;
using TapeChanger.Cli.Remote;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The root "Server" and "Token" of appsettings.json as the lean image's hand-over and --server read them
/// (RemoteClient.RootStrings): what JsonDocument's lookup gave, in one reader pass.
/// </summary>
public class RemoteConfigTests
{
    private static Dictionary<string, string>? Read(string json) => RemoteClient.RootStrings(Encoding.UTF8.GetBytes(json), "Server", "Token");

    [Fact]
    public void Root_strings_are_read_and_everything_else_is_skipped()
    {
        var v = Read("""
            {
              // the host's service
              "Device": "virtual:",
              "Libraries": { "a": { "Server": "not this one", "List": [1, {"Token": "nor this"}] } },
              "Server": "unix:/run/tapechanger/tapechangerd.sock",
              "Token": "tc_abc", /* trailing comma below */
            }
            """);
        Assert.NotNull(v);
        Assert.Equal(2, v.Count);
        Assert.Equal("unix:/run/tapechanger/tapechangerd.sock", v["Server"]);
        Assert.Equal("tc_abc", v["Token"]);
    }

    [Fact]
    public void The_last_of_a_repeated_member_counts_even_when_it_is_not_a_string()
    {
        Assert.Equal("second", Read("""{"Server": "first", "Server": "second"}""")!["Server"]);
        Assert.False(Read("""{"Server": "first", "Server": 7}""")!.ContainsKey("Server"));
        Assert.Equal("again", Read("""{"Server": null, "Server": "again"}""")!["Server"]);
    }

    [Theory]
    [InlineData("""{"Server": ""}""")]
    [InlineData("""{"server": "lower case is another key"}""")]
    [InlineData("""{"Server": ["a"]}""")]
    [InlineData("""{"Server": {"Url": "a"}}""")]
    [InlineData("""{"Server": true}""")]
    public void Empty_differently_cased_or_non_string_values_are_not_taken(string json)
    {
        var v = Read(json);
        Assert.NotNull(v);
        Assert.Empty(v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("\"Server\"")]
    [InlineData("""{"Server": "a" """)]
    [InlineData("""{"Server": "a"} {"Token": "b"}""")]
    [InlineData("""{"Server": "a"}]""")]
    [InlineData("""{"Server" "a"}""")]
    public void Text_that_is_not_one_json_object_gives_nothing(string json) => Assert.Null(Read(json));
}
