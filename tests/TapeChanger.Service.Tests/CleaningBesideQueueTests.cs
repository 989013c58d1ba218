using Microsoft.Extensions.Time.Testing;
using TapeChanger.Testing;

namespace TapeChanger.Service.Tests;

/// <summary>
/// A cleaning holds the robot for its two moves only: while the drive cleans, the picker carries out the next requests.
/// The virtual library's clock is moved by hand, so the drive cleans until the test says the time has passed; nothing
/// here depends on how fast the machine is.
/// </summary>
public sealed class CleaningBesideQueueTests
{
    [Fact]
    public async Task While_a_drive_cleans_a_load_into_another_drive_is_carried_out_and_no_two_moves_overlap()
    {
        var clock = new FakeTimeProvider(SteppingTime.Epoch);
        await using var h = new ServiceHarness(libraryTime: clock);
        await using var engine = h.Engine();
        await engine.StartAsync();
        await OperatorRequestTests.ReserveAndInjectAsync(h, engine, slot: 21, barcode: "CLN900L8");
        ushort drive0 = h.Library.DataTransferStart, drive1 = (ushort)(h.Library.DataTransferStart + 1);
        int movesBefore = h.Recorder.Moves.Count();

        var clean = await engine.SubmitAsync("default", new RequestSpec(RequestKind.Clean) { Arguments = new() { Drive = 0 } }, Scenario.Client);
        await Wait.UntilAsync(() => Task.FromResult(h.Library.Element(drive0).Barcode == "CLN900L8"), "the cleaner in drive 0");
        var load = await engine.SubmitAsync("default", new RequestSpec(RequestKind.Load) { Arguments = new() { Slot = 1, Drive = 1 } }, Scenario.Client);

        // The load passes while the cleaning still waits for the drive (the library's clock has not moved).
        var loaded = await engine.FinalAsync(load.Id);
        Assert.True(loaded.State == RequestState.Passed, loaded.Message);
        Assert.Equal("E01001L8", h.Library.Element(drive1).Barcode);
        var cleaning = await engine.GetRequestAsync(clean.Id);
        Assert.False(cleaning.IsFinal, $"the cleaning ended {cleaning.State} ({cleaning.Message}) before the drive's cleaning time passed");
        Assert.Equal("CLN900L8", h.Library.Element(drive0).Barcode);
        Assert.True((await engine.GetStatusAsync("default")).QueueDepth >= 1);             // the cleaning still counts

        // The drive's cleaning cycle (1 s, then 3 s becoming ready) passes; the cleaner goes back to its slot.
        clock.Advance(TimeSpan.FromSeconds(5));
        var cleaned = await engine.FinalAsync(clean.Id);
        Assert.True(cleaned.State == RequestState.Passed, cleaned.Message);
        Assert.True(cleaned.Completed > loaded.Completed);
        Assert.Null(h.Library.Element(drive0).Barcode);

        // Three moves, one at a time: the cleaner in, the load, the cleaner back.
        Assert.Equal(1, h.Recorder.MaxInFlight);
        var moves = h.Recorder.Moves.Skip(movesBefore).Where(m => m.Status == TapeChanger.Scsi.ScsiStatus.Good).Select(m => (m.Source, m.Destination)).ToList();
        ushort slot21 = h.Library.Elements.Single(e => e.Type == TapeChanger.Scsi.ElementType.Storage && e.Number == 21).Address;
        ushort slot1 = h.Library.Elements.Single(e => e.Type == TapeChanger.Scsi.ElementType.Storage && e.Number == 1).Address;
        Assert.Equal([(slot21, drive0), (slot1, drive1), (drive0, slot21)], moves);
    }

    [Fact]
    public async Task An_automatic_cleaning_beside_the_queue_is_queued_once_while_the_drive_cleans()
    {
        // The idle check runs every 200 ms. While the drive cleans (the library's clock does not move) the drive still
        // asks, and the picker is free: the cleaning handed to the side of the queue must keep its drive queued.
        var clock = new FakeTimeProvider(SteppingTime.Epoch);
        await using var h = new ServiceHarness(libraryTime: clock);
        await using var engine = h.Engine(autoCleaning: true);
        await engine.StartAsync();
        await OperatorRequestTests.ReserveAndInjectAsync(h, engine, slot: 21, barcode: "CLN900L8");
        ushort drive0 = h.Library.DataTransferStart;
        h.Library.SetDriveTapeAlert(1, 1UL << 19);                   // drive 0 (LUN 1): TapeAlert flag 20, cleaning required
        await Wait.UntilAsync(() => Task.FromResult(h.Library.Element(drive0).Barcode == "CLN900L8"), "the cleaner in drive 0");
        await Task.Delay(1000);                                        // five idle checks while the drive cleans
        var cleans = (await engine.ListRequestsAsync(new RequestQuery())).Where(r => r.Kind == RequestKind.Clean).ToList();
        Assert.True(cleans.Count == 1, $"{cleans.Count} cleanings queued for drive 0: {string.Join(", ", cleans.Select(c => c.State))}");

        clock.Advance(TimeSpan.FromSeconds(5));                        // the cleaning cycle ends
        var done = await engine.FinalAsync(cleans[0].Id);
        Assert.True(done.State == RequestState.Passed, done.Message);
        Assert.Single(await engine.ListRequestsAsync(new RequestQuery()), r => r.Kind == RequestKind.Clean);
    }
}
