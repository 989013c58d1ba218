using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// RSM-style cleaner management: `cleaner ...`, `clean`, `operations`. Every answer carries the RSM result name
/// and number; the exit code is 0 only for ERROR_SUCCESS (the others: <see cref="CleanerExitCodes"/>).
/// </summary>
internal static partial class CleanerCommands
{
    /// <summary>Each command's name and how to build it (see <see cref="ChangerCommands.Verbs"/>).</summary>
    public static readonly (string Name, Func<Command> Build)[] Verbs = [("cleaner", Cleaner), ("clean", Clean), ("operations", Operations)];

    private static CleanerService Service(CliContext ctx) => new(ctx.Connector(), ctx.StateDirectory, new CleanerOptions
    {
        CleanerPrefix = ctx.Options.CleanerPrefix ?? TapeChanger.Domain.CleanerRecognition.DefaultPrefix,
        PollInterval = TimeSpan.FromMilliseconds(ctx.Options.CleanerPollMilliseconds),
        CleaningTime = ctx.Options.CleaningSeconds is int secs ? TimeSpan.FromSeconds(secs) : null,
        SelectProfile = ctx.SelectProfile,
    });

    /// <summary>Runs a cleaner command body; CleanerException becomes its RSM code, other failures their usual codes.</summary>
    private static Func<ParseResult, CancellationToken, Task<int>> Act(Func<CliContext, ParseResult, CancellationToken, Task<int>> body) =>
        async (parse, ct) =>
        {
            bool json = parse.GetValue(JsonOption);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            int code = ExitCodes.Success;
            var inner = Handler(async (ctx, p, c) =>
            {
                try
                {
                    code = await body(ctx, p, c).ConfigureAwait(false);
                }
                catch (CleanerException e)
                {
                    code = Report(ctx, e.Result, e.Message);
                }
                catch (Exception e) when (CleanerService.Map(e) is { } mapped && e is not Scsi.ScsiTransportException and not UnauthorizedAccessException)
                {
                    code = Report(ctx, mapped.Result, mapped.Message);
                }
            });
            int rc = await inner(parse, ct).ConfigureAwait(false);
            return rc != ExitCodes.Success ? rc : code;
        };

    internal static int Report(CliContext ctx, NtmsResult result, string message, Guid? operation = null, OperationRecord? details = null,
        IReadOnlyList<NeedsCleaningJson>? needsCleaning = null, IReadOnlyList<DriveCleaningJson>? drives = null)
    {
        bool accepted = result is NtmsResult.ERROR_SUCCESS or NtmsResult.ERROR_IO_PENDING;      // done, or queued / under way
        var doc = new CleanerResultDocument(accepted, result.ToString(), (uint)result, message)
        {
            Operation = operation,
            Details = details is null ? null : ToJson(details),
            State = details?.State.Name(),
            NeedsCleaning = needsCleaning,
            Drives = drives,
        };
        if (ctx.Json) ctx.Out.WriteLine(JsonSerializer.Serialize(doc, CliJsonContext.Default.CleanerResultDocument));
        else if (accepted) ctx.Out.WriteLine(message);
        else ctx.Err.WriteLine($"tapechanger: {result} ({(uint)result}): {OneLine(message)}");
        return CleanerExitCodes.For(result);
    }

    internal static OperationJson ToJson(OperationRecord o)
    {
        var (result, code) = o.Outcome();
        return new(o.Id, o.Kind.Name(), o.State.Name(), o.State.IsFinal(), result, code, o.Message, o.Progress, o.Via.Name(),
            o.Drive, o.Barcode, o.Created, o.Updated, o.Completed, o.Deadline, o.Step.Name(), o.WorkerPid);
    }

