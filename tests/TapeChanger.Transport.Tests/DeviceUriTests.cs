using TapeChanger.Transport;

namespace TapeChanger.Transport.Tests;

public class DeviceUriTests
{
    [Fact]
    public void Virtual_with_and_without_directory()
    {
        Assert.Null(DeviceUri.Parse("virtual:").ConfigDirectory);
        var a = DeviceUri.Parse("virtual:/etc/mhvtl");
        Assert.Equal(DeviceScheme.Virtual, a.Scheme);
        Assert.Equal("/etc/mhvtl", a.ConfigDirectory);
    }

    [Theory]
    [InlineData("sg:/dev/sg3", "/dev/sg3")]
    [InlineData("/dev/sg7", "/dev/sg7")]
    [InlineData("sg:///dev/sg1", "/dev/sg1")]
    public void Sg_paths(string uri, string path)
    {
        var a = DeviceUri.Parse(uri);
        Assert.Equal(DeviceScheme.Sg, a.Scheme);
        Assert.Equal(path, a.Path);
    }

    [Fact]
    public void Iscsi_full_libiscsi_form()
    {
        var a = DeviceUri.Parse("iscsi://ops%s3cr%40t@10.0.0.5:3261/iqn.2026-11.example:vtl/3");
        Assert.Equal(DeviceScheme.Iscsi, a.Scheme);
        Assert.Equal("ops", a.User);
        Assert.Equal("s3cr@t", a.Password);
        Assert.Equal("10.0.0.5", a.Host);
        Assert.Equal(3261, a.Port);
        Assert.Equal("iqn.2026-11.example:vtl", a.TargetName);
        Assert.Equal(3, a.Lun);
    }

    [Fact]
    public void Iscsi_defaults_and_discovery_form()
    {
        var a = DeviceUri.Parse("iscsi://127.0.0.1/iqn.x:y/0");
        Assert.Equal(3260, a.Port);
        Assert.Null(a.User);
        var d = DeviceUri.Parse("iscsi://[::1]:3300");
        Assert.Equal("::1", d.Host);
        Assert.Equal(3300, d.Port);
        Assert.Null(d.TargetName);
    }

    [Fact]
    public void Spt_and_usb()
    {
        Assert.Equal(@"\\.\Changer0", DeviceUri.Parse(@"spt:\\.\Changer0").Path);
        var u = DeviceUri.Parse("usb:0b4b:0001:SN123");
        Assert.Equal((ushort)0x0b4b, u.VendorId);
        Assert.Equal((ushort)0x0001, u.ProductId);
        Assert.Equal("SN123", u.Serial);
        Assert.Null(DeviceUri.Parse("usb:1:2").Serial);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("floppy:/dev/fd0", "unknown device scheme 'floppy:'")]
    [InlineData("changer", "has no scheme")]
    [InlineData("sg:dev/sg1", "absolute path")]
    [InlineData("iscsi:host/x/0", "must start with iscsi://")]
    [InlineData("iscsi://host:99999/iqn/0", "port '99999'")]
    [InlineData("iscsi://host/iqn/lun", "LUN 'lun'")]
    [InlineData("iscsi:///iqn/0", "has no host")]
    [InlineData("usb:zz:1", "vendor id 'zz'")]
    [InlineData("usb:1", "usb:VID:PID")]
    public void Malformed_uris_name_the_bad_part(string uri, string expected)
    {
        var e = Assert.Throws<DeviceUriException>(() => DeviceUri.Parse(uri));
        Assert.Contains(expected, e.Message);
    }
}
