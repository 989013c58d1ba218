using TapeChanger.Cleaning;

namespace TapeChanger.Service.Tests;

/// <summary>
/// The engine stopped in the middle of its queue (disposed without finishing) and a new one opened on the same
/// database and library: queued requests run once, the request in process is reconciled from its journal and a
/// targeted READ ELEMENT STATUS, never re-sent.
/// </summary>
public sealed class RestartTests
{
    private static readonly Caller Op = new("carol", CallerRole.Operator);

    private static RequestSpec Transfer(int from, int to) => new(RequestKind.Transfer) { Arguments = new() { Slot = from, ToSlot = to } };

    [Theory]
    [InlineData(true)]     // the robot moved the cartridge, the service died before it heard back
    [InlineData(false)]    // the service died before the MOVE MEDIUM went out
    public async Task StoppedMidQueue_QueuedRunOnce_InFlightReconciled(bool movedBeforeTheStop)
    {
        await using var h = new ServiceHarness();
        var atMove = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Func<TapeChanger.Scsi.ScsiCommand, CancellationToken, Task> hold = async (cmd, ct) =>
        {
            if (cmd.OperationCode != 0xA5) return;
            atMove.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);            // until the engine stops
        };
        if (movedBeforeTheStop) h.Recorder.AfterMove = hold; else h.Recorder.BeforeMove = hold;

        Guid load, t1, t2;
        await using (var first = h.Engine())
        {
            await first.StartAsync();
            load = (await first.SubmitAsync("default", new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = 1, Drive = 0 } }, Op)).Id;
            await atMove.Task.WaitAsync(TimeSpan.FromSeconds(30));
            t1 = (await first.SubmitAsync("default", Transfer(2, 24), Op)).Id;
            t2 = (await first.SubmitAsync("default", Transfer(3, 25), Op)).Id;
            Assert.Equal(RequestState.InProcess, (await first.GetRequestAsync(load)).State);
        }
        h.Recorder.AfterMove = null;
        h.Recorder.BeforeMove = null;
        int movesBefore = h.Recorder.Moves.Count();

        await using var second = h.Engine();
        // Before the start: as the first engine left them.
        Assert.Equal(RequestState.InProcess, (await second.GetRequestAsync(load)).State);
        Assert.Equal(RequestState.Queued, (await second.GetRequestAsync(t1)).State);
        await second.StartAsync();
        var loaded = await second.FinalAsync(load);
        var r1 = await second.FinalAsync(t1);
        var r2 = await second.FinalAsync(t2);

        var status = await h.ReadAsync();
        var drive0 = status.Elements.Single(e => e.Drive == 0);
        if (movedBeforeTheStop)
        {
            Assert.Equal(RequestState.Passed, loaded.State);
            Assert.Contains("reconciled after a restart", loaded.Message);
            Assert.Equal("E01001L8", drive0.Barcode);
        }
        else
        {
            Assert.Equal(RequestState.Failed, loaded.State);
            Assert.Contains("not re-sent", loaded.Message);
            Assert.Contains("still in slot 1", loaded.Message);
            Assert.False(drive0.Full);
        }
        // The load was not sent again by the second engine; each transfer went out exactly once.
        var moves = h.Recorder.Moves.Where(m => m.Status == TapeChanger.Scsi.ScsiStatus.Good).ToList();
        Assert.DoesNotContain(h.Recorder.Moves.Skip(movesBefore), m => m.Source == status.Map.SlotAddress(1));
        Assert.Single(moves, m => m.Source == status.Map.SlotAddress(2) && m.Destination == status.Map.SlotAddress(24));
        Assert.Single(moves, m => m.Source == status.Map.SlotAddress(3) && m.Destination == status.Map.SlotAddress(25));
        Assert.Equal((RequestState.Passed, RequestState.Passed), (r1.State, r2.State));
        Assert.True(r1.Sequence < r2.Sequence && r1.Started <= r2.Started);
    }

    [Fact]
    public async Task ConcurrentClients_ThenAStop_ThenARestart_EveryRequestEndsOnce_CartridgesConserved()
    {
        await using var h = new ServiceHarness();
        var before = ServiceHarness.Cartridges(await h.ReadAsync());
        var ids = new List<Guid>();
        var rng = new Random(7);
        await using (var first = h.Engine())
        {
            await first.StartAsync();
            for (int i = 0; i < 40; i++)
            {
                var spec = (i % 3) switch
                {
                    0 => new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = rng.Next(1, 40), Drive = rng.Next(4) } },
                    1 => new RequestSpec(RequestKind.Unload) { Arguments = new() { Drive = rng.Next(4) } },
                    _ => Transfer(rng.Next(1, 40), rng.Next(1, 40)),
                };
                ids.Add((await first.SubmitAsync("default", spec, Op)).Id);
            }
            await Wait.UntilAsync(async () => (await first.ListRequestsAsync(new RequestQuery { State = RequestState.Passed })).Count >= 5, "a few requests to pass");
        }
        await using var second = h.Engine();
        await second.StartAsync();
        var done = new List<RequestRecord>();
        foreach (var id in ids) done.Add(await second.FinalAsync(id));
        Scenario.AssertEveryRequestEnded(done.Where(r => r.State != RequestState.Cancelled));
        Assert.All(done, r => Assert.NotEqual(RequestState.Cancelled, r.State));
        Assert.Equal(1, h.Recorder.MaxInFlight);
        Scenario.AssertConserved(before, h.Recorder.Moves, ServiceHarness.Cartridges(await h.ReadAsync()));
        // Each passed move request is one good MOVE MEDIUM (or two for an unload whose drive the profile ejects first: none here).
        int passedMoves = done.Count(r => r.State == RequestState.Passed && !r.Message!.Contains("reconciled", StringComparison.Ordinal) && !r.Message.Contains("acknowledged", StringComparison.Ordinal));
        int reconciledPassed = done.Count(r => r.State == RequestState.Passed) - passedMoves;
        Assert.InRange(h.Recorder.Moves.Count(m => m.Status == TapeChanger.Scsi.ScsiStatus.Good), passedMoves, passedMoves + reconciledPassed);
    }
}
