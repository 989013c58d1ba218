using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TapeChanger.Cli;
using TapeChanger.Cli.Commands;
using TapeChanger.Cli.Output;

string? argv0 = ProgramName.Argv0();
// The lean image (no service client, no PostgreSQL; tools/publish-aot.sh) hands a command line that needs either to
// tapechanger-full before anything else happens (FullImage).
if (FullImage.IsLean && FullImage.Need(argv0, args, Environment.GetEnvironmentVariable, TapeChanger.Cli.Remote.RemoteClient.ConfigValue) is var need and not FullImageNeed.None)
{
    return FullImage.HandOver(need, args, ProcessConsole.Out, ProcessConsole.Err);
}
// Run through a link named mtx (argv[0]), TapeChanger is mtx: mtx's command line, text and exit statuses.
if (argv0 is not null && ProgramName.IsMtx(argv0))
{
    // With a service configured (TAPECHANGER_SERVER or Server), mtx's command line goes there as `mtx ...`.
    string[] mtxArgs = ["mtx", .. args];
    if (TapeChanger.Cli.Remote.RemoteClient.TryCreate(ref mtxArgs, ProcessConsole.Err, out var remote))
    {
        return remote is null ? ExitCodes.Usage : await remote.RunAsync(mtxArgs, ProcessConsole.Out, ProcessConsole.Err).ConfigureAwait(false);
    }
    return await TapeChanger.Cli.Mtx.MtxProgram.RunAsync(args, ProcessConsole.Out, ProcessConsole.Err).ConfigureAwait(false);
}
// A cleaner worker started on Windows has no console: it writes to the log file its starter named.
if (OperatingSystem.IsWindows() && WindowsWorker.OpenLog() is { } workerLog)
{
    await using (workerLog.ConfigureAwait(false))
    {
        return await TapeChangerCli.RunAsync(args, workerLog, workerLog).ConfigureAwait(false);
    }
}
return await TapeChangerCli.RunAsync(args, ProcessConsole.Out, ProcessConsole.Err).ConfigureAwait(false);

namespace TapeChanger.Cli
{
    /// <summary>The `tapechanger` command tree: mtx-compatible verbs plus virtual-library and decode tools.</summary>
    public static class TapeChangerCli
    {
        internal static readonly Option<string?> DeviceOption = new("--device", "-f")
        {
            Description = "Device URI: virtual:[DIR], sg:/dev/sgN, iscsi://[user[%pass]@]host[:port]/iqn/lun, spt:\\\\.\\ChangerN, usb:VID:PID[:serial], replay:FILE. Default from appsettings.json.",
            Recursive = true,
        };
        internal static readonly Option<bool> JsonOption = new("--json") { Description = "Write one JSON document to stdout, errors included.", Recursive = true };
        internal static readonly Option<string?> StateDirOption = new("--state-dir") { Description = "State directory (also TAPECHANGER_STATE_DIR).", Recursive = true };
        internal static readonly Option<bool> VerboseOption = new("--verbose", "-v") { Description = "Print each CDB, its status and sense to stderr.", Recursive = true };
        internal static readonly Option<int?> OperatorWaitOption = new("--operator-wait")
        {
            Description = "Seconds to wait for the operator when the library reports a door open, pause mode, the mail slot open or a magazine out (default 0: fail at once; also OperatorWaitSeconds).",
            Recursive = true,
            HelpName = "SECONDS",
        };
        internal static readonly Option<string?> ProfileOption = new("--profile")
        {
            Description = "Hardware profile to use instead of the one the library's INQUIRY matches ('tapechanger profiles' lists them).",
            Recursive = true,
        };
        internal static readonly Option<bool> TraceOption = new("--trace") { Description = "Like --verbose, plus the data bytes of every reply.", Recursive = true };

        public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
        {
            // --server (or TAPECHANGER_SERVER, or Server in appsettings.json): the command runs in the service.
            if (Remote.RemoteClient.TryCreate(ref args, stderr, out var remote))
            {
                return remote is null ? ExitCodes.Usage : await remote.RunAsync(args, stdout, stderr, ct).ConfigureAwait(false);
            }
            return await RunLocalAsync(args, stdout, stderr, ct).ConfigureAwait(false);
        }

