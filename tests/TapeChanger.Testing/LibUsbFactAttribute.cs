using System.Runtime.InteropServices;

namespace TapeChanger.Testing;

/// <summary>
/// A fact that needs libusb-1.0 installed: where it cannot be loaded, the test is reported as skipped with the reason
/// (never as passed).
/// </summary>
public sealed class LibUsbFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Installed = new(() =>
    {
        string[] names = OperatingSystem.IsWindows() ? ["libusb-1.0.dll"]
            : OperatingSystem.IsMacOS() ? ["libusb-1.0.0.dylib", "libusb-1.0.dylib"]
            : ["libusb-1.0.so.0", "libusb-1.0.so"];
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                NativeLibrary.Free(handle);
                return true;
            }
        }
        return false;
    });

    public LibUsbFactAttribute()
    {
        if (!Installed.Value) Skip = "libusb-1.0 is not installed here (Debian: apt install libusb-1.0-0)";
    }
}
