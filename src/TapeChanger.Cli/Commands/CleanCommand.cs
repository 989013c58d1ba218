using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>`clean DRIVE`, `clean --all`, `clean --if-needed [--dry-run]`: CleanNtmsDrive, one drive or many.</summary>
internal static partial class CleanerCommands
{
    private static Command Clean()
    {
        var drive = new Argument<int?>("DRIVE") { Description = "Drive to clean (0-based).", Arity = ArgumentArity.ZeroOrOne };
        var unloadFirst = new Option<bool>("--unload-first") { Description = "Return a loaded tape to its slot before cleaning." };
        var wait = new Option<bool>("--wait") { Description = "Block until the cleaning (of every drive named) ends, with progress; without it a worker carries the cleanings out and the command returns at once." };
        var ifNeeded = new Option<bool>("--if-needed") { Description = "Clean only drives that ask for it (TapeAlert 20/21 or sense 00/17), now or on an earlier run and not cleaned since. For cron." };
        var all = new Option<bool>("--all") { Description = "Every drive of the library." };
        var dryRun = new Option<bool>("--dry-run") { Description = $"With --if-needed: say which drives need cleaning and do nothing; exit {ExitCodes.CleaningDue} when some do, 0 when none." };
        var cmd = new Command("clean", "CleanNtmsDrive: clean a drive with the cleaner in the reserved slot.") { drive, unloadFirst, wait, ifNeeded, all, dryRun };
        cmd.SetAction(Act(async (ctx, p, ct) =>
        {
            var service = Service(ctx);
            int? d = p.GetValue(drive);
            bool everyDrive = p.GetValue(all);
            if (d is null && !everyDrive) throw new UsageException("name a DRIVE or use --all");
            if (d is not null && everyDrive) throw new UsageException("give either DRIVE or --all, not both");
            if (p.GetValue(dryRun) && !p.GetValue(ifNeeded)) throw new UsageException("--dry-run goes with --if-needed");
            if (!p.GetValue(dryRun)) await RecoverCleaningsAsync(ctx, service, ct);
            if (!p.GetValue(ifNeeded) && !everyDrive)
            {
                var op = await service.StartCleanAsync(d!.Value, p.GetValue(unloadFirst), ct);
                return await Dispatch(ctx, service, op, p.GetValue(wait), ct);
            }
            IEnumerable<int>? drives = d is int one ? [one] : null;
            IReadOnlyList<CleanTarget> targets;
            IReadOnlyList<NeedsCleaningJson>? due = null;
            if (p.GetValue(ifNeeded))
            {
                if (d is int n) await CheckDriveAsync(ctx, n, ct);
                var requests = await service.DrivesNeedingCleaningAsync(drives, ct);
                due = requests.Select(r => new NeedsCleaningJson(r.Reason, r.Since) { Drive = r.Drive, Serial = r.Key, Remembered = r.Remembered }).ToList();
                targets = requests.Select(r => new CleanTarget(r.Drive, SerialOf(r.Key), r.Remembered ? $"{r.Reason}; remembered since {r.Since:u}" : r.Reason)).ToList();
                if (p.GetValue(dryRun)) return await DryRunAsync(ctx, service, targets, due, ct);
            }
            else
            {
                await using var session = await ctx.Connector().OpenAsync(ct);
                var map = await session.Changer.GetMapAsync(ct);
                var list = new List<CleanTarget>();
                for (int i = 0; i < map.Drives.Count; i++)
                {
                    var element = await session.Changer.ReadElementAsync(map.DriveAddress(i), ct);
                    list.Add(new CleanTarget(i, element.DriveSerial, "requested (--all)"));
                }
                targets = list;
            }
            if (targets.Count == 0)
            {
                return Report(ctx, NtmsResult.ERROR_SUCCESS, "no drive asks for cleaning", needsCleaning: due, drives: []);
            }
            var entries = p.GetValue(wait)
                ? await CleanHereAsync(ctx, service, targets, p.GetValue(unloadFirst), ct)
                : await QueueCleaningsAsync(ctx, service, targets, p.GetValue(unloadFirst), ct);
            var worst = entries.MaxBy(e => e.ExitCode)!;
            // Exit 0 with a cleaning not ended (queued for the worker): pending, not success.
            var result = worst.ExitCode != ExitCodes.Success ? Enum.Parse<NtmsResult>(worst.Result)
                : entries.Any(e => e.Code == (uint)NtmsResult.ERROR_IO_PENDING) ? NtmsResult.ERROR_IO_PENDING : NtmsResult.ERROR_SUCCESS;
            string message = string.Join("; ", entries.Select(e =>
                $"drive {e.Drive} ({e.Trigger}): {e.Result}{(e.State is { } st && st != "passed" && st != "failed" ? $" [{st}]" : "")}{(e.Message is { } m ? " - " + m : "")}"));
            return Report(ctx, result, message, needsCleaning: due, drives: entries);
        }));
        return cmd;
    }

