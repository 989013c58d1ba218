namespace TapeChanger.Cli.Mtx;

/// <summary>
/// `tapechanger mtx ...` and a link named mtx: mtx 1.3.12's command line (mtx.c parse_args), run as mtx runs it:
/// words are read left to right and each command runs as soon as its numeric arguments are taken, so
/// `unload 3 0 load 4 0` is two moves in order. Errors go to stderr as mtx words them, with exit status 1.
/// </summary>
internal static class MtxProgram
{
    private sealed record CommandSpec(int Args, bool NeedDevice, bool NeedStatus, Func<MtxSession, ValueTask> Run);

    /// <summary>mtx.c command_table, in its order.</summary>
    private static readonly Dictionary<string, CommandSpec> Table = new(StringComparer.Ordinal)
    {
        ["inquiry"] = new(0, true, false, s => s.InquiryAsync()),
        ["status"] = new(0, true, true, s => s.StatusAsync()),
        ["invert"] = new(0, false, false, s => s.Flag(invert: true)),
        ["noattach"] = new(0, false, false, s => s.Flag()),
        ["eepos"] = new(1, false, false, s => s.Eepos()),
        ["load"] = new(2, true, true, s => s.LoadAsync()),
        ["unload"] = new(2, true, true, s => s.UnloadAsync()),
        ["transfer"] = new(2, true, true, s => s.TransferAsync()),
        ["first"] = new(1, true, true, s => s.FirstAsync()),
        ["last"] = new(1, true, true, s => s.LastAsync()),
        ["previous"] = new(1, true, true, s => s.PreviousAsync()),
        ["next"] = new(1, true, true, s => s.NextAsync()),
        ["--version"] = new(0, false, false, _ => throw new MtxExit(MtxText.VersionText)),
        ["inventory"] = new(0, true, false, s => s.InventoryAsync()),
        ["eject"] = new(0, true, false, s => s.EjectAsync()),
        ["erase"] = new(0, true, false, s => throw s.Fatal("erase (a tape drive command) is not supported by TapeChanger's mtx mode\n")),
        ["nobarcode"] = new(0, false, false, s => s.Flag(noBarcode: true)),
        ["position"] = new(1, true, true, s => s.PositionAsync()),
        ["invert2"] = new(0, false, false, s => s.Flag(invert2: true)),
        ["exchange"] = new(3, true, true, s => s.ExchangeAsync()),
        ["altres"] = new(0, false, false, s => s.Flag()),
    };

    /// <summary>Runs one mtx command line (the words after "mtx", or after the link's name).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, MtxHostOptions? host = null, CancellationToken ct = default)
    {
        await using var session = new MtxSession(stdout, stderr, host ?? new MtxHostOptions(), ct);
        try
        {
            int i = 0;
            while (i < args.Length)
            {
                if (args[i] == "-f")
                {
                    i++;
                    if (i >= args.Length) throw new MtxExit(MtxText.Usage);
                    await session.OpenAsync(args[i++]).ConfigureAwait(false);
                    continue;
                }
                if (!Table.TryGetValue(args[i], out var command)) throw new MtxExit(MtxText.Usage);
                i++;
                int a1 = -1, a2 = -1, a3 = -1;
                if (command.Args > 0)
                {
                    a1 = GetArg(args, i);
                    if (a1 != -1) i++;
                    if (command.Args >= 2 && a1 != -1)
                    {
                        a2 = GetArg(args, i);
                        if (a2 != -1) i++;
                        if (command.Args == 3 && a2 != -1)
                        {
                            a3 = GetArg(args, i);
                            if (a3 != -1) i++;
                        }
                    }
                }
                session.SetArgs(a1, a2, a3);
                if (command.NeedDevice) await session.EnsureDeviceAsync().ConfigureAwait(false);
                if (command.NeedStatus) await session.EnsureStatusAsync().ConfigureAwait(false);
                await command.Run(session).ConfigureAwait(false);
            }
            return 0;
        }
        catch (MtxExit e)
        {
            stdout.Flush();
            stderr.Write(e.Stderr);
            stderr.Flush();
            return e.ExitCode;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything mtx has no words for: TapeChanger's one line, and mtx's exit status for a failure.
            stdout.Flush();
            stderr.Write(TapeChangerCli.OneLine(ErrorMapper.Map(e).Message) + "\n");
            stderr.Flush();
            return 1;
        }
    }

    /// <summary>mtx.c get_arg: a word starting with a digit is a number (atoi: leading digits), anything else is "none" (-1).</summary>
    internal static int GetArg(string[] args, int index)
    {
        if (index >= args.Length) return -1;
        string a = args[index];
        if (a.Length == 0 || a[0] < '0' || a[0] > '9') return -1;
        long v = 0;
        for (int k = 0; k < a.Length && a[k] >= '0' && a[k] <= '9'; k++)
        {
            v = v * 10 + (a[k] - '0');
            if (v > int.MaxValue) return int.MaxValue;
        }
        return (int)v;
    }
}

/// <summary>Ends an mtx run: the text for stderr and the exit status (1, as mtx's FatalError and Usage exit).</summary>
internal sealed class MtxExit(string stderr, int exitCode = 1) : Exception(stderr.TrimEnd('\n'))
{
    public string Stderr { get; } = stderr;
    public int ExitCode { get; } = exitCode;
}
