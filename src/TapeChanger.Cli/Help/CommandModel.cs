using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Help;

namespace TapeChanger.Cli.Help;

/// <summary>
/// What `--help`, the man page and the completion scripts say about a command, from its definition: the usage line
/// (optional arguments in brackets), the options that belong to the command (global options only at the top), each
/// symbol's label and its description with the default stated once. One model, so the three cannot disagree.
/// </summary>
internal static class CommandModel
{
    public const string Program = "tapechanger";

    /// <summary>Every visible command with its path ("cleaner inject"), depth first.</summary>
    public static IEnumerable<(string Path, Command Command)> Walk(Command c, string path = "")
    {
        foreach (var sub in c.Subcommands.Where(s => !s.Hidden))
        {
            string p = path.Length == 0 ? sub.Name : $"{path} {sub.Name}";
            yield return (p, sub);
            foreach (var x in Walk(sub, p)) yield return x;
        }
    }

    /// <summary>The options every command takes: the root's recursive ones (device, --json, --help, ...).</summary>
    public static IEnumerable<Option> GlobalOptions(Command root) => root.Options.Where(o => o.Recursive && !o.Hidden);

    /// <summary>The options listed at the top: the global ones and the root's own (--version).</summary>
    public static IEnumerable<Option> RootOptions(Command root) => root.Options.Where(o => !o.Hidden);

    /// <summary>
    /// The command's own options: declared on it, or recursive on a parent below the root. Never a global option
    /// (the root's recursive ones), and never --help.
    /// </summary>
    public static IEnumerable<Option> OwnOptions(Command c, Command root)
    {
        if (ReferenceEquals(c, root)) return [];
        var inherited = Ancestors(c).Where(a => !ReferenceEquals(a, root)).SelectMany(a => a.Options.Where(o => o.Recursive));
        return c.Options.Concat(inherited).Where(o => !o.Hidden && o is not HelpOption && !root.Options.Contains(o)).Distinct();
    }

    private static IEnumerable<Command> Ancestors(Command c)
    {
        for (var p = c.Parents.OfType<Command>().FirstOrDefault(); p is not null; p = p.Parents.OfType<Command>().FirstOrDefault()) yield return p;
    }

    public static IEnumerable<Argument> VisibleArguments(Command c) => c.Arguments.Where(a => !a.Hidden);

    /// <summary>SLOT, [DRIVE] when it may be left out, ID... when it takes several.</summary>
    public static string ArgumentLabel(Argument a)
    {
        string name = a.HelpName ?? a.Name;
        if (a.Arity.MaximumNumberOfValues > 1) name += "...";
        return a.Arity.MinimumNumberOfValues == 0 ? $"[{name}]" : name;
    }

    /// <summary>The words after the command's path: its arguments, COMMAND when it has subcommands.</summary>
    public static string ArgumentsSynopsis(Command c)
    {
        var words = VisibleArguments(c).Select(ArgumentLabel).ToList();
        if (c.Subcommands.Any(s => !s.Hidden)) words.Add(c.Action is null ? "COMMAND" : "[COMMAND]");
        return string.Join(' ', words);
    }

    /// <summary>`tapechanger cleaner reserve SLOT [options]`.</summary>
    public static string Usage(string path, Command c)
    {
        string args = ArgumentsSynopsis(c);
        return string.Join(' ', new[] { Program, path, args, "[options]" }.Where(w => w.Length > 0));
    }

    /// <summary>-f, --device DEVICE; --via auto|ieport|door; --wait. Windows-style aliases (/?, /h) are taken, not shown.</summary>
    public static string OptionLabel(Option o)
    {
        var names = o.Aliases.Append(o.Name).Where(n => n.StartsWith('-')).Distinct(StringComparer.Ordinal)
            .OrderBy(n => n.StartsWith("--", StringComparison.Ordinal) ? 1 : 0).ThenBy(n => n, StringComparer.Ordinal);
        string label = string.Join(", ", names);
        return ValueName(o) is { } value ? $"{label} {value}" : label;
    }

    /// <summary>The value an option takes (its help name, its choices, or its name in capitals); null for a flag.</summary>
    public static string? ValueName(Option o)
    {
        if (o.Arity.MaximumNumberOfValues == 0 || o.ValueType == typeof(bool) || o.ValueType == typeof(bool?)) return null;
        if (o.HelpName is { } help) return help;
        var choices = o.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
        if (choices.Count > 0) return string.Join('|', choices);
        return o.Name.TrimStart('-').ToUpperInvariant();
    }

    /// <summary>The option's or argument's description, with its default added when the description does not state one.</summary>
    public static string Describe(Symbol s)
    {
        string text = s.Description ?? "";
        object? value = s switch
        {
            Option { HasDefaultValue: true } o when o.ValueType != typeof(bool) => o.GetDefaultValue(),
            Argument { HasDefaultValue: true } a => a.GetDefaultValue(),
            _ => null,
        };
        if (value is null || text.Contains("default", StringComparison.OrdinalIgnoreCase)) return text;
        string shown = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        return text.Length == 0 ? $"Default {shown}." : text.EndsWith('.') ? $"{text} Default {shown}." : $"{text} (default {shown})";
    }

    /// <summary>The first line of a command's description (the command lists and completion use it).</summary>
    public static string Summary(Command c) => (c.Description ?? "").Split('\n')[0];
}
