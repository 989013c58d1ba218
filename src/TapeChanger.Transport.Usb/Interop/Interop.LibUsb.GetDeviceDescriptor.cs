using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *desc)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_get_device_descriptor")]
        internal static partial int GetDeviceDescriptor(nint device, out LibUsbDeviceDescriptor descriptor);
    }
}
