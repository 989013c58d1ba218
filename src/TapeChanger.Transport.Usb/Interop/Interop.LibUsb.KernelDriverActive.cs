using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_kernel_driver_active(libusb_device_handle *h, int interface_number): 1 active, 0 not, negative error.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_kernel_driver_active")]
        internal static partial int KernelDriverActive(SafeLibUsbDeviceHandle handle, int interfaceNumber);
    }
}