        /// <summary>Runs the command in this process (the service runs its clients' commands through here).</summary>
        public static async Task<int> RunLocalAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
        {
            if (args is ["--version"])
            {
                // Answered before the command tree is built: scripts ask for it often and it should cost no more
                // than the runtime's start-up (tools/bench.sh). The text is what the tree's --version prints.
                stdout.WriteLine(VersionText);
                return 0;
            }
            // `tapechanger [--state-dir D] [--profile P] [--verbose|--trace] mtx ...`: mtx's own command line, not
            // System.CommandLine's (mtx words like -f, --version, eepos).
            if (Mtx.MtxHostOptions.TryParse(args, out var host, out int mtxAt))
            {
                return await Mtx.MtxProgram.RunAsync(args[(mtxAt + 1)..], stdout, stderr, host, ct).ConfigureAwait(false);
            }
            Command root = BuildRoot(args);
            ParseResult parse = root.Parse(args);
            bool json = args.Contains("--json");
            if (parse.Errors.Count > 0)
            {
                return Fail(new ErrorInfo("Usage", ExitCodes.Usage, UsageMessage(parse) + " (see 'tapechanger --help')"), json, stdout, stderr);
            }
            // Ctrl-C and SIGTERM through PosixSignalRegistration, not System.CommandLine's Console.CancelKeyPress: hooking
            // that initialises .NET's terminal handling, which switches a terminal to keypad mode (ESC[?1h ESC=) and never
            // switches it back. The command sees a cancelled token and ends with 130 (ErrorMapper).
            var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bool console = ProcessConsole.IsProcessOutput(stdout);
            using var sigint = console ? System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Cancel) : null;
            using var sigterm = console ? System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Cancel) : null;
            void Cancel(System.Runtime.InteropServices.PosixSignalContext c)
            {
                c.Cancel = true;                 // no immediate exit: the command unwinds, the journal records the cancel
                cancel.Cancel();
            }
            try
            {
                return await parse.InvokeAsync(invocation, cancel.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return Fail(ErrorMapper.Map(e), json, stdout, stderr);
            }
        }

        /// <summary>
        /// System.CommandLine's "as expected type 'System.Int32'" (or 'System.Nullable`1[System.Int32]') in the words a
        /// user types for the four types the options use; any other type name stays as it is.
        /// </summary>
        internal static string FriendlyTypeNames(string message)
        {
            const string Lead = "as expected type '", Nullable = "System.Nullable`1[";
            var text = new System.Text.StringBuilder(message.Length);
            int done = 0, from = 0;
            while (message.IndexOf(Lead, from, StringComparison.Ordinal) is int at and >= 0)
            {
                int p = at + Lead.Length;
                if (message.AsSpan(p).StartsWith(Nullable, StringComparison.Ordinal)) p += Nullable.Length;
                int name = p;
                while (p < message.Length && (char.IsAsciiLetterOrDigit(message[p]) || message[p] == '.')) p++;
                int nameEnd = p;
                if (p < message.Length && message[p] == ']') p++;
                if (nameEnd == name || p >= message.Length || message[p] != '\'')
                {
                    from = at + 1;                                  // not the whole phrase: look further on
                    continue;
                }
                string? words = message[name..nameEnd] switch
                {
                    "System.Int32" => "as a whole number",
                    "System.UInt16" => "as a number from 0 to 65535",
                    "System.UInt32" => "as a number from 0 to 4294967295",
                    "System.Guid" => "as an operation id (a GUID)",
                    _ => null,
                };
                text.Append(message, done, at - done).Append(words ?? message[at..(p + 1)]);
                done = from = p + 1;
            }
            return text.Append(message, done, message.Length - done).ToString();
        }

        internal static string VersionText => BuildVersion.Text;

        internal static int Fail(ErrorInfo error, bool json, TextWriter stdout, TextWriter stderr)
        {
            error = error with { Message = OneLine(error.Message) };
            if (json) stdout.WriteLine(JsonSerializer.Serialize(new ErrorDocument(error), CliJsonContext.Default.ErrorDocument));
            else stderr.WriteLine($"tapechanger: {error.Message}");
            return error.ExitCode;
        }

