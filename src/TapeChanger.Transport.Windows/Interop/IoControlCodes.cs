namespace TapeChanger.Transport.Windows;

/// <summary>
/// Control codes (Windows SDK winioctl.h / ntddscsi.h as shipped in mingw-w64-headers; the same values in microsoft/windows-rs metadata).
/// CTL_CODE(DeviceType, Function, Method, Access) = (DeviceType &lt;&lt; 16) | (Access &lt;&lt; 14) | (Function &lt;&lt; 2) | Method.
/// </summary>
internal static class IoControlCodes
{
    internal const uint FILE_DEVICE_CONTROLLER = 0x04;
    internal const uint FILE_DEVICE_MASS_STORAGE = 0x2D;
    internal const uint METHOD_BUFFERED = 0;
    internal const uint FILE_ANY_ACCESS = 0;
    internal const uint FILE_READ_WRITE_ACCESS = 3;

    internal static uint CtlCode(uint deviceType, uint function, uint method, uint access) =>
        (deviceType << 16) | (access << 14) | (function << 2) | method;

    /// <summary>0x0004D004: buffered pass-through, data copied through the system buffer.</summary>
    internal const uint IOCTL_SCSI_PASS_THROUGH = 0x0004D004;
    /// <summary>0x0004D014: direct pass-through, caller's buffer locked; must satisfy the adapter AlignmentMask.</summary>
    internal const uint IOCTL_SCSI_PASS_THROUGH_DIRECT = 0x0004D014;
    /// <summary>0x0004D044 (fn 0x411; windows-rs value, absent from mingw): SCSI_PASS_THROUGH_EX.</summary>
    internal const uint IOCTL_SCSI_PASS_THROUGH_EX = 0x0004D044;
    /// <summary>0x0004D048 (fn 0x412): SCSI_PASS_THROUGH_DIRECT_EX.</summary>
    internal const uint IOCTL_SCSI_PASS_THROUGH_DIRECT_EX = 0x0004D048;
    /// <summary>0x00041018: SCSI_ADDRESS of the LU behind a class handle.</summary>
    internal const uint IOCTL_SCSI_GET_ADDRESS = 0x00041018;
    /// <summary>0x002D1400: STORAGE_PROPERTY_QUERY in, STORAGE_*_DESCRIPTOR out.</summary>
    internal const uint IOCTL_STORAGE_QUERY_PROPERTY = 0x002D1400;
}

/// <summary>SCSI_PASS_THROUGH.DataIn values (ntddscsi.h).</summary>
internal static class ScsiIoctlDirection
{
    internal const byte SCSI_IOCTL_DATA_OUT = 0;
    internal const byte SCSI_IOCTL_DATA_IN = 1;
    internal const byte SCSI_IOCTL_DATA_UNSPECIFIED = 2;
}
