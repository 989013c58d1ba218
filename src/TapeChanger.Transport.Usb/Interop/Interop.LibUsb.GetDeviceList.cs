using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>ssize_t libusb_get_device_list(libusb_context *ctx, libusb_device ***list): count or a negative error.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_get_device_list")]
        internal static partial nint GetDeviceList(SafeLibUsbContextHandle context, out nint list);
    }
}
