using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>Turns a Win32 error from CreateFile/DeviceIoControl into a one-line <see cref="ScsiTransportException"/>.</summary>
public static class Win32ErrorMapping
{
    public static TransportFailure Classify(int error) => error switch
    {
        Win32Error.ERROR_ACCESS_DENIED => TransportFailure.PermissionDenied,
        Win32Error.ERROR_FILE_NOT_FOUND or Win32Error.ERROR_PATH_NOT_FOUND or Win32Error.ERROR_DEV_NOT_EXIST
            or Win32Error.ERROR_INVALID_NAME or Win32Error.ERROR_DEVICE_NOT_CONNECTED => TransportFailure.NotFound,
        Win32Error.ERROR_SHARING_VIOLATION or Win32Error.ERROR_BUSY => TransportFailure.Busy,
        Win32Error.ERROR_SEM_TIMEOUT or Win32Error.ERROR_TIMEOUT => TransportFailure.Timeout,
        _ => TransportFailure.Io,
    };

    /// <summary>
    /// <paramref name="operation"/> is "opening" for CreateFile, else the SCSI command name (or an IOCTL name).
    /// </summary>
    public static ScsiTransportException ToException(int error, string device, string operation, string? command = null)
    {
        var failure = Classify(error);
        string what = operation == "opening" ? $"opening {device}" : $"{operation} on {device}";
        string message = failure switch
        {
            TransportFailure.PermissionDenied => $"permission denied {what} (Win32 error 5): run as Administrator",
            TransportFailure.NotFound => $"{device} not found (Win32 error {error}); check the name, e.g. \\\\.\\Changer0",
            TransportFailure.Busy => $"{device} is in use by another program (Win32 error {error}); the changer class allows one open at a time",
            TransportFailure.Timeout => $"{what} timed out (Win32 error {error})",
            _ => error switch
            {
                Win32Error.ERROR_IO_DEVICE => $"I/O device error {what} (Win32 error 1117)",
                Win32Error.ERROR_INVALID_FUNCTION => $"{what} refused by the driver (Win32 error 1); an adapter \\\\.\\ScsiN: cannot reach a LU owned by a class driver, use \\\\.\\ChangerN",
                Win32Error.ERROR_INVALID_PARAMETER => $"{what} rejected as an invalid parameter (Win32 error 87)",
                Win32Error.ERROR_NOT_READY => $"{device} is not ready (Win32 error 21)",
                _ => $"{what} failed (Win32 error {error})",
            },
        };
        return new ScsiTransportException(failure, message, command);
    }
}
