using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>void libusb_exit(libusb_context *ctx)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_exit")]
        internal static partial void Exit(nint context);
    }
}
