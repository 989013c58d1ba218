using System.CommandLine;
using TapeChanger.Cli.Mtx;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// `tapechanger bacula-changer CTL CMD SLOT ARCHIVE_DEVICE DRIVE_INDEX`: the contract of Bacula's mtx-changer
/// script (Changer Command = "... %c %o %S %a %d"), answered natively, for Bacula and Bareos.
/// </summary>
internal static class BaculaChangerCommand
{
    public static Command Build()
    {
        var ctl = new Argument<string>("CTL") { Description = "Changer device (%c): a device URI, /dev/sgN, or a file holding a URI." };
        var cmd = new Argument<string>("CMD") { Description = "load, unload, loaded, list, listall, slots or transfer (%o)." };
        cmd.AcceptOnlyFromAmong("load", "unload", "loaded", "list", "listall", "slots", "transfer");
        var slot = new Argument<int>("SLOT") { Description = "Slot (%S), 1-based; for transfer the source.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => 0 };
        var archive = new Argument<string?>("ARCHIVE_DEVICE") { Description = "Archive device (%a); for transfer the destination slot.", Arity = ArgumentArity.ZeroOrOne };
        var drive = new Argument<int>("DRIVE_INDEX") { Description = "Drive index (%d), 0-based.", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => 0 };
        var bareos = new Option<bool>("--bareos") { Description = "listall shows mail slots as S: lines (Bareos) instead of I: (Bacula)." };
        var cleaners = new Option<bool>("--with-cleaners") { Description = "list also cleaning cartridges and the reserved cleaner slot." };
        var ready = new Option<int>("--ready-timeout") { Description = "Seconds load waits for the drive to become ready (default 300, as mtx-changer).", DefaultValueFactory = _ => 300, HelpName = "SECONDS" };
        var command = new Command("bacula-changer", "Bacula/Bareos changer command (mtx-changer's contract) without the script: load, unload, loaded, list, listall, slots, transfer.")
        {
            ctl, cmd, slot, archive, drive, bareos, cleaners, ready,
        };
        command.SetAction(async (parse, ct) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            var host = new MtxHostOptions(parse.GetValue(StateDirOption), parse.GetValue(ProfileOption), parse.GetValue(VerboseOption), parse.GetValue(TraceOption));
            string what = parse.GetValue(cmd)!;
            await using var session = new MtxSession(stdout, stderr, host, ct);
            try
            {
                await session.OpenAsync(parse.GetValue(ctl)!);
                int s = parse.GetValue(slot), d = parse.GetValue(drive);
                switch (what)
                {
                    case "slots":
                        stdout.Write(BaculaText.Slots(await session.ViewAsync()));
                        break;
                    case "list":
                        var view = await session.ViewAsync();
                        stdout.Write(BaculaText.List(view, parse.GetValue(cleaners) ? _ => false : session.CleanerSlots(view)));
                        break;
                    case "listall":
                        stdout.Write(BaculaText.ListAll(await session.ViewAsync(), parse.GetValue(bareos)));
                        break;
                    case "loaded":
                        stdout.Write(BaculaText.Loaded(await session.ViewAsync(), d));
                        break;
                    case "load":
                        await session.ViewAsync();
                        session.SetArgs(s, d, -1);
                        await session.LoadAsync();
                        if (!await session.WaitForDriveReadyAsync(d, TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(ready)))))
                            stderr.WriteLine($"tapechanger: drive {d} cannot be reached from this host; not waiting for it to become ready");
                        break;
                    case "unload":
                        await session.ViewAsync();
                        session.SetArgs(s, d, -1);
                        await session.UnloadAsync();
                        break;
                    case "transfer":
                        if (!int.TryParse(parse.GetValue(archive), out int destination)) throw new MtxExit("transfer needs the destination slot as its 4th argument\n");
                        await session.ViewAsync();
                        session.SetArgs(s, destination, -1);
                        await session.TransferAsync();
                        break;
                }
                return 0;
            }
            catch (MtxExit e)
            {
                // mtx-changer prints mtx's error text on stdout for load and unload (Bacula shows that output); stderr otherwise.
                (what is "load" or "unload" ? stdout : stderr).Write(e.Stderr);
                return e.ExitCode;
            }
        });
        return command;
    }
}
