using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_detach_kernel_driver(libusb_device_handle *h, int interface_number)</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_detach_kernel_driver")]
        internal static partial int DetachKernelDriver(SafeLibUsbDeviceHandle handle, int interfaceNumber);
    }
}
