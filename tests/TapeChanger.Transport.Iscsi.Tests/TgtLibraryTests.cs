using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>
/// Against a real tgtd library started by tools/tgt-library.sh (TAPECHANGER_TGT=1). Every test leaves the library as the
/// script configured it, so the order does not matter.
/// </summary>
public sealed class TgtLibraryTests(TgtLibraryFixture tgt) : IClassFixture<TgtLibraryFixture>
{
    private static readonly TransportOpenContext Context = new(Path.GetTempPath());

    private async Task<SmcClient> OpenAsync(int? lun = null)
    {
        var address = lun is int l ? tgt.Address! with { Lun = l } : tgt.Address!;
        return new SmcClient(await new IscsiTransportFactory().OpenAsync(address, Context));
    }

    private static async Task<ScsiCheckConditionException> MoveFailsAsync(SmcClient smc, ushort from, ushort to) =>
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await smc.MoveMediumAsync(TgtLibraryFixture.Picker, from, to));

    private static void AssertSense(ScsiCheckConditionException e, SenseKey key, byte asc, byte ascq)
    {
        Assert.Equal(key, e.Key);
        Assert.Equal((asc, ascq), (e.Asc, e.Ascq));
    }

    [TgtFact]
    public async Task Inquiry_identifies_the_changer_lun()
    {
        await using var smc = await OpenAsync();
        var inq = await smc.InquiryAsync();
        Assert.True(inq.IsMediumChanger);
        Assert.Equal(("STK", "L700", "0108"), (inq.Vendor, inq.Product, inq.Revision));
    }

    [TgtFact]
    public async Task All_types_strategy_gives_the_same_status_as_per_type_reads_or_learns_the_split()
    {
        var address = tgt.Address!;
        await using var perType = new MediaChanger(new SmcClient(await new IscsiTransportFactory().OpenAsync(address, Context)));
        var expected = await perType.GetStatusAsync();
        var client = new SmcClient(await new IscsiTransportFactory().OpenAsync(address, Context),
            quirks: ChangerQuirks.Generic with { ReadStrategy = ReadElementStatusStrategy.AllTypes });
        await using var allTypes = new MediaChanger(client);
        var actual = await allTypes.GetStatusAsync();
        Assert.Equal(expected.Elements.Select(e => (e.Address, e.Full, e.Barcode)), actual.Elements.Select(e => (e.Address, e.Full, e.Barcode)));
        // tgt's all-types reply is 8 bytes short (docs/reference/tgt.md §4), so the client must have fallen back and said so.
        Assert.Equal(ReadElementStatusStrategy.PerType, client.Quirks.ReadStrategy);
        Assert.Single(client.Learned);
    }

    [TgtFact]
    public async Task Inquiry_on_a_drive_lun_is_a_tape()
    {
        await using var smc = await OpenAsync(lun: 1);
        var inq = await smc.InquiryAsync();
        Assert.True(inq.IsTapeDrive);
        Assert.Equal(("IBM", "ULT3580-TD8"), (inq.Vendor, inq.Product));
    }

    [TgtFact]
    public async Task Element_status_per_type_matches_the_configuration()
    {
        await using var smc = await OpenAsync();
        var map = await smc.ElementAddressAssignmentAsync();
        Assert.Equal((TgtLibraryFixture.SlotStart, TgtLibraryFixture.Slots), (map.FirstStorage, (int)map.StorageCount));
        var pickers = await smc.ReadElementStatusAsync(ElementType.MediumTransport, TgtLibraryFixture.Picker, 1);
        Assert.Equal([TgtLibraryFixture.Picker], pickers.Select(p => p.Address));
        Assert.False(pickers[0].Full);
        var slots = await smc.ReadElementStatusAsync(ElementType.Storage, TgtLibraryFixture.SlotStart, TgtLibraryFixture.Slots);
        Assert.Equal(Enumerable.Range(TgtLibraryFixture.SlotStart, TgtLibraryFixture.Slots).Select(a => (ushort)a), slots.Select(s => s.Address));
        foreach (var s in slots)
        {
            bool expected = TgtLibraryFixture.SlotMedia.TryGetValue(s.Address, out var barcode);
            Assert.Equal(expected, s.Full);
            Assert.Equal(barcode, s.Barcode);
        }
        var ies = await smc.ReadElementStatusAsync(ElementType.ImportExport, TgtLibraryFixture.IeStart, TgtLibraryFixture.Ies);
        Assert.Equal([(ushort)10, (ushort)11], ies.Select(e => e.Address));
        Assert.All(ies, e => Assert.False(e.Full));
        // The last drive's descriptor is the one tgt cuts short by 8 bytes (docs/reference/tgt.md §4 bug 1); it must still decode.
        var drives = await smc.ReadElementStatusAsync(ElementType.DataTransfer, TgtLibraryFixture.DriveStart, TgtLibraryFixture.Drives);
        Assert.Equal([(ushort)500, (ushort)501], drives.Select(d => d.Address));
        Assert.All(drives, d => Assert.False(d.Full));
    }

    [TgtFact]
    public async Task Move_slot_to_drive_and_back()
    {
        await using var smc = await OpenAsync();
        await smc.MoveMediumAsync(TgtLibraryFixture.Picker, 1000, 500);
        try
        {
            var drive = await smc.ReadElementAsync(ElementType.DataTransfer, 500);
            Assert.True(drive!.Full);
            Assert.Equal("A0000001", drive.Barcode);
            Assert.Equal((ushort)1000, drive.SourceAddress);
            Assert.False((await smc.ReadElementAsync(ElementType.Storage, 1000))!.Full);
        }
        finally
        {
            await smc.MoveMediumAsync(TgtLibraryFixture.Picker, 500, 1000);
        }
        Assert.Equal("A0000001", (await smc.ReadElementAsync(ElementType.Storage, 1000))!.Barcode);
    }

    [TgtFact]
    public async Task Move_from_an_empty_source_is_3B_0E()
    {
        await using var smc = await OpenAsync();
        AssertSense(await MoveFailsAsync(smc, 1004, 1005), SenseKey.IllegalRequest, 0x3B, 0x0E);
    }

    [TgtFact]
    public async Task Move_to_a_full_destination_is_3B_0D()
    {
        await using var smc = await OpenAsync();
        AssertSense(await MoveFailsAsync(smc, 1000, 1001), SenseKey.IllegalRequest, 0x3B, 0x0D);
    }

    [TgtFact]
    public async Task Tgt_reports_a_bad_element_address_as_24_00_not_21_01()
    {
        await using var smc = await OpenAsync();
        AssertSense(await MoveFailsAsync(smc, 1000, 2000), SenseKey.IllegalRequest, 0x24, 0x00);
    }

    [TgtFact]
    public async Task Prevent_on_the_tape_lun_blocks_the_move_out_of_the_drive_with_53_02()
    {
        await using var smc = await OpenAsync();
        await using var tape = await OpenAsync(lun: 1);     // drive 500 is bound to LUN 1
        await smc.MoveMediumAsync(TgtLibraryFixture.Picker, 1001, 500);
        try
        {
            await tape.PreventAllowMediumRemovalAsync(prevent: true);
            try
            {
                AssertSense(await MoveFailsAsync(smc, 500, 1001), SenseKey.IllegalRequest, 0x53, 0x02);
            }
            finally
            {
                await tape.PreventAllowMediumRemovalAsync(prevent: false);
            }
        }
        finally
        {
            await smc.MoveMediumAsync(TgtLibraryFixture.Picker, 500, 1001);
        }
    }

    [TgtFact]
    public async Task Operator_insertion_with_tgtadm_shows_up_in_the_ie_element()
    {
        await using var smc = await OpenAsync();
        tgt.Insert(11, "IEX00001");
        try
        {
            var ie = await smc.ReadElementAsync(ElementType.ImportExport, 11);
            Assert.True(ie!.Full);
            Assert.Equal("IEX00001", ie.Barcode);
        }
        finally
        {
            tgt.Remove(11);
        }
        Assert.False((await smc.ReadElementAsync(ElementType.ImportExport, 11))!.Full);
    }

    [TgtFact]
    public async Task Domain_status_load_unload_transfer_export_import()
    {
        await using var changer = new MediaChanger(await OpenAsync());
        var s = await changer.GetStatusAsync();
        Assert.Equal("STK", s.Identity.Vendor);
        Assert.Equal(TgtLibraryFixture.Slots, (int)s.Map.Storage.Count);
        Assert.Equal(TgtLibraryFixture.SlotMedia.Count, s.OfType(ElementType.Storage).Count(e => e.Full));
        Assert.True(s.OfType(ElementType.Storage).Single(e => e.Barcode == "CLN00001").IsCleaner);   // tgt: medium type 0, prefix only
        Assert.Equal(TgtLibraryFixture.Drives, s.OfType(ElementType.DataTransfer).Count());

        var load = await changer.LoadAsync(1, 0);                      // slot 1 (1000) → drive 0 (500)
        Assert.Equal("A0000001", load.DestinationAfter.Barcode);
        var unload = await changer.UnloadAsync(null, 0);               // home slot from SValid source
        Assert.Equal((ushort)1000, unload.Destination);

        await changer.TransferAsync(2, 6);                             // 1001 → 1005
        await changer.TransferAsync(6, 2);

        var export = await changer.ExportAsync(3, null);               // 1002 → first free IE (10)
        Assert.Equal((ushort)10, export.Destination);
        var import = await changer.ImportAsync(3, null);               // back from the IE
        Assert.Equal((ushort)1002, import.Destination);
        Assert.Equal("A0000003", import.DestinationAfter.Barcode);
    }

    [TgtFact]
    public async Task Domain_imports_an_operator_inserted_cartridge()
    {
        await using var changer = new MediaChanger(await OpenAsync());
        tgt.Insert(10, "OPR00001");
        var r = await changer.ImportAsync(null, null);
        try
        {
            Assert.Equal("OPR00001", r.DestinationAfter.Barcode);
            Assert.Equal((ushort)1004, r.Destination);                 // first free storage slot
        }
        finally
        {
            await changer.ExportAsync(5, 10);
            tgt.Remove(10);
        }
    }

    [TgtFact]
    public async Task SendTargets_discovery_lists_the_target_and_portal()
    {
        var targets = await IscsiDiscovery.SendTargetsAsync(tgt.Address!.Host!, tgt.Address.Port);
        var t = Assert.Single(targets);
        Assert.Equal(TgtLibraryFixture.Iqn, t.Name);
        Assert.Contains(t.Portals, p => p.Address == "127.0.0.1" && p.Port == tgt.Address.Port);
    }

    [TgtFact]
    public async Task Unknown_target_name_is_a_clear_not_found()
    {
        var address = tgt.Address! with { TargetName = "iqn.2026-11.dev.tapechanger:nosuch" };
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await new IscsiTransportFactory().OpenAsync(address, Context));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Contains("target not found", e.Message);
    }
}
