using System.Text.RegularExpressions;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// `--help`: usage with optional arguments in brackets, the command's own options with each default stated once, and
/// the global options only in `tapechanger --help`. The man page and the completion scripts say the same.
/// </summary>
public sealed class HelpTextTests
{
    private static readonly string[] GlobalAliases =
        ["-f", "--device", "--json", "--state-dir", "-v", "--verbose", "--trace", "--operator-wait", "--profile", "--server", "--token"];

    private const string Pointer = "Global options (device, --json, state directory, ...): 'tapechanger --help'.\n";

    private static async Task<string> Help(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int rc = await TapeChangerCli.RunAsync([.. args, "--help"], stdout, stderr);
        Assert.Equal("", stderr.ToString());
        Assert.Equal(0, rc);
        return stdout.ToString().ReplaceLineEndings("\n");
    }

    private static async Task<string> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Assert.Equal(0, await TapeChangerCli.RunAsync(args, stdout, stderr));
        return stdout.ToString().ReplaceLineEndings("\n");
    }

    [Fact]
    public async Task Clean_help_is_exactly_its_usage_arguments_and_own_options()
    {
        Assert.Equal("""
            Usage: tapechanger clean [DRIVE] [options]

            CleanNtmsDrive: clean a drive with the cleaner in the reserved slot.

            Arguments:
              DRIVE  Drive to clean (0-based).

            Options:
              --unload-first  Return a loaded tape to its slot before cleaning.
              --wait          Block until the cleaning (of every drive named) ends, with
                              progress; without it a worker carries the cleanings out and
                              the command returns at once.
              --if-needed     Clean only drives that ask for it (TapeAlert 20/21 or sense
                              00/17), now or on an earlier run and not cleaned since. For
                              cron.
              --all           Every drive of the library.
              --dry-run       With --if-needed: say which drives need cleaning and do
                              nothing; exit 91 when some do, 0 when none.


            """.ReplaceLineEndings("\n") + Pointer, await Help("clean"));
    }

    [Fact]
    public async Task Cleaner_reserve_help_is_exact_even_without_its_required_slot()
    {
        Assert.Equal("""
            Usage: tapechanger cleaner reserve SLOT [options]

            ReserveNtmsCleanerSlot: reserve an empty storage slot for the cleaner, or adopt
            the cleaner in a slot.

            Arguments:
              SLOT  Empty storage slot to reserve for the cleaner (with --adopt: the slot
                    holding one).

            Options:
              --adopt      The slot already holds a cleaning cartridge: reserve it and adopt
                           that cleaner (with --cleans N or --unlimited).
              --cleans N   With --adopt: cleanings left on the adopted cartridge.
              --unlimited  With --adopt: do not count cleanings.


            """.ReplaceLineEndings("\n") + Pointer, await Help("cleaner", "reserve"));
    }

    [Fact]
    public async Task Status_help_has_no_options_section_of_its_own()
    {
        Assert.Equal("""
            Usage: tapechanger status [options]

            Show drives, import/export slots, storage slots and picker, with barcodes,
            source slots and cleaners.


            """.ReplaceLineEndings("\n") + Pointer, await Help("status"));
        Assert.Equal(await Help("status"), await Help("status", "--json"));    // a global option before --help changes nothing
    }

    [Fact]
    public async Task Root_help_lists_the_global_options_once_with_the_exit_codes_and_every_command()
    {
        string help = await Help();
        Assert.StartsWith("""
            Usage: tapechanger COMMAND [options]

            tapechanger: control SCSI tape libraries and autoloaders (mtx-compatible verbs).
            Slots are numbered from 1 over storage then import/export elements, in address
            order; drives from 0.

            Exit codes:
                0  success (for a cleaner operation not waited for: queued,
                   ERROR_IO_PENDING)

            """.ReplaceLineEndings("\n"), help);
        Assert.EndsWith("""
            Global options (every command takes them):
              -?, -h, --help           Show help and usage information
              -f, --device DEVICE      Device URI: virtual:[DIR], sg:/dev/sgN,
                                       iscsi://[user[%pass]@]host[:port]/iqn/lun,
                                       spt:\\.\ChangerN, usb:VID:PID[:serial], replay:FILE.
                                       Default from appsettings.json.
              --json                   Write one JSON document to stdout, errors included.
              --state-dir STATE-DIR    State directory (also TAPECHANGER_STATE_DIR).
              -v, --verbose            Print each CDB, its status and sense to stderr.
              --trace                  Like --verbose, plus the data bytes of every reply.
              --operator-wait SECONDS  Seconds to wait for the operator when the library
                                       reports a door open, pause mode, the mail slot open
                                       or a magazine out (default 0: fail at once; also
                                       OperatorWaitSeconds).
              --profile PROFILE        Hardware profile to use instead of the one the
                                       library's INQUIRY matches ('tapechanger profiles'
                                       lists them).
              --server ADDRESS         Send the command to the library service: unix:PATH,
                                       http://HOST:PORT or https://HOST:PORT (also
                                       TAPECHANGER_SERVER, Server in appsettings.json).
              --token TOKEN            API token for --server (also TAPECHANGER_TOKEN, Token
                                       in appsettings.json); on the service's Unix socket
                                       the Unix user may do without.

            Other options:
              --version  Show version information


            """.ReplaceLineEndings("\n"), help);
        foreach (var row in ExitCodes.Table) Assert.Matches($@"\n {row.Code,4}  \S", help);
        Assert.Contains("\n  load SLOT [DRIVE]         Load the cartridge in SLOT into DRIVE.\n", help);
        Assert.Contains("\n  cleaner COMMAND           Cleaner cartridge management", help);
        Assert.Single(Regex.Matches(help, @"--state-dir STATE-DIR"));
    }

    [Fact]
    public async Task No_command_but_the_root_lists_a_global_option_and_no_row_states_a_default_twice()
    {
        var paths = CommandPaths(await Run("man"));
        Assert.Contains("cleaner reserve", paths);
        Assert.Contains("virtual drive tapealert", paths);
        foreach (var path in paths)
        {
            string help = await Help(path.Split(' '));
            Assert.StartsWith($"Usage: tapechanger {path}", help);
            Assert.EndsWith(Pointer, help);
            foreach (var (label, text) in Rows(help))
            {
                var names = Regex.Matches(label, @"(?<![\w-])--?[\w?-]+").Select(m => m.Value);
                Assert.False(names.Intersect(GlobalAliases).Any(), $"'{path} --help' lists the global option {label}");
                Assert.False(Regex.Matches(text, "default", RegexOptions.IgnoreCase).Count > 1, $"'{path} --help': {label} states its default twice: {text}");
                Assert.DoesNotContain("[default", text);
            }
        }
    }

    [Fact]
    public async Task Help_man_page_and_completion_agree_on_every_commands_arguments_and_options()
    {
        string man = await Run("man");
        string bash = await Run("completion", "bash");
        foreach (var path in CommandPaths(man))
        {
            string help = await Help(path.Split(' '));
            string usage = help.Split('\n')[0];
            // The man page's synopsis line: \fBcleaner reserve\fR SLOT [\-\-adopt] ...
            string synopsis = Regex.Match(man, $@"\n\\fB{Regex.Escape(Roff(path))}\\fR ?([^\n]*)\n").Groups[1].Value.Replace("\\-", "-");
            string manArgs = string.Join(' ', synopsis.Split(' ').TakeWhile(w => !w.StartsWith("[-", StringComparison.Ordinal)));
            Assert.Equal($"Usage: {string.Join(' ', new[] { "tapechanger", path, manArgs, "[options]" }.Where(w => w.Length > 0))}", usage);
            var helpOptions = OptionsSection(help).Select(r => Regex.Match(r.Label, @"--[\w-]+").Value).ToList();
            var manOptions = Regex.Matches(synopsis, @"\[(--[\w-]+)\]").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(helpOptions, manOptions);
            string words = Regex.Match(bash, $"\n    \"{Regex.Escape(path)}\"\\) words=\"([^\"]*)\"").Groups[1].Value;
            Assert.True(words.Length > 0, $"bash completion has no entry for '{path}'");
            var completed = words.Split(' ').Where(w => w.StartsWith('-')).Except(GlobalAliases).Except(["-?", "-h", "--help", "/?", "/h"]);
            Assert.Equal(helpOptions.Order(), completed.Where(w => w.StartsWith("--", StringComparison.Ordinal)).Order());
        }

        static string Roff(string s) => s.Replace("-", "\\-");
    }

    /// <summary>The command paths in the man page's COMMANDS section, but mtx (its words, --help too, are mtx's).</summary>
    private static List<string> CommandPaths(string man)
    {
        string commands = man[man.IndexOf(".SH COMMANDS", StringComparison.Ordinal)..man.IndexOf(".SH EXIT STATUS", StringComparison.Ordinal)];
        return Regex.Matches(commands, @"(?<=^|\n)\.TP\n\\fB([^\\]+(?:\\-[^\\]+)*)\\fR").Select(m => m.Groups[1].Value.Replace("\\-", "-"))
            .Where(p => p != "mtx").ToList();
    }

    /// <summary>The rows of every section: a label at two spaces, its text after it and on the lines indented further.</summary>
    private static List<(string Label, string Text)> Rows(string help)
    {
        var rows = new List<(string Label, string Text)>();
        foreach (var line in help.Split('\n'))
        {
            if (Regex.Match(line, @"^  (\S+(?: \S+)*?)(?:  +(.*))?$") is { Success: true } m) rows.Add((m.Groups[1].Value, m.Groups[2].Value));
            else if (line.StartsWith("   ", StringComparison.Ordinal) && rows.Count > 0)
            {
                var (label, text) = rows[^1];
                rows[^1] = (label, (text + " " + line.Trim()).Trim());
            }
        }
        return rows;
    }

    private static List<(string Label, string Text)> OptionsSection(string help)
    {
        int at = help.IndexOf("\nOptions:\n", StringComparison.Ordinal);
        if (at < 0) return [];
        string section = help[(at + 10)..];
        return Rows(section[..section.IndexOf("\n\n", StringComparison.Ordinal)]);
    }
}
