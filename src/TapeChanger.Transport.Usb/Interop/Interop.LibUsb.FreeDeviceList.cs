using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>void libusb_free_device_list(libusb_device **list, int unref_devices)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_free_device_list")]
        internal static partial void FreeDeviceList(nint list, int unrefDevices);
    }
}