    private static Command Cleaner()
    {
        var cmd = new Command("cleaner", "Cleaner cartridge management, as Windows RSM had it (reserve a slot, inject, eject, status).");

        var slot = new Argument<int>("SLOT") { Description = "Empty storage slot to reserve for the cleaner (with --adopt: the slot holding one)." };
        var adopt = new Option<bool>("--adopt") { Description = "The slot already holds a cleaning cartridge: reserve it and adopt that cleaner (with --cleans N or --unlimited)." };
        var adoptCleans = new Option<uint?>("--cleans") { HelpName = "N", Description = "With --adopt: cleanings left on the adopted cartridge." };
        var adoptUnlimited = new Option<bool>("--unlimited") { Description = "With --adopt: do not count cleanings." };
        var reserve = new Command("reserve", "ReserveNtmsCleanerSlot: reserve an empty storage slot for the cleaner, or adopt the cleaner in a slot.") { slot, adopt, adoptCleans, adoptUnlimited };
        reserve.SetAction(Act(async (ctx, p, ct) =>
        {
            uint? cleansLeft = null;
            if (p.GetValue(adopt))
            {
                if (p.GetValue(adoptCleans) is not null && p.GetValue(adoptUnlimited)) throw new UsageException("--cleans and --unlimited are mutually exclusive");
                cleansLeft = p.GetValue(adoptUnlimited) ? CleanerService.Unlimited
                    : p.GetValue(adoptCleans) ?? throw new UsageException("say how many cleanings the adopted cartridge has left: --cleans N or --unlimited");
            }
            else if (p.GetValue(adoptCleans) is not null || p.GetValue(adoptUnlimited))
            {
                throw new UsageException("--cleans and --unlimited go with --adopt");
            }
            var service = Service(ctx);
            var r = await service.ReserveAsync(p.GetValue(slot), cleansLeft, ct);
            if (cleansLeft is null) return Report(ctx, NtmsResult.ERROR_SUCCESS, $"slot {r.Slot} (element {r.Address}) reserved for the cleaner");
            var c = (await service.GetStateAsync(ct)).Cleaner!;
            return Report(ctx, NtmsResult.ERROR_SUCCESS,
                $"slot {r.Slot} (element {r.Address}) reserved; cleaner {c.Barcode ?? "(no label)"} adopted with {(c.CleansLeft == CleanerService.Unlimited ? "cleanings not counted" : $"{c.CleansLeft} cleaning(s) left")}");
        }));

        var release = new Command("release", "ReleaseNtmsCleanerSlot: give the cleaner slot back to data use (eject the cleaner first).");
        release.SetAction(Act(async (ctx, _, ct) =>
        {
            await Service(ctx).ReleaseAsync(ct);
            return Report(ctx, NtmsResult.ERROR_SUCCESS, "cleaner slot released");
        }));

        var via = new Option<string>("--via") { Description = "ieport (import/export element) or door; default: the port when the library has one.", DefaultValueFactory = _ => "auto" };
        via.AcceptOnlyFromAmong("auto", "ieport", "door");
        var cleans = new Option<uint?>("--cleans") { HelpName = "N", Description = "Cleanings left on the cartridge (dwNumberOfCleansLeft)." };
        var unlimited = new Option<bool>("--unlimited") { Description = "Do not count cleanings (0xFFFFFFFF)." };
        var timeout = new Option<int?>("--timeout") { HelpName = "SECONDS", Description = "Seconds to wait for the operator at the import/export port (default 600)." };
        var wait = new Option<bool>("--wait") { Description = "Block until the operation ends, with a progress line." };
        var stop = new Option<Guid?>("--stop") { HelpName = "ID", Description = "NTMS_INJECT_STOP: end the wait of operation ID." };
        var inject = new Command("inject", "InjectNtmsCleaner: bring a cleaner into the reserved slot (returns an operation id at once).") { via, cleans, unlimited, timeout, wait, stop };
        inject.SetAction(Act(async (ctx, p, ct) =>
        {
            var service = Service(ctx);
            if (p.GetValue(stop) is Guid id)
            {
                RejectWithStop(p, via, cleans, unlimited, timeout, wait);
                await service.StopAsync(id, ct);
                return Report(ctx, NtmsResult.ERROR_SUCCESS, $"operation {id} asked to stop", id);
            }
            if (p.GetValue(cleans) is not null && p.GetValue(unlimited)) throw new UsageException("--cleans and --unlimited are mutually exclusive");
            uint count = p.GetValue(unlimited) ? CleanerService.Unlimited
                : p.GetValue(cleans) ?? throw new UsageException("say how many cleanings the cartridge has left: --cleans N or --unlimited");
            if (p.GetValue(timeout) is int t && t <= 0) throw new UsageException("--timeout must be a positive number of seconds");
            var op = await service.StartInjectAsync(ParsePath(p.GetValue(via)!), count, p.GetValue(timeout) is int s ? TimeSpan.FromSeconds(s) : null, ct);
            return await Dispatch(ctx, service, op, p.GetValue(wait), ct);
        }));

        var via2 = new Option<string>("--via") { Description = "ieport or door; default: the port when the library has one.", DefaultValueFactory = _ => "auto" };
        via2.AcceptOnlyFromAmong("auto", "ieport", "door");
        var timeout2 = new Option<int?>("--timeout") { HelpName = "SECONDS", Description = "Seconds to wait for the operator to take the cleaner (default 600)." };
        var wait2 = new Option<bool>("--wait") { Description = "Block until the operation ends, with a progress line." };
        var stop2 = new Option<Guid?>("--stop") { HelpName = "ID", Description = "NTMS_EJECT_STOP: end the wait of operation ID." };
        var eject = new Command("eject", "EjectNtmsCleaner: take the cleaner out of the reserved slot.") { via2, timeout2, wait2, stop2 };
        eject.SetAction(Act(async (ctx, p, ct) =>
        {
            var service = Service(ctx);
            if (p.GetValue(stop2) is Guid id)
            {
                RejectWithStop(p, via2, timeout2, wait2);
                await service.StopAsync(id, ct);
                return Report(ctx, NtmsResult.ERROR_SUCCESS, $"operation {id} asked to stop", id);
            }
            if (p.GetValue(timeout2) is int t && t <= 0) throw new UsageException("--timeout must be a positive number of seconds");
            var op = await service.StartEjectAsync(ParsePath(p.GetValue(via2)!), p.GetValue(timeout2) is int s ? TimeSpan.FromSeconds(s) : null, ct);
            return await Dispatch(ctx, service, op, p.GetValue(wait2), ct);
        }));

        var status = new Command("status", "Show the reserved slot, the cleaner, its cleanings left, drive cleaning history and operations.");
        status.SetAction(Act(async (ctx, _, ct) =>
        {
            var service = Service(ctx);
            await service.MarkDeadWorkersAsync(ct);
            var store = await service.StoreAsync(ct);
            var st = store.Read();
            var doc = new CleanerStatusDocument(store.Key, st.Reservation?.Slot, st.Reservation?.Address, st.Cleaner?.Barcode,
                st.Cleaner?.CleansLeft, st.Cleaner?.CleansLeft == CleanerService.Unlimited,
                st.DriveHistory.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<CleaningJson>)kv.Value.Select(h =>
                    new CleaningJson(h.At, h.Drive, h.Address, h.CleanerBarcode, h.CleansLeftAfter, h.Outcome)).ToList()),
                st.Operations.OrderByDescending(o => o.Created).Take(20).Select(ToJson).ToList())
            {
                CleanerResult = st.Cleaner is { CleansLeft: 0 } ? nameof(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT) : null,
                SpentReason = st.Cleaner?.SpentReason,
                PendingCleaning = st.PendingCleaning.ToDictionary(kv => kv.Key, kv => new NeedsCleaningJson(kv.Value.Reason, kv.Value.Since) { Drive = kv.Value.Drive }),
            };
            var sb = new StringBuilder();
            sb.AppendLine($"Library {store.Key}");
            sb.AppendLine(st.Reservation is { } r ? $"Cleaner slot: {r.Slot} (element {r.Address}), reserved {r.ReservedAt:u}" : "Cleaner slot: none reserved");
            sb.AppendLine(st.Cleaner is { } c
                ? $"Cleaner: {c.Barcode ?? "(no label)"}, {(c.CleansLeft == CleanerService.Unlimited ? "cleanings not counted" : $"{c.CleansLeft} cleaning(s) left")}, used {c.TimesUsed} time(s)"
                  + (c.CleansLeft == 0 ? $"\nCleaner is SPENT (ERROR_CLEANER_CARTRIDGE_SPENT){(c.SpentReason is { } why ? $": {why}" : "")}; eject it and inject a new one" : "")
                : "Cleaner: none");
            foreach (var (key, req) in st.PendingCleaning)
            {
                sb.AppendLine($"Drive {req.Drive} ({key}): NEEDS CLEANING since {req.Since:u} ({req.Reason}); 'clean --if-needed' cleans it");
            }
            foreach (var (drive, list) in st.DriveHistory)
            {
                var last = list[^1];
                sb.AppendLine($"Drive {last.Drive} ({drive}): {list.Count} cleaning(s), last {last.At:u} ({last.Outcome})");
            }
            ctx.Emit(doc, static () => CliJsonContext.Default.CleanerStatusDocument, sb.ToString().TrimEnd());
            return ExitCodes.Success;
        }));

        cmd.Subcommands.Add(reserve);
        cmd.Subcommands.Add(release);
        cmd.Subcommands.Add(inject);
        cmd.Subcommands.Add(eject);
        cmd.Subcommands.Add(status);
        return cmd;
    }

    /// <summary>--stop ends another operation; options that describe a new one cannot go with it.</summary>
    private static void RejectWithStop(ParseResult p, params Option[] others)
    {
        var given = others.Where(o => p.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
        if (given.Count > 0) throw new UsageException($"--stop cannot be combined with {string.Join(", ", given)}");
    }

    private static CleanerPath ParsePath(string via) => via switch
    {
        "ieport" => CleanerPath.IePort,
        "door" => CleanerPath.Door,
        _ => CleanerPath.Auto,
    };
}

/// <summary>Exit codes of the cleaner commands (0 only for ERROR_SUCCESS), from the one table in <see cref="ExitCodes"/>.</summary>
internal static class CleanerExitCodes
{
    public static int For(NtmsResult r) => ExitCodes.For(r);
}
