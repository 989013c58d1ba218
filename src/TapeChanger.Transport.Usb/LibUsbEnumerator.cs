using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

/// <summary>One USB device seen by libusb.</summary>
public sealed record UsbDeviceInfo(ushort VendorId, ushort ProductId, byte Bus, byte Address, byte DeviceClass, BulkOnlyInterface? BulkOnly)
{
    /// <summary>The device URI for --device (without serial).</summary>
    public string Uri => $"usb:{VendorId:x4}:{ProductId:x4}";
}

/// <summary>Lists USB devices without opening them (descriptors come from libusb's cache).</summary>
public static class LibUsbEnumerator
{
    /// <summary>All devices; throws Unsupported when libusb is missing.</summary>
    public static IReadOnlyList<UsbDeviceInfo> List()
    {
        LibUsbLibrary.EnsureLoaded();
        int rc = Interop.LibUsb.Init(out nint contextPtr);
        if (rc < 0) throw LibUsbErrors.ToException(rc, "*", "initialising libusb");
        using var context = new SafeLibUsbContextHandle(contextPtr);
        nint count = Interop.LibUsb.GetDeviceList(context, out nint list);
        if (count < 0) throw LibUsbErrors.ToException((int)count, "*", "listing USB devices");
        var result = new List<UsbDeviceInfo>((int)count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                nint device = Marshal.ReadIntPtr(list, i * IntPtr.Size);
                if (Interop.LibUsb.GetDeviceDescriptor(device, out var d) != 0) continue;
                BulkOnlyInterface? bot = null;
                if (Interop.LibUsb.GetActiveConfigDescriptor(device, out nint config) == 0)
                {
                    try
                    {
                        bot = BulkOnlyInterfaceSelector.Find(ConfigDescriptorWalker.Walk(config));
                    }
                    finally
                    {
                        Interop.LibUsb.FreeConfigDescriptor(config);
                    }
                }
                result.Add(new UsbDeviceInfo(d.idVendor, d.idProduct, Interop.LibUsb.GetBusNumber(device),
                    Interop.LibUsb.GetDeviceAddress(device), d.bDeviceClass, bot));
            }
        }
        finally
        {
            Interop.LibUsb.FreeDeviceList(list, 1);
        }
        return result;
    }

    /// <summary>Devices that offer a Bulk-Only mass storage interface (autoloader candidates).</summary>
    public static IReadOnlyList<UsbDeviceInfo> ListBulkOnly() => List().Where(d => d.BulkOnly is not null).ToList();
}
