using System.Runtime.InteropServices;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Usb;

/// <summary>enum libusb_error (libusb.h).</summary>
public enum LibUsbError
{
    Success = 0,
    Io = -1,
    InvalidParam = -2,
    Access = -3,
    NoDevice = -4,
    NotFound = -5,
    Busy = -6,
    Timeout = -7,
    Overflow = -8,
    Pipe = -9,
    Interrupted = -10,
    NoMem = -11,
    NotSupported = -12,
    Other = -99,
}

/// <summary>Maps libusb return codes to transfer results and one-line <see cref="ScsiTransportException"/>s.</summary>
public static class LibUsbErrors
{
    public static TransportFailure Classify(int code) => (LibUsbError)code switch
    {
        LibUsbError.Access => TransportFailure.PermissionDenied,
        LibUsbError.NoDevice or LibUsbError.NotFound => TransportFailure.NotFound,
        LibUsbError.Busy => TransportFailure.Busy,
        LibUsbError.Timeout => TransportFailure.Timeout,
        LibUsbError.NotSupported => TransportFailure.Unsupported,
        _ => TransportFailure.Io,
    };

    /// <summary>"LIBUSB_ERROR_ACCESS" etc.; from libusb_error_name when the library is loaded.</summary>
    public static string Name(int code)
    {
        if (LibUsbLibrary.IsAvailable)
        {
            nint p = Interop.LibUsb.ErrorName(code);
            if (p != 0 && Marshal.PtrToStringUTF8(p) is { Length: > 0 } s) return s;
        }
        return Enum.IsDefined((LibUsbError)code) ? "LIBUSB_ERROR_" + ((LibUsbError)code).ToString().ToUpperInvariant() : $"libusb error {code}";
    }

    /// <summary>
    /// <paramref name="device"/> is "VID:PID" in hex (e.g. "0a1b:0c2d"); <paramref name="step"/> says what was being done
    /// ("opening", "claiming interface 0").
    /// </summary>
    public static ScsiTransportException ToException(int code, string device, string step, string? errorName = null)
    {
        string name = errorName ?? Name(code);
        var failure = Classify(code);
        string message = failure switch
        {
            TransportFailure.PermissionDenied => $"permission denied on USB device {device}: add a udev rule or run as root ({step}, {name})",
            TransportFailure.NotFound => $"USB device {device} not found ({step}, {name})",
            TransportFailure.Busy => $"USB device {device} is busy ({step}, {name}): another program or driver holds the interface",
            TransportFailure.Timeout => $"USB device {device} timed out ({step}, {name})",
            TransportFailure.Unsupported => OperatingSystem.IsWindows()
                ? $"USB device {device}: {step} is not supported ({name}); bind the interface to WinUSB (e.g. with Zadig) or use spt:"
                : $"USB device {device}: {step} is not supported ({name})",
            _ => $"USB device {device}: {step} failed ({name})",
        };
        return new ScsiTransportException(failure, message);
    }

    /// <summary>A bulk/control return code as a <see cref="UsbTransferResult"/> (PIPE = stall).</summary>
    public static UsbTransferResult ToTransferResult(int code, int count) => (LibUsbError)code switch
    {
        LibUsbError.Success => UsbTransferResult.Ok(count),
        LibUsbError.Pipe => new UsbTransferResult(UsbTransferStatus.Stall, count),
        LibUsbError.Timeout => UsbTransferResult.TimedOut(count),
        LibUsbError.Overflow => new UsbTransferResult(UsbTransferStatus.Overflow, count),
        LibUsbError.NoDevice => new UsbTransferResult(UsbTransferStatus.NoDevice, count),
        _ => new UsbTransferResult(UsbTransferStatus.Error, count, Name(code)),
    };
}