    private sealed record CleanTarget(int Drive, string? Serial, string Trigger);

    private static string? SerialOf(string key) => key.StartsWith("element:", StringComparison.Ordinal) ? null : key;

    /// <summary>--wait: each drive in turn in this process (a spent cleaner found on one shows on the next as its start's result).</summary>
    private static async Task<IReadOnlyList<DriveCleaningJson>> CleanHereAsync(CliContext ctx, CleanerService service, IReadOnlyList<CleanTarget> targets,
        bool unloadFirst, CancellationToken ct)
    {
        var entries = new List<DriveCleaningJson>();
        var progress = CleanerProgress.For(ctx);
        foreach (var t in targets)
        {
            try
            {
                var op = await service.StartCleanAsync(t.Drive, unloadFirst, ct);
                var final = await RunHereAsync(ctx, service, op, ct, progress);
                entries.Add(Entry(t, final));
            }
            catch (CleanerException e)
            {
                entries.Add(Entry(t, e.Result, null, null, e.Message));
            }
        }
        return entries;
    }

    /// <summary>Without --wait: queue every drive's cleaning, then one worker carries them out in order.</summary>
    private static async Task<IReadOnlyList<DriveCleaningJson>> QueueCleaningsAsync(CliContext ctx, CleanerService service, IReadOnlyList<CleanTarget> targets,
        bool unloadFirst, CancellationToken ct)
    {
        var entries = new List<DriveCleaningJson>();
        var queued = new List<Guid>();
        foreach (var t in targets)
        {
            try
            {
                var op = await service.StartCleanAsync(t.Drive, unloadFirst, ct);
                queued.Add(op);
                entries.Add(Entry(t, await service.GetOperationAsync(op, ct)));
            }
            catch (CleanerException e)
            {
                entries.Add(Entry(t, e.Result, null, null, e.Message));
            }
        }
        if (queued.Count > 0) StartWorker(ctx, queued);
        return entries;
    }

    private static DriveCleaningJson Entry(CleanTarget t, OperationRecord o)
    {
        var (result, code) = o.Outcome();
        var exit = CleanerExitCodes.For((NtmsResult)code);
        string? message = o.State.IsFinal() ? o.Message : $"queued as operation {o.Id}; run: tapechanger operations {o.Id}";
        return new DriveCleaningJson(t.Drive, t.Serial ?? o.DriveSerial, t.Trigger, result, code, exit, o.Id, o.State.Name(), message);
    }

    private static DriveCleaningJson Entry(CleanTarget t, NtmsResult result, Guid? op, string? state, string message) =>
        new(t.Drive, t.Serial, t.Trigger, result.ToString(), (uint)result, CleanerExitCodes.For(result), op, state, message);

    /// <summary>A DRIVE given with --if-needed must exist (the same answer as `clean DRIVE`).</summary>
    private static async Task CheckDriveAsync(CliContext ctx, int drive, CancellationToken ct)
    {
        await using var session = await ctx.Connector().OpenAsync(ct);
        var map = await session.Changer.GetMapAsync(ct);
        if (drive < 0 || drive >= map.Drives.Count)
        {
            throw new CleanerException(NtmsResult.ERROR_INVALID_DRIVE, $"drive {drive} does not exist; drives are 0 to {map.Drives.Count - 1}");
        }
    }

    /// <summary>
    /// clean --if-needed --dry-run: what a real run would do, and what would stop it (no cleaner slot, no cleaner, a
    /// spent cleaner), from the library's state. Exit 0: nothing to do; <see cref="ExitCodes.CleaningDue"/>: work to do.
    /// </summary>
    private static async Task<int> DryRunAsync(CliContext ctx, CleanerService service, IReadOnlyList<CleanTarget> targets,
        IReadOnlyList<NeedsCleaningJson> due, CancellationToken ct)
    {
        string message;
        if (targets.Count == 0)
        {
            message = "no drive asks for cleaning; nothing to do";
        }
        else
        {
            var st = await service.GetStateAsync(ct);
            string blocker = st.Reservation is null ? " (it would fail: no cleaner slot is reserved, ERROR_CLEANER_SLOT_NOT_SET)"
                : st.Cleaner is null ? " (it would fail unless a cleaner is in the reserved slot: none is recorded there, ERROR_SLOT_EMPTY)"
                : st.Cleaner.CleansLeft == 0 ? $" (it would fail: cleaner {st.Cleaner.Barcode} is spent, ERROR_CLEANER_CARTRIDGE_SPENT)"
                : "";
            message = "would clean " + string.Join("; ", targets.Select(t => $"drive {t.Drive} ({t.Trigger})")) + blocker;
        }
        var doc = new CleanerResultDocument(true, nameof(NtmsResult.ERROR_SUCCESS), 0, message) { NeedsCleaning = due, DryRun = true };
        ctx.Emit(doc, static () => CliJsonContext.Default.CleanerResultDocument, message);
        return targets.Count == 0 ? ExitCodes.Success : ExitCodes.CleaningDue;
    }
}
