using TapeChanger.Cleaning;

namespace TapeChanger.Service.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task EightClientsOfFiftyMixedRequests_OneRobotMoveAtATime_CartridgesConserved()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        // A cleaner for the cleanings: slot 21 reserved, CLN900L8 injected through the mail slot.
        await OperatorRequestTests.ReserveAndInjectAsync(h, engine, slot: 21, barcode: "CLN900L8");

        var before = ServiceHarness.Cartridges(await h.ReadAsync());
        int movesBefore = h.Recorder.Moves.Count();
        var result = await Scenario.RunMixedAsync(engine, "default", clients: 8, perClient: 50, slots: 39, drives: 4,
            cleaning: c => c is 0 or 5 ? new RequestSpec(RequestKind.Clean) { Arguments = new() { Drive = c == 0 ? 0 : 3, UnloadFirst = true } } : null);
        var after = await h.ReadAsync();

        Assert.Equal(400, result.Requests.Count + result.StatusReads);
        Scenario.AssertEveryRequestEnded(result.Requests);
        Assert.Equal(1, h.Recorder.MaxInFlight);
        Scenario.AssertConserved(before, h.Recorder.Moves.Skip(movesBefore), ServiceHarness.Cartridges(after));

        // Not a vacuous run: each kind passed, and the library said no with reasons (empty source, full drive...).
        foreach (var kind in new[] { RequestKind.Load, RequestKind.Unload, RequestKind.Transfer, RequestKind.Inventory, RequestKind.Clean })
        {
            Assert.True(result.Requests.Any(r => r.Kind == kind && r.State == RequestState.Passed),
                $"no {kind} passed: " + string.Join("; ", result.Requests.Where(r => r.Kind == kind).Select(r => $"{r.State} {r.Message}").Take(5)));
        }
        Assert.Contains(result.Requests, r => r.State == RequestState.Failed && r.Result is NtmsResult.ERROR_SLOT_EMPTY or NtmsResult.ERROR_SLOT_FULL);
        Assert.True(result.StatusReads > 20);

        // The history holds them all, and the kept status is what the device says.
        var history = await engine.ListRequestsAsync(new RequestQuery { Library = "default", Limit = 1000 });
        Assert.Equal(result.Requests.Select(r => r.Id).Order(), history.Where(r => r.Submitter.Name.StartsWith("client", StringComparison.Ordinal)).Select(r => r.Id).Order());
        var kept = (await engine.GetStatusAsync("default")).Status!;
        Assert.Equal(ServiceHarness.Cartridges(after), ServiceHarness.Cartridges(kept));
    }
}
