using TapeChanger.Cleaning;

namespace TapeChanger.Service.Tests;

public sealed class AutoCleaningTests
{
    private static readonly Caller Op = new("dave", CallerRole.Operator);
    private const ulong CleaningRequired = 1UL << 19;      // TapeAlert flag 20 (bit 0 = flag 1)

    [Fact]
    public async Task ADriveAskingForCleaning_IsCleanedWhenNextEmpty_NeverWhileItHoldsATape()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine(autoCleaning: true);
        await engine.StartAsync();
        await OperatorRequestTests.ReserveAndInjectAsync(h, engine, slot: 24, barcode: "CLN900L8", cleans: 1);
        var load = await engine.SubmitAsync("default", new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = 1, Drive = 1 } }, Op);
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(load.Id)).State);

        // Drive 1 asks for cleaning while it holds E01001L8 (the job's tape): the idle check sees it, and cleans nothing.
        h.Library.SetDriveTapeAlert(2, CleaningRequired);
        await Wait.UntilAsync(async () => (await engine.GetStatusAsync("default")).DrivesNeedingCleaning.Contains(1), "drive 1 to be seen needing cleaning");
        await Task.Delay(500);                                  // a few more idle checks
        Assert.DoesNotContain(await engine.ListRequestsAsync(new RequestQuery()), r => r.Kind == RequestKind.Clean);
        var drive = await h.ReadAsync();
        Assert.Equal("E01001L8", drive.Elements.Single(e => e.Drive == 1).Barcode);

        // The job unloads: the drive is cleaned now, by the service, with the reserved cleaner.
        int movesBefore = h.Recorder.Moves.Count();
        var unload = await engine.SubmitAsync("default", new RequestSpec(RequestKind.Unload) { Arguments = new() { Drive = 1 } }, Op);
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(unload.Id)).State);
        RequestRecord? clean = null;
        await Wait.UntilAsync(async () => (clean = (await engine.ListRequestsAsync(new RequestQuery())).FirstOrDefault(r => r.Kind == RequestKind.Clean)) is not null, "the automatic cleaning");
        clean = await engine.FinalAsync(clean!.Id);
        Assert.True(clean.State == RequestState.Passed, clean.Message);
        Assert.Equal(Caller.Service, clean.Submitter);
        Assert.True(clean.Arguments.Automatic);
        Assert.Equal(1, clean.Arguments.Drive);
        var status = await h.ReadAsync();
        ushort drive1 = status.Map.DriveAddress(1), cleanerSlot = status.Map.SlotAddress(24);
        var moves = h.Recorder.Moves.Skip(movesBefore).Select(m => (m.Source, m.Destination)).ToList();
        Assert.Equal([(drive1, status.Map.SlotAddress(1)), (cleanerSlot, drive1), (drive1, cleanerSlot)], moves);
        Assert.DoesNotContain(1, (await engine.GetStatusAsync("default")).DrivesNeedingCleaning);

        // That was the cleaner's last cleaning: a CLEANER operator request asks for a new one.
        await Wait.UntilAsync(async () => (await engine.ListOperatorRequestsAsync("default", openOnly: true)).Any(o => o.Kind == OperatorRequestKind.Cleaner), "the spent-cleaner operator request");
        var spent = (await engine.ListOperatorRequestsAsync("default", openOnly: true)).Single(o => o.Kind == OperatorRequestKind.Cleaner);
        Assert.Contains("CLN900L8", spent.Message);
        Assert.Null(spent.Request);
    }

    [Fact]
    public async Task OffByDefault_NoCleaningIsQueued()
    {
        await using var h = new ServiceHarness();
        await using var engine = h.Engine();
        await engine.StartAsync();
        await OperatorRequestTests.ReserveAndInjectAsync(h, engine, slot: 24, barcode: "CLN900L8");
        h.Library.SetDriveTapeAlert(1, CleaningRequired);
        var load = await engine.SubmitAsync("default", new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = 1, Drive = 0 } }, Op);
        await engine.FinalAsync(load.Id);
        var unload = await engine.SubmitAsync("default", new RequestSpec(RequestKind.Unload) { Arguments = new() { Drive = 0 } }, Op);
        await engine.FinalAsync(unload.Id);
        await Task.Delay(500);
        Assert.DoesNotContain(await engine.ListRequestsAsync(new RequestQuery()), r => r.Kind == RequestKind.Clean);
        Assert.Empty((await engine.GetStatusAsync("default")).DrivesNeedingCleaning);
    }
}
