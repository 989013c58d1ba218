using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Configuration;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// ConfigFiles.Read against the oracle it replaces, Microsoft.Extensions.Configuration.Json's provider: the same keys
/// and values for the same file, for hand-picked shapes and for generated documents.
/// </summary>
public sealed class ConfigJsonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-configjson-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static Dictionary<string, string?> Oracle(string json)
    {
        var root = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return root.AsEnumerable().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    private Dictionary<string, string?> Ours(string json, TextWriter? warnings = null)
    {
        string path = Path.Combine(_dir, "appsettings.json");
        File.WriteAllText(path, json);
        // As the configuration holds them: the root's children only (AsEnumerable adds no root key).
        var root = new ConfigurationBuilder().AddInMemoryCollection(ConfigFiles.Read(path, warnings ?? TextWriter.Null)).Build();
        return root.AsEnumerable().ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
    }

    private void Same(string json)
    {
        var expected = Oracle(json);
        var actual = Ours(json);
        Assert.Equal(expected.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase), actual.OrderBy(kv => kv.Key, StringComparer.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"Device": "virtual:", "UnitAttentionRetries": 5, "AutoCleaning": false, "ScsiLog": true}""")]
    [InlineData("""{"StateDirectory": null, "CleaningSeconds": 1.5e3, "OperatorWaitSeconds": -0}""")]
    [InlineData("""{"Libraries": {}, "Service": {"Listen": []}}""")]
    [InlineData("""{"Libraries": {"a": {"Device": "iscsi://h/iqn/1", "Drives": [0, 1, {"x": [null, true]}]}}}""")]
    [InlineData("""{"Service": {"UnixUsers": {"0": "admin", "1000": "operator"}, "Listen": ["unix:/run/s.sock", "http://127.0.0.1:8080"]}}""")]
    [InlineData("""{"Logging": {"LogLevel": {"Default": "Information"}}, "Kestrel": {"Certificates": {"Default": {"Path": "a\u00e9\"b"}}}}""")]
    [InlineData("""{"Libraries": {"a": {"x": 1}}, "libraries": {"A": {"y": 2}}}""")]
    [InlineData("""
        {
          // comments and trailing commas, as the shipped file may have
          "Device": "virtual:", /* inline */
          "Libraries": { "a": [1, 2,], },
        }
        """)]
    public void Hand_picked_documents_flatten_as_the_json_provider_does(string json) => Same(json);

    [Fact]
    public void Generated_documents_flatten_as_the_json_provider_does()
    {
        var names = Gen.Elements("Device", "Libraries", "a", "B", "x", "Listen", "0", "k:v", "é");
        Gen<string> Value(int depth) => depth <= 0
            ? Gen.OneOf(Gen.Elements("null", "true", "false", "0", "-12", "3.25", "1e2", "\"\"", "\"s\"", "\"a\\\"b\\u00e9\""))
            : Gen.OneOf(
                Value(0),
                Gen.ListOf(Value(depth - 1)).Select(l => "[" + string.Join(",", l.Take(3)) + "]"),
                Gen.ListOf(Gen.Zip(names, Value(depth - 1))).Select(l =>
                    "{" + string.Join(",", l.Take(3).DistinctBy(p => p.Item1, StringComparer.OrdinalIgnoreCase).Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}"));
        var documents = Gen.ListOf(Gen.Zip(names, Value(2))).Select(l =>
            "{" + string.Join(",", l.Take(4).DistinctBy(p => p.Item1, StringComparer.OrdinalIgnoreCase).Select(p => $"\"{p.Item1}\":{p.Item2}")) + "}");
        Prop.ForAll(documents.ToArbitrary(), json => Same(json)).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void A_setting_given_twice_is_refused_with_its_place_as_the_provider_refuses_it()
    {
        const string json = "{\n  \"Device\": \"virtual:\",\n  \"device\": \"sg:/dev/sg1\"\n}";
        Assert.ThrowsAny<Exception>(() => Oracle(json));
        var e = Assert.Throws<UsageException>(() => Ours(json));
        Assert.Equal(ExitCodes.ConfigError, e.ExitCode);
        Assert.EndsWith("appsettings.json: line 3, column 13: the setting 'device' is given twice", e.Message);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("\"virtual:\"")]
    [InlineData("42")]
    public void A_root_that_is_not_an_object_is_refused(string json)
    {
        var e = Assert.Throws<UsageException>(() => Ours(json));
        Assert.Equal(ExitCodes.ConfigError, e.ExitCode);
        Assert.Contains("line 1, column 1: the configuration must be a JSON object", e.Message);
    }

    [Theory]
    [InlineData("[1, ", "not valid JSON")]
    [InlineData("{\"Device\": \"virtual:\"} x", "line 1, column 24: not valid JSON")]
    [InlineData("", "line 1, column 1: not valid JSON")]
    [InlineData("{\"Device\": }", "line 1, column 12: not valid JSON")]
    public void Malformed_text_is_reported_as_malformed_with_its_place(string json, string expected)
    {
        var e = Assert.Throws<UsageException>(() => Ours(json));
        Assert.Equal(ExitCodes.ConfigError, e.ExitCode);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Only_unknown_top_level_settings_are_warned_about_each_once()
    {
        var warnings = new StringWriter();
        Ours("""{"Device": "virtual:", "Devcie": "x", "Libraries": {"Devcie": {}}}""", warnings);
        var lines = warnings.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains("unknown setting 'Devcie'", lines[0]);
    }
}
