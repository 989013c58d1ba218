namespace TapeChanger.Transport.Usb;

internal static partial class Interop
{
    internal static class Libraries
    {
        /// <summary>
        /// Logical name; <see cref="LibUsbLibrary"/> resolves it to libusb-1.0.so.0 (Linux SONAME; the unversioned .so
        /// exists only with the -dev package), libusb-1.0.dll (Windows) or libusb-1.0.0.dylib (macOS).
        /// </summary>
        internal const string LibUsb = "libusb-1.0";
    }
}
