namespace TapeChanger.Transport.Usb;

internal static partial class Interop
{
    internal static partial class LibUsb
    {
        internal static unsafe int GetStringDescriptorAscii(SafeLibUsbDeviceHandle handle, byte index, Span<byte> data)
        {
            fixed (byte* p = data) return GetStringDescriptorAscii(handle, index, p, data.Length);
        }
    }
}
