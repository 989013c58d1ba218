using System.CommandLine;
using System.Text;
using TapeChanger.Cli.Help;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// `completion bash|zsh|fish` and `man`: shell completion scripts and the tapechanger(1) manual page, both made from the
/// command definitions, so they list exactly the commands and options the parser takes (tools/install.sh installs them).
/// </summary>
internal static class ShellCommands
{
    /// <summary>Each command's name and how to build it. Both walk the whole tree, so the command line builds it all for them.</summary>
    public static readonly (string Name, Func<Command> Build)[] Verbs = [("completion", Completion), ("man", Man)];

    private static Command Completion()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var completion = new Command("completion", "Print a completion script for SHELL (bash, zsh or fish), made from the command definitions.") { shell };
        completion.SetAction(p =>
        {
            var root = p.RootCommandResult.Command;
            p.InvocationConfiguration.Output.Write(p.GetValue(shell) switch
            {
                "bash" => Bash(root),
                "zsh" => Zsh(root),
                _ => Fish(root),
            });
            return ExitCodes.Success;
        });
        return completion;
    }

    private static Command Man()
    {
        var man = new Command("man", "Print the tapechanger(1) manual page (roff), made from the command definitions.");
        man.SetAction(p =>
        {
            p.InvocationConfiguration.Output.Write(ManPage(p.RootCommandResult.Command));
            return ExitCodes.Success;
        });
        return man;
    }

    internal static IEnumerable<(string Path, Command Command)> Walk(Command c) => CommandModel.Walk(c);

    /// <summary>What completion offers after a command: its own options (the global ones everywhere), as --help lists them.</summary>
    private static IEnumerable<string> OptionNames(Command c, Command root) =>
        CommandModel.OwnOptions(c, root).Concat(CommandModel.GlobalOptions(root)).Concat(ReferenceEquals(c, root) ? CommandModel.RootOptions(root) : [])
            .SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct();

    private static string Bash(Command root)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# bash completion for tapechanger (made by 'tapechanger completion bash')");
        sb.AppendLine("_tapechanger() {");
        sb.AppendLine("  local cur=${COMP_WORDS[COMP_CWORD]} path=\"\" w i");
        sb.AppendLine("  for ((i = 1; i < COMP_CWORD; i++)); do w=${COMP_WORDS[i]}; [[ $w == -* ]] || path=\"${path:+$path }$w\"; done");
        sb.AppendLine("  local words");
        sb.AppendLine("  case $path in");
        foreach (var (path, c) in Walk(root).Prepend(("", root)))
        {
            string words = string.Join(' ', c.Subcommands.Where(s => !s.Hidden).Select(s => s.Name).Concat(OptionNames(c, root)));
            sb.AppendLine($"    \"{path}\") words=\"{words}\" ;;");
        }
        sb.AppendLine("    *) words=\"\" ;;");
        sb.AppendLine("  esac");
        sb.AppendLine("  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))");
        sb.AppendLine("}");
        sb.AppendLine("complete -F _tapechanger tapechanger");
        return sb.ToString();
    }

    private static string Zsh(Command root)
    {
        var sb = new StringBuilder();
        sb.AppendLine("#compdef tapechanger");
        sb.AppendLine("# zsh completion for tapechanger (made by 'tapechanger completion zsh')");
        sb.AppendLine("_tapechanger() {");
        sb.AppendLine("  local path=\"\" w i");
        sb.AppendLine("  for ((i = 2; i < CURRENT; i++)); do w=${words[i]}; [[ $w == -* ]] || path=\"${path:+$path }$w\"; done");
        sb.AppendLine("  case $path in");
        foreach (var (path, c) in Walk(root).Prepend(("", root)))
        {
            var items = c.Subcommands.Where(s => !s.Hidden).Select(s => $"'{s.Name}:{Quote(s.Description)}'")
                .Concat(OptionNames(c, root).Select(o => $"'{o}'"));
            sb.AppendLine($"    \"{path}\") _describe 'tapechanger' \"(({string.Join(' ', items).Replace("\"", "\\\"")}))\" ;;");
        }
        sb.AppendLine("  esac");
        sb.AppendLine("}");
        sb.AppendLine("compdef _tapechanger tapechanger");
        return sb.ToString();

        static string Quote(string? s) => (s ?? "").Split('\n')[0].Replace("'", "").Replace(":", "\\:");
    }

    private static string Fish(Command root)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# fish completion for tapechanger (made by 'tapechanger completion fish')");
        sb.AppendLine("complete -c tapechanger -f");
        foreach (var (path, c) in Walk(root).Prepend(("", root)))
        {
            string parents = path.Length == 0 ? "__fish_use_subcommand" : $"__fish_seen_subcommand_from {path.Split(' ')[^1]}";
            foreach (var s in c.Subcommands.Where(s => !s.Hidden))
            {
                sb.AppendLine($"complete -c tapechanger -n '{parents}' -a {s.Name} -d '{(s.Description ?? "").Split('\n')[0].Replace("'", "")}'");
            }
            foreach (var o in CommandModel.OwnOptions(c, root).Where(o => o.Name.StartsWith("--", StringComparison.Ordinal)))
            {
                sb.AppendLine($"complete -c tapechanger -n '{parents}' -l {o.Name[2..]} -d '{(o.Description ?? "").Replace("'", "")}'");
            }
        }
        foreach (var o in CommandModel.GlobalOptions(root).Where(o => o.Name.StartsWith("--", StringComparison.Ordinal)))
        {
            sb.AppendLine($"complete -c tapechanger -l {o.Name[2..]} -d '{(o.Description ?? "").Replace("'", "")}'");
        }
        return sb.ToString();
    }

    internal static string ManPage(Command root)
    {
        var sb = new StringBuilder();
        sb.AppendLine(".TH TAPECHANGER 1 \"\" \"tapechanger\" \"User Commands\"");
        sb.AppendLine(".SH NAME");
        sb.AppendLine("tapechanger \\- control SCSI tape libraries and autoloaders");
        sb.AppendLine(".SH SYNOPSIS");
        sb.AppendLine(".B tapechanger");
        sb.AppendLine("[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR]");
        sb.AppendLine(".SH DESCRIPTION");
        foreach (var line in (root.Description ?? "").Split('\n').TakeWhile(l => !l.StartsWith("Exit codes", StringComparison.Ordinal)))
        {
            sb.AppendLine(line.Length == 0 ? ".PP" : Roff(line));
        }
        sb.AppendLine(".SH GLOBAL OPTIONS");
        var rootOnly = CommandModel.RootOptions(root).Except(CommandModel.GlobalOptions(root)).Select(o => o.Name).ToList();
        sb.AppendLine(Roff("Every command takes these" + (rootOnly.Count > 0 ? $" except {string.Join(", ", rootOnly)}." : ".")));
        foreach (var o in CommandModel.RootOptions(root))
        {
            sb.AppendLine(".TP");
            sb.AppendLine($"\\fB{Roff(CommandModel.OptionLabel(o))}\\fR");
            sb.AppendLine(Roff(CommandModel.Describe(o)));
        }
        sb.AppendLine(".SH COMMANDS");
        foreach (var (path, c) in Walk(root))
        {
            var own = CommandModel.OwnOptions(c, root).ToList();
            sb.AppendLine(".TP");
            string opts = string.Join(' ', own.Select(o => $"[{o.Name}]"));
            sb.AppendLine($"\\fB{Roff(path)}\\fR {Roff(CommandModel.ArgumentsSynopsis(c))} {Roff(opts)}".TrimEnd());
            sb.AppendLine(Roff(CommandModel.Summary(c)));
            if (own.Count == 0 && !CommandModel.VisibleArguments(c).Any()) continue;
            sb.AppendLine(".RS");
            foreach (var a in CommandModel.VisibleArguments(c))
            {
                sb.AppendLine(".TP");
                sb.AppendLine($"\\fI{Roff(CommandModel.ArgumentLabel(a).Trim('[', ']'))}\\fR");
                sb.AppendLine(Roff(CommandModel.Describe(a)));
            }
            foreach (var o in own)
            {
                sb.AppendLine(".TP");
                sb.AppendLine($"\\fB{Roff(CommandModel.OptionLabel(o))}\\fR");
                sb.AppendLine(Roff(CommandModel.Describe(o)));
            }
            sb.AppendLine(".RE");
        }
        sb.AppendLine(".SH EXIT STATUS");
        foreach (var row in ExitCodes.Table)
        {
            sb.AppendLine(".TP");
            sb.AppendLine($"\\fB{row.Code}\\fR");
            sb.AppendLine(Roff(row.Meaning));
        }
        sb.AppendLine(".SH FILES");
        sb.AppendLine(".TP\n\\fI/etc/tapechanger/appsettings.json\\fR, \\fI$XDG_CONFIG_HOME/tapechanger/appsettings.json\\fR");
        sb.AppendLine("Settings, after the appsettings.json next to the binary; each overrides the one before, TAPECHANGER_* variables override them.");
        sb.AppendLine(".TP\n\\fI$XDG_STATE_HOME/tapechanger\\fR, \\fI~/.local/state/tapechanger\\fR, \\fI/var/lib/tapechanger\\fR (root)");
        sb.AppendLine("State: cleaner reservations and journal, learned quirks, the virtual library.");
        return sb.ToString();

        static string Roff(string s) => s.Replace("\\", "\\\\").Replace("-", "\\-").Replace("\n", " ");
    }
}
