namespace TapeChanger.Transport.Windows;

/// <summary>Win32 error values used by this transport (Windows SDK winerror.h).</summary>
public static class Win32Error
{
    public const int ERROR_SUCCESS = 0;
    public const int ERROR_INVALID_FUNCTION = 1;
    public const int ERROR_FILE_NOT_FOUND = 2;
    public const int ERROR_PATH_NOT_FOUND = 3;
    public const int ERROR_ACCESS_DENIED = 5;
    public const int ERROR_INVALID_HANDLE = 6;
    public const int ERROR_NOT_ENOUGH_MEMORY = 8;
    public const int ERROR_NOT_READY = 21;
    public const int ERROR_SHARING_VIOLATION = 32;
    public const int ERROR_NOT_SUPPORTED = 50;
    public const int ERROR_DEV_NOT_EXIST = 55;
    public const int ERROR_INVALID_PARAMETER = 87;
    public const int ERROR_SEM_TIMEOUT = 121;
    public const int ERROR_INVALID_NAME = 123;
    public const int ERROR_BUSY = 170;
    public const int ERROR_IO_DEVICE = 1117;
    public const int ERROR_DEVICE_NOT_CONNECTED = 1167;
    public const int ERROR_TIMEOUT = 1460;
}
