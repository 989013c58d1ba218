using Microsoft.Extensions.Time.Testing;
using TapeChanger.Cleaning;

namespace TapeChanger.Service.Tests;

public sealed class OperatorRequestTests
{
    private static readonly Caller Operator = new("alice", CallerRole.Operator, 1001);

    /// <summary>Reserves <paramref name="slot"/> and injects <paramref name="barcode"/> through the mail slot, playing the operator.</summary>
    internal static async Task ReserveAndInjectAsync(ServiceHarness h, ILibraryService engine, int slot, string barcode, uint? cleans = 10)
    {
        var reserve = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = slot } }, Operator);
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(reserve.Id)).State);
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject) { Arguments = new() { CleansLeft = cleans } }, Operator);
        var waiting = await WaitingAsync(engine, inject.Id);
        Assert.Equal(OperatorRequestKind.Cleaner, waiting.Kind);
        h.Library.OpenImportExport();
        h.Library.InsertIntoImportExport(barcode);
        h.Library.CloseImportExport();
        var done = await engine.FinalAsync(inject.Id);
        Assert.True(done.State == RequestState.Passed, done.Message);
        Assert.Equal(OperatorRequestState.Complete, (await engine.GetOperatorRequestAsync(waiting.Id)).State);
    }

    /// <summary>Waits until the request waits on an operator request, and returns that.</summary>
    internal static async Task<OperatorRequestRecord> WaitingAsync(ILibraryService engine, Guid request, Action? tick = null)
    {
        RequestRecord r = null!;
        await Wait.UntilAsync(async () =>
        {
            tick?.Invoke();
            r = await engine.GetRequestAsync(request);
            Assert.False(r.IsFinal, $"{r.Kind} ended {r.State} before waiting: {r.Message}");
            return r.State == RequestState.Waiting;
        }, "the request to wait on the operator");
        var o = await engine.GetOperatorRequestAsync(r.OperatorRequest!.Value);
        Assert.Equal(OperatorRequestState.Submitted, o.State);
        Assert.Equal(request, o.Request);
        Assert.Contains(o, await engine.ListOperatorRequestsAsync("default", openOnly: true));
        return o;
    }

    [Fact]
    public async Task Inject_WaitsOnACleanerRequest_AndPassesWhenTheOperatorPutsTheCleanerIn()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        await ReserveAndInjectAsync(h, engine, slot: 24, barcode: "CLN777L8");
        var slot24 = (await h.ReadAsync()).Elements.Single(e => e.Slot == 24);
        Assert.Equal("CLN777L8", slot24.Barcode);
        Assert.Empty(await engine.ListOperatorRequestsAsync("default", openOnly: true));
    }

    [Fact]
    public async Task Refused_FailsTheWaitingInject_WithTheReason_AndMovesNothing()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        var reserve = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = 24 } }, Operator);
        await engine.FinalAsync(reserve.Id);
        int moves = h.Recorder.Moves.Count();
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject), Operator);
        var o = await WaitingAsync(engine, inject.Id);

        var refused = await engine.RefuseOperatorRequestAsync(o.Id, Operator, "no cleaner on hand");
        Assert.Equal(OperatorRequestState.Refused, refused.State);
        Assert.Equal(Operator, refused.CompletedBy);
        var done = await engine.FinalAsync(inject.Id);
        Assert.Equal(RequestState.Failed, done.State);
        Assert.Equal(NtmsResult.ERROR_CANCELLED, done.Result);
        Assert.Contains("no cleaner on hand", done.Message);
        Assert.Equal(moves, h.Recorder.Moves.Count());
        // Closed stays closed.
        var e = await Assert.ThrowsAsync<LibraryServiceException>(() => engine.SatisfyOperatorRequestAsync(o.Id, Operator));
        Assert.Equal(ServiceError.OperatorRequestClosed, e.Error);
    }

    [Fact]
    public async Task Timeout_EndsTheWaitingInjectWithErrorTimeout_OnTheFakeClock()
    {
        await using var h = new ServiceHarness();
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-05T03:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var engine = h.Engine(clock, tuning: new LibraryServiceTuning { CleanerPollInterval = TimeSpan.FromSeconds(1) });
        await engine.StartAsync();
        var reserve = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = 24 } }, Operator);
        await engine.FinalAsync(reserve.Id);
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject) { Arguments = new() { TimeoutSeconds = 30 } }, Operator);
        var o = await WaitingAsync(engine, inject.Id, tick: () => clock.Advance(TimeSpan.FromSeconds(1)));

        // Up to 29 s of fake time after the submission: still waiting.
        while (clock.GetUtcNow() - inject.Submitted < TimeSpan.FromSeconds(29))
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(5);
            Assert.Equal(RequestState.Waiting, (await engine.GetRequestAsync(inject.Id)).State);
        }
        RequestRecord done = null!;
        await Wait.UntilAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            done = await engine.GetRequestAsync(inject.Id);
            return done.IsFinal;
        }, "the time-out");
        Assert.Equal(RequestState.Failed, done.State);
        Assert.Equal(NtmsResult.ERROR_TIMEOUT, done.Result);
        Assert.True(done.Completed - done.Submitted >= TimeSpan.FromSeconds(30), $"ended after {done.Completed - done.Submitted}");
        var closed = await engine.GetOperatorRequestAsync(o.Id);
        Assert.Equal(OperatorRequestState.Refused, closed.State);
        Assert.Equal("timed out", closed.Outcome);
    }

    [Fact]
    public async Task DoorInject_WaitsOnADeviceServiceRequest_SatisfiedAfterTheOperatorPlacedTheCleaner()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        var reserve = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = 24 } }, Operator);
        await engine.FinalAsync(reserve.Id);
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject) { Arguments = new() { Via = CleanerPath.Door, CleansLeft = 5 } }, Operator);
        var o = await WaitingAsync(engine, inject.Id);
        Assert.Equal(OperatorRequestKind.DeviceService, o.Kind);
        Assert.Contains("door", o.Message);

        ushort slot24 = (await h.ReadAsync()).Elements.Single(e => e.Slot == 24).Address;
        h.Library.OpenDoor();
        h.Library.InsertIntoSlot(slot24, "CLN555L8");
        h.Library.CloseDoor();
        var satisfied = await engine.SatisfyOperatorRequestAsync(o.Id, Operator);
        Assert.Equal(OperatorRequestState.Complete, satisfied.State);
        var done = await engine.FinalAsync(inject.Id);
        Assert.True(done.State == RequestState.Passed, done.Message);
        Assert.Contains("CLN555L8", done.Message);
    }

    [Fact]
    public async Task CancellingAWaitingInject_RefusesItsOperatorRequest_AndEndsCancelled()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        var reserve = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = 24 } }, Operator);
        await engine.FinalAsync(reserve.Id);
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject), Operator);
        var o = await WaitingAsync(engine, inject.Id);
        await engine.CancelAsync(inject.Id, Operator);
        var done = await engine.FinalAsync(inject.Id);
        Assert.Equal(RequestState.Cancelled, done.State);
        Assert.Equal(Operator, done.CancelledBy);
        Assert.Equal(OperatorRequestState.Refused, (await engine.GetOperatorRequestAsync(o.Id)).State);
    }
}
