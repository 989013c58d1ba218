using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_open(libusb_device *dev, libusb_device_handle **handle)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_open")]
        internal static partial int Open(nint device, out nint handle);
    }
}
