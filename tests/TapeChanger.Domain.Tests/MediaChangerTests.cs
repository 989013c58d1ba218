using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>The domain operations against the built-in virtual library (mhVTL library 10).</summary>
public sealed class MediaChangerTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-domain-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private async Task<MediaChanger> OpenAsync()
    {
        var transport = await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state));
        return new MediaChanger(new SmcClient(transport));
    }

    [Fact]
    public async Task Status_lists_library_10_with_its_cleaners()
    {
        await using var changer = await OpenAsync();
        var status = await changer.GetStatusAsync();
        Assert.Equal("STK", status.Identity.Vendor);
        Assert.Equal("L700", status.Identity.Product);
        Assert.Single(status.OfType(ElementType.MediumTransport));
        Assert.Equal(39, status.OfType(ElementType.Storage).Count());
        Assert.Equal(4, status.OfType(ElementType.ImportExport).Count());
        Assert.Equal(4, status.OfType(ElementType.DataTransfer).Count());
        var cleaners = status.Elements.Where(e => e.IsCleaner).ToList();
        Assert.Equal(["CLN101L8", "CLN102L6"], cleaners.Select(c => c.Barcode));
        Assert.Equal([22, 23], cleaners.Select(c => c.Slot!.Value));
        Assert.All(cleaners, c => Assert.Equal(MediumType.Cleaning, c.MediumType));
        Assert.Equal(["XYZZY_A1", "XYZZY_A2", "XYZZY_A3", "XYZZY_A4"], status.OfType(ElementType.DataTransfer).Select(d => d.DriveSerial));
        Assert.Equal("E01001L8", status.At(1000)!.Barcode);
    }

    [Fact]
    public async Task Status_costs_no_more_round_trips_than_mtx()
    {
        var changer = await OpenAsync();
        await changer.GetStatusAsync();          // absorbs the power-on unit attention
        await changer.DisposeAsync();
        await using var again = await OpenAsync();
        await again.GetStatusAsync();
        // A fresh session with a warm library: INQUIRY + MODE SENSE 1Dh + 4 x READ ELEMENT STATUS = 6 (mtx also sends 6).
        Assert.True(again.Client.CommandCount <= 6, $"status took {again.Client.CommandCount} commands");
    }

    [Fact]
    public async Task Load_and_unload_to_source_slot_are_verified()
    {
        await using var changer = await OpenAsync();
        await changer.GetMapAsync();
        int before = changer.Client.CommandCount;
        var load = await changer.LoadAsync(slot: 1, drive: 0);
        Assert.True(changer.Client.CommandCount - before <= 7, "load must not exceed mtx's 7 commands");
        Assert.Equal("E01001L8", load.Barcode);
        Assert.Equal((ushort)500, load.Destination);
        var drive = await changer.ReadElementAsync(500);
        Assert.True(drive.Full);
        Assert.Equal((ushort)1000, drive.Source);
        Assert.False((await changer.ReadElementAsync(1000)).Full);

        var unload = await changer.UnloadAsync(slot: null, drive: 0);
        Assert.Equal((ushort)1000, unload.Destination);
        Assert.True((await changer.ReadElementAsync(1000)).Full);
        Assert.False((await changer.ReadElementAsync(500)).Full);
    }

    [Fact]
    public async Task Loading_an_empty_slot_is_refused_before_any_move()
    {
        await using var changer = await OpenAsync();
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.LoadAsync(21, 0));
        Assert.Equal(ChangerError.SourceEmpty, e.Error);
        Assert.Contains("slot 21", e.Message);
    }

    [Fact]
    public async Task Loading_into_a_full_drive_is_refused()
    {
        await using var changer = await OpenAsync();
        await changer.LoadAsync(1, 0);
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.LoadAsync(2, 0));
        Assert.Equal(ChangerError.DestinationFull, e.Error);
        Assert.Contains("E01001L8", e.Message);
    }

    [Fact]
    public async Task Wrong_generation_is_rejected_by_the_drive_and_the_tape_stays_home()
    {
        // LTO-8 data in an LTO-6 drive (drive 2 = ULT3580-TD6): mhVTL answers 04/04/03 (docs/reference/mhvtl.md §2).
        await using var changer = await OpenAsync();
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.LoadAsync(1, 2));
        Assert.Equal(ChangerError.DriveRejectedMedium, e.Error);
        Assert.NotNull(e.Sense);
        Assert.Equal((0x04, 0x03), (e.Sense!.Asc, e.Sense.Ascq));
        Assert.True((await changer.ReadElementAsync(1000)).Full);
    }

    [Fact]
    public async Task Transfer_export_and_import_go_through_free_elements()
    {
        await using var changer = await OpenAsync();
        var t = await changer.TransferAsync(1, 21);
        Assert.Equal((ushort)1020, t.Destination);
        var ex = await changer.ExportAsync(21, null);
        Assert.Equal((ushort)10, ex.Destination);
        var mailSlot = await changer.ReadElementAsync(10);
        Assert.True(mailSlot.Full);
        Assert.False(mailSlot.ImpExp);     // placed by the robot
        var im = await changer.ImportAsync(null, null);
        Assert.Equal((ushort)10, im.Source);
        Assert.Equal((ushort)1000, im.Destination);   // first free storage slot
    }

    [Fact]
    public async Task Unknown_slot_and_drive_are_operator_errors()
    {
        await using var changer = await OpenAsync();
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.LoadAsync(99, 0));
        Assert.Equal(ChangerError.InvalidElement, e.Error);
        e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.LoadAsync(1, 9));
        Assert.Equal(ChangerError.InvalidElement, e.Error);
    }

    [Fact]
    public async Task Exchange_is_refused_when_page_1F_says_unsupported()
    {
        await using var changer = await OpenAsync();
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.ExchangeAsync(1, 2, null));
        Assert.Equal(ChangerError.NotSupported, e.Error);
    }

    [Fact]
    public async Task Unload_returns_to_the_slot_it_was_loaded_from()
    {
        await using var changer = await OpenAsync();
        // 1 -> 21, then 21 -> drive 0: the drive's source is slot 21.
        await changer.TransferAsync(1, 21);
        await changer.LoadAsync(21, 0);
        var r = await changer.UnloadAsync(null, 0);
        Assert.Equal((ushort)1020, r.Destination);
    }

    [Fact]
    public async Task Inventory_position_and_lock_send_their_commands()
    {
        var (changer, t, _, map) = await InterceptedVirtualLibrary.OpenAsync(_state);
        await using var _ = changer;
        lock (t.Sent) t.Sent.Clear();
        await changer.InventoryAsync(null, null);
        await changer.InventoryAsync(1000, 10);
        await changer.PositionAsync(5);
        await changer.LockImportExportAsync(true);
        await changer.LockImportExportAsync(false);
        var sent = t.Sent.Where(c => c.Cdb[0] is 0x07 or 0x37 or 0xE7 or 0x2B or 0x1E).Select(c => Convert.ToHexString(c.Cdb).ToLowerInvariant()).ToList();
        // A full inventory is INITIALIZE ELEMENT STATUS; a ranged one is WITH RANGE (RANGE=1, from 1000 = 03E8h, 10 elements),
        // never a second full one; POSITION TO ELEMENT names the picker and slot 5; lock is PREVENT (byte 4 = 1), unlock ALLOW.
        Assert.Equal("070000000000", sent[0]);
        Assert.Single(sent, c => c.StartsWith("07", StringComparison.Ordinal));
        string ranged = Assert.Single(sent, c => c.StartsWith("37", StringComparison.Ordinal) || c.StartsWith("e7", StringComparison.Ordinal));
        Assert.Equal("0103e80000000a0000", ranged[2..]);
        Assert.Equal($"2b00{map.DefaultTransport:x4}{map.SlotAddress(5):x4}00000000", sent[^3]);
        Assert.Equal(["1e0000000100", "1e0000000000"], sent[^2..]);
    }

    [Fact]
    public async Task A_tape_drive_is_not_taken_for_a_changer()
    {
        var transport = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state));
        await using var changer = new MediaChanger(new SmcClient(transport.OpenLun(1)));
        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.GetStatusAsync());
        Assert.Equal(ChangerError.NotSupported, e.Error);
        Assert.Contains("is a tape drive", e.Message);
        await transport.DisposeAsync();
    }
}
