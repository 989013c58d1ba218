using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>Operations whose worker died, found from the journal and process liveness.</summary>
public sealed partial class CleanerService
{
    /// <summary>
    /// Operations whose worker died (kill -9, crash, reboot). The caller re-runs them: <see cref="RunAsync"/> resumes
    /// from the journal step, so a cleaner left in a drive goes back and is counted once.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> OrphanedOperationsAsync(CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        var now = Now;
        return store.Read().Operations
            .Where(o => o.State == OperationState.Interrupted
                || !o.State.IsFinal()
                && (o.WorkerPid is int pid
                    ? pid != Environment.ProcessId && !ProcessAlive(pid)
                    : now - o.Created > TimeSpan.FromMinutes(1)))      // queued, but its worker never started
            .Select(o => o.Id).ToList();
    }

    /// <summary>
    /// An operation some process is carrying out or is about to: not ended, not interrupted, and its worker alive (or,
    /// with no worker recorded yet, queued less than a minute ago).
    /// </summary>
    private bool IsLive(OperationRecord o) =>
        !o.State.IsFinal() && o.State != OperationState.Interrupted
        && (o.WorkerPid is int pid ? pid == Environment.ProcessId || ProcessAlive(pid) : Now - o.Created <= TimeSpan.FromMinutes(1));

    /// <summary>
    /// Operations whose worker process is gone (kill -9, crash, reboot) are marked <see cref="OperationState.Interrupted"/>
    /// with what to do, so `operations` and `cleaner status` never show a dead operation as in process. Returns them.
    /// </summary>
    public async Task<IReadOnlyList<OperationRecord>> MarkDeadWorkersAsync(CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        bool any = store.Read().Operations.Any(Dead);
        if (!any) return [];
        return store.Update(state =>
        {
            var dead = state.Operations.Where(Dead).ToList();
            foreach (var o in dead)
            {
                o.Message = o.WorkerPid is int pid
                    ? $"its worker (pid {pid}) died while it was {o.State.Name()}; run 'tapechanger operations recover'"
                    : "queued but no worker took it; run 'tapechanger operations recover'";
                o.State = OperationState.Interrupted;
                o.Progress = null;
                o.WorkerPid = null;
                o.Updated = Now;
            }
            return (IReadOnlyList<OperationRecord>)dead;
        });

        bool Dead(OperationRecord o) => !o.State.IsFinal() && o.State != OperationState.Interrupted && !IsLive(o);
    }

    private static bool ProcessAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            // A killed worker whose parent has gone may linger as a zombie until it is reaped; that is dead too.
            string stat = $"/proc/{pid}/stat";
            try
            {
                string text = File.ReadAllText(stat);
                int close = text.LastIndexOf(')');
                return close > 0 && close + 2 < text.Length && text[close + 2] is not ('Z' or 'X');
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
