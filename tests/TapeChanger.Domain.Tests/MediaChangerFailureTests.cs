using System.Text;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// Every way a MediaChanger operation refuses or fails, on the virtual library 10: the error it classifies to, the
/// exact one-line message the operator reads, and that nothing moved.
/// </summary>
public sealed class MediaChangerFailureTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-fail-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private Task<(MediaChanger Changer, InterceptingTransport Transport, VirtualLibrary Library, ElementMap Map)> OpenAsync(ChangerSettings? settings = null) =>
        InterceptedVirtualLibrary.OpenAsync(_state, settings: settings);

    private static async Task<ChangerOperationException> Fails(Func<Task> action, ChangerError error, string message)
    {
        var e = await Assert.ThrowsAsync<ChangerOperationException>(action);
        Assert.Equal(error, e.Error);
        Assert.Equal(message, e.Message);
        return e;
    }

    private static int Moves(InterceptingTransport t) => t.Sent.Count(c => c.Cdb[0] == OpCode.MoveMedium);

    [Fact]
    public async Task Addresses_outside_the_library_and_a_move_onto_itself_are_refused_before_any_read()
    {
        var (c, t, _, _) = await OpenAsync();
        int before = t.Sent.Count;
        await Fails(() => c.MoveAsync(9999, 1000).AsTask(), ChangerError.InvalidElement, "move element 9999 to element 1000 failed: element 9999 is not in this library");
        await Fails(() => c.MoveAsync(1000, 9999).AsTask(), ChangerError.InvalidElement, "move element 1000 to element 9999 failed: element 9999 is not in this library");
        await Fails(() => c.MoveAsync(1000, 1000, "swap").AsTask(), ChangerError.InvalidElement, "swap failed: source and destination are the same element");
        Assert.Equal(before, t.Sent.Count);
    }

    [Fact]
    public async Task The_reserved_slot_is_refused_as_source_and_as_destination()
    {
        var (c, t, library, map) = await OpenAsync(new ChangerSettings { ReservedAddresses = new HashSet<ushort> { 1020 } });
        await Fails(() => c.MoveAsync(1000, 1020).AsTask(), ChangerError.Reserved,
            $"move element 1000 to element 1020 failed: {map.Describe(1020)} is the reserved cleaner slot; use the 'cleaner' commands for it");
        library.OpenDoor();
        library.InsertIntoSlot(1020, "RSV001L8");
        library.CloseDoor();
        await c.TestUnitReadyAsync();                       // the door's unit attention
        await Fails(() => c.MoveAsync(1020, 1030).AsTask(), ChangerError.Reserved,
            $"move element 1020 to element 1030 failed: {map.Describe(1020)} is the reserved cleaner slot; use the 'cleaner' commands for it");
        Assert.Equal(0, Moves(t));
    }

    [Fact]
    public async Task Empty_source_and_full_destination_name_the_element_and_the_barcode()
    {
        var (c, t, library, map) = await OpenAsync();
        await Fails(() => c.LoadAsync(21, 0).AsTask(), ChangerError.SourceEmpty, $"load slot 21 into drive 0 failed: {map.Describe(map.SlotAddress(21))} is empty");
        string second = library.Element(map.SlotAddress(2)).Barcode!;
        await Fails(() => c.TransferAsync(1, 2).AsTask(), ChangerError.DestinationFull, $"transfer slot 1 to slot 2 failed: {map.Describe(map.SlotAddress(2))} is full ({second})");
        Assert.Equal(0, Moves(t));
    }

    [Fact]
    public async Task Unloading_an_empty_drive_says_so()
    {
        var (c, t, _, _) = await OpenAsync();
        await Fails(() => c.UnloadAsync(null, 0).AsTask(), ChangerError.SourceEmpty, "unload drive 0 failed: drive 0 is empty");
        Assert.Equal(0, Moves(t));
    }

    [Fact]
    public async Task Unload_goes_back_to_the_slot_the_cartridge_came_from_or_to_the_given_one()
    {
        var (c, _, library, map) = await OpenAsync();
        await c.LoadAsync(3, 1);
        var back = await c.UnloadAsync(null, 1);
        Assert.Equal((map.DriveAddress(1), map.SlotAddress(3)), (back.Source, back.Destination));
        await c.LoadAsync(3, 1);
        var elsewhere = await c.UnloadAsync(21, 1);
        Assert.Equal(map.SlotAddress(21), elsewhere.Destination);
        Assert.NotNull(library.Element(map.SlotAddress(21)).Barcode);
        Assert.Null(library.Element(map.SlotAddress(3)).Barcode);
    }

    [Fact]
    public async Task A_move_the_library_accepts_but_does_not_do_is_not_verified()
    {
        var (c, t, library, map) = await OpenAsync();
        t.Before = cmd => cmd.Cdb[0] == OpCode.MoveMedium ? ScsiResult.Good(0) : null;      // says GOOD, moves nothing
        var e = await Fails(() => c.LoadAsync(1, 0).AsTask(), ChangerError.MoveNotVerified,
            $"load slot 1 into drive 0: the library accepted the move but reports {map.Describe(map.SlotAddress(1))} full and {map.Describe(map.DriveAddress(0))} empty; run 'inventory' and check the library");
        Assert.NotNull(library.Element(map.SlotAddress(1)).Barcode);
        // The verification re-read both ends after the MOVE (destination, then source).
        var afterMove = t.Sent.SkipWhile(x => x.Cdb[0] != OpCode.MoveMedium).Skip(1).Where(x => x.Cdb[0] == OpCode.ReadElementStatus).ToList();
        Assert.Equal([map.DriveAddress(0), map.SlotAddress(1)], afterMove.Select(x => (ushort)((x.Cdb[2] << 8) | x.Cdb[3])));
    }

    [Fact]
    public async Task A_verified_move_returns_the_barcode_and_the_destination_as_read_after_it()
    {
        var (c, _, library, map) = await OpenAsync();
        string barcode = library.Element(map.SlotAddress(1)).Barcode!;
        var r = await c.TransferAsync(1, 21);
        Assert.Equal((map.SlotAddress(1), map.SlotAddress(21), barcode), (r.Source, r.Destination, r.Barcode));
        Assert.True(r.DestinationAfter.Full);
        Assert.Equal(barcode, r.DestinationAfter.Barcode);
        Assert.Equal(map.SlotAddress(21), r.DestinationAfter.Address);
    }

    [Fact]
    public async Task Export_refusals()
    {
        var (c, t, library, map) = await OpenAsync();
        await Fails(() => c.ExportAsync(1, 1000).AsTask(), ChangerError.InvalidElement, "export failed: element 1000 is not an import/export element");
        library.OpenImportExport();
        for (int i = 0; i < map.ImportExport.Count; i++) library.InsertIntoImportExport($"IEF00{i}L8");
        library.CloseImportExport();
        await Fails(() => c.ExportAsync(1, null).AsTask(), ChangerError.NoFreeElement, "export failed: every import/export slot is full; empty the mail slot first");
        Assert.Equal(0, Moves(t));
    }

    [Fact]
    public async Task Export_takes_the_first_free_import_export_slot()
    {
        var (c, _, library, map) = await OpenAsync();
        library.OpenImportExport();
        library.InsertIntoImportExport("IEF000L8", map.ImportExport.First);
        library.CloseImportExport();
        var r = await c.ExportAsync(1, null);
        Assert.Equal((ushort)(map.ImportExport.First + 1), r.Destination);
    }

    [Fact]
    public async Task Import_refusals()
    {
        var (c, t, _, _) = await OpenAsync();
        await Fails(() => c.ImportAsync(null, 1000).AsTask(), ChangerError.InvalidElement, "import failed: element 1000 is not an import/export element");
        await Fails(() => c.ImportAsync(null, null).AsTask(), ChangerError.SourceEmpty, "import failed: no cartridge in any import/export slot");
        Assert.Equal(0, Moves(t));
    }

    [Fact]
    public async Task Import_to_a_given_slot_from_a_given_port_element()
    {
        var (c, _, library, map) = await OpenAsync();
        ushort ie = (ushort)(map.ImportExport.First + 2);
        library.OpenImportExport();
        library.InsertIntoImportExport("IMP001L8", ie);
        library.CloseImportExport();
        var r = await c.ImportAsync(21, ie);
        Assert.Equal((ie, map.SlotAddress(21), "IMP001L8"), (r.Source, r.Destination, r.Barcode));
    }

    [Fact]
    public async Task Import_without_a_slot_skips_full_and_reserved_slots()
    {
        // Slots 1..20 are full in library 10; 21 is the first empty one. Reserve it: 24 is next (22, 23 hold cleaners).
        var (c, _, library, map) = await OpenAsync(new ChangerSettings { ReservedAddresses = new HashSet<ushort> { 1020 } });
        library.OpenImportExport();
        library.InsertIntoImportExport("IMP002L8");
        library.CloseImportExport();
        var r = await c.ImportAsync(null, null);
        ushort expected = library.Elements.Where(e => e.Type == ElementType.Storage && e.Barcode is null && e.Address != 1020 && e.Address != r.Destination)
            .Select(e => e.Address).Append(r.Destination).Min();
        Assert.Equal(expected, r.Destination);
        Assert.NotEqual((ushort)1020, r.Destination);
    }

    [Fact]
    public async Task Reading_or_inventorying_an_address_outside_the_map_is_refused()
    {
        var (c, t, _, _) = await OpenAsync();
        int before = t.Sent.Count;
        await Fails(() => c.ReadElementAsync(9999).AsTask(), ChangerError.InvalidElement, "element address 9999 is not in this library's element map");
        await Fails(() => c.InventoryAsync(9999, 1).AsTask(), ChangerError.InvalidElement, "inventory failed: element 9999 is not in this library");
        Assert.Equal(before, t.Sent.Count);
    }

    [Fact]
    public async Task Inventory_of_a_range_sends_the_range_and_without_one_the_whole_library()
    {
        var (c, t, _, _) = await OpenAsync();
        await c.InventoryAsync(1000, 5);
        var ranged = Assert.Single(t.Sent, x => x.Cdb[0] == OpCode.InitializeElementStatusWithRange);
        Assert.Equal((1000, 5), ((ranged.Cdb[2] << 8) | ranged.Cdb[3], (ranged.Cdb[6] << 8) | ranged.Cdb[7]));
        await c.InventoryAsync(null, null);
        Assert.Single(t.Sent, x => x.Cdb[0] == OpCode.InitializeElementStatus);
        await c.InventoryAsync(1000, null);                  // a first without a count is the whole library too
        Assert.Equal(2, t.Sent.Count(x => x.Cdb[0] == OpCode.InitializeElementStatus));
    }

    [Fact]
    public async Task Exchange_is_refused_when_page_1Fh_says_the_library_cannot()
    {
        var (c, t, _, _) = await OpenAsync();
        await Fails(() => c.ExchangeAsync(1, 2, null).AsTask(), ChangerError.NotSupported,
            "exchange failed: this library does not support EXCHANGE MEDIUM (device capabilities page 1Fh); use two transfers instead");
        Assert.DoesNotContain(t.Sent, x => x.Cdb[0] == OpCode.ExchangeMedium);
    }

    [Fact]
    public async Task Position_sends_the_picker_and_the_slot()
    {
        var (c, t, _, map) = await OpenAsync();
        await c.PositionAsync(5);
        var p = Assert.Single(t.Sent, x => x.Cdb[0] == OpCode.PositionToElement);
        Assert.Equal((map.DefaultTransport, map.SlotAddress(5)), ((ushort)((p.Cdb[2] << 8) | p.Cdb[3]), (ushort)((p.Cdb[4] << 8) | p.Cdb[5])));
    }

    [Fact]
    public async Task Identity_with_and_without_the_serial_number()
    {
        var (c, t, _, _) = await OpenAsync();
        var plain = await c.GetIdentityAsync(withSerial: false);
        Assert.DoesNotContain(t.Sent, x => x.Cdb[0] == OpCode.Inquiry && (x.Cdb[1] & 0x01) != 0);
        var withSerial = await c.GetIdentityAsync(withSerial: true);
        Assert.Contains(t.Sent, x => x.Cdb[0] == OpCode.Inquiry && (x.Cdb[1] & 0x01) != 0 && x.Cdb[2] == 0x80);
        Assert.Equal(("STK", "L700", (byte)0x08), (withSerial.Vendor, withSerial.Product, withSerial.DeviceType));
        Assert.False(string.IsNullOrEmpty(withSerial.SerialNumber));
        Assert.Equal(plain.Vendor, withSerial.Vendor);
    }

    [Theory]
    [InlineData(0x00, "disk")]
    [InlineData(0x01, "tape drive")]
    [InlineData(0x05, "CD/DVD drive")]
    [InlineData(0x0C, "storage array controller")]
    [InlineData(0x03, "non-changer device")]
    public async Task Status_of_a_device_that_is_not_a_changer_names_what_it_is(byte type, string name)
    {
        var t = new ScriptedTransport
        {
            Device = "scripted:dev",
            Answer = (cmd, data) =>
            {
                if (cmd.Cdb[0] != OpCode.Inquiry) return SenseBuilder.Check(5, 0x20, 0);
                byte[] inquiry = [type, 0, 5, 2, 31, 0, 0, 0, .. Encoding.ASCII.GetBytes("ACME    WIDGET          1.00")];
                inquiry.CopyTo(data.Span);
                return ScsiResult.Good(inquiry.Length);
            },
        };
        await using var c = new MediaChanger(new SmcClient(t));
        await Fails(() => c.GetStatusAsync().AsTask(), ChangerError.NotSupported,
            $"scripted:dev is a {name} (ACME WIDGET, peripheral type {type:X2}h), not a medium changer (08h); 'tapechanger list' shows the changers");
        Assert.Equal(["INQUIRY"], t.SentNames);
    }

    [Fact]
    public async Task Lock_and_unlock_of_the_port_send_prevent_and_allow()
    {
        var (c, t, _, _) = await OpenAsync();
        await c.LockImportExportAsync(true);
        await c.LockImportExportAsync(false);
        Assert.Equal([1, 0], t.Sent.Where(x => x.Cdb[0] == OpCode.PreventAllowMediumRemoval).Select(x => x.Cdb[4] & 0x03));
    }

    [Fact]
    public async Task Read_elements_of_a_range_are_mapped_to_domain_elements()
    {
        var (c, _, library, map) = await OpenAsync();
        var elements = await c.ReadElementsAsync(ElementType.Storage, map.SlotAddress(1), 3);
        Assert.Equal([map.SlotAddress(1), map.SlotAddress(2), map.SlotAddress(3)], elements.Select(e => e.Address));
        Assert.Equal(library.Element(map.SlotAddress(2)).Barcode, elements[1].Barcode);
        Assert.Equal([1, 2, 3], elements.Select(e => e.Slot));
    }
}
