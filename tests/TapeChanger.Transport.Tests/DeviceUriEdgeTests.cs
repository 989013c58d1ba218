namespace TapeChanger.Transport.Tests;

/// <summary>Device URIs: each scheme's fields and each malformed part named in the message.</summary>
public class DeviceUriEdgeTests
{
    [Fact]
    public void Scheme_is_case_insensitive_surrounding_space_is_dropped_and_the_original_kept()
    {
        var a = DeviceUri.Parse("  SG:/dev/sg2 ");
        Assert.Equal((DeviceScheme.Sg, "/dev/sg2", "SG:/dev/sg2"), (a.Scheme, a.Path, a.Original));
        Assert.Equal("SG:/dev/sg2", a.ToString());
        Assert.Equal("/dev/sg4", DeviceUri.Parse(" /dev/sg4").Original);
    }

    [Fact]
    public void Mhvtl_socket_with_and_without_config_directory()
    {
        var a = DeviceUri.Parse("mhvtl:/var/run/mhvtl/userland.10.sock");
        Assert.Equal((DeviceScheme.Mhvtl, "/var/run/mhvtl/userland.10.sock", (string?)null), (a.Scheme, a.Path, a.ConfigDirectory));
        var b = DeviceUri.Parse("mhvtl:/run/u.sock?config=/etc/my%20vtl");
        Assert.Equal(("/run/u.sock", "/etc/my vtl"), (b.Path, b.ConfigDirectory));
    }

    [Theory]
    [InlineData("mhvtl:", "needs the library's socket")]
    [InlineData("mhvtl:?config=/etc/mhvtl", "needs the library's socket")]
    [InlineData("mhvtl:/run/u.sock?config=", "the only option is ?config=DIR")]
    [InlineData("mhvtl:/run/u.sock?dir=/etc", "the only option is ?config=DIR")]
    [InlineData("spt:", "needs a path such as spt:")]
    [InlineData(":x", "has no scheme")]
    [InlineData("   ", "empty")]
    [InlineData("iscsi://[::1/iqn/0", "unterminated IPv6 address")]
    [InlineData("iscsi://[::1]x/iqn/0", "unexpected 'x' after the host")]
    [InlineData("iscsi://@host/iqn/0", "empty user name before '@'")]
    [InlineData("iscsi://host/iqn", "must name target and LUN")]
    [InlineData("iscsi://host//0", "must name target and LUN")]
    [InlineData("iscsi://host/iqn/16384", "LUN '16384' is not a number from 0 to 16383")]
    [InlineData("iscsi://host/iqn/-1", "LUN '-1'")]
    [InlineData("iscsi://host:0/iqn/0", "port '0' is not a number from 1 to 65535")]
    [InlineData("iscsi://host:65536/iqn/0", "port '65536'")]
    [InlineData("iscsi://host:/iqn/0", "port ''")]
    [InlineData("iscsi://[::1]:0", "port '0'")]
    [InlineData("iscsi://:3260/iqn/0", "has no host")]
    [InlineData("usb:1:zz", "product id 'zz' is not a 16-bit hex number")]
    [InlineData("usb:10000:1", "vendor id '10000'")]
    [InlineData("usb:1:2:3:4", "must be usb:VID:PID[:serial]")]
    [InlineData("sg:", "needs an absolute path")]
    public void Malformed_uris_name_the_bad_part(string uri, string expected)
    {
        var e = Assert.Throws<DeviceUriException>(() => DeviceUri.Parse(uri));
        Assert.Contains(expected, e.Message);
        Assert.IsAssignableFrom<FormatException>(e);
    }

    [Fact]
    public void Iscsi_limits_are_inclusive()
    {
        var a = DeviceUri.Parse("iscsi://h:65535/iqn.x/16383");
        Assert.Equal((65535, 16383, "iqn.x"), (a.Port, a.Lun, a.TargetName));
        var b = DeviceUri.Parse("iscsi://h:1/iqn.x/0");
        Assert.Equal((1, 0), (b.Port, b.Lun));
    }

    [Fact]
    public void Iscsi_user_without_password_and_a_target_with_slashes()
    {
        var a = DeviceUri.Parse("iscsi://admin@h/iqn.2026-01.org:a/b/7");
        Assert.Equal(("admin", (string?)null, "h", "iqn.2026-01.org:a/b", 7), (a.User, a.Password, a.Host, a.TargetName, a.Lun));
        // The last '@' separates the credentials: a password may hold one.
        var b = DeviceUri.Parse("iscsi://u%p@ss@h:3261/t/1");
        Assert.Equal(("u", "p@ss", "h", 3261), (b.User, b.Password, b.Host, b.Port));
    }

    [Fact]
    public void Iscsi_ipv6_without_port_and_host_only()
    {
        var a = DeviceUri.Parse("iscsi://[fe80::1]/iqn.x/2");
        Assert.Equal(("fe80::1", DeviceUri.DefaultIscsiPort, 2), (a.Host, a.Port, a.Lun));
        var b = DeviceUri.Parse("iscsi://host");
        Assert.Equal(("host", 3260, (string?)null, 0), (b.Host, b.Port, b.TargetName, b.Lun));
    }

    [Fact]
    public void Usb_with_an_empty_serial_has_none()
    {
        var u = DeviceUri.Parse("usb:FFFF:0:");
        Assert.Equal(((ushort)0xFFFF, (ushort)0, (string?)null), (u.VendorId, u.ProductId, u.Serial));
        Assert.Equal(DeviceScheme.Usb, u.Scheme);
    }

    [Fact]
    public void Spt_keeps_the_path_and_virtual_the_directory()
    {
        var s = DeviceUri.Parse(@"spt:\\.\Tape0");
        Assert.Equal((DeviceScheme.Spt, @"\\.\Tape0"), (s.Scheme, s.Path));
        var v = DeviceUri.Parse("VIRTUAL:");
        Assert.Equal((DeviceScheme.Virtual, (string?)null), (v.Scheme, v.ConfigDirectory));
    }
}
