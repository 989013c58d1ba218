using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>void libusb_close(libusb_device_handle *handle)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_close")]
        internal static partial void Close(nint handle);
    }
}
