using System.Diagnostics;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The operation journal on the virtual library: what a queued operation records, how old finished operations are
/// pruned, and which operations count as orphaned (their worker died, or none took them) and are marked interrupted.
/// Journals are written straight into the store to stand for other processes' operations.
/// </summary>
public sealed class JournalAndOrphanTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    private const int DeadPid = 999999;

    private static OperationRecord Record(int n, OperationState state, int? pid, DateTimeOffset created, OperationKind kind = OperationKind.Clean) => new()
    {
        Id = new Guid(n, 0, 0, new byte[8]),
        Kind = kind,
        State = state,
        WorkerPid = pid,
        Created = created,
        Updated = created,
        Progress = "as the other process left it",
    };

    [Fact]
    public async Task A_queued_operation_records_its_time_and_path_and_only_the_200_newest_finished_operations_stay()
    {
        await S.ReserveAsync(21);
        var now = _h.Time.GetUtcNow();
        var store = await S.StoreAsync();
        store.Update(st =>
        {
            // 205 finished operations, written newest first so the order of the journal is not the age.
            for (int n = 205; n >= 1; n--) st.Operations.Add(Record(n, OperationState.Passed, null, now - TimeSpan.FromHours(300 - n)));
            st.Operations.Add(Record(1000, OperationState.InProcess, Environment.ProcessId, now - TimeSpan.FromDays(30)));
        });

        var id = await S.StartInjectAsync(CleanerPath.IePort, 3, TimeSpan.FromSeconds(90));

        var ops = (await S.GetStateAsync()).Operations;
        // The five oldest finished ones went; the old one still in process stays, whatever its age.
        Assert.Equal(Enumerable.Range(6, 200).Order(), ops.Where(o => o.State.IsFinal()).Select(o => o.Id.ToByteArray()[0] | o.Id.ToByteArray()[1] << 8).Order());
        Assert.Contains(ops, o => o.Id == new Guid(1000, 0, 0, new byte[8]));
        var queued = ops.Single(o => o.Id == id);
        Assert.Equal(202, ops.Count);
        Assert.Equal((OperationKind.Inject, OperationState.Queued, CleanerPath.IePort, "queued", 3u), (queued.Kind, queued.State, queued.Via, queued.Progress, queued.CleansLeft));
        Assert.Equal((now, now, now + TimeSpan.FromSeconds(90)), (queued.Created, queued.Updated, queued.Deadline!.Value));
        Assert.Null(queued.WorkerPid);
        Assert.NotEqual(Guid.Empty, id);
    }

    [Fact]
    public async Task Orphans_are_interrupted_ones_and_those_whose_worker_died_or_never_came()
    {
        await S.ReserveAsync(21);
        var now = _h.Time.GetUtcNow();
        (await S.StoreAsync()).Update(st => st.Operations.AddRange(
        [
            Record(1, OperationState.Interrupted, null, now - TimeSpan.FromHours(1)),
            Record(2, OperationState.InProcess, DeadPid, now),                          // worker gone
            Record(3, OperationState.InProcess, Environment.ProcessId, now - TimeSpan.FromHours(1)),   // this process
            Record(4, OperationState.WaitingForOperator, 1, now - TimeSpan.FromHours(1)),  // another live process (init)
            Record(5, OperationState.Queued, null, now - TimeSpan.FromMinutes(2)),         // no worker took it
            Record(6, OperationState.Queued, null, now - TimeSpan.FromSeconds(30)),        // a worker is still starting
            Record(7, OperationState.Queued, null, now - TimeSpan.FromMinutes(1)),         // exactly one minute: still starting
            Record(8, OperationState.Passed, DeadPid, now - TimeSpan.FromHours(1)),        // ended: never an orphan
            Record(9, OperationState.Failed, null, now - TimeSpan.FromHours(1)),
        ]));

        Assert.Equal([1, 2, 5], (await S.OrphanedOperationsAsync()).Select(g => g.ToByteArray()[0]).Select(b => (int)b));

        var before = (await S.GetStateAsync()).Operations.ToDictionary(o => o.Id);
        var marked = await S.MarkDeadWorkersAsync();

        Assert.Equal([2, 5], marked.Select(o => (int)o.Id.ToByteArray()[0]));
        var after = (await S.GetStateAsync()).Operations.ToDictionary(o => o.Id);
        var worker = after[new Guid(2, 0, 0, new byte[8])];
        Assert.Equal((OperationState.Interrupted, $"its worker (pid {DeadPid}) died while it was in-process; run 'tapechanger operations recover'"), (worker.State, worker.Message));
        var never = after[new Guid(5, 0, 0, new byte[8])];
        Assert.Equal((OperationState.Interrupted, "queued but no worker took it; run 'tapechanger operations recover'"), (never.State, never.Message));
        foreach (var o in new[] { worker, never })
        {
            Assert.Null(o.Progress);
            Assert.Null(o.WorkerPid);
            Assert.Equal(now, o.Updated);
        }
        // Everything else is as it was.
        foreach (int n in new[] { 1, 3, 4, 6, 7, 8, 9 })
        {
            var id = new Guid(n, 0, 0, new byte[8]);
            Assert.Equal((before[id].State, before[id].WorkerPid, before[id].Progress, before[id].Message), (after[id].State, after[id].WorkerPid, after[id].Progress, after[id].Message));
        }
        Assert.Empty(await S.MarkDeadWorkersAsync());
        Assert.Equal([1, 2, 5], (await S.OrphanedOperationsAsync()).Select(g => (int)g.ToByteArray()[0]));
    }

    /// <summary>A fact about Linux process states (/proc): reported as skipped elsewhere, never as passed.</summary>
    private sealed class LinuxFactAttribute : FactAttribute
    {
        public LinuxFactAttribute()
        {
            if (!OperatingSystem.IsLinux()) Skip = "/proc/PID/stat is Linux's";
        }
    }

    [LinuxFact]
    public async Task A_worker_left_as_a_zombie_is_dead()
    {
        // sh starts a child, then becomes `sleep 5`, which never reaps it: a zombie for 5 s. The child exits only once
        // its parent has become sleep (its /proc comm is no longer sh): a child that exited earlier could be reaped by
        // sh before the exec, and there would be no zombie to find (seen once in CI under load).
        using var parent = Process.Start(new ProcessStartInfo("sh",
            ["-c", "p=$$; (while [ \"$(cat /proc/$p/comm 2>/dev/null)\" = sh ]; do sleep 0.01; done) & echo $!; exec sleep 5"])
            { RedirectStandardOutput = true })!;
        try
        {
            int zombie = int.Parse(parent.StandardOutput.ReadLine()!);
            for (int i = 0; i < 200 && !File.ReadAllText($"/proc/{zombie}/stat").Contains(") Z "); i++) await Task.Delay(10);
            Assert.Contains(") Z ", File.ReadAllText($"/proc/{zombie}/stat"));

            await S.ReserveAsync(21);
            var now = _h.Time.GetUtcNow();
            (await S.StoreAsync()).Update(st => st.Operations.AddRange(
            [
                Record(1, OperationState.InProcess, zombie, now),
                Record(2, OperationState.InProcess, parent.Id, now),     // alive (sleeping)
            ]));

            Assert.Equal([1], (await S.OrphanedOperationsAsync()).Select(g => (int)g.ToByteArray()[0]));
        }
        finally
        {
            parent.Kill();
        }
    }

    private sealed class NamedConnector(CleaningHarness h) : IChangerConnector, IDeviceNamed
    {
        public string DeviceName => "iscsi://10.0.0.5/iqn.2026-01.test:lib";

        public ValueTask<ChangerSession> OpenAsync(CancellationToken ct) => h.OpenAsync(ct);
    }

    [Fact]
    public async Task A_connector_that_names_its_device_records_which_library_it_is_so_the_reservation_is_found_by_name()
    {
        var svc = new CleanerService(new NamedConnector(_h), _h.State, new CleanerOptions(), _h.Time);
        Assert.Null(ReservationIndex.ReservedAddress(_h.State, "iscsi://10.0.0.5/iqn.2026-01.test:lib"));

        await svc.ReserveAsync(21);

        Assert.Equal((ushort)1020, ReservationIndex.ReservedAddress(_h.State, "iscsi://10.0.0.5/iqn.2026-01.test:lib"));
        Assert.Null(ReservationIndex.ReservedAddress(_h.State, "virtual:"));         // the harness's own connector names no device
    }
}
