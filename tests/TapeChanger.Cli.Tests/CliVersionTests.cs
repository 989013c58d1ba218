using System.Reflection;

namespace TapeChanger.Cli.Tests;

public class CliVersionTests
{
    private static string InformationalVersion =>
        typeof(TapeChangerCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    [Fact]
    public async Task Version_alone_prints_the_informational_version_without_building_the_tree()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync(["--version"], stdout, stderr);
        Assert.Equal(0, rc);
        Assert.Equal(InformationalVersion + Environment.NewLine, stdout.ToString());
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void Version_from_the_process_is_the_same_text()
    {
        // The fast path and a separate process (as scripts call it) print the same line.
        using var cli = new CliRunner();
        var r = cli.Run("--version");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(InformationalVersion, r.Stdout.Trim());
    }
}
