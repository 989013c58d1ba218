using TapeChanger.Cleaning;

namespace TapeChanger.Service.Tests;

/// <summary>The queue: cancellation of queued requests, priorities (FIFO within one), what cannot be cancelled, bad input.</summary>
public sealed class QueueTests
{
    private static readonly Caller Op = new("bob", CallerRole.Operator);

    /// <summary>Holds the robot in its first move until released; returns (held, release).</summary>
    private static (TaskCompletionSource Held, TaskCompletionSource Release) HoldFirstMove(ServiceHarness h)
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int first = 0;
        h.Recorder.BeforeMove = async (cmd, ct) =>
        {
            if (cmd.OperationCode != 0xA5 || Interlocked.Exchange(ref first, 1) != 0) return;
            held.TrySetResult();
            await release.Task.WaitAsync(ct);
        };
        return (held, release);
    }

    private static RequestSpec Transfer(int from, int to, int priority = 0) =>
        new(RequestKind.Transfer) { Arguments = new() { Slot = from, ToSlot = to }, Priority = priority };

    [Fact]
    public async Task QueuedRequestCancelled_NeverRuns_AndTheRunningOneCannotBeCancelled()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        var (held, release) = HoldFirstMove(h);
        var first = await engine.SubmitAsync("default", Transfer(1, 24), Op);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await engine.SubmitAsync("default", Transfer(2, 25), Op);
        var third = await engine.SubmitAsync("default", Transfer(3, 26), Op);

        var cancelled = await engine.CancelAsync(second.Id, Op);
        Assert.Equal(RequestState.Cancelled, cancelled.State);
        Assert.Equal(NtmsResult.ERROR_CANCELLED, cancelled.Result);
        Assert.Equal(Op, cancelled.CancelledBy);
        var e = await Assert.ThrowsAsync<LibraryServiceException>(() => engine.CancelAsync(first.Id, Op));
        Assert.Equal(ServiceError.NotCancellable, e.Error);

        release.SetResult();
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(first.Id)).State);
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(third.Id)).State);
        Assert.Equal(RequestState.Cancelled, (await engine.GetRequestAsync(second.Id)).State);
        var status = await h.ReadAsync();
        Assert.Equal("E01002L8", status.Elements.Single(x => x.Slot == 2).Barcode);     // never moved
        Assert.False(status.Elements.Single(x => x.Slot == 25).Full);
        Assert.Equal("E01003L8", status.Elements.Single(x => x.Slot == 26).Barcode);
        // Cancelling a final request changes nothing.
        Assert.Equal(RequestState.Passed, (await engine.CancelAsync(third.Id, Op)).State);
    }

    [Fact]
    public async Task HigherPriorityRunsFirst_FifoWithinAPriority()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        var (held, release) = HoldFirstMove(h);
        var blocker = await engine.SubmitAsync("default", Transfer(1, 24), Op);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var low1 = await engine.SubmitAsync("default", Transfer(2, 25, priority: -5), Op);
        var mid1 = await engine.SubmitAsync("default", Transfer(3, 26), Op);
        var high1 = await engine.SubmitAsync("default", Transfer(4, 27, priority: 10), Op);
        var mid2 = await engine.SubmitAsync("default", Transfer(5, 28), Op);
        var high2 = await engine.SubmitAsync("default", Transfer(6, 29, priority: 10), Op);
        release.SetResult();
        var done = new List<RequestRecord>();
        foreach (var r in new[] { blocker, low1, mid1, high1, mid2, high2 }) done.Add(await engine.FinalAsync(r.Id));
        Assert.All(done, r => Assert.Equal(RequestState.Passed, r.State));
        var order = done.OrderBy(r => r.Started).Select(r => r.Id).ToList();
        Assert.Equal(new[] { blocker.Id, high1.Id, high2.Id, mid1.Id, mid2.Id, low1.Id }, order);
        // The robot saw them in that order too (slots 4, 6, 3, 5, 2 are addresses 1003, 1005, 1002, 1004, 1001 on library 10).
        var sources = h.Recorder.Moves.Select(m => m.Source).ToList();
        var status = await h.ReadAsync();
        ushort Addr(int slot) => status.Map.SlotAddress(slot);
        Assert.Equal(new[] { Addr(1), Addr(4), Addr(6), Addr(3), Addr(5), Addr(2) }, sources);
    }

    [Theory]
    [InlineData(RequestKind.Load, null, 0, 0)]
    [InlineData(RequestKind.Load, 0, 0, 0)]
    [InlineData(RequestKind.Transfer, 1, null, 0)]
    [InlineData(RequestKind.Unload, null, null, 0)]
    [InlineData(RequestKind.Clean, null, null, 0)]
    [InlineData(RequestKind.Inventory, null, null, 16)]
    public async Task BadArguments_AreRefusedAtSubmission_AndNothingIsQueued(RequestKind kind, int? slot, int? toSlot, int priority)
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        var spec = new RequestSpec(kind) { Arguments = new() { Slot = slot, ToSlot = toSlot }, Priority = priority };
        var e = await Assert.ThrowsAsync<LibraryServiceException>(() => engine.SubmitAsync("default", spec, Op));
        Assert.Equal(ServiceError.InvalidArgument, e.Error);
        Assert.Equal(NtmsResult.ERROR_INVALID_PARAMETER, e.Result);
        Assert.Empty(await engine.ListRequestsAsync(new RequestQuery()));
        var unknown = await Assert.ThrowsAsync<LibraryServiceException>(() => engine.SubmitAsync("../etc", new RequestSpec(RequestKind.Inventory), Op));
        Assert.Equal(ServiceError.UnknownLibrary, unknown.Error);
        Assert.Equal(NtmsResult.ERROR_INVALID_LIBRARY, unknown.Result);
    }

    [Fact]
    public async Task ACommandRunsAlone_AndItsExitCodeDecides()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        int inside = 0, most = 0;
        LibraryCommand command = async (ctx, ct) =>
        {
            int now = Interlocked.Increment(ref inside);
            most = Math.Max(most, now);
            await Task.Delay(20, ct);
            Interlocked.Decrement(ref inside);
            return new CommandOutcome(ctx.Request.Arguments.CommandText == "fail" ? 3 : 0, ctx.Request.Arguments.CommandText);
        };
        var ids = new List<Guid>();
        for (int i = 0; i < 6; i++)
        {
            var spec = new RequestSpec(RequestKind.Command) { Command = command, Arguments = new() { CommandText = i == 4 ? "fail" : $"status {i}" } };
            ids.Add((await engine.SubmitAsync("default", spec, Op)).Id);
        }
        var done = new List<RequestRecord>();
        foreach (var id in ids) done.Add(await engine.FinalAsync(id));
        Assert.Equal(1, most);
        Assert.Equal(RequestState.Failed, done[4].State);
        Assert.Equal(3, done[4].ExitCode);
        Assert.All(done.Where((_, i) => i != 4), r => Assert.Equal((RequestState.Passed, 0), (r.State, r.ExitCode!.Value)));
    }
}
