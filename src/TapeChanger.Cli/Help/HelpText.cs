using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Text;

namespace TapeChanger.Cli.Help;

/// <summary>
/// `--help` for every command, in place of System.CommandLine's layout (which lists the global options under every
/// command and repeats defaults the descriptions already give). A command's help: usage, description, arguments, its
/// own options, and one line pointing to `tapechanger --help`, where the global options are listed once.
/// </summary>
internal static class HelpText
{
    /// <summary>Text width: fixed, so the help reads the same on a terminal, in a pipe and in the tests.</summary>
    public const int Width = 80;
    private const int LabelColumn = 24;

    public const string GlobalPointer = "Global options (device, --json, state directory, ...): 'tapechanger --help'.";

    /// <summary>Gives the root's --help option (recursive, so it answers for every command) this layout.</summary>
    public static void Install(Command root)
    {
        foreach (var help in root.Options.OfType<HelpOption>()) help.Action = new Action();
    }

    private sealed class Action : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var command = parseResult.CommandResult.Command;
            var root = parseResult.RootCommandResult.Command;
            parseResult.InvocationConfiguration.Output.Write(Render(root, command, PathOf(parseResult)));
            return ExitCodes.Success;
        }
    }

    /// <summary>"cleaner reserve" from the parsed command chain (the root's own name is the executable's, not used).</summary>
    private static string PathOf(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent) names.Insert(0, r.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>The help of <paramref name="command"/> (the root when it is the root).</summary>
    public static string Render(Command root, Command command, string path)
    {
        var sb = new StringBuilder();
        bool isRoot = ReferenceEquals(root, command);
        sb.Append("Usage: ").AppendLine(CommandModel.Usage(path, command)).AppendLine();
        if (!string.IsNullOrEmpty(command.Description))
        {
            foreach (var line in command.Description.Split('\n')) Wrap(sb, line, "");
            sb.AppendLine();
        }
        var arguments = CommandModel.VisibleArguments(command).Select(a => (CommandModel.ArgumentLabel(a).Trim('[', ']'), CommandModel.Describe(a))).ToList();
        Section(sb, "Arguments:", arguments);
        var commands = command.Subcommands.Where(s => !s.Hidden)
            .Select(s => ($"{s.Name} {CommandModel.ArgumentsSynopsis(s)}".TrimEnd(), CommandModel.Summary(s))).ToList();
        Section(sb, "Commands:", commands);
        if (isRoot)
        {
            Section(sb, "Global options (every command takes them):", Rows(CommandModel.GlobalOptions(root)));
            Section(sb, "Other options:", Rows(CommandModel.RootOptions(root).Except(CommandModel.GlobalOptions(root))));
        }
        else
        {
            Section(sb, "Options:", Rows(CommandModel.OwnOptions(command, root)));
            sb.AppendLine(GlobalPointer);
        }
        return sb.ToString();
    }

    private static List<(string, string)> Rows(IEnumerable<Option> options) =>
        options.Select(o => (CommandModel.OptionLabel(o), CommandModel.Describe(o))).ToList();

    private static void Section(StringBuilder sb, string title, List<(string Label, string Text)> rows)
    {
        if (rows.Count == 0) return;
        sb.AppendLine(title);
        int column = Math.Min(LabelColumn, rows.Max(r => r.Label.Length)) + 4;   // two spaces before, two after
        foreach (var (label, text) in rows)
        {
            string head = "  " + label;
            if (head.Length + 2 > column)
            {
                sb.AppendLine(head);
                head = "";
            }
            Wrap(sb, head.PadRight(column) + text, new string(' ', column));
        }
        sb.AppendLine();
    }

    /// <summary>The leading white space, with a number and the white space after it when one follows ("  130  ").</summary>
    internal static int HangingIndent(string line)
    {
        int start = 0;
        while (start < line.Length && char.IsWhiteSpace(line[start])) start++;
        int digits = start;
        while (digits < line.Length && char.IsDigit(line[digits])) digits++;
        int after = digits;
        while (after < line.Length && char.IsWhiteSpace(line[after])) after++;
        return digits > start && after > digits ? after : start;
    }

    /// <summary>
    /// Writes <paramref name="line"/> folded at <see cref="Width"/> on spaces. Continuation lines start with
    /// <paramref name="indent"/>, or (when that is empty) under the text after the line's leading spaces and number
    /// (the exit-code table: "  130  cancelled").
    /// </summary>
    private static void Wrap(StringBuilder sb, string line, string indent)
    {
        line = line.TrimEnd();
        if (indent.Length == 0)
        {
            indent = new string(' ', HangingIndent(line));
        }
        while (line.Length > Width)
        {
            int cut = line.LastIndexOf(' ', Width);
            if (cut <= indent.Length) cut = line.IndexOf(' ', Width);
            if (cut < 0) break;
            sb.AppendLine(line[..cut].TrimEnd());
            line = indent + line[(cut + 1)..].TrimStart();
        }
        sb.AppendLine(line);
    }
}
