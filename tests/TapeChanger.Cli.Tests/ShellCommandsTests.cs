using System.Diagnostics;

namespace TapeChanger.Cli.Tests;

/// <summary>`completion bash|zsh|fish` and `man` are made from the command definitions: every visible command is in them.</summary>
public sealed class ShellCommandsTests
{
    private static async Task<string> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await TapeChangerCli.RunAsync(args, stdout, stderr));
        return stdout.ToString();
    }

    [Fact]
    public async Task Bash_completion_completes_commands_and_subcommands()
    {
        string script = Path.Combine(Directory.CreateTempSubdirectory("tc-comp-").FullName, "tapechanger.bash");
        File.WriteAllText(script, await Run("completion", "bash"));
        string Complete(string words, int cword)
        {
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"source '{script}'; COMP_WORDS=({words}); COMP_CWORD={cword}; _tapechanger; echo \"${{COMPREPLY[@]}}\"");
            using var p = Process.Start(psi)!;
            string o = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return o;
        }
        Assert.Equal("status", Complete("tapechanger stat", 1));
        Assert.Equal("inject", Complete("tapechanger cleaner in", 2));
        Assert.Contains("--if-needed", Complete("tapechanger clean --if", 2));
        Assert.Contains("--adopt", Complete("tapechanger cleaner reserve --ad", 3));
    }

    [Fact]
    public async Task Zsh_and_fish_scripts_name_every_command()
    {
        string zsh = await Run("completion", "zsh");
        string fish = await Run("completion", "fish");
        Assert.StartsWith("#compdef tapechanger", zsh);
        foreach (var name in new[] { "status", "cleaner", "inject", "operations", "completion" })
        {
            Assert.Contains($"'{name}:", zsh);
            Assert.Contains($" -a {name} ", fish);
        }
    }

    [Fact]
    public async Task The_man_page_lists_every_command_option_and_exit_code()
    {
        string man = await Run("man");
        Assert.StartsWith(".TH TAPECHANGER 1", man);
        Assert.Contains("\\fBcleaner inject\\fR", man);
        Assert.Contains("\\fBload\\fR SLOT [DRIVE]", man);
        Assert.Contains("[\\-\\-if\\-needed]", man);
        foreach (var row in ExitCodes.Table) Assert.Contains($".TP\n\\fB{row.Code}\\fR\n", man.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("operations run", man);                                   // hidden worker command
    }
}
