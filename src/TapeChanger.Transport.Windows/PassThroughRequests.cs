using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>Platform-neutral part of building a pass-through request (testable anywhere).</summary>
internal static class PassThroughRequests
{
    internal static PassThroughParameters BuildParameters(ScsiCommand command, int length, byte pathId, byte targetId, byte lun, byte portNumber = 0)
    {
        byte direction = command.Direction switch
        {
            DataDirection.In => ScsiIoctlDirection.SCSI_IOCTL_DATA_IN,
            DataDirection.Out => ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT,
            _ => ScsiIoctlDirection.SCSI_IOCTL_DATA_UNSPECIFIED,
        };
        if (length == 0) direction = ScsiIoctlDirection.SCSI_IOCTL_DATA_UNSPECIFIED;
        return new PassThroughParameters(command.Cdb, direction, (uint)length, TimeoutSeconds(command.Timeout), pathId, targetId, lun, portNumber);
    }

    /// <summary>TimeOutValue is in seconds (Linux SG_IO uses milliseconds): round up, at least 1.</summary>
    internal static uint TimeoutSeconds(TimeSpan timeout)
    {
        double s = Math.Ceiling(timeout.TotalSeconds);
        return s < 1 ? 1 : s > 108000 ? 108000u : (uint)s;
    }
}
