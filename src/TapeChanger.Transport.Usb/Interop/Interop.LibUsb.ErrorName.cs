using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>const char *libusb_error_name(int code): a static string, never freed.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_error_name")]
        internal static partial nint ErrorName(int code);
    }
}
