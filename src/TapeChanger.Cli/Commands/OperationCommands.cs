using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>`operations`: the journal, workers that carry operations out, confirmation and recovery.</summary>
internal static partial class CleanerCommands
{
    /// <summary>Runs the operation here (--wait) or hands it to a detached worker process that outlives this one.</summary>
    private static async Task<int> Dispatch(CliContext ctx, CleanerService service, Guid op, bool wait, CancellationToken ct)
    {
        if (wait)
        {
            var final = await RunHereAsync(ctx, service, op, ct);
            var result = Enum.Parse<NtmsResult>(final.Result);
            return Report(ctx, result, final.Message ?? NtmsResultText.Describe(result), op, final);
        }
        StartWorker(ctx, [op]);
        var queued = await service.GetOperationAsync(op, ct);
        return Report(ctx, NtmsResult.ERROR_IO_PENDING, $"queued as operation {op}; run: tapechanger operations {op}", op, queued);
    }

    /// <summary>
    /// Before a new cleaning: a cleaning whose worker died (the cleaner may still be in a drive) or that a lost library
    /// interrupted is finished first, here, as `operations recover` would; the operator is told on stderr.
    /// </summary>
    private static async Task RecoverCleaningsAsync(CliContext ctx, CleanerService service, CancellationToken ct)
    {
        await service.MarkDeadWorkersAsync(ct);
        var state = await service.GetStateAsync(ct);
        foreach (var id in await service.OrphanedOperationsAsync(ct))
        {
            if (state.Find(id) is not { Kind: OperationKind.Clean } op) continue;
            ctx.Err.WriteLine($"tapechanger: recovering cleaning {id} of drive {op.Drive} first ({op.Message ?? op.State.Name()})");
            var final = await RunHereAsync(ctx, service, id, ct);
            ctx.Err.WriteLine($"tapechanger: cleaning {id}: {Ended(final)}");
        }
    }

    /// <summary>
    /// Runs an operation in this process with progress. Ctrl-C: the journal says cancelled (RunAsync records it) and the
    /// command ends like every other command on Ctrl-C (exit 130), not with the cleaner's ERROR_CANCELLED exit.
    /// </summary>
    private static async Task<OperationRecord> RunHereAsync(CliContext ctx, CleanerService service, Guid op, CancellationToken ct, IProgress<OperationRecord>? progress = null)
    {
        var final = await service.RunAsync(op, progress ?? CleanerProgress.For(ctx), ct);
        ct.ThrowIfCancellationRequested();
        return final;
    }

    /// <summary>
    /// Starts `tapechanger operations run ID...` detached, with the same device and state directory; it carries the
    /// operations out one after another. Its output goes to <c>&lt;state&gt;/workers/ID.log</c>, named after the first
    /// (no pipes back to this short-lived process).
    /// </summary>
    private static void StartWorker(CliContext ctx, IReadOnlyList<Guid> ops)
    {
        string exe = Environment.ProcessPath ?? throw new InvalidOperationException("cannot find the tapechanger executable to start a worker");
        var args = new List<string>();
        // Under `dotnet tapechanger.dll` the process is the host: pass the assembly too.
        if (Path.GetFileNameWithoutExtension(exe) == "dotnet") args.Add(Path.Combine(AppContext.BaseDirectory, "tapechanger.dll"));
        args.AddRange(["--device", ctx.DeviceUri, "--state-dir", ctx.StateDirectory, "operations", "run"]);
        args.AddRange(ops.Select(o => o.ToString()));
        string logDir = Path.Combine(ctx.StateDirectory, "workers");
        Directory.CreateDirectory(logDir);
        string log = Path.Combine(logDir, $"{ops[0]}.log");
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
            await service.MarkDeadWorkersAsync(ct);
            if (p.GetValue(id) is { } text)
            {
                if (!Guid.TryParse(text, out Guid one)) throw new UsageException($"'{OneLine(text)}' is not an operation id (a GUID such as those 'operations' lists)");
                var o = await service.GetOperationAsync(one, ct);
                ctx.Emit(new OperationDocument(ToJson(o)), static () => CliJsonContext.Default.OperationDocument, Describe(o));
                return ExitCodes.Success;
            }
            var st = await service.GetStateAsync(ct);
            var ops = st.Operations.OrderByDescending(o => o.Created).Take(50).ToList();
            ctx.Emit(new OperationsDocument(ops.Select(ToJson).ToList()), static () => CliJsonContext.Default.OperationsDocument,
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

        var runId = new Argument<Guid[]>("ID") { Arity = ArgumentArity.OneOrMore };
        var run = new Command("run", "Worker: carry out queued operations, one after another (started by the other commands).") { runId };
        run.Hidden = true;
        run.SetAction(Act(async (ctx, p, ct) =>
        {
            var service = Service(ctx);
            int worst = ExitCodes.Success;
            foreach (var id in p.GetValue(runId)!)
            {
                var final = await service.RunAsync(id, null, ct);
                worst = Math.Max(worst, CleanerExitCodes.For(Enum.Parse<NtmsResult>(final.Result)));
            }
            return worst;
        }));

        var recover = new Command("recover", "Resume operations whose worker died (kill -9, crash, reboot); a cleaner left in a drive goes back and is counted once.");
        recover.SetAction(Act(async (ctx, _, ct) =>
        {
            var service = Service(ctx);
            var orphans = await service.OrphanedOperationsAsync(ct);
            var lines = new List<string>();
            foreach (var o in orphans)
            {
                var final = await RunHereAsync(ctx, service, o, ct);
                lines.Add($"{o}: {Ended(final)}");
            }
            return Report(ctx, NtmsResult.ERROR_SUCCESS, orphans.Count == 0 ? "nothing to recover" : string.Join("; ", lines));
        }));
        cmd.Subcommands.Add(confirm);
        cmd.Subcommands.Add(run);
        cmd.Subcommands.Add(recover);
        return cmd;
    }

    /// <summary>How an operation ended, for a line of text: its state, its RSM result and what that result means.</summary>
    private static string Ended(OperationRecord o) =>
        $"{o.State.Name()} {o.Result}" + (Enum.TryParse<NtmsResult>(o.Result, out var r) ? $" ({NtmsResultText.Describe(r)})" : "");

    private static string Describe(OperationRecord o) =>
        $"{o.Id}  {o.Kind.Name(),-6} {o.State.Name(),-20} {o.Outcome().Result} ({o.Outcome().Code})  created {o.Created:u}{(o.Completed is { } c ? $", ended {c:u}" : "")}"
        + (o.Progress is { } pr ? $"\n    {pr}" : o.Message is { } m ? $"\n    {m}" : "");
}
