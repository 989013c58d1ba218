using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TapeChanger.Scsi;
using TapeChanger.Testing;

namespace TapeChanger.Transport.Usb.Tests;

public class LibUsbStructTests
{
    private static int Off<T>(string f) => (int)Marshal.OffsetOf<T>(f);

    [Fact]
    public void Device_descriptor_is_18_bytes_on_every_abi()
    {
        Assert.Equal(18, Unsafe.SizeOf<LibUsbDeviceDescriptor>());
        Assert.Equal(8, Off<LibUsbDeviceDescriptor>("idVendor"));
        Assert.Equal(10, Off<LibUsbDeviceDescriptor>("idProduct"));
        Assert.Equal(16, Off<LibUsbDeviceDescriptor>("iSerialNumber"));
        Assert.Equal(17, Off<LibUsbDeviceDescriptor>("bNumConfigurations"));
    }

    [Fact]
    public void Pointer_carrying_descriptors_match_gcc_for_this_process()
    {
        bool lp64 = Environment.Is64BitProcess;
        // gcc x86-64: 40 / 16 / 40 / 32 (interface@16, altsetting count@8, endpoint@16, extra@16); ILP32: 24 / 8 / 24 / 20.
        Assert.Equal(lp64 ? 40 : 24, Unsafe.SizeOf<LibUsbConfigDescriptor>());
        Assert.Equal(lp64 ? 16 : 12, Off<LibUsbConfigDescriptor>("Interface"));
        Assert.Equal(lp64 ? 32 : 20, Off<LibUsbConfigDescriptor>("ExtraLength"));
        Assert.Equal(lp64 ? 16 : 8, Unsafe.SizeOf<LibUsbInterface>());
        Assert.Equal(lp64 ? 8 : 4, Off<LibUsbInterface>("NumAltSetting"));
        Assert.Equal(lp64 ? 40 : 24, Unsafe.SizeOf<LibUsbInterfaceDescriptor>());
        Assert.Equal(5, Off<LibUsbInterfaceDescriptor>("bInterfaceClass"));
        Assert.Equal(lp64 ? 16 : 12, Off<LibUsbInterfaceDescriptor>("Endpoint"));
        Assert.Equal(lp64 ? 32 : 20, Off<LibUsbInterfaceDescriptor>("ExtraLength"));
        Assert.Equal(lp64 ? 32 : 20, Unsafe.SizeOf<LibUsbEndpointDescriptor>());
        Assert.Equal(4, Off<LibUsbEndpointDescriptor>("wMaxPacketSize"));
        Assert.Equal(lp64 ? 16 : 12, Off<LibUsbEndpointDescriptor>("Extra"));
        Assert.Equal(lp64 ? 24 : 16, Off<LibUsbEndpointDescriptor>("ExtraLength"));
    }
}

public class BulkOnlyInterfaceSelectorTests
{
    private static UsbEndpointInfo Bulk(byte address) => new(address, 0x02, 512);

    [Fact]
    public void Picks_the_bot_interface_and_its_bulk_endpoints()
    {
        var interfaces = new[]
        {
            new UsbInterfaceInfo(0, 0, 0x03, 0x00, 0x00, [new UsbEndpointInfo(0x83, 0x03, 8)]),          // HID
            new UsbInterfaceInfo(1, 0, 0x08, 0x06, 0x50, [new UsbEndpointInfo(0x84, 0x03, 2), Bulk(0x81), Bulk(0x02)]),
            new UsbInterfaceInfo(1, 1, 0x08, 0x06, 0x62, [Bulk(0x85), Bulk(0x06)]),                      // UAS alt 1
        };
        Assert.Equal(new BulkOnlyInterface(1, 0x81, 0x02), BulkOnlyInterfaceSelector.Find(interfaces));
    }

    [Fact]
    public void Uas_only_or_missing_endpoints_is_not_bot()
    {
        Assert.Null(BulkOnlyInterfaceSelector.Find([new UsbInterfaceInfo(0, 0, 0x08, 0x06, 0x62, [Bulk(0x81), Bulk(0x02)])]));
        Assert.Null(BulkOnlyInterfaceSelector.Find([new UsbInterfaceInfo(0, 0, 0x08, 0x06, 0x50, [Bulk(0x81)])]));
    }
}

