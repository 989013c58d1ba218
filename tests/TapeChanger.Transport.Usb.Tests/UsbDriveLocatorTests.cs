using System.Buffers.Binary;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Usb.Tests;

/// <summary>
/// The USB drive locator on the Bulk-Only fake: an autoloader whose tape drive is another LUN of the changer's
/// interface (found by GET MAX LUN, INQUIRY type 01h and VPD 80h), paired by the domain and polled over the same pipes.
/// </summary>
public class UsbDriveLocatorTests
{
    private static readonly DeviceAddress Address = DeviceUri.Parse("usb:46f4:0001");

    /// <summary>Changer on LUN 0, drive on LUN 1 (the USB tier's QEMU usb-bot layout).</summary>
    private static FakeBotDevice Autoloader() => new() { MaxLun = 1, PeripheralTypes = [0x08, 0x01], Serials = { [0] = "CHG0001", [1] = "DRV001" } };

    private static (byte Lun, byte Opcode, byte Byte1, byte Byte2) Command(byte[] cbw) => (cbw[13], cbw[15], cbw[16], cbw[17]);

    [Fact]
    public async Task Lists_the_other_lun_that_is_a_tape_drive_with_its_serial()
    {
        var device = Autoloader();
        await using var changer = new BulkOnlyTransport(device, "usb:46f4:0001");
        var locator = new UsbDriveLocator();
        var search = new DriveSearch(Address, changer);

        Assert.True(locator.Serves(search));
        var found = await locator.ListAsync(search);

        var drive = Assert.Single(found.Drives);
        Assert.Equal(new DriveCandidate("usb:46f4:0001 LUN 1", "DRV001") { Lun = 1 }, drive);
        Assert.Null(found.ChangerBus);
        Assert.Equal(1, device.GetMaxLunRequests);
        // INQUIRY then INQUIRY EVPD page 80h, both to LUN 1; nothing to the changer's LUN 0.
        Assert.Equal([((byte)1, (byte)0x12, (byte)0x00, (byte)0x00), ((byte)1, (byte)0x12, (byte)0x01, (byte)0x80)], device.Cbws.Select(Command));
        Assert.False(device.Disposed);
    }

    [Fact]
    public async Task Changer_on_lun_1_finds_the_drive_on_lun_0()
    {
        var device = new FakeBotDevice { MaxLun = 1, PeripheralTypes = [0x01, 0x08], Serials = { [0] = "HU1234567" } };
        await using var changer = (BulkOnlyTransport)await new UsbTransportFactory(null, true, _ => device)
            .OpenAsync(Address, new TransportOpenContext(Path.GetTempPath()));
        Assert.Equal(1, changer.Lun);
        device.Cbws.Clear();

        var found = await new UsbDriveLocator().ListAsync(new DriveSearch(Address, changer));

        Assert.Equal([new DriveCandidate("usb:46f4:0001 LUN 0", "HU1234567") { Lun = 0 }], found.Drives);
        Assert.All(device.Cbws, c => Assert.Equal(0, c[13]));
    }

    [Fact]
    public async Task Luns_that_are_not_tape_drives_or_refuse_inquiry_are_skipped()
    {
        // LUN 1: no device (qualifier 3, type 1Fh); LUN 2: a disk; LUN 3: refuses INQUIRY; LUN 4: the drive; LUN 5: a
        // tape drive the unit supports but has not connected (qualifier 1, SPC-4 §6.6.2).
        var device = new FakeBotDevice { MaxLun = 5, PeripheralTypes = [0x08, 0x7F, 0x00, 0x01, 0x01, 0x21], Serials = { [4] = "DRV004", [5] = "DRV005" } };
        device.RefusingLuns.Add(3);
        await using var changer = new BulkOnlyTransport(device, "usb:46f4:0001");

        var found = await new UsbDriveLocator().ListAsync(new DriveSearch(Address, changer));

        Assert.Equal([new DriveCandidate("usb:46f4:0001 LUN 4", "DRV004") { Lun = 4 }], found.Drives);
        Assert.Equal(0, device.Resets);
    }

    [Fact]
    public async Task A_device_that_stalls_get_max_lun_has_no_drive_beside_the_changer()
    {
        var device = Autoloader();
        device.StallGetMaxLun = true;
        await using var changer = new BulkOnlyTransport(device, "usb:46f4:0001");

        var found = await new UsbDriveLocator().ListAsync(new DriveSearch(Address, changer));

        Assert.Empty(found.Drives);
        Assert.Empty(device.Cbws);
    }

    [Fact]
    public async Task A_drive_without_vpd_80h_is_listed_without_serial()
    {
        var device = Autoloader();
        device.Serials.Remove(1);
        await using var changer = new BulkOnlyTransport(device, "usb:46f4:0001");

        var found = await new UsbDriveLocator().ListAsync(new DriveSearch(Address, changer));

        Assert.Null(Assert.Single(found.Drives).Serial);
    }

