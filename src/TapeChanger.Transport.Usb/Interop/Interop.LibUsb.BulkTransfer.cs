using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Usb;

// libusb.h: LIBUSB_CALL is WINAPI on Windows (__stdcall on x86 only); LibraryImport's default (Winapi) matches.
internal static partial class Interop
{
    internal static partial class LibUsb
    {
        /// <summary>
        /// int libusb_bulk_transfer(libusb_device_handle *h, unsigned char endpoint, unsigned char *data, int length,
        /// int *transferred, unsigned int timeout): 0 or a negative error; timeout in ms, 0 = none; transferred is valid on timeout.
        /// </summary>
        [LibraryImport(Libraries.LibUsb, EntryPoint = "libusb_bulk_transfer")]
        internal static unsafe partial int BulkTransfer(SafeLibUsbDeviceHandle handle, byte endpoint, byte* data, int length, out int transferred, uint timeout);

        internal static unsafe int BulkTransfer(SafeLibUsbDeviceHandle handle, byte endpoint, Span<byte> data, out int transferred, uint timeout)
        {
            fixed (byte* p = data) return BulkTransfer(handle, endpoint, p, data.Length, out transferred, timeout);
        }
    }
}
