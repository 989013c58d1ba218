namespace TapeChanger.Cli.Mtx;

/// <summary>
/// TapeChanger options that may stand before the word "mtx" (`tapechanger --state-dir D --profile P mtx ...`);
/// after it the command line is mtx's own.
/// </summary>
internal sealed record MtxHostOptions(string? StateDirectory = null, string? Profile = null, bool Verbose = false, bool Trace = false)
{
    /// <summary>True when the arguments are leading TapeChanger options (possibly none) and then "mtx" at <paramref name="mtxAt"/>.</summary>
    public static bool TryParse(string[] args, out MtxHostOptions options, out int mtxAt)
    {
        options = new MtxHostOptions();
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "mtx":
                    mtxAt = i;
                    return true;
                case "--state-dir" when i + 1 < args.Length:
                    options = options with { StateDirectory = args[++i] };
                    break;
                case "--profile" when i + 1 < args.Length:
                    options = options with { Profile = args[++i] };
                    break;
                case "--verbose" or "-v":
                    options = options with { Verbose = true };
                    break;
                case "--trace":
                    options = options with { Trace = true };
                    break;
                default:
                    mtxAt = -1;
                    return false;
            }
        }
        mtxAt = -1;
        return false;
    }

    /// <summary>
    /// The CLI context for a device. TapeChanger's own notes (profile defaults used, quirks learned, operator waits)
    /// stay off stderr, which scripts read as mtx's; with --verbose or --trace the CDB log goes there.
    /// </summary>
    public CliContext Context(string? device, TextWriter stdout, TextWriter stderr) =>
        TapeChangerCli.CreateContext(device, StateDirectory, false, Verbose, Trace, null, Profile, stdout, Verbose || Trace ? stderr : TextWriter.Null);
}
