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
internal static class CleanerCommands
{
    public static IEnumerable<Command> Build()
    {
        yield return Cleaner();
        yield return Clean();
        yield return Operations();
    }

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
        IReadOnlyList<NeedsCleaningJson>? needsCleaning = null)
    {
        var doc = new CleanerResultDocument(result == NtmsResult.ERROR_SUCCESS, result.ToString(), (uint)result, message)
        {
            Operation = operation,
            Details = details is null ? null : ToJson(details),
            NeedsCleaning = needsCleaning,
        };
        if (ctx.Json) ctx.Out.WriteLine(JsonSerializer.Serialize(doc, CliJsonContext.Default.CleanerResultDocument));
        else if (result == NtmsResult.ERROR_SUCCESS) ctx.Out.WriteLine(message);
        else ctx.Err.WriteLine($"tapechanger: {result} ({(uint)result}): {OneLine(message)}");
        return CleanerExitCodes.For(result);
    }

    internal static OperationJson ToJson(OperationRecord o) => new(o.Id, o.Kind.Name(), o.State, o.Result, o.Code, o.Message, o.Progress, o.Via.Name(),
        o.Drive, o.Barcode, o.Created, o.Updated, o.Completed, o.Deadline, o.Step.Name(), o.WorkerPid);

    private static Command Cleaner()
    {
        var cmd = new Command("cleaner", "Cleaner cartridge management, as Windows RSM had it (reserve a slot, inject, eject, status).");

        var slot = new Argument<int>("SLOT") { Description = "Empty storage slot to reserve for the cleaner." };
        var reserve = new Command("reserve", "ReserveNtmsCleanerSlot: reserve an empty storage slot for the cleaner.") { slot };
        reserve.SetAction(Act(async (ctx, p, ct) =>
        {
            var r = await Service(ctx).ReserveAsync(p.GetValue(slot), ct);
            return Report(ctx, NtmsResult.ERROR_SUCCESS, $"slot {r.Slot} (element {r.Address}) reserved for the cleaner");
        }));

        var release = new Command("release", "ReleaseNtmsCleanerSlot: give the cleaner slot back to data use (eject the cleaner first).");
        release.SetAction(Act(async (ctx, _, ct) =>
        {
            await Service(ctx).ReleaseAsync(ct);
            return Report(ctx, NtmsResult.ERROR_SUCCESS, "cleaner slot released");
        }));

        var via = new Option<string>("--via") { Description = "ieport (import/export element) or door; default: the port when the library has one.", DefaultValueFactory = _ => "auto" };
        via.AcceptOnlyFromAmong("auto", "ieport", "door");
        var cleans = new Option<uint?>("--cleans") { Description = "Cleanings left on the cartridge (dwNumberOfCleansLeft)." };
        var unlimited = new Option<bool>("--unlimited") { Description = "Do not count cleanings (0xFFFFFFFF)." };
        var timeout = new Option<int?>("--timeout") { Description = "Seconds to wait for the operator at the import/export port (default 600)." };
        var wait = new Option<bool>("--wait") { Description = "Block until the operation ends, with a progress line." };
        var stop = new Option<Guid?>("--stop") { Description = "NTMS_INJECT_STOP: end the wait of operation ID." };
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
        var timeout2 = new Option<int?>("--timeout") { Description = "Seconds to wait for the operator to take the cleaner (default 600)." };
        var wait2 = new Option<bool>("--wait") { Description = "Block until the operation ends, with a progress line." };
        var stop2 = new Option<Guid?>("--stop") { Description = "NTMS_EJECT_STOP: end the wait of operation ID." };
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
            ctx.Emit(doc, CliJsonContext.Default.CleanerStatusDocument, sb.ToString().TrimEnd());
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

    private static Command Clean()
    {
        var drive = new Argument<int?>("DRIVE") { Description = "Drive to clean (0-based).", Arity = ArgumentArity.ZeroOrOne };
        var unloadFirst = new Option<bool>("--unload-first") { Description = "Return a loaded tape to its slot before cleaning." };
        var wait = new Option<bool>("--wait") { Description = "Block until the cleaning ends, with a progress line." };
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
            if (!p.GetValue(ifNeeded) && !everyDrive)
            {
                var op = await service.StartCleanAsync(d!.Value, p.GetValue(unloadFirst), ct);
                return await Dispatch(ctx, service, op, p.GetValue(wait), ct);
            }
            // --if-needed and/or --all: work through the drives in this process, one after another.
            IEnumerable<int>? drives = d is int one ? [one] : null;
            IReadOnlyList<(int Drive, string Reason)> targets;
            IReadOnlyList<NeedsCleaningJson>? due = null;
            if (p.GetValue(ifNeeded))
            {
                if (d is int n) await CheckDriveAsync(ctx, n, ct);
                var requests = await service.DrivesNeedingCleaningAsync(drives, ct);
                due = requests.Select(r => new NeedsCleaningJson(r.Reason, r.Since) { Drive = r.Drive, Serial = r.Key, Remembered = r.Remembered }).ToList();
                targets = requests.Select(r => (r.Drive, r.Remembered ? $"{r.Reason}; remembered since {r.Since:u}" : r.Reason)).ToList();
                if (p.GetValue(dryRun)) return await DryRunAsync(ctx, service, targets, due, ct);
            }
            else
            {
                await using var session = await ctx.Connector().OpenAsync(ct);
                var map = await session.Changer.GetMapAsync(ct);
                targets = Enumerable.Range(0, map.Drives.Count).Select(i => (i, "requested")).ToList();
            }
            if (targets.Count == 0) return Report(ctx, NtmsResult.ERROR_SUCCESS, "no drive asks for cleaning", needsCleaning: due);
            var results = new List<string>();
            NtmsResult worst = NtmsResult.ERROR_SUCCESS;
            foreach (var (drv, reason) in targets)
            {
                try
                {
                    var op = await service.StartCleanAsync(drv, p.GetValue(unloadFirst), ct);
                    var final = await service.RunAsync(op, Progress(ctx), ct);
                    results.Add($"drive {drv} ({reason}): {final.Result}{(final.Message is { } m ? " - " + m : "")}");
                    if (final.Code != 0) worst = Enum.Parse<NtmsResult>(final.Result);
                }
                catch (CleanerException e)
                {
                    results.Add($"drive {drv} ({reason}): {e.Result} - {e.Message}");
                    worst = e.Result;
                }
            }
            return Report(ctx, worst, string.Join("; ", results), needsCleaning: due);
        }));
        return cmd;
    }

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
    private static async Task<int> DryRunAsync(CliContext ctx, CleanerService service, IReadOnlyList<(int Drive, string Reason)> targets,
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
            message = "would clean " + string.Join("; ", targets.Select(t => $"drive {t.Drive} ({t.Reason})")) + blocker;
        }
        var doc = new CleanerResultDocument(true, nameof(NtmsResult.ERROR_SUCCESS), 0, message) { NeedsCleaning = due, DryRun = true };
        ctx.Emit(doc, CliJsonContext.Default.CleanerResultDocument, message);
        return targets.Count == 0 ? ExitCodes.Success : ExitCodes.CleaningDue;
    }

    /// <summary>Runs the operation here (--wait) or hands it to a detached worker process that outlives this one.</summary>
    private static async Task<int> Dispatch(CliContext ctx, CleanerService service, Guid op, bool wait, CancellationToken ct)
    {
        if (wait)
        {
            var final = await service.RunAsync(op, Progress(ctx), ct);
            var result = Enum.Parse<NtmsResult>(final.Result);
            return Report(ctx, result, final.Message ?? final.State, op, final);
        }
        StartWorker(ctx, op);
        return Report(ctx, NtmsResult.ERROR_SUCCESS, $"queued as operation {op}; run: tapechanger operations {op}", op);
    }

    private static IProgress<OperationRecord>? Progress(CliContext ctx)
    {
        if (ctx.Json) return null;
        string? last = null;
        return new SyncProgress(o =>
        {
            string line = $"[{o.State}] {o.Progress ?? o.Message}";
            if (line == last) return;
            last = line;
            ctx.Err.WriteLine(line);
        });
    }

    private sealed class SyncProgress(Action<OperationRecord> report) : IProgress<OperationRecord>
    {
        public void Report(OperationRecord value) => report(value);
    }

    /// <summary>
    /// Starts `tapechanger operations run ID` detached, with the same device and state directory. Its output goes to
    /// <c>&lt;state&gt;/workers/ID.log</c> (no pipes back to this short-lived process).
    /// </summary>
    private static void StartWorker(CliContext ctx, Guid op)
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the tapechanger executable to start a worker");
        var args = new List<string>();
        // Under `dotnet tapechanger.dll` the process is the host: pass the assembly too.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") args.Add(Path.Combine(AppContext.BaseDirectory, "tapechanger.dll"));
        args.AddRange(["--device", ctx.DeviceUri, "--state-dir", ctx.StateDirectory, "operations", "run", op.ToString()]);
        string logDir = Path.Combine(ctx.StateDirectory, "workers");
        Directory.CreateDirectory(logDir);
        string log = Path.Combine(logDir, $"{op}.log");
        if (OperatingSystem.IsWindows())
        {
            WindowsWorker.Start(exe, args, log);
            return;
        }
        // setsid: the worker leaves this process's session, so a terminal hang-up or a CI job's process-group kill
        // of the short-lived CLI does not take it down; sh redirects its output to the log.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=\"$1\"; shift; exec setsid \"$@\" </dev/null >>\"$log\" 2>&1");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(log);
        psi.ArgumentList.Add(exe);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var worker = Process.Start(psi) ?? throw new InvalidOperationException("could not start the worker process");
    }

    private static Command Operations()
    {
        // A string, parsed here: an optional Guid? argument next to subcommands lets 'operations notaguid' through the
        // parser and fail later in GetValue (InvalidOperationException, exit 70).
        var id = new Argument<string?>("ID") { Description = "Operation id; default: list recent operations.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("operations", "Show queued cleaner operations: state, result code and timestamps.") { id };
        cmd.SetAction(Act(async (ctx, p, ct) =>
        {
            var service = Service(ctx);
            if (p.GetValue(id) is { } text)
            {
                if (!Guid.TryParse(text, out Guid one)) throw new UsageException($"'{OneLine(text)}' is not an operation id (a GUID such as those 'operations' lists)");
                var o = await service.GetOperationAsync(one, ct);
                var doc = new OperationsDocument([ToJson(o)]);
                ctx.Emit(doc, CliJsonContext.Default.OperationsDocument, Describe(o));
                return ExitCodes.Success;
            }
            var st = await service.GetStateAsync(ct);
            var ops = st.Operations.OrderByDescending(o => o.Created).Take(50).ToList();
            ctx.Emit(new OperationsDocument(ops.Select(ToJson).ToList()), CliJsonContext.Default.OperationsDocument,
                ops.Count == 0 ? "no operations" : string.Join('\n', ops.Select(Describe)));
            return ExitCodes.Success;
        }));

        var confirmId = new Argument<Guid>("ID") { Description = "Door operation to confirm." };
        var confirm = new Command("confirm", "Confirm a door operation: the cleaner has been placed in (or taken from) the reserved slot.") { confirmId };
        confirm.SetAction(Act(async (ctx, p, ct) =>
        {
            await Service(ctx).ConfirmAsync(p.GetValue(confirmId), ct);
            return Report(ctx, NtmsResult.ERROR_SUCCESS, $"operation {p.GetValue(confirmId)} confirmed");
        }));

        var runId = new Argument<Guid>("ID");
        var run = new Command("run", "Worker: carry out a queued operation (started by the other commands).") { runId };
        run.Hidden = true;
        run.SetAction(Act(async (ctx, p, ct) =>
        {
            var service = Service(ctx);
            var final = await service.RunAsync(p.GetValue(runId), null, ct);
            return CleanerExitCodes.For(Enum.Parse<NtmsResult>(final.Result));
        }));

        var recover = new Command("recover", "Resume operations whose worker died (kill -9, crash, reboot); a cleaner left in a drive goes back and is counted once.");
        recover.SetAction(Act(async (ctx, _, ct) =>
        {
            var service = Service(ctx);
            var orphans = await service.OrphanedOperationsAsync(ct);
            var lines = new List<string>();
            foreach (var o in orphans)
            {
                var final = await service.RunAsync(o, Progress(ctx), ct);
                lines.Add($"{o}: {final.State} {final.Result}");
            }
            return Report(ctx, NtmsResult.ERROR_SUCCESS, orphans.Count == 0 ? "nothing to recover" : string.Join("; ", lines));
        }));
        cmd.Subcommands.Add(confirm);
        cmd.Subcommands.Add(run);
        cmd.Subcommands.Add(recover);
        return cmd;
    }

    private static string Describe(OperationRecord o) =>
        $"{o.Id}  {o.Kind.Name(),-6} {o.State,-20} {o.Result} ({o.Code})  created {o.Created:u}{(o.Completed is { } c ? $", ended {c:u}" : "")}"
        + (o.Progress is { } pr ? $"\n    {pr}" : o.Message is { } m ? $"\n    {m}" : "");
}

/// <summary>Exit codes of the cleaner commands (0 only for ERROR_SUCCESS), from the one table in <see cref="ExitCodes"/>.</summary>
internal static class CleanerExitCodes
{
    public static int For(NtmsResult r) => ExitCodes.For(r);
}
