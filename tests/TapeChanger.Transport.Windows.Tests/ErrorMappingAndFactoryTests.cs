using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Windows.Tests;

public class ErrorMappingTests
{
    [Theory]
    [InlineData(5, TransportFailure.PermissionDenied)]
    [InlineData(2, TransportFailure.NotFound)]
    [InlineData(3, TransportFailure.NotFound)]
    [InlineData(55, TransportFailure.NotFound)]
    [InlineData(32, TransportFailure.Busy)]
    [InlineData(170, TransportFailure.Busy)]
    [InlineData(121, TransportFailure.Timeout)]
    [InlineData(1460, TransportFailure.Timeout)]
    [InlineData(1117, TransportFailure.Io)]
    [InlineData(1, TransportFailure.Io)]
    [InlineData(87, TransportFailure.Io)]
    [InlineData(31, TransportFailure.Io)]
    public void Win32_errors_map_to_failures(int error, TransportFailure expected) =>
        Assert.Equal(expected, Win32ErrorMapping.Classify(error));

    [Fact]
    public void Access_denied_says_run_as_administrator_and_names_the_device()
    {
        var e = Win32ErrorMapping.ToException(5, @"\\.\Changer0", "opening");
        Assert.Equal(TransportFailure.PermissionDenied, e.Failure);
        Assert.Contains(@"\\.\Changer0", e.Message);
        Assert.Contains("run as Administrator", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(170)]
    [InlineData(121)]
    [InlineData(1117)]
    [InlineData(1)]
    [InlineData(9999)]
    public void Messages_are_one_line_naming_the_device(int error)
    {
        var e = Win32ErrorMapping.ToException(error, @"\\.\Tape1", "MOVE MEDIUM", "MOVE MEDIUM");
        Assert.Contains(@"\\.\Tape1", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal("MOVE MEDIUM", e.Command);
    }
}

public class SptPathTests
{
    [Theory]
    [InlineData(@"\\.\Changer0", @"\\.\Changer0")]
    [InlineData("//./Changer3", @"\\.\Changer3")]
    [InlineData("Tape1", @"\\.\Tape1")]
    [InlineData(@"\\?\scsi#changer&ven_hp#1&2#{53f56310-b6bf-11d0-94f2-00a0c91efb8b}", @"\\?\scsi#changer&ven_hp#1&2#{53f56310-b6bf-11d0-94f2-00a0c91efb8b}")]
    public void Class_devices_keep_their_path(string input, string expected)
    {
        var p = SptPath.Parse(input);
        Assert.Equal(expected, p.DevicePath);
        Assert.False(p.IsAdapter);
    }

    [Fact]
    public void Adapter_takes_bus_target_lun()
    {
        var p = SptPath.Parse(@"\\.\Scsi2:0:3:1");
        Assert.Equal(@"\\.\Scsi2:", p.DevicePath);
        Assert.True(p.IsAdapter);
        Assert.Equal((0, 3, 1), (p.PathId, p.TargetId, p.Lun));
        Assert.Equal(@"\\.\Scsi2:0:3:1", p.ToString());
    }

    [Theory]
    [InlineData(@"\\.\Scsi2:")]
    [InlineData(@"\\.\Scsi2:0:3")]
    [InlineData(@"\\.\Scsi2:0:300:0")]
    [InlineData(@"\\.\ScsiX:0:1:0")]
    [InlineData(@"\\.\Changer0:1")]
    [InlineData(@"C:\dev\changer")]
    [InlineData("")]
    public void Bad_paths_are_rejected_with_a_uri_error(string input) =>
        Assert.Throws<DeviceUriException>(() => SptPath.Parse(input));
}

public class FactoryTests
{
    private static readonly TransportOpenContext Context = new(Path.GetTempPath());

    [Fact]
    public void Opens_only_spt_addresses()
    {
        var f = new SptTransportFactory();
        Assert.True(f.CanOpen(DeviceUri.Parse(@"spt:\\.\Changer0")));
        Assert.False(f.CanOpen(DeviceUri.Parse("usb:0a1b:0c2d")));
        Assert.False(f.CanOpen(DeviceUri.Parse("sg:/dev/sg3")));
    }

    [UnixFact]
    public async Task Off_windows_open_is_unsupported_with_a_clear_message()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () =>
            await new SptTransportFactory().OpenAsync(DeviceUri.Parse(@"spt:\\.\Changer0"), Context));
        Assert.Equal(TransportFailure.Unsupported, e.Failure);
        Assert.Contains("the spt: transport needs Windows", e.Message);
    }

    [UnixFact]
    public void Off_windows_listing_is_unsupported()
    {
        var e = Assert.Throws<ScsiTransportException>(() => WindowsChangerEnumerator.ListOrThrow());
        Assert.Equal(TransportFailure.Unsupported, e.Failure);
    }

    [Fact]
    public void Device_uri_of_a_listed_changer_round_trips()
    {
        var info = new WindowsChangerInfo(@"\\.\Changer2", ChangerProbeState.Busy, 170, null);
        var address = DeviceUri.Parse(info.Uri);
        Assert.Equal(DeviceScheme.Spt, address.Scheme);
        Assert.Equal(@"\\.\Changer2", SptPath.Parse(address.Path!).DevicePath);
    }
}
