using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>void libusb_free_config_descriptor(struct libusb_config_descriptor *config)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_free_config_descriptor")]
        internal static partial void FreeConfigDescriptor(nint config);
    }
}
