namespace TapeChanger.Transport.Linux.Tests;

public class SysfsChangerDiscoveryTests
{
    /// <summary>The tgt library the kernel tier uses: controller LUN 0, tapes at LUN 1-2, changer at LUN 3 (as /dev/sg3).</summary>
    private static FakeSysfs TgtLike()
    {
        var fs = new FakeSysfs();
        fs.AddDevice(0, "0:0:0:0", 12, "IET", "Controller", "0001");
        fs.AddDevice(1, "0:0:0:1", 1, "IET", "VIRTUAL-TAPE", "0001", serial: "SN-DRV-A", classNodes: ["st0", "st0a", "st0l", "st0m", "nst0", "nst0a", "nst0l", "nst0m"]);
        fs.AddDevice(2, "0:0:0:2", 1, "IET", "VIRTUAL-TAPE", "0001", serial: "SN-DRV-B", classNodes: ["nst1", "st1"]);
        fs.AddDevice(3, "0:0:0:3", 8, "IET", "VIRTUAL-CHANGER", "0001", serial: "CHG0001", classNodes: ["sch0"]);
        fs.AddDevice(10, "1:0:5:0", 0, "ATA", "QEMU HARDDISK", "2.5+", maxSectorsKb: 1280);
        return fs;
    }

    [Fact]
    public void Lists_every_sg_device_in_numeric_order()
    {
        using var fs = TgtLike();
        var all = new SysfsChangerDiscovery(fs.Root).ListDevices();
        Assert.Equal(["sg0", "sg1", "sg2", "sg3", "sg10"], all.Select(d => d.SgName));
    }

    [Fact]
    public void Finds_the_changer_with_its_nodes_identity_and_serial()
    {
        using var fs = TgtLike();
        var changer = Assert.Single(new SysfsChangerDiscovery(fs.Root).ListChangers());
        Assert.Equal("/dev/sg3", changer.SgPath);
        Assert.Equal("sg:/dev/sg3", changer.Uri);
        Assert.Equal("/dev/sch0", changer.ChangerPath);
        Assert.Equal("0:0:0:3", changer.Hctl);
        Assert.Equal((0, 0, 0, 3), changer.Address);
        Assert.Equal(("IET", "VIRTUAL-CHANGER", "0001"), (changer.Vendor, changer.Model, changer.Revision));
        Assert.Equal("CHG0001", changer.Serial);
        Assert.Null(changer.TapePath);
    }

    [Fact]
    public void Finds_tapes_with_rewinding_and_non_rewinding_nodes()
    {
        using var fs = TgtLike();
        var tapes = new SysfsChangerDiscovery(fs.Root).ListTapeDrives();
        Assert.Equal(2, tapes.Count);
        Assert.Equal(("/dev/st0", "/dev/nst0", "SN-DRV-A"), (tapes[0].TapePath, tapes[0].NonRewindingTapePath, tapes[0].Serial));
        Assert.Equal(("/dev/st1", "/dev/nst1", "SN-DRV-B"), (tapes[1].TapePath, tapes[1].NonRewindingTapePath, tapes[1].Serial));
        Assert.All(tapes, t => Assert.Null(t.ChangerPath));
    }

    [Fact]
    public void Device_as_plain_directory_uses_scsi_device_for_hctl()
    {
        using var fs = new FakeSysfs();
        fs.AddDevice(4, "2:0:1:0", 8, "HP", "MSL G3 Series", "E.00", classNodes: ["sch1"], symlink: false);
        var d = Assert.Single(new SysfsChangerDiscovery(fs.Root).ListDevices());
        Assert.Equal("2:0:1:0", d.Hctl);
        Assert.Equal("/dev/sch1", d.ChangerPath);
        Assert.Null(d.Serial);
    }

    [Fact]
    public void Missing_class_directory_means_no_devices()
    {
        using var fs = new FakeSysfs();
        Assert.Empty(new SysfsChangerDiscovery(fs.Root).ListDevices());
    }

    [Fact]
    public void Entries_without_a_readable_type_are_skipped()
    {
        using var fs = TgtLike();
        Directory.CreateDirectory(Path.Combine(fs.Root, "sys", "class", "scsi_generic", "sg7", "device"));
        Directory.CreateDirectory(Path.Combine(fs.Root, "sys", "class", "scsi_generic", "notsg"));
        Assert.Equal(5, new SysfsChangerDiscovery(fs.Root).ListDevices().Count);
    }

    [Fact]
    public void Queue_max_sectors_is_read_for_block_backed_devices_only()
    {
        using var fs = TgtLike();
        var discovery = new SysfsChangerDiscovery(fs.Root);
        Assert.Equal(1280, discovery.QueueMaxSectorsKb("/dev/sg10"));
        Assert.Null(discovery.QueueMaxSectorsKb("/dev/sg3"));
        Assert.Null(discovery.QueueMaxSectorsKb("/dev/nst0"));
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x80, 0x00, 0x0A, 0x20, 0x20, 0x48, 0x55, 0x31, 0x32, 0x33, 0x34, 0x00, 0x00 }, "HU1234")]
    [InlineData(new byte[] { 0x01, 0x80, 0x00, 0x00 }, null)]
    [InlineData(new byte[] { 0x01, 0x83, 0x00, 0x02, 0x41, 0x42 }, null)]      // not page 80h
    [InlineData(new byte[] { 0x01, 0x80 }, null)]                             // truncated header
    [InlineData(new byte[] { 0x01, 0x80, 0x00, 0x10, 0x41, 0x42 }, "AB")]      // length past the file: take what is there
    public void Decodes_vpd80(byte[] page, string? expected) =>
        Assert.Equal(expected, SysfsChangerDiscovery.DecodeVpd80(page));
}
