using TapeChanger.Access;

namespace TapeChanger.Server.Api;

/// <summary>A CLI command line the service agreed to run: on which library, with which role, and the argv it runs.</summary>
public sealed record PreparedCommand(string Library, AccessRole Role, IReadOnlyList<string> Argv, string Text);

/// <summary>A command line the service will not run (400), or a library it does not have (404).</summary>
public sealed class CommandRefusedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>
/// Turns a client's `tapechanger` argv into the one the service runs. The device must be one of the service's
/// libraries (by name or by its configured URI; none: <c>default</c>) and is replaced by the library's URI; the state
/// directory is the service's (a client's --state-dir is refused); only commands that work on a library are taken, and
/// each needs a role: reading (status, inquiry, cleaner status, operations, mtx status) is viewer; moves, mail slot,
/// inventory, cleaning, the virtual library's operator actions are operator; cleaner reservations, recovery and the
/// database are admin. Offline commands (decode, profiles) and the service's own (serve, token) run in the client.
/// </summary>
public static class CliCommandPolicy
{
    private static readonly HashSet<string> ViewerCommands = ["status", "inquiry"];
    private static readonly HashSet<string> OperatorCommands = ["load", "unload", "transfer", "exchange", "position", "move", "import", "export", "inventory", "ieport", "clean", "virtual"];
    private static readonly HashSet<string> ValueOptions = ["--operator-wait", "--profile"];
    private static readonly HashSet<string> FlagOptions = ["--json", "--verbose", "-v", "--trace", "--help", "-h", "-?"];
    private static readonly HashSet<string> MtxReadWords = ["status", "inquiry", "nobarcode", "invert", "--version", "-h", "--help", "help"];

    public const int MaxArgs = 64;
    public const int MaxArgLength = 1024;

    /// <param name="resolve">Library name or configured URI → library name; null when the service has no such library.</param>
    public static PreparedCommand Prepare(IReadOnlyList<string> argv, Func<string, (string Name, string Uri)?> resolve, string stateDirectory)
    {
        if (argv.Count == 0) throw new CommandRefusedException(400, "empty command line");
        if (argv.Count > MaxArgs) throw new CommandRefusedException(400, $"too many arguments (at most {MaxArgs})");
        foreach (var a in argv)
        {
            if (a is null || a.Length > MaxArgLength) throw new CommandRefusedException(400, $"argument longer than {MaxArgLength} characters");
            if (a.Any(c => char.IsControl(c))) throw new CommandRefusedException(400, "control character in an argument");
        }
        string text = string.Join(' ', argv);
        int cmdAt = CommandIndex(argv);
        if (cmdAt < 0) throw new CommandRefusedException(400, "no command given");
        string command = argv[cmdAt];
        return command switch
        {
            "mtx" => PrepareMtx(argv, cmdAt, resolve, stateDirectory, text),
            "bacula-changer" => PrepareBacula(argv, cmdAt, resolve, stateDirectory, text),
            _ => PrepareCli(argv, cmdAt, resolve, stateDirectory, text),
        };
    }

    /// <summary>Where the command word is: the first word that is neither an option nor an option's value.</summary>
    private static int CommandIndex(IReadOnlyList<string> argv)
    {
        for (int i = 0; i < argv.Count; i++)
        {
            string a = argv[i];
            if (a is "--device" or "-f" or "--state-dir" || ValueOptions.Contains(a)) { i++; continue; }
            if (a.StartsWith('-')) continue;
            return i;
        }
        return -1;
    }