    [Fact]
    public void Serves_only_a_changer_opened_over_bulk_only()
    {
        Assert.False(new UsbDriveLocator().Serves(new DriveSearch(Address, new ScriptedTransport())));
        Assert.False(new UsbDriveLocator().Serves(null!));
    }

    [Fact]
    public async Task Opening_the_changers_own_lun_or_a_candidate_without_lun_is_refused()
    {
        await using var changer = new BulkOnlyTransport(Autoloader(), "usb:46f4:0001");
        var search = new DriveSearch(Address, changer);
        await Assert.ThrowsAsync<ArgumentException>(async () => await new UsbDriveLocator().OpenAsync(search, new DriveCandidate("x", "DRV001") { Lun = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(async () => await new UsbDriveLocator().OpenAsync(search, new DriveCandidate("x", "DRV001")));
    }

    /// <summary>The drive element's DVCID serial pairs it with the LUN; the drive is then polled on that LUN.</summary>
    [Fact]
    public async Task The_domain_pairs_the_drive_element_by_serial_and_polls_the_drive_lun()
    {
        var device = Autoloader();
        await using var changer = new BulkOnlyTransport(device, "usb:46f4:0001");
        var access = new DriveAccess(new DriveLocatorRegistry().Add(new UsbDriveLocator()), new DriveSearch(Address, changer));
        Assert.True(access.CanReachDrives);

        var pairs = await access.PairAsync([new DriveElementIdentity(1, "DRV001", "DRV001")]);

        var pair = Assert.Single(pairs);
        Assert.Equal(PairingMethod.Serial, pair.Method);
        Assert.Equal((byte?)1, (byte?)pair.Drive!.Lun);

        device.Cbws.Clear();
        device.Log.Clear();
        device.SetPendingSense(1, 0x02, 0x30, 0x03);                 // CLEANING CARTRIDGE INSTALLED... cleaning in progress
        await using (var drive = await access.OpenAsync(0, pairs))
        {
            Assert.NotNull(drive);
            Assert.Equal("usb:46f4:0001 LUN 1", drive.Uri);
            var cleaning = await drive.TestUnitReadyAsync();
            Assert.False(cleaning.Ready);
            Assert.Equal((SenseKey.NotReady, (byte)0x30, (byte)0x03), (cleaning.Sense!.Key, cleaning.Sense.Asc, cleaning.Sense.Ascq));
            var ready = await drive.TestUnitReadyAsync();
            Assert.True(ready.Ready);
        }
        // TEST UNIT READY, the BOT transport's REQUEST SENSE after the failed CSW, TEST UNIT READY: all on LUN 1.
        Assert.Equal([((byte)1, (byte)0x00, (byte)0, (byte)0), ((byte)1, (byte)0x03, (byte)0, (byte)0), ((byte)1, (byte)0x00, (byte)0, (byte)0)],
            device.Cbws.Select(Command));
        Assert.False(device.Disposed);                               // closing the drive leaves the changer's interface open

        // The changer keeps working after the drive closed, with the next tag on the shared sequence.
        var r = await changer.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(0, device.Cbws[^1][13]);
        var tags = device.Cbws.Select(c => BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(4))).ToList();
        Assert.Equal(Enumerable.Range((int)tags[0], tags.Count).Select(t => (uint)t), tags);
    }

    [Fact]
    public async Task Luns_of_one_interface_share_one_tag_sequence()
    {
        var device = Autoloader();
        await using var changer = new BulkOnlyTransport(device, "usb:46f4:0001");
        await using var drive = changer.OpenLun(1, "usb:46f4:0001 LUN 1");

        await changer.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        await drive.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        await changer.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);

        Assert.Equal([1u, 2u, 3u], device.Cbws.Select(c => BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(4))));
        Assert.Equal([0, 1, 0], device.Cbws.Select(c => (int)c[13]));
        Assert.Equal(3u, drive.LastTag);
    }

    [Fact]
    public async Task A_drive_lun_used_after_the_changer_closed_fails_with_not_found_and_disposing_it_closes_nothing()
    {
        var device = Autoloader();
        var changer = new BulkOnlyTransport(device, "usb:46f4:0001");
        var drive = changer.OpenLun(1, "usb:46f4:0001 LUN 1");
        await drive.DisposeAsync();
        Assert.False(device.Disposed);
        var again = changer.OpenLun(1, "usb:46f4:0001 LUN 1");

        await changer.DisposeAsync();
        Assert.True(device.Disposed);

        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await again.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Empty(device.Cbws);
    }
}
