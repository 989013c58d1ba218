using System.CommandLine;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// The top-level commands by name, in the order help lists them, and which of them a command line needs. Building a
/// command constructs its options, arguments and subcommands; a run of `status` needs only `status`, so only the
/// command the line names is built (tools/bench.sh counts the start-up). A line that names none, names an unknown word,
/// or asks for `completion` or `man` (which walk the whole tree) gets every command.
/// </summary>
internal static class CommandTable
{
    /// <summary>Every top-level command, in help order.</summary>
    public static IEnumerable<(string Name, Func<Command> Build)> All(Func<Command> mtxHelp)
    {
        foreach (var v in ChangerCommands.Verbs) yield return v;
        foreach (var v in CleanerCommands.Verbs) yield return v;
        yield return ("list", ListCommand.Build);
        yield return ("virtual", VirtualCommands.Build);
        yield return ("decode", DecodeCommands.Build);
        yield return ("profiles", ProfilesCommand.Build);
        yield return ("db", DbCommands.Build);
        yield return ("bacula-changer", BaculaChangerCommand.Build);
        yield return ("mtx", mtxHelp);
        yield return ("serve", ServiceCommands.Serve);
        yield return ("token", ServiceCommands.Token);
        foreach (var v in ShellCommands.Verbs) yield return v;
    }

    /// <summary>The root's options that take a value: the word after them is that value, not a command.</summary>
    private static readonly string[] ValueOptions = ["--device", "-f", "--state-dir", "--operator-wait", "--profile", "--server", "--token"];

    /// <summary>
    /// The command word a line names (the first word that is neither an option nor an option's value), or null when
    /// the whole tree is needed: no word, a response file (@FILE), a directive ([diagram]), `--`, or `completion`/`man`.
    /// An unknown word also comes back; <see cref="Wanted"/> then builds everything, so the parser's errors and
    /// suggestions are the same as with the whole tree.
    /// </summary>
    public static string? Named(IReadOnlyList<string> args)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.Length == 0 || a[0] is '@' or '[' || a == "--") return null;
            if (a[0] == '-')
            {
                // "--device X" takes the next word; "--device=X" and "--device:X" carry their value.
                if (Array.IndexOf(ValueOptions, a) >= 0) i++;
                continue;
            }
            return a is "completion" or "man" ? null : a;
        }
        return null;
    }

    /// <summary>
    /// Whether the line needs System.CommandLine's <see cref="RootCommand"/>: its --help (-h, /h, -?, /?) or --version
    /// option, a directive ([suggest], [diagram]) or a response file (@FILE, which may hold any of them) appear in it,
    /// or it names no known command (the usage errors then come from the whole tree). Otherwise none of what
    /// RootCommand adds can match a word of the line, and a plain command named tapechanger parses it the same way.
    /// </summary>
    public static bool NeedsFullRoot(IReadOnlyList<string> args)
    {
        foreach (string a in args)
        {
            if (a.Length == 0 || a[0] is '@' or '[' || a is "--help" or "-h" or "/h" or "-?" or "/?" or "--version") return true;
        }
        string? named = Named(args);
        if (named is null) return true;
        foreach (var (name, _) in All(() => null!))
        {
            if (name == named) return false;
        }
        return true;
    }

    /// <summary>The commands to build for <paramref name="args"/>: the named one alone when it exists, else all.</summary>
    public static IEnumerable<Command> Wanted(IReadOnlyList<string> args, Func<Command> mtxHelp)
    {
        string? named = Named(args);
        var all = All(mtxHelp).ToList();
        int at = named is null ? -1 : all.FindIndex(c => c.Name == named);
        return at >= 0 ? [all[at].Build()] : all.Select(c => c.Build());
    }
}
