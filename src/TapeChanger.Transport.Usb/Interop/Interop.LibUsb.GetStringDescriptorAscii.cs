using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>int libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t index, unsigned char *data, int length): bytes or a negative error.</summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_get_string_descriptor_ascii")]
        internal static unsafe partial int GetStringDescriptorAscii(SafeLibUsbDeviceHandle handle, byte index, byte* data, int length);
    }
}
