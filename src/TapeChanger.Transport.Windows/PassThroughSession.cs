using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>Which pass-through IOCTL carries a request.</summary>
internal enum PassThroughForm
{
    /// <summary>IOCTL_SCSI_PASS_THROUGH_DIRECT(_EX): the driver locks the caller's (aligned) buffer.</summary>
    Direct,
    /// <summary>IOCTL_SCSI_PASS_THROUGH(_EX): the data is copied through the system buffer after the header.</summary>
    Buffered,
}

/// <summary>One DeviceIoControl per request (the Win32 side; a fake in tests).</summary>
internal interface IPassThroughDevice
{
    PassThroughOutcome Send(PassThroughForm form, in PassThroughParameters p, ReadOnlySpan<byte> dataOut, Span<byte> dataIn);
}

/// <summary>
/// The platform-neutral part of an SPTI session: the adapter limit, the choice of IOCTL, the fall-back from the
/// direct to the buffered form, and turning the reply into a <see cref="ScsiResult"/>. Not thread-safe: the
/// transport sends one command at a time.
/// </summary>
internal sealed class PassThroughSession(IPassThroughDevice device, string deviceName, SptAdapterLimits limits, byte portNumber, byte pathId, byte targetId, byte lun, bool bufferedOnly = false)
{
    private bool _useBuffered = bufferedOnly;

    public SptAdapterLimits Limits => limits;

    public bool UsesBufferedPassThrough => _useBuffered;

    /// <summary>Set once when the direct form was refused and the session moved to the buffered one.</summary>
    public int? DirectRefusedWith { get; private set; }

    public ScsiResult Execute(ScsiCommand command, Span<byte> dataIn)
    {
        int length = command.Direction switch
        {
            DataDirection.In => Math.Min(command.TransferLength, dataIn.Length),
            DataDirection.Out => Math.Min(command.TransferLength, command.DataOut?.Length ?? 0),
            _ => 0,
        };
        if (length > limits.MaximumTransferLength)
        {
            throw new ScsiTransportException(TransportFailure.Io,
                $"{command.Name} on {deviceName}: {length} bytes exceed the adapter maximum transfer of {limits.MaximumTransferLength}", command.Name);
        }
        var p = PassThroughRequests.BuildParameters(command, length, pathId, targetId, lun, portNumber);
        ReadOnlySpan<byte> dataOut = command.DataOut;
        if (!_useBuffered)
        {
            var direct = device.Send(PassThroughForm.Direct, p, dataOut, dataIn);
            // A driver that cannot lock the caller's buffer refuses the direct form before the command reaches the
            // device; the buffered form then carries this command and the rest of the session.
            if (direct.Succeeded || direct.Win32Error is not (Win32Error.ERROR_INVALID_PARAMETER or Win32Error.ERROR_INVALID_FUNCTION or Win32Error.ERROR_NOT_SUPPORTED))
            {
                return ToResult(command, direct, length);
            }
            _useBuffered = true;
            DirectRefusedWith = direct.Win32Error;
        }
        return ToResult(command, device.Send(PassThroughForm.Buffered, p, dataOut, dataIn), length);
    }

    private ScsiResult ToResult(ScsiCommand command, PassThroughOutcome outcome, int length)
    {
        if (!outcome.Succeeded)
        {
            var e = Win32ErrorMapping.ToException(outcome.Win32Error, deviceName, command.Name, command.Name);
            // Both IOCTLs refusing a request that carries data: most often a transfer longer than the adapter takes.
            if (outcome.Win32Error == Win32Error.ERROR_INVALID_PARAMETER && length > 0)
                e = new ScsiTransportException(e.Failure, $"{e.Message}; the adapter may not take {length}-byte transfers", e.Command);
            throw e;
        }
        var status = (ScsiStatus)outcome.ScsiStatus;
        var sense = status == ScsiStatus.CheckCondition ? outcome.Sense : [];
        return new ScsiResult(status, outcome.Transferred, sense);
    }
}