    private static PreparedCommand PrepareCli(IReadOnlyList<string> argv, int cmdAt, Func<string, (string Name, string Uri)?> resolve, string state, string text)
    {
        string? device = null;
        var rest = new List<string>();
        for (int i = 0; i < argv.Count; i++)
        {
            string a = argv[i];
            if (a is "--state-dir" || a.StartsWith("--state-dir=", StringComparison.Ordinal))
                throw new CommandRefusedException(400, "--state-dir is the service's own; leave it out with --server");
            if (a is "--device" or "-f")
            {
                if (i + 1 >= argv.Count) throw new CommandRefusedException(400, $"{a} needs a value");
                device = argv[++i];
                continue;
            }
            if (a.StartsWith("--device=", StringComparison.Ordinal)) { device = a["--device=".Length..]; continue; }
            rest.Add(a);
        }
        var (name, uri) = Library(device, resolve);
        string command = argv[cmdAt];
        var words = argv.Skip(cmdAt).Where(w => !w.StartsWith('-')).ToList();
        string sub = words.Count > 1 ? words[1] : "";
        bool help = argv.Any(a => a is "--help" or "-h" or "-?");
        AccessRole role = command switch
        {
            _ when ViewerCommands.Contains(command) => AccessRole.Viewer,
            _ when OperatorCommands.Contains(command) => AccessRole.Operator,
            "cleaner" => sub switch
            {
                "status" or "" => AccessRole.Viewer,
                "inject" or "eject" => AccessRole.Operator,
                "reserve" or "release" => AccessRole.Admin,
                _ => throw new CommandRefusedException(400, $"unknown cleaner command '{sub}'"),
            },
            "operations" => sub switch
            {
                "confirm" => AccessRole.Operator,
                "recover" => AccessRole.Admin,
                "run" => throw new CommandRefusedException(400, "'operations run' is the worker's own command; the service starts workers itself"),
                _ => AccessRole.Viewer,
            },
            "db" => AccessRole.Admin,
            // list probes devices and addresses the caller names (iSCSI portals): not for every viewer.
            "list" => AccessRole.Admin,
            "decode" or "profiles" => throw new CommandRefusedException(400, $"'{command}' works offline: run it without --server"),
            "serve" or "token" => throw new CommandRefusedException(400, $"'{command}' runs on the service's host: run it without --server"),
            _ => throw new CommandRefusedException(400, $"unrecognized command '{command}'"),
        };
        if (help) role = AccessRole.Viewer;
        List<string> run = ["--state-dir", state, "--device", uri, .. rest];
        return new PreparedCommand(name, role, run, text);
    }

    private static PreparedCommand PrepareMtx(IReadOnlyList<string> argv, int cmdAt, Func<string, (string Name, string Uri)?> resolve, string state, string text)
    {
        var prefix = new List<string>();
        for (int i = 0; i < cmdAt; i++)
        {
            string a = argv[i];
            if (a is "--state-dir") throw new CommandRefusedException(400, "--state-dir is the service's own; leave it out with --server");
            if (a is "--device" or "-f") throw new CommandRefusedException(400, "mtx takes its device after the word: mtx -f DEVICE ...");
            prefix.Add(a);
        }
        string? device = null;
        var words = new List<string>();
        for (int i = cmdAt + 1; i < argv.Count; i++)
        {
            if (argv[i] == "-f")
            {
                if (i + 1 >= argv.Count) throw new CommandRefusedException(400, "-f needs a value");
                device = argv[++i];
                continue;
            }
            words.Add(argv[i]);
        }
        var (name, uri) = Library(device, resolve);
        bool reads = words.All(w => MtxReadWords.Contains(w) || w.All(char.IsAsciiDigit));
        List<string> run = ["--state-dir", state, .. prefix, "mtx", "-f", uri, .. words];
        return new PreparedCommand(name, reads ? AccessRole.Viewer : AccessRole.Operator, run, text);
    }

    private static PreparedCommand PrepareBacula(IReadOnlyList<string> argv, int cmdAt, Func<string, (string Name, string Uri)?> resolve, string state, string text)
    {
        if (argv.Take(cmdAt).Any(a => a is "--state-dir" or "--device" or "-f"))
            throw new CommandRefusedException(400, "bacula-changer names its changer itself (CTL); leave out --device and --state-dir");
        var positional = new List<int>();
        for (int i = cmdAt + 1; i < argv.Count; i++)
        {
            if (argv[i] is "--ready-timeout") { i++; continue; }
            if (!argv[i].StartsWith('-')) positional.Add(i);
        }
        if (positional.Count < 2) throw new CommandRefusedException(400, "bacula-changer needs CTL and CMD");
        var (name, uri) = Library(argv[positional[0]], resolve);
        string what = argv[positional[1]];
        AccessRole role = what is "list" or "listall" or "slots" or "loaded" ? AccessRole.Viewer : AccessRole.Operator;
        var run = argv.ToList();
        run[positional[0]] = uri;
        run.InsertRange(0, ["--state-dir", state]);
        return new PreparedCommand(name, role, run, text);
    }

    private static (string Name, string Uri) Library(string? device, Func<string, (string Name, string Uri)?> resolve)
    {
        string key = string.IsNullOrEmpty(device) ? "default" : device;
        return resolve(key) ?? throw new CommandRefusedException(404, string.IsNullOrEmpty(device)
            ? "the service has no default library; name one with --device NAME"
            : $"the service has no library '{device}' (give a library name or its configured device URI)");
    }
}
