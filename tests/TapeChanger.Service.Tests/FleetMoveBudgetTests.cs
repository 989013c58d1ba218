using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using TapeChanger.Service.Fleet;
using TapeChanger.Virtual;

namespace TapeChanger.Service.Tests;

/// <summary>
/// Self-fencing by time: an owner sends a robot move only while its lease, as the database last confirmed it, has the
/// move's time budget left; it extends the lease first when it has not, and sends nothing when it cannot.
/// </summary>
public sealed class FleetMoveBudgetTests
{
    private static readonly Caller Op = new("carol", CallerRole.Operator);

    private static RequestSpec Transfer(int from, int to) => new(RequestKind.Transfer) { Arguments = new() { Slot = from, ToSlot = to } };

    [PostgresFact]
    public async Task An_owner_whose_lease_ran_short_while_it_waited_sends_no_move()
    {
        await using var f = new FleetHarness();
        var clock = new FakeTimeProvider();
        // No renewal after the first tick (the owner "hangs" as far as the lease is concerned); budget 1 s of a 1.5 s lease.
        await using var a = f.Engine("A", time: clock, tune: t => t with { FleetTick = TimeSpan.FromHours(1), MoveBudget = TimeSpan.FromSeconds(1) });
        var events = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(async () =>
        {
            try { await foreach (var e in a.EventsAsync(stop.Token)) if (e.Message is { } m) events.Enqueue(m); }
            catch (OperationCanceledException) { }
        });
        await a.StartAsync();
        await Wait.UntilAsync(() => Task.FromResult(f.Owner(a) == "A"), "A to take the lease");

        // The first MOVE MEDIUM is answered BUSY (resent after a 1 s backoff). While A waits, 10 s pass on its clock
        // (a paused process) and another service takes the lease over, as it may once the lease expired.
        f.Library.Library.AddFault(new FaultSpec { Kind = FaultKind.Busy, Command = "MOVE MEDIUM", Remaining = 1 });
        f.Library.Recorder.AfterMove = (cmd, ct) =>
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            f.Sql("UPDATE library_leases SET owner = 'B', token = token + 1, expires_ms = expires_ms + 600000 WHERE library = 'default'");
            return Task.CompletedTask;
        };
        var r = await a.SubmitAsync("default", Transfer(1, 24), Op);
        await Wait.UntilAsync(() => Task.FromResult(events.Any(m => m.Contains("could not be extended; the move was not sent"))), "A to refuse to resend the move");

        var move = Assert.Single(f.Library.Recorder.Moves);                 // the BUSY one; the resend never went out
        Assert.Equal(TapeChanger.Scsi.ScsiStatus.Busy, move.Status);
        Assert.Contains(events, m => m.Contains("time budget (1 s) left"));
        var now = ServiceHarness.Cartridges(await f.Library.ReadAsync());
        Assert.True(now.ContainsKey(move.Source), "the cartridge is still in its source slot");
        Assert.False(now.ContainsKey(move.Destination));
        Assert.Equal(RequestState.InProcess, (await a.GetRequestAsync(r.Id)).State);   // left to the next owner to reconcile
        Assert.Equal([(1L, "A", "Moving")], f.Journal());
        await stop.CancelAsync();
        await reader;
    }

    [PostgresFact]
    public async Task An_owner_whose_lease_ran_short_extends_it_before_the_move_when_it_still_holds_it()
    {
        await using var f = new FleetHarness();
        var clock = new FakeTimeProvider();
        await using var a = f.Engine("A", time: clock, tune: t => t with
        {
            FleetTick = TimeSpan.FromHours(1), LeaseTime = TimeSpan.FromSeconds(3), MoveBudget = TimeSpan.FromSeconds(1),
        });
        await a.StartAsync();
        await Wait.UntilAsync(() => Task.FromResult(f.Owner(a) == "A"), "A to take the lease");

        // The first MOVE MEDIUM is answered BUSY; while A waits to resend it, 10 s pass on its clock. Its estimate says
        // the lease is gone, but nobody took it: A extends it in the database, then resends the move.
        f.Library.Library.AddFault(new FaultSpec { Kind = FaultKind.Busy, Command = "MOVE MEDIUM", Remaining = 1 });
        TimeSpan? timeout = null;
        var renewed = new List<long>();
        f.Library.Recorder.BeforeMove = (cmd, ct) =>
        {
            timeout = cmd.Timeout;
            renewed.Add(f.Database.Read(tx => Convert.ToInt64(tx.Scalar("SELECT renewed_ms FROM library_leases WHERE library = 'default'"), System.Globalization.CultureInfo.InvariantCulture)));
            return Task.CompletedTask;
        };
        f.Library.Recorder.AfterMove = (cmd, ct) =>
        {
            if (f.Library.Recorder.Moves.Count() == 1) clock.Advance(TimeSpan.FromSeconds(10));
            return Task.CompletedTask;
        };
        var r = await a.SubmitAsync("default", Transfer(1, 24), Op);
        Assert.Equal(RequestState.Passed, (await a.WaitAsync(r.Id).WaitAsync(TimeSpan.FromSeconds(30))).State);
        Assert.Equal([TapeChanger.Scsi.ScsiStatus.Busy, TapeChanger.Scsi.ScsiStatus.Good], f.Library.Recorder.Moves.Select(m => m.Status));
        // The database confirmed the lease again between the two sends (the extension, or a renewal that raced it).
        Assert.True(renewed[1] > renewed[0], $"lease renewed at {renewed[0]} and {renewed[1]}");
        Assert.Equal(TimeSpan.FromSeconds(1), timeout);                     // the MOVE MEDIUM's timeout is the budget
        Assert.Single(f.Journal().Select(j => j.Token).Distinct());
    }

    [PostgresFact]
    public async Task A_budget_longer_than_the_lease_extends_the_lease_for_each_move()
    {
        await using var f = new FleetHarness();
        await using var a = f.Engine("A", tune: t => t with { MoveBudget = TimeSpan.FromSeconds(20) });
        await a.StartAsync();
        await Wait.UntilAsync(() => Task.FromResult(f.Owner(a) == "A"), "A to take the lease");
        long? leftAtMove = null;
        f.Library.Recorder.BeforeMove = (cmd, ct) =>
        {
            leftAtMove = f.Database.Read(tx => Convert.ToInt64(tx.Scalar($"SELECT expires_ms - {f.Database.NowMilliseconds} FROM library_leases WHERE library = 'default'"),
                System.Globalization.CultureInfo.InvariantCulture));
            return Task.CompletedTask;
        };
        long before = a.Leases!.Extensions;
        var r = await a.SubmitAsync("default", Transfer(1, 24), Op);
        Assert.Equal(RequestState.Passed, (await a.WaitAsync(r.Id).WaitAsync(TimeSpan.FromSeconds(30))).State);
        Assert.Equal(before + 1, a.Leases.Extensions);
        // The lease (1.5 s) was extended to the budget plus the fence margin (20.5 s) before the MOVE went out.
        Assert.True(leftAtMove > 15_000, $"lease left at the move: {leftAtMove} ms (lease {FleetHarness.Lease.TotalMilliseconds} ms)");
    }
}
