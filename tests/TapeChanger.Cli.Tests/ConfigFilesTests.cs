using Microsoft.Extensions.Configuration;

namespace TapeChanger.Cli.Tests;

/// <summary>Where configuration is read from, in which order, and how a bad file is reported.</summary>
public sealed class ConfigFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("tc-config-").FullName;

    public void Dispose() => Directory.Delete(_root, true);

    private string Write(string dir, string text)
    {
        Directory.CreateDirectory(Path.Combine(_root, dir));
        string path = Path.Combine(_root, dir, "appsettings.json");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Etc_then_the_users_config_directory_then_next_to_the_binary()
    {
        Assert.Equal(["/etc/tapechanger/appsettings.json", "/home/op/.cfg/tapechanger/appsettings.json", "/opt/tc/appsettings.json"],
            ConfigFiles.Paths("/opt/tc", "/etc/tapechanger", "/home/op/.cfg", "/home/op"));
        Assert.Equal("/home/op/.config/tapechanger/appsettings.json", ConfigFiles.Paths("/opt/tc", "/etc/tapechanger", null, "/home/op")[1]);
        Assert.Equal("/home/op/.config/tapechanger/appsettings.json", ConfigFiles.Paths("/opt/tc", "/etc/tapechanger", "relative", "/home/op")[1]);
        Assert.Equal(2, ConfigFiles.Paths("/opt/tc", "/etc/tapechanger", null, null).Count);
    }

    [Fact]
    public void A_later_file_overrides_an_earlier_one_setting_by_setting()
    {
        var paths = new[]
        {
            Write("etc", """{ "Device": "virtual:", "UnitAttentionRetries": 5, "CleanerPrefix": "CLN" }"""),
            Write("user", """{ "Device": "sg:/dev/sg3", "UnitAttentionRetries": 7 }"""),
            Write("bin", """{ "Device": "iscsi://host/iqn.x/0" }"""),
            Path.Combine(_root, "missing", "appsettings.json"),
        };
        var config = ConfigFiles.Build(paths, TextWriter.Null);
        Assert.Equal("iscsi://host/iqn.x/0", config["Device"]);
        Assert.Equal("7", config["UnitAttentionRetries"]);
        Assert.Equal("CLN", config["CleanerPrefix"]);
    }

    [Fact]
    public void A_malformed_file_is_reported_with_its_path_line_and_column()
    {
        string path = Write("etc", "{\n  \"Device\": \"virtual:\",\n  \"UnitAttentionRetries\": ,\n}");
        var e = Assert.Throws<UsageException>(() => ConfigFiles.Build([path], TextWriter.Null));
        Assert.Equal(ExitCodes.ConfigError, e.ExitCode);
        Assert.StartsWith($"{path}: line 3, column 27: not valid JSON", e.Message);
        // The parser's own place (counted from 0) is not repeated after the line and column.
        Assert.EndsWith("line 3, column 27: not valid JSON (',' is an invalid start of a value)", e.Message);
        Assert.DoesNotContain("LineNumber", e.Message);
    }

    [Fact]
    public void An_unknown_setting_is_a_warning_naming_it()
    {
        string path = Write("user", """{ "Device": "virtual:", "Devcie": "sg:/dev/sg1" }""");
        var warnings = new StringWriter();
        ConfigFiles.Build([path], warnings);
        Assert.Equal($"tapechanger: warning: {path}: unknown setting 'Devcie' (ignored; known: {string.Join(", ", ConfigFiles.Known)})", warnings.ToString().Trim());
    }

    [Fact]
    public void A_bad_value_names_the_setting_and_the_expected_type_in_words() =>
        Assert.Equal("invalid configuration: UnitAttentionRetries is 'abc', not a whole number",
            ConfigFiles.BadValue("Failed to convert configuration value 'abc' at 'UnitAttentionRetries' to type 'System.Int32'."));

    [Fact]
    public void The_known_settings_are_the_options_class() =>
        Assert.Equal(typeof(TapeChangerOptions).GetProperties().Select(p => p.Name).Order(), ConfigFiles.CliSettings.Order());

    [Fact]
    public void The_shipped_appsettings_json_has_no_unknown_setting()
    {
        var warnings = new StringWriter();
        ConfigFiles.Build([Path.Combine(JsonSchemaTests.RepoRoot, "appsettings.json")], warnings);
        Assert.Equal("", warnings.ToString());
    }

    [Fact]
    public void The_cli_reports_a_malformed_user_file_and_exits_78()
    {
        string path = Write("xdg/tapechanger", "{ \"Device\": }");
        using var cli = new CliRunner();
        var r = cli.RunWithEnv(new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = Path.Combine(_root, "xdg") }, "status");
        Assert.Equal(78, r.ExitCode);
        Assert.Equal($"tapechanger: {path}: line 1, column 13: not valid JSON", r.Stderr.Trim()[..($"tapechanger: {path}: line 1, column 13: not valid JSON".Length)]);
    }
}
