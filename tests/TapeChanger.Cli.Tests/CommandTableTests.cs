using System.CommandLine;
using TapeChanger.Cli.Commands;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// The command line builds only the command it names (CommandTable): each table name is its command's name, the
/// named word is found past the root's options and their values, and a line built from one command parses, fails and
/// suggests as the whole tree does.
/// </summary>
public sealed class CommandTableTests : IDisposable
{
    private readonly CliRunner _cli = new() { InProcess = true };

    public void Dispose() => _cli.Dispose();

    private static Command MtxHelp() => new("mtx");

    [Fact]
    public void Each_name_in_the_table_is_the_name_of_the_command_it_builds()
    {
        var all = CommandTable.All(MtxHelp).ToList();
        Assert.Equal(all.Count, all.Select(c => c.Name).Distinct().Count());
        foreach (var (name, build) in all) Assert.Equal(name, build().Name);
        Assert.Contains("status", all.Select(c => c.Name));
        Assert.Contains("bacula-changer", all.Select(c => c.Name));
    }

    [Theory]
    [InlineData("status", "status")]
    [InlineData("--device virtual: status --json", "status")]
    [InlineData("-f status load 1 0", "load")]                  // "status" here is the device's value
    [InlineData("--profile tgt --operator-wait 5 cleaner status", "cleaner")]
    [InlineData("--state-dir=/tmp/x --verbose inquiry", "inquiry")]
    [InlineData("--device:virtual: transfer 1 2", "transfer")]
    [InlineData("--server unix:/run/x --token t list", "list")]
    [InlineData("frobnicate", "frobnicate")]
    public void The_named_command_is_the_first_word_that_is_no_option_or_value(string line, string expected) =>
        Assert.Equal(expected, CommandTable.Named(line.Split(' ')));

    [Theory]
    [InlineData("")]
    [InlineData("--help")]
    [InlineData("--json")]
    [InlineData("completion bash")]
    [InlineData("--verbose man")]
    [InlineData("@args.rsp")]
    [InlineData("[diagram] status")]
    [InlineData("-- status")]
    public void Lines_that_need_the_whole_tree_name_none(string line) =>
        Assert.Null(CommandTable.Named(line.Length == 0 ? [] : line.Split(' ')));

    [Fact]
    public void One_named_command_builds_alone_an_unknown_word_builds_all()
    {
        Assert.Equal(["status"], CommandTable.Wanted(["--json", "status"], MtxHelp).Select(c => c.Name));
        int all = CommandTable.All(MtxHelp).Count();
        Assert.Equal(all, CommandTable.Wanted(["stauts"], MtxHelp).Count());
        Assert.Equal(all, CommandTable.Wanted(["man"], MtxHelp).Count());
    }

    [Fact]
    public void An_unknown_word_is_still_answered_with_the_nearest_command()
    {
        var r = _cli.Run("stauts");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("did you mean 'status'?", r.Stderr);
    }

    [Fact]
    public void The_manual_page_lists_every_command_although_it_names_one()
    {
        var r = _cli.Run("man");
        Assert.Equal(0, r.ExitCode);
        // roff writes a hyphen as \-
        foreach (var (name, _) in CommandTable.All(MtxHelp)) Assert.Contains(name.Replace("-", @"\-", StringComparison.Ordinal), r.Stdout);
    }

    [Theory]
    [InlineData("status", false)]
    [InlineData("--device virtual: status --json", false)]
    [InlineData("load 1 0", false)]
    [InlineData("status --help", true)]
    [InlineData("status -h", true)]
    [InlineData("cleaner /?", true)]
    [InlineData("status --version", true)]
    [InlineData("--version", true)]
    [InlineData("[diagram] status", true)]
    [InlineData("status @more.rsp", true)]
    [InlineData("frobnicate", true)]
    [InlineData("--json", true)]
    [InlineData("-- status", true)]
    public void Only_a_line_that_can_reach_help_version_directives_or_errors_of_the_whole_tree_needs_the_full_root(string line, bool full) =>
        Assert.Equal(full, CommandTable.NeedsFullRoot(line.Split(' ')));

    [Theory]
    [InlineData("status", "--help")]
    [InlineData("status", "-h")]
    [InlineData("status", "--version")]
    [InlineData("load", "1", "0", "--help")]
    public void Help_and_version_after_a_command_still_answer_as_with_the_full_root(params string[] line)
    {
        var r = _cli.Run(line);
        if (line[^1] == "--version")
        {
            // System.CommandLine's own check: --version goes alone.
            Assert.Equal(ExitCodes.Usage, r.ExitCode);
            Assert.Contains("--version", r.Stderr);
        }
        else
        {
            Assert.Equal(0, r.ExitCode);
            Assert.StartsWith($"Usage: tapechanger {line[0]}", r.Stdout);
        }
    }

    [Fact]
    public void A_subcommand_built_alone_still_reports_its_own_bad_arguments()
    {
        var r = _cli.Run("load", "notanumber");
        Assert.Equal(ExitCodes.Usage, r.ExitCode);
        Assert.Contains("'notanumber'", r.Stderr);
    }
}
