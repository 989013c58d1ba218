using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>uint8_t libusb_get_device_address(libusb_device *dev)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_get_device_address")]
        internal static partial byte GetDeviceAddress(nint device);
    }
}