        /// <summary>
        /// The parse error to show. An unknown word comes first (System.CommandLine reports "Required command was not
        /// provided" before it for `tapechanger frobnicate`), and .NET type names become what the user has to type.
        /// </summary>
        private static string UsageMessage(ParseResult parse)
        {
            if (parse.UnmatchedTokens.Count > 0)
            {
                string word = parse.UnmatchedTokens[0];
                return $"unrecognized command or argument '{word}'" + (Nearest(word, parse.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)) is { } near
                    ? $"; did you mean '{near}'?" : "");
            }
            string m = parse.Errors[0].Message;
            return FriendlyTypeNames(m);
        }

        /// <summary>The closest name (optimal string alignment distance, a swap of two letters counting once) within 2 edits, or null.</summary>
        internal static string? Nearest(string word, IEnumerable<string> names)
        {
            if (word.StartsWith('-')) return null;
            var best = names.Select(n => (Name: n, Distance: Distance(word.ToLowerInvariant(), n))).Where(x => x.Distance <= Math.Min(2, x.Name.Length / 2))
                .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
            return best.Name;

            static int Distance(string a, string b)
            {
                var d = new int[a.Length + 1, b.Length + 1];
                for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
                for (int j = 0; j <= b.Length; j++) d[0, j] = j;
                for (int i = 1; i <= a.Length; i++)
                {
                    for (int j = 1; j <= b.Length; j++)
                    {
                        int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                        d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                    }
                }
                return d[a.Length, b.Length];
            }
        }

        /// <summary>Errors are one line: line breaks (System.CommandLine lists choices on lines of their own) and control characters go.</summary>
        internal static string OneLine(string message)
        {
            var parts = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var sb = new System.Text.StringBuilder(string.Join(' ', parts));
            for (int i = 0; i < sb.Length; i++)
            {
                if (char.IsControl(sb[i])) sb[i] = '?';
            }
            return sb.ToString();
        }

        /// <summary>
        /// The root with its options and the commands <paramref name="args"/> needs (<see cref="CommandTable"/>).
        /// System.CommandLine's <see cref="RootCommand"/> finds the executable's name through reflection (the entry
        /// assembly's name, "tapechanger") and reads its resources for the --help and --version descriptions: 1.4 million
        /// instructions at every start (callgrind, docs/performance.md). A line that cannot reach those
        /// (<see cref="CommandTable.NeedsFullRoot"/>) gets a plain command of the same name, without them.
        /// </summary>
        private static Command BuildRoot(string[] args)
        {
            const string description =
                "tapechanger: control SCSI tape libraries and autoloaders (mtx-compatible verbs).\n" +
                "Slots are numbered from 1 over storage then import/export elements, in address order; drives from 0.\n\n";
            // The plain command's line names a known command and asks for no help, so the root's description is never
            // shown: the exit code table is not made for it.
            Command root = CommandTable.NeedsFullRoot(args)
                ? new RootCommand(description + ExitCodes.HelpText())
                : new Command(Help.CommandModel.Program, description);
            root.Options.Add(DeviceOption);
            root.Options.Add(JsonOption);
            root.Options.Add(StateDirOption);
            root.Options.Add(VerboseOption);
            root.Options.Add(TraceOption);
            root.Options.Add(OperatorWaitOption);
            root.Options.Add(ProfileOption);
            root.Options.Add(Remote.RemoteClient.ServerOption);
            root.Options.Add(Remote.RemoteClient.TokenOption);
            foreach (var c in CommandTable.Wanted(args, MtxHelpCommand)) root.Subcommands.Add(c);
            Help.HelpText.Install(root);
            return root;
        }

        /// <summary>
        /// `mtx` in the help. RunAsync hands `[--state-dir D] [--profile P] [--verbose|--trace] mtx ...` to mtx mode before
        /// parsing, so this action only runs when another TapeChanger option stands before the word.
        /// </summary>
        private static Command MtxHelpCommand()
        {
            var cmd = new Command("mtx", "mtx 1.3.12's command line and text: tapechanger mtx [-f DEVICE] [nobarcode] [invert] COMMAND [ARGS]... (or run through a link named mtx).")
            {
                TreatUnmatchedTokensAsErrors = false,
            };
            cmd.SetAction(parse =>
            {
                parse.InvocationConfiguration.Error.WriteLine("tapechanger: before 'mtx' only --state-dir, --profile, --verbose and --trace are taken; mtx's own words follow it");
                return ExitCodes.Usage;
            });
            return cmd;
        }

        /// <summary>Wraps a command body: builds the context, runs it, and maps any failure to one line and an exit code.</summary>
        internal static Func<ParseResult, CancellationToken, Task<int>> Handler(Func<CliContext, ParseResult, CancellationToken, Task> body) =>
            async (parse, ct) =>
            {
                bool json = parse.GetValue(JsonOption);
                var stdout = parse.InvocationConfiguration.Output;
                var stderr = parse.InvocationConfiguration.Error;
                CliContext? ctx = null;
                try
                {
                    ctx = CreateContext(parse, stdout, stderr);
                    await body(ctx, parse, ct).ConfigureAwait(false);
                    ctx.Finish();
                    return ExitCodes.Success;
                }
                catch (Exception e)
                {
                    ctx?.Finish();
                    return Fail(ErrorMapper.Map(e), json, stdout, stderr);
                }
            };

        private static CliContext CreateContext(ParseResult parse, TextWriter stdout, TextWriter stderr) =>
            CreateContext(parse.GetValue(DeviceOption), parse.GetValue(StateDirOption), parse.GetValue(JsonOption), parse.GetValue(VerboseOption),
                parse.GetValue(TraceOption), parse.GetValue(OperatorWaitOption), parse.GetValue(ProfileOption), stdout, stderr);

        /// <summary>The context from explicit values (mtx mode has no System.CommandLine parse).</summary>
        internal static CliContext CreateContext(string? device, string? stateFlag, bool json, bool verbose, bool trace, int? operatorWait, string? profile,
            TextWriter stdout, TextWriter stderr)
        {
            var config = ConfigFiles.Build(ConfigFiles.DefaultPaths(), stderr);
            var options = new TapeChangerOptions();
            try
            {
                config.Bind(options);
            }
            catch (InvalidOperationException e)
            {
                // "Failed to convert configuration value 'abc' at 'UnitAttentionRetries' to type 'System.Int32'."
                throw new UsageException(ConfigFiles.BadValue(e.Message)) { ExitCode = ExitCodes.ConfigError };
            }
            if (options.Validate() is { Count: > 0 } failures) throw new OptionsValidationException(nameof(TapeChangerOptions), typeof(TapeChangerOptions), failures);

            if (stateFlag is { Length: 0 }) throw new UsageException("--state-dir is empty; give a directory");
            string stateDir = stateFlag
                ?? NonEmpty(CliEnvironment.Get("TAPECHANGER_STATE_DIR"))   // set but empty = unset, as for XDG_STATE_HOME
                ?? NonEmpty(options.StateDirectory)
                ?? DefaultStateDirectory();
            if (File.Exists(stateDir))
            {
                throw new UsageException($"state directory {stateDir} is a file, not a directory (--state-dir, TAPECHANGER_STATE_DIR or StateDirectory)")
                    { ExitCode = ExitCodes.ConfigError };
            }
            return new CliContext
            {
                Options = options,
                DeviceUri = device ?? options.Device,
                StateDirectory = Path.GetFullPath(stateDir),
                Json = json,
                Verbose = verbose,
                Trace = trace,
                OperatorWaitSeconds = operatorWait is int wait
                    ? (wait >= 0 ? wait : throw new UsageException("--operator-wait must be 0 or more seconds"))
                    : options.OperatorWaitSeconds,
                ProfileName = profile,
                ProfilesDirectory = Path.GetFullPath(NonEmpty(options.ProfilesDirectory) ?? DefaultProfilesDirectory()),
                Out = stdout,
                Err = stderr,
            };
        }

        /// <summary>Beside where configuration lives: $XDG_CONFIG_HOME/tapechanger/hw-profiles, %APPDATA%\\TapeChanger\\hw-profiles.</summary>
        internal static string DefaultProfilesDirectory()
        {
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "TapeChanger", "hw-profiles");
            string? xdg = CliEnvironment.Get("XDG_CONFIG_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg, "tapechanger", "hw-profiles");
        }

        private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

        internal static string DefaultStateDirectory() => OperatingSystem.IsWindows()
            ? DefaultStateDirectory(true, Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), null,
                Environment.GetFolderPath(Environment.SpecialFolder.UserProfile))
            : DefaultStateDirectory(false, null, CliEnvironment.Get("XDG_STATE_HOME"), CliEnvironment.Get("HOME"),
                Environment.IsPrivilegedProcess, Directory.Exists);

        /// <summary>
        /// Windows: %ProgramData%\TapeChanger, shared by every user and service account (cleaner state, robot locks
        /// and learned quirks describe the library, not the user). Elsewhere: $XDG_STATE_HOME/tapechanger (an absolute
        /// path), else $HOME/.local/state/tapechanger when HOME is an existing absolute directory, else for root
        /// /var/lib/tapechanger; otherwise an error naming --state-dir. Never relative to the current directory.
        /// </summary>
        internal static string DefaultStateDirectory(bool windows, string? programData, string? xdgStateHome, string? home, bool root = false,
            Func<string, bool>? exists = null)
        {
            if (windows) return Path.Combine(string.IsNullOrEmpty(programData) ? Path.Combine(home ?? "", "AppData", "Local") : programData, "TapeChanger");
            if (!string.IsNullOrEmpty(xdgStateHome) && Path.IsPathRooted(xdgStateHome)) return Path.Combine(xdgStateHome, "tapechanger");
            if (!string.IsNullOrEmpty(home) && Path.IsPathRooted(home) && (exists ?? Directory.Exists)(home)) return Path.Combine(home, ".local", "state", "tapechanger");
            if (root) return "/var/lib/tapechanger";
            throw new UsageException($"no usable home directory for the state (HOME={(string.IsNullOrEmpty(home) ? "unset" : home)}, XDG_STATE_HOME unset or relative); give --state-dir DIR or TAPECHANGER_STATE_DIR")
                { ExitCode = ExitCodes.ConfigError };
        }
    }
}
