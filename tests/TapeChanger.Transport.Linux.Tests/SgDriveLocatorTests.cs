using TapeChanger.Testing;

namespace TapeChanger.Transport.Linux.Tests;

/// <summary>The sg: drive locator over a fake sysfs: which tapes it offers, with what identity, and the changer's bus address.</summary>
public class SgDriveLocatorTests
{
    private static ScriptedTransport NoTransport() => ScriptedTransport.Untouchable("sg:/dev/sg3", "the sg locator reads sysfs; it sends no command to the changer");

    [Fact]
    public async Task Lists_the_hosts_tapes_with_serial_node_and_bus_address_and_the_changers_address()
    {
        using var fs = new FakeSysfs();
        fs.AddDevice(1, "0:0:0:1", 1, "IET", "VIRTUAL-TAPE", "0001", serial: "SN-DRV-A", classNodes: ["st0", "nst0"]);
        fs.AddDevice(2, "0:0:0:2", 1, "IET", "VIRTUAL-TAPE", "0001", serial: "SN-DRV-B", classNodes: ["nst1", "st1"]);
        fs.AddDevice(3, "0:0:0:3", 8, "IET", "VIRTUAL-CHANGER", "0001", serial: "CHG0001", classNodes: ["sch0"]);
        var locator = new SgDriveLocator(new SysfsChangerDiscovery(fs.Root));
        var search = new DriveSearch(DeviceUri.Parse("sg:/dev/sg3"), NoTransport());
        Assert.True(locator.Serves(search) == OperatingSystem.IsLinux());
        Assert.False(locator.Serves(new DriveSearch(DeviceUri.Parse("virtual:"), NoTransport())));
        var found = await locator.ListAsync(search);
        Assert.Equal([("sg:/dev/sg1", "SN-DRV-A", "/dev/nst0"), ("sg:/dev/sg2", "SN-DRV-B", "/dev/nst1")], found.Drives.Select(d => (d.Uri, d.Serial, d.Node)));
        Assert.Equal(new ScsiBusAddress(0, 0, 0, 2), found.Drives[1].Bus);
        Assert.Equal(new ScsiBusAddress(0, 0, 0, 3), found.ChangerBus);
    }
}
