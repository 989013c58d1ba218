using System.Text;
using TapeChanger.MhvtlConfig;
using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Mhvtl.Tests;

/// <summary>device.conf → drive sockets, and the serial checks before a drive is handed out.</summary>
public sealed class MhvtlDriveMapTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tc-mhvtl-map-").FullName;

    private const string DeviceConf = """
        VERSION: 5

        Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00
         Vendor identification: STK
         Product identification: L700
         Unit serial number: XYZZY_A

        Drive: 12 CHANNEL: 00 TARGET: 02 LUN: 00
         Library ID: 10 Slot: 02
         Unit serial number: XYZZY_A2

        Drive: 11 CHANNEL: 00 TARGET: 01 LUN: 00
         Library ID: 10 Slot: 01
         Unit serial number: XYZZY_A1

        Library: 30 CHANNEL: 00 TARGET: 08 LUN: 00
         Vendor identification: HP
         Product identification: MSL G3 Series

        Drive: 31 CHANNEL: 00 TARGET: 09 LUN: 00
         Library ID: 30 Slot: 01
         Unit serial number: HPD1

        """;

    public MhvtlDriveMapTests() => File.WriteAllText(Path.Combine(_dir, "device.conf"), DeviceConf);

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    private DeviceAddress Library(int id) => DeviceUri.Parse($"mhvtl:{_dir}/userland.{id}.sock?config={_dir}");

    [Fact]
    public void Drives_of_the_socket_s_library_in_slot_order_with_sockets_beside_it()
    {
        var drives = MhvtlDriveMap.Load(Library(10));
        Assert.Equal(
            [new MhvtlDrive(0, 11, 1, "XYZZY_A1", Path.Combine(_dir, "userland.11.sock")), new MhvtlDrive(1, 12, 2, "XYZZY_A2", Path.Combine(_dir, "userland.12.sock"))],
            drives);
        Assert.Equal([31], MhvtlDriveMap.Load(Library(30)).Select(d => d.Id));
    }

    [Fact]
    public void A_library_id_missing_from_device_conf_is_a_config_error()
    {
        var e = Assert.Throws<MhvtlConfigException>(() => MhvtlDriveMap.Load(Library(20)));
        Assert.Contains("no 'Library: 20' stanza", e.Message);
    }

    [Fact]
    public void A_named_config_directory_without_device_conf_is_a_config_error()
    {
        var empty = Directory.CreateTempSubdirectory("tc-mhvtl-empty-").FullName;
        try
        {
            var e = Assert.Throws<MhvtlConfigException>(() => MhvtlDriveMap.Load(DeviceUri.Parse($"mhvtl:{_dir}/userland.10.sock?config={empty}")));
            Assert.Contains("file not found", e.Message);
        }
        finally { Directory.Delete(empty); }
    }

    [Theory]
    [InlineData("/run/mhvtl/userland.10.sock", 10)]
    [InlineData("userland.7.sock", 7)]
    [InlineData("/run/lib.sock", null)]
    [InlineData("/run/userland.x.sock", null)]
    public void Library_id_comes_from_the_socket_name(string path, int? id) => Assert.Equal(id, MhvtlDriveMap.LibraryId(path));

    [Theory]
    [InlineData("XYZZY_A1", "XYZZY_A1  ", true)]
    [InlineData("XYZZY_A1", "IBM     ULT3580-TD8     XYZZY_A1  ", true)]
    [InlineData("XYZZY_A1", "XYZZY_A2", false)]
    [InlineData("XYZZY_A1", "IBM     ULT3580-TD8     XXYZZY_A1", false)]
    [InlineData("XYZZY_A1", null, false)]
    public void Serials_match_exactly_or_as_the_tail_of_a_dvcid_identifier(string configured, string? reported, bool same) =>
        Assert.Equal(same, MhvtlDriveMap.SameSerial(configured, reported));

    private static byte[] Vpd80(string serial) => [0x01, 0x80, 0x00, (byte)serial.Length, .. Encoding.ASCII.GetBytes(serial)];

    [Fact]
    public async Task Locator_opens_the_drive_socket_after_checking_dvcid_and_vpd_80h()
    {
        await using var drive = new FakeMhvtlDaemon(Path.Combine(_dir, "userland.12.sock"), FakeMhvtlDaemon.Answer(Vpd80("XYZZY_A2  ")));
        var locator = MhvtlDriveLocator.For(Library(10), _dir);
        await using var t = await locator.OpenAsync(1, "XYZZY_A2", null);
        Assert.NotNull(t);
        Assert.Equal("mhvtl:" + Path.Combine(_dir, "userland.12.sock"), t!.Device);
        Assert.True(drive.Cdbs.TryDequeue(out var cdb));
        Assert.Equal(new byte[] { 0x12, 0x01, 0x80 }, cdb[..3]);                // INQUIRY EVPD page 80h
    }

    [Fact]
    public async Task Locator_refuses_a_drive_whose_dvcid_serial_is_another_drive_s()
    {
        var locator = MhvtlDriveLocator.For(Library(10), _dir);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await locator.OpenAsync(0, "XYZZY_A2", null));
        Assert.Contains("the library reports serial 'XYZZY_A2' but device.conf binds drive 11 (serial XYZZY_A1) to slot 1", e.Message);
    }

    [Fact]
    public async Task Locator_refuses_a_drive_whose_vpd_80h_serial_differs()
    {
        await using var drive = new FakeMhvtlDaemon(Path.Combine(_dir, "userland.11.sock"), FakeMhvtlDaemon.Answer(Vpd80("OTHER")));
        var locator = MhvtlDriveLocator.For(Library(10), _dir);
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await locator.OpenAsync(0, null, null));
        Assert.Contains("answers VPD 80h serial 'OTHER', device.conf says drive 11 is XYZZY_A1", e.Message);
    }

    [Fact]
    public async Task Locator_returns_null_for_an_element_device_conf_binds_no_drive_to() =>
        Assert.Null(await MhvtlDriveLocator.For(Library(10), _dir).OpenAsync(2, null, null));

    private static ScriptedTransport NoChanger() => ScriptedTransport.Untouchable("mhvtl:", "the mhvtl: drive locator reads device.conf; it sends nothing to the library");

    [Fact]
    public async Task Drive_locator_lists_device_conf_drives_by_serial_and_opens_the_paired_socket()
    {
        var locator = new MhvtlDrivesLocator();
        var search = new DriveSearch(Library(10), NoChanger()) { StateDirectory = _dir };
        Assert.True(locator.Serves(search));
        Assert.False(locator.Serves(new DriveSearch(DeviceUri.Parse("virtual:"), NoChanger())));
        var listed = await locator.ListAsync(search);
        Assert.Equal([("mhvtl:" + Path.Combine(_dir, "userland.11.sock"), "XYZZY_A1"), ("mhvtl:" + Path.Combine(_dir, "userland.12.sock"), "XYZZY_A2")],
            listed.Drives.Select(d => (d.Uri, d.Serial)));
        await using var drive = new FakeMhvtlDaemon(Path.Combine(_dir, "userland.12.sock"), FakeMhvtlDaemon.Answer(Vpd80("XYZZY_A2")));
        await using var t = await locator.OpenAsync(search, listed.Drives[1]);
        Assert.Equal("mhvtl:" + Path.Combine(_dir, "userland.12.sock"), t.Device);
        Assert.True(drive.Cdbs.TryDequeue(out var cdb));
        Assert.Equal(new byte[] { 0x12, 0x01, 0x80 }, cdb[..3]);                // the VPD 80h check before handing it out
    }
}
