using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// Operations whose whole point is the command they send: each test asserts the CDB that reached the library and the
/// state the library was left in, so a one-line change to which command is sent fails here.
/// </summary>
public sealed class CommandsSentTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-sent-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private async Task<(QuirkyTransport Transport, VirtualLibrary Library)> OpenAsync(IReadOnlySet<byte>? refused = null)
    {
        // Absorb the power-on unit attention so each command below is sent exactly once (one session at a time: the state is locked).
        await using (var warm = new SmcClient(await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state))))
        {
            await warm.TestUnitReadyAsync();
        }
        var inner = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state));
        var t = new QuirkyTransport(inner) { RefusedOpcodes = refused ?? new HashSet<byte>() };
        return (t, inner.Library);
    }

    private static ushort U16(ScsiCommand c, int offset) => BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(offset));

    [Fact]
    public async Task Locking_the_ie_port_sends_prevent_and_the_operator_cannot_open_it()
    {
        var (t, library) = await OpenAsync();
        await using var changer = new MediaChanger(new SmcClient(t));
        await changer.LockImportExportAsync(true);

        var sent = Assert.Single(t.Sent, c => c.Cdb[0] == OpCode.PreventAllowMediumRemoval);
        Assert.Equal(0x01, sent.Cdb[4] & 0x03);             // SMC-3 §6.10: byte 4 bits 1-0 PREVENT = 01b, removal prevented
        Assert.True(library.RemovalPrevented);
        Assert.Throws<VirtualOperatorException>(library.OpenImportExport);

        await changer.LockImportExportAsync(false);
        var allow = t.Sent.Last(c => c.Cdb[0] == OpCode.PreventAllowMediumRemoval);
        Assert.Equal(0x00, allow.Cdb[4] & 0x03);            // PREVENT = 00b, removal allowed
        Assert.False(library.RemovalPrevented);
        library.OpenImportExport();
        Assert.True(library.ImportExportOpen);
    }

    [Fact]
    public async Task Ranged_inventory_sends_37h_with_range_first_and_count_and_no_full_inventory()
    {
        var (t, _) = await OpenAsync();
        await using var changer = new MediaChanger(new SmcClient(t));
        var map = await changer.GetMapAsync();
        ushort first = map.SlotAddress(3);

        await changer.InventoryAsync(first, 5);

        var init = Assert.Single(t.Sent, c => c.Cdb[0] is OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy);
        Assert.Equal(OpCode.InitializeElementStatusWithRange, init.Cdb[0]);   // SMC-3 §6.5: 37h
        Assert.Equal(0x01, init.Cdb[1] & 0x01);                              // byte 1 bit 0 RANGE
        Assert.Equal(first, U16(init, 2));                                   // bytes 2-3 STARTING ELEMENT ADDRESS
        Assert.Equal(5, U16(init, 6));                                       // bytes 6-7 NUMBER OF ELEMENTS
    }

    [Fact]
    public async Task Full_inventory_sends_07h_only()
    {
        var (t, _) = await OpenAsync();
        await using var changer = new MediaChanger(new SmcClient(t));
        await changer.InventoryAsync(null, null);
        var init = Assert.Single(t.Sent, c => c.Cdb[0] is OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy);
        Assert.Equal(OpCode.InitializeElementStatus, init.Cdb[0]);
    }

    [Fact]
    public async Task Ranged_inventory_refused_with_05_20_00_falls_back_to_E7h_with_the_same_range()
    {
        var (t, _) = await OpenAsync(new HashSet<byte> { OpCode.InitializeElementStatusWithRange });
        await using var changer = new MediaChanger(new SmcClient(t));
        var map = await changer.GetMapAsync();
        ushort first = map.SlotAddress(2);

        await changer.InventoryAsync(first, 7);

        var inits = t.Sent.Where(c => c.Cdb[0] is OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy).ToList();
        Assert.Equal([OpCode.InitializeElementStatusWithRange, OpCode.InitializeElementStatusWithRangeLegacy], inits.Select(c => c.Cdb[0]));
        var legacy = inits[1];
        Assert.Equal(0xE7, legacy.Cdb[0]);
        Assert.Equal(0x01, legacy.Cdb[1] & 0x01);
        Assert.Equal(first, U16(legacy, 2));
        Assert.Equal(7, U16(legacy, 6));
    }

    [Fact]
    public async Task Import_takes_the_operator_placed_cartridge_before_a_robot_exported_one()
    {
        var (t, library) = await OpenAsync();
        await using var changer = new MediaChanger(new SmcClient(t));
        var map = await changer.GetMapAsync();
        ushort lowIe = map.ImportExport.First, highIe = (ushort)(map.ImportExport.First + map.ImportExport.Count - 1);
        string exported = (await changer.ExportAsync(1, lowIe)).Barcode!;      // robot-exported: ImpExp=0, lowest IE address
        library.OpenImportExport();
        library.InsertIntoImportExport("OPR001L8", highIe);                      // operator-placed: ImpExp=1, highest IE address
        library.CloseImportExport();
        Assert.False(library.Element(lowIe).ImpExp);
        Assert.True(library.Element(highIe).ImpExp);
        int before = t.Sent.Count;

        var r = await changer.ImportAsync(null, null);

        var move = Assert.Single(t.Sent.Skip(before), c => c.Cdb[0] == OpCode.MoveMedium);
        Assert.Equal(highIe, U16(move, 4));                                     // bytes 4-5 SOURCE ADDRESS
        Assert.Equal(map.SlotAddress(1), U16(move, 6));                         // bytes 6-7 DESTINATION ADDRESS: first free slot
        Assert.Equal("OPR001L8", r.Barcode);
        Assert.Equal("OPR001L8", library.Element(map.SlotAddress(1)).Barcode);
        Assert.Equal(exported, library.Element(lowIe).Barcode);                 // the exported cartridge stays for the operator
        Assert.Null(library.Element(highIe).Barcode);
    }
}
