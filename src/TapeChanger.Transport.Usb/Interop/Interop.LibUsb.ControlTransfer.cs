using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>
        /// int libusb_control_transfer(libusb_device_handle *h, uint8_t bmRequestType, uint8_t bRequest, uint16_t wValue,
        /// uint16_t wIndex, unsigned char *data, uint16_t wLength, unsigned int timeout): bytes or a negative error.
        /// </summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_control_transfer")]
        internal static unsafe partial int ControlTransfer(SafeLibUsbDeviceHandle handle, byte requestType, byte request, ushort value, ushort index, byte* data, ushort length, uint timeout);

        internal static unsafe int ControlTransfer(SafeLibUsbDeviceHandle handle, byte requestType, byte request, ushort value, ushort index, Span<byte> data, uint timeout)
        {
            fixed (byte* p = data) return ControlTransfer(handle, requestType, request, value, index, p, checked((ushort)data.Length), timeout);
        }
    }
}
