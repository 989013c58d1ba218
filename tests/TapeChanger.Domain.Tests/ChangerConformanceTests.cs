using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// Device-agnostic conformance suite: picks its cartridges and empty elements from the library's own status, so the
/// same tests run against the built-in virtual library and, with TAPECHANGER_TEST_DEVICE=URI (e.g. sg:/dev/sg3 on a
/// host with mhVTL or a real library), against that device too. Each test leaves the library as it found it.
/// </summary>
public sealed class ChangerConformanceTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-conf-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    /// <summary>virtual: always; TAPECHANGER_TEST_DEVICE when set.</summary>
    public static TheoryData<string> Devices()
    {
        var data = new TheoryData<string> { "virtual:" };
        if (Environment.GetEnvironmentVariable("TAPECHANGER_TEST_DEVICE") is { Length: > 0 } device) data.Add(device);
        return data;
    }

    private async Task<MediaChanger> OpenAsync(string device)
    {
        var registry = new TransportRegistry()
            .Add(new VirtualTransportFactory())
            .Add(new TapeChanger.Transport.Iscsi.IscsiTransportFactory())
            .Add(new TapeChanger.Transport.Linux.SgTransportFactory());
        return new MediaChanger(new SmcClient(await registry.OpenAsync(DeviceUri.Parse(device), new TransportOpenContext(_state))));
    }

    private static Element FirstFull(LibraryStatus s, ElementType t) =>
        s.OfType(t).FirstOrDefault(e => e.Full && !e.IsCleaner && !e.Except) ?? throw new InvalidOperationException($"library has no full {t} element to test with");

    private static Element FirstEmpty(LibraryStatus s, ElementType t) =>
        s.OfType(t).FirstOrDefault(e => !e.Full && !e.Except) ?? throw new InvalidOperationException($"library has no empty {t} element to test with");

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Status_is_consistent_with_the_element_map(string device)
    {
        await using var changer = await OpenAsync(device);
        var s = await changer.GetStatusAsync();
        Assert.Equal(0x08, s.Identity.DeviceType);
        foreach (var r in s.Map.Ranges)
        {
            Assert.Equal(r.Count, s.OfType(r.Type).Count());
            Assert.All(s.OfType(r.Type), e => Assert.True(r.Contains(e.Address)));
        }
        Assert.All(s.Elements.Where(e => !e.Full), e => Assert.Null(e.Barcode));
        Assert.Equal(s.Map.SlotCount, s.Elements.Count(e => e.Slot is not null));
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Transfer_there_and_back_is_seen_by_a_targeted_read(string device)
    {
        await using var changer = await OpenAsync(device);
        var s = await changer.GetStatusAsync();
        var full = FirstFull(s, ElementType.Storage);
        var empty = FirstEmpty(s, ElementType.Storage);
        var r = await changer.TransferAsync(full.Slot!.Value, empty.Slot!.Value);
        Assert.Equal(full.Barcode, r.DestinationAfter.Barcode);
        Assert.False((await changer.ReadElementAsync(full.Address)).Full);
        await changer.TransferAsync(empty.Slot.Value, full.Slot.Value);
        Assert.Equal(full.Barcode, (await changer.ReadElementAsync(full.Address)).Barcode);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Load_and_unload_return_the_tape_home(string device)
    {
        await using var changer = await OpenAsync(device);
        var s = await changer.GetStatusAsync();
        var drive = FirstEmpty(s, ElementType.DataTransfer);
        // Try cartridges until a drive accepts one (mixed-generation libraries reject some with 04/04/03).
        foreach (var slot in s.OfType(ElementType.Storage).Where(e => e.Full && !e.IsCleaner))
        {
            try
            {
                await changer.LoadAsync(slot.Slot!.Value, drive.Drive!.Value);
            }
            catch (ChangerOperationException e) when (e.Error == ChangerError.DriveRejectedMedium)
            {
                continue;
            }
            var loaded = await changer.ReadElementAsync(drive.Address);
            Assert.True(loaded.Full);
            Assert.Equal(slot.Barcode, loaded.Barcode);
            var back = await changer.UnloadAsync(null, drive.Drive.Value);
            Assert.Equal(slot.Address, back.Destination);
            return;
        }
        Assert.Fail("no cartridge could be loaded into the first empty drive");
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Source_empty_and_destination_full_are_refused(string device)
    {
        await using var changer = await OpenAsync(device);
        var s = await changer.GetStatusAsync();
        var full = FirstFull(s, ElementType.Storage);
        var other = s.OfType(ElementType.Storage).First(e => e.Full && e.Address != full.Address);
        var empty = FirstEmpty(s, ElementType.Storage);
        var e1 = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.TransferAsync(empty.Slot!.Value, full.Slot!.Value));
        Assert.Equal(ChangerError.SourceEmpty, e1.Error);
        var e2 = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.TransferAsync(full.Slot!.Value, other.Slot!.Value));
        Assert.Equal(ChangerError.DestinationFull, e2.Error);
    }

    [Theory]
    [MemberData(nameof(Devices))]
    public async Task Device_senses_map_to_operator_errors_when_preflight_is_bypassed(string device)
    {
        // Raw MOVE MEDIUM without our pre-checks: the library itself must refuse, and we must classify its sense.
        await using var changer = await OpenAsync(device);
        var s = await changer.GetStatusAsync();
        var empty = FirstEmpty(s, ElementType.Storage);
        var full = FirstFull(s, ElementType.Storage);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () =>
            await changer.Client.MoveMediumAsync(s.Map.DefaultTransport, empty.Address, full.Address));
        var classified = SenseClassifier.Classify(e, "raw move");
        Assert.Contains(classified.Error, new[] { ChangerError.SourceEmpty, ChangerError.DestinationFull });
        var bad = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () =>
            await changer.Client.MoveMediumAsync(s.Map.DefaultTransport, full.Address, 0xFFF0));
        Assert.Equal(ChangerError.InvalidElement, SenseClassifier.Classify(bad, "raw move").Error);   // 21/01 (mhVTL) or 24/00 (tgt)
    }
}
