using TapeChanger.Cleaning;
using TapeChanger.Domain;
using TapeChanger.Service.Opening;
using TapeChanger.State;

namespace TapeChanger.Service.Tests;

/// <summary>A fact that runs only when TAPECHANGER_TEST_DEVICE names a library (the tgt tier sets it; xunit 2 skips at discovery).</summary>
public sealed class DeviceFactAttribute : FactAttribute
{
    public const string Variable = "TAPECHANGER_TEST_DEVICE";

    public DeviceFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable))) Skip = $"set {Variable}=URI to run against a real library (tools/tgt-tier.sh does)";
    }
}

/// <summary>
/// The concurrency proof against the library TAPECHANGER_TEST_DEVICE names (tgt in the tgt tier): 8 clients x 50
/// mixed requests through one engine, one robot move at a time as the transport saw them, cartridges conserved,
/// every request Passed or Failed with a reason, a cleaning among them (the cleaner placed through the door, as an
/// operator would). The library is put back as it was found.
/// </summary>
public sealed class TgtServiceTests
{
    private static readonly Caller Op = new("tier", CallerRole.Operator);

    [DeviceFact]
    public async Task EightClientsOfFiftyMixedRequests_OnTheDevice()
    {
        string device = Environment.GetEnvironmentVariable(DeviceFactAttribute.Variable)!;
        string root = Directory.CreateTempSubdirectory("tc-svc-dev-").FullName;
        var recorder = new RobotRecorder { MoveTime = TimeSpan.Zero };
        var settings = new LibraryOpenSettings
        {
            DeviceUri = device,
            StateDirectory = Path.Combine(root, "state"),
            ProfilesDirectory = Path.Combine(root, "profiles"),
            CleanerPrefix = "CLN",
            Observe = recorder.Wrap,
        };
        var hands = new LibraryOpener(settings with { Observe = null });         // the operator's hands: not the engine
        var initial = ServiceHarness.Cartridges(await ReadAsync(hands));
        try
        {
            await using var engine = new LibraryService(new LibraryServiceOptions { Device = device }, settings, StateDatabase.Open(settings.StateDirectory),
                tuning: new LibraryServiceTuning { CleanerPollInterval = TimeSpan.FromMilliseconds(200) });
            await engine.StartAsync();
            var map = (await engine.GetStatusAsync("default")).Status!.Map;
            var cleanerSlot = await PlaceCleanerAsync(engine, hands, map, initial);

            var before = ServiceHarness.Cartridges(await ReadAsync(hands));
            int movesBefore = recorder.Moves.Count();
            var result = await Scenario.RunMixedAsync(engine, "default", clients: 8, perClient: 50, slots: map.Storage.Count, drives: map.Drives.Count,
                cleaning: c => c == 0 && cleanerSlot is not null ? new RequestSpec(RequestKind.Clean) { Arguments = new() { Drive = 0, UnloadFirst = true } } : null);
            var after = ServiceHarness.Cartridges(await ReadAsync(hands));

            Assert.Equal(400, result.Requests.Count + result.StatusReads);
            Scenario.AssertEveryRequestEnded(result.Requests);
            Assert.Equal(1, recorder.MaxInFlight);
            Scenario.AssertConserved(before, recorder.Moves.Skip(movesBefore), after);
            foreach (var kind in new[] { RequestKind.Load, RequestKind.Unload, RequestKind.Transfer })
            {
                Assert.Contains(result.Requests, r => r.Kind == kind && r.State == RequestState.Passed);
            }
            if (cleanerSlot is { } placed)
            {
                var clean = result.Requests.Single(r => r.Kind == RequestKind.Clean);
                Assert.True(clean.State == RequestState.Passed, clean.Message);
                await TakeCleanerBackAsync(engine, hands, placed);
            }
        }
        finally
        {
            await RestoreAsync(hands, initial);
            StateDatabase.ReleaseConnections();
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
        Assert.Equal(initial, ServiceHarness.Cartridges(await ReadAsync(hands)));
    }

    private static async Task<LibraryStatus> ReadAsync(LibraryOpener opener)
    {
        await using var c = await opener.OpenChangerAsync(CancellationToken.None);
        return await c.GetStatusAsync();
    }

    /// <summary>
    /// Reserves an empty slot for the cleaner and injects the library's cleaning cartridge through the door: the
    /// operator (these hands) puts it into the reserved slot and satisfies the DEVICESERVICE request. Null when the
    /// library has no cleaning cartridge or no empty slot.
    /// </summary>
    private static async Task<(ushort Reserved, ushort Home)?> PlaceCleanerAsync(ILibraryService engine, LibraryOpener hands, ElementMap map, Dictionary<ushort, string> now)
    {
        var cleaner = now.FirstOrDefault(p => p.Value.StartsWith("CLN", StringComparison.Ordinal) && map.Storage.Contains(p.Key));
        var free = map.Storage.Addresses.Where(a => !now.ContainsKey(a)).Select(a => (ushort?)a).LastOrDefault();
        if (cleaner.Value is null || free is not ushort reservedAddress) return null;
        int slot = map.SlotNumber(reservedAddress)!.Value;
        var reserve = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = slot } }, Op);
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(reserve.Id)).State);
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject) { Arguments = new() { Via = CleanerPath.Door, CleansLeft = 50 } }, Op);
        var o = await OperatorRequestTests.WaitingAsync(engine, inject.Id);
        Assert.Equal(OperatorRequestKind.DeviceService, o.Kind);
        await using (var c = await hands.OpenChangerAtAsync(hands.Address, CancellationToken.None))
        {
            await c.MoveAsync(cleaner.Key, reservedAddress, "operator places the cleaner");
        }
        await engine.SatisfyOperatorRequestAsync(o.Id, Op);
        var done = await engine.FinalAsync(inject.Id);
        Assert.True(done.State == RequestState.Passed, done.Message);
        return (reservedAddress, cleaner.Key);
    }

    /// <summary>Ejects the cleaner through the door (the hands take it back to where it came from) and releases the slot.</summary>
    private static async Task TakeCleanerBackAsync(ILibraryService engine, LibraryOpener hands, (ushort Reserved, ushort Home) cleaner)
    {
        var eject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerEject) { Arguments = new() { Via = CleanerPath.Door } }, Op);
        var o = await OperatorRequestTests.WaitingAsync(engine, eject.Id);
        await using (var c = await hands.OpenChangerAtAsync(hands.Address, CancellationToken.None))
        {
            // Out of the reserved slot into any free one (the mix may have filled its old one; the restore sorts it out).
            var status = await c.GetStatusAsync();
            ushort to = status.At(cleaner.Home) is { Full: false } ? cleaner.Home
                : status.OfType(TapeChanger.Scsi.ElementType.Storage).First(e => !e.Full && e.Address != cleaner.Reserved).Address;
            await c.MoveAsync(cleaner.Reserved, to, "operator takes the cleaner out");
        }
        await engine.SatisfyOperatorRequestAsync(o.Id, Op);
        Assert.Equal(RequestState.Passed, (await engine.FinalAsync(eject.Id)).State);
        var release = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerRelease), Op);
        var released = await engine.FinalAsync(release.Id);
        Assert.True(released.State == RequestState.Passed, released.Message);
    }

    /// <summary>Puts every cartridge back where it was (drives unloaded into their old slots first).</summary>
    private static async Task RestoreAsync(LibraryOpener hands, Dictionary<ushort, string> initial)
    {
        await using var c = await hands.OpenChangerAtAsync(hands.Address, CancellationToken.None);
        for (int round = 0; round < 4 * initial.Count + 8; round++)
        {
            var status = await c.GetStatusAsync();
            var now = ServiceHarness.Cartridges(status);
            var wrong = initial.FirstOrDefault(p => !now.TryGetValue(p.Key, out var b) || b != p.Value);
            if (wrong.Value is null) return;
            ushort from = now.First(p => p.Value == wrong.Value).Key;
            if (now.TryGetValue(wrong.Key, out _))
            {
                // Its place is taken: that cartridge goes to a slot nobody wants back first.
                ushort parking = status.Map.Storage.Addresses.First(a => !now.ContainsKey(a) && !initial.ContainsKey(a));
                await MoveAsync(c, status.Map, wrong.Key, parking);
                continue;
            }
            await MoveAsync(c, status.Map, from, wrong.Key);
        }
        Assert.Fail("could not put the library back as it was");
    }

    private static async Task MoveAsync(MediaChanger c, ElementMap map, ushort from, ushort to)
    {
        if (map.DriveNumber(from) is int drive && map.SlotNumber(to) is int slot) await c.UnloadAsync(slot, drive);
        else await c.MoveAsync(from, to, "put back");
    }
}
