using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_clear_halt(libusb_device_handle *h, unsigned char endpoint)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_clear_halt")]
        internal static partial int ClearHalt(SafeLibUsbDeviceHandle handle, byte endpoint);
    }
}