public class LibUsbErrorTests
{
    [Theory]
    [InlineData(LibUsbError.Access, TransportFailure.PermissionDenied)]
    [InlineData(LibUsbError.NoDevice, TransportFailure.NotFound)]
    [InlineData(LibUsbError.NotFound, TransportFailure.NotFound)]
    [InlineData(LibUsbError.Busy, TransportFailure.Busy)]
    [InlineData(LibUsbError.Timeout, TransportFailure.Timeout)]
    [InlineData(LibUsbError.Io, TransportFailure.Io)]
    [InlineData(LibUsbError.Pipe, TransportFailure.Io)]
    public void Classifies(LibUsbError code, TransportFailure expected) => Assert.Equal(expected, LibUsbErrors.Classify((int)code));

    [Fact]
    public void Access_message_gives_the_fix()
    {
        var e = LibUsbErrors.ToException((int)LibUsbError.Access, "0a1b:0c2d", "opening", "LIBUSB_ERROR_ACCESS");
        Assert.Equal(TransportFailure.PermissionDenied, e.Failure);
        Assert.StartsWith("permission denied on USB device 0a1b:0c2d: add a udev rule or run as root", e.Message);
    }

    [Theory]
    [InlineData(LibUsbError.Success, UsbTransferStatus.Ok)]
    [InlineData(LibUsbError.Pipe, UsbTransferStatus.Stall)]
    [InlineData(LibUsbError.Timeout, UsbTransferStatus.Timeout)]
    [InlineData(LibUsbError.Overflow, UsbTransferStatus.Overflow)]
    [InlineData(LibUsbError.NoDevice, UsbTransferStatus.NoDevice)]
    [InlineData(LibUsbError.Io, UsbTransferStatus.Error)]
    public void Transfer_codes_map_to_statuses(LibUsbError code, UsbTransferStatus expected)
    {
        var r = LibUsbErrors.ToTransferResult((int)code, 5);
        Assert.Equal(expected, r.Status);
        Assert.Equal(5, r.Count);
    }
}

public class LibUsbBindingTests
{
    [Fact]
    public void Missing_library_is_unsupported_with_an_install_hint()
    {
        var e = Assert.Throws<ScsiTransportException>(() => LibUsbLibrary.Load(["libusb-does-not-exist-1.0.so.0"]));
        Assert.Equal(TransportFailure.Unsupported, e.Failure);
        Assert.Contains("libusb-does-not-exist-1.0.so.0", e.Message);
        if (OperatingSystem.IsLinux()) Assert.Contains("apt install libusb-1.0-0", e.Message);
    }

    [LibUsbFact]
    public void When_installed_init_and_device_list_work()
    {
        var devices = LibUsbEnumerator.List();
        Assert.NotNull(devices);
        Assert.All(devices, d => Assert.StartsWith("usb:", d.Uri));
        Assert.Equal("LIBUSB_ERROR_ACCESS", LibUsbErrors.Name((int)LibUsbError.Access));
    }

    [LibUsbFact]
    public void When_installed_a_nonexistent_device_is_not_found()
    {
        var e = Assert.Throws<ScsiTransportException>(() => LibUsbBulkDevice.Open(0xFFFE, 0xFFFD));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
        Assert.Contains("fffe:fffd", e.Message);
    }

    [LibUsbFact]
    public async Task Factory_reports_not_found_through_libusb()
    {
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () =>
            await new UsbTransportFactory().OpenAsync(DeviceUri.Parse("usb:fffe:fffd:NOPE"), new TransportOpenContext(Path.GetTempPath())));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
    }
}

public class LibUsbPresenceTests
{
    [LibUsbFact]
    public void Library_loads_when_the_shared_object_is_installed()
    {
        // The attribute found the shared object by its runtime name; the binding must load the same one.
        Assert.True(LibUsbLibrary.IsAvailable);
    }
}
