using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TapeChanger.Cli;
using TapeChanger.Cli.Commands;
using TapeChanger.Cli.Output;

return await TapeChangerCli.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);

namespace TapeChanger.Cli
{
    /// <summary>The `tapechanger` command tree: mtx-compatible verbs plus virtual-library and decode tools.</summary>
    public static class TapeChangerCli
    {
        internal static readonly Option<string?> DeviceOption = new("--device", "-f")
        {
            Description = "Device URI: virtual:[DIR], sg:/dev/sgN, iscsi://[user[%pass]@]host[:port]/iqn/lun, spt:\\\\.\\ChangerN, usb:VID:PID[:serial]. Default from appsettings.json.",
            Recursive = true,
        };
        internal static readonly Option<bool> JsonOption = new("--json") { Description = "Write one JSON document to stdout, errors included.", Recursive = true };
        internal static readonly Option<string?> StateDirOption = new("--state-dir") { Description = "State directory (also TAPECHANGER_STATE_DIR).", Recursive = true };
        internal static readonly Option<bool> VerboseOption = new("--verbose", "-v") { Description = "Print each CDB, its status and sense to stderr.", Recursive = true };
        internal static readonly Option<bool> TraceOption = new("--trace") { Description = "Like --verbose, plus the data bytes of every reply.", Recursive = true };

        public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
        {
            RootCommand root = BuildRoot();
            ParseResult parse = root.Parse(args);
            bool json = args.Contains("--json");
            if (parse.Errors.Count > 0)
            {
                return Fail(new ErrorInfo("Usage", ExitCodes.Usage, parse.Errors[0].Message + " (see 'tapechanger --help')"), json, stdout, stderr);
            }
            var invocation = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
            try
            {
                return await parse.InvokeAsync(invocation, ct).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                return Fail(ErrorMapper.Map(e), json, stdout, stderr);
            }
        }

        internal static int Fail(ErrorInfo error, bool json, TextWriter stdout, TextWriter stderr)
        {
            if (json) stdout.WriteLine(JsonSerializer.Serialize(new ErrorDocument(error), CliJsonContext.Default.ErrorDocument));
            else stderr.WriteLine($"tapechanger: {error.Message}");
            return error.ExitCode;
        }

        private static RootCommand BuildRoot()
        {
            var root = new RootCommand(
                "tapechanger: control SCSI tape libraries and autoloaders (mtx-compatible verbs).\n" +
                "Slots are numbered from 1 over storage then import/export elements, in address order; drives from 0.\n\n" +
                ExitCodes.HelpText());
            root.Options.Add(DeviceOption);
            root.Options.Add(JsonOption);
            root.Options.Add(StateDirOption);
            root.Options.Add(VerboseOption);
            root.Options.Add(TraceOption);
            foreach (var c in ChangerCommands.Build()) root.Subcommands.Add(c);
            foreach (var c in CleanerCommands.Build()) root.Subcommands.Add(c);
            root.Subcommands.Add(ListCommand.Build());
            root.Subcommands.Add(VirtualCommands.Build());
            root.Subcommands.Add(DecodeCommands.Build());
            return root;
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

        private static CliContext CreateContext(ParseResult parse, TextWriter stdout, TextWriter stderr)
        {
            var config = new ConfigurationBuilder()
                .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
                .AddEnvironmentVariables("TAPECHANGER_")
                .Build();
            var options = new TapeChangerOptions();
            config.Bind(options);
            var validation = new TapeChangerOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
            if (validation.Failed) throw new OptionsValidationException(nameof(TapeChangerOptions), typeof(TapeChangerOptions), validation.Failures);

            string stateDir = parse.GetValue(StateDirOption)
                ?? Environment.GetEnvironmentVariable("TAPECHANGER_STATE_DIR")
                ?? options.StateDirectory
                ?? DefaultStateDirectory();
            return new CliContext
            {
                Options = options,
                DeviceUri = parse.GetValue(DeviceOption) ?? options.Device,
                StateDirectory = Path.GetFullPath(stateDir),
                Json = parse.GetValue(JsonOption),
                Verbose = parse.GetValue(VerboseOption),
                Trace = parse.GetValue(TraceOption),
                Out = stdout,
                Err = stderr,
            };
        }

        private static string DefaultStateDirectory()
        {
            if (OperatingSystem.IsWindows())
                return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "TapeChanger");
            string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".local", "state") : xdg, "tapechanger");
        }
    }
}
