using System.Reflection;
using System.Runtime.InteropServices;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Usb;

/// <summary>
/// Finds the libusb-1.0 shared library by its runtime name and routes the "libusb-1.0" imports to it, so a missing
/// library becomes <see cref="TransportFailure.Unsupported"/> with an install hint instead of a DllNotFoundException.
/// </summary>
public static class LibUsbLibrary
{
    private static readonly Lock s_lock = new();
    private static nint s_handle;
    private static bool s_resolverInstalled;

    /// <summary>Names tried in order on this OS.</summary>
    public static IReadOnlyList<string> CandidateNames { get; } =
        OperatingSystem.IsWindows() ? ["libusb-1.0.dll"]
        : OperatingSystem.IsMacOS() ? ["libusb-1.0.0.dylib", "libusb-1.0.dylib"]
        : ["libusb-1.0.so.0", "libusb-1.0.so"];

    /// <summary>True when libusb can be loaded (loads it).</summary>
    public static bool IsAvailable
    {
        get
        {
            try
            {
                EnsureLoaded();
                return true;
            }
            catch (ScsiTransportException)
            {
                return false;
            }
        }
    }

    /// <summary>Loads libusb once; throws <see cref="TransportFailure.Unsupported"/> when it is not installed.</summary>
    public static void EnsureLoaded()
    {
        lock (s_lock)
        {
            if (s_handle != 0) return;
            s_handle = Load(CandidateNames);
            if (!s_resolverInstalled)
            {
                NativeLibrary.SetDllImportResolver(typeof(LibUsbLibrary).Assembly, Resolve);
                s_resolverInstalled = true;
            }
        }
    }

    /// <summary>Loads the first of <paramref name="names"/> that exists, or throws the Unsupported error.</summary>
    internal static nint Load(IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out nint handle)) return handle;
        }
        throw MissingLibrary(names);
    }

    internal static ScsiTransportException MissingLibrary(IReadOnlyList<string> names, Exception? inner = null)
    {
        string hint = OperatingSystem.IsWindows() ? "put libusb-1.0.dll (x64 or arm64 build) next to tapechanger.exe"
            : OperatingSystem.IsMacOS() ? "install it with: brew install libusb"
            : "install it, e.g. apt install libusb-1.0-0 (dnf install libusbx)";
        return new ScsiTransportException(TransportFailure.Unsupported,
            $"the usb: transport needs libusb-1.0, which could not be loaded (tried {string.Join(", ", names)}); {hint}", null, inner);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        libraryName == Interop.Libraries.LibUsb ? s_handle : 0;
}
