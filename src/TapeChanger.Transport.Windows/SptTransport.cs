using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>Adapter limits from STORAGE_ADAPTER_DESCRIPTOR.</summary>
public readonly record struct SptAdapterLimits(int MaximumTransferLength, int AlignmentMask, byte SrbType)
{
    /// <summary>Used when the adapter query fails: 64 KiB, 8-byte alignment.</summary>
    public static SptAdapterLimits Fallback { get; } = new(64 * 1024, 7, 0);

    private const int PageSize = 4096;

    /// <summary>classpnp's rule: max(PAGE_SIZE, min(MaximumTransferLength, (MaximumPhysicalPages − 1) × PAGE_SIZE)).</summary>
    public static SptAdapterLimits From(uint maximumTransferLength, uint maximumPhysicalPages, uint alignmentMask, byte srbType)
    {
        long max = maximumTransferLength == 0 ? int.MaxValue : maximumTransferLength;
        if (maximumPhysicalPages > 1) max = Math.Min(max, (long)(maximumPhysicalPages - 1) * PageSize);
        max = Math.Max(PageSize, Math.Min(max, int.MaxValue));
        return new SptAdapterLimits((int)max, (int)Math.Min(alignmentMask, 4095u), srbType);
    }
}

/// <summary>
/// Windows SCSI pass-through (SPTI) on <c>\\.\ChangerN</c>, <c>\\.\TapeN</c> or <c>\\.\ScsiN:</c> + bus:target:lun.
/// Uses IOCTL_SCSI_PASS_THROUGH_DIRECT (the _EX form when the adapter reports SrbType 1) with a buffer aligned to the adapter's AlignmentMask and falls back, for the
/// rest of the session, to the double-buffered IOCTL_SCSI_PASS_THROUGH if the direct form is refused. The struct
/// layout follows the process: 56-byte headers in 64-bit (x64, arm64) processes, 44-byte ones in 32-bit processes
/// (which is what WOW64 expects). Calls are synchronous; one command at a time.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class SptTransport : IScsiTransport
{
    private readonly SafeFileHandle _handle;
    private readonly SptPath _path;
    private readonly byte _portNumber, _pathId, _targetId, _lun;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _useBuffered;

    private SptTransport(SafeFileHandle handle, SptPath path, string device, SptAdapterLimits limits, byte portNumber, byte pathId, byte targetId, byte lun)
    {
        _portNumber = portNumber;
        _handle = handle;
        _path = path;
        Device = device;
        Limits = limits;
        _pathId = pathId;
        _targetId = targetId;
        _lun = lun;
    }

    public string Device { get; }

    public SptAdapterLimits Limits { get; }

    /// <summary>True when the adapter reports SRB_TYPE_STORAGE_REQUEST_BLOCK and the _EX IOCTLs are used (as WDS spti does).</summary>
    public bool UsesExtendedPassThrough => Limits.SrbType == 1;

    /// <summary>True once the direct IOCTL was refused and the buffered one is used.</summary>
    public bool UsesBufferedPassThrough => _useBuffered;

    /// <summary>Opens <paramref name="path"/> (CreateFile GENERIC_READ|GENERIC_WRITE, FILE_SHARE_READ|FILE_SHARE_WRITE, OPEN_EXISTING).</summary>
    public static SptTransport Open(SptPath path, string? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        device ??= "spt:" + path;
        var handle = OpenHandle(path.DevicePath);
        if (handle.IsInvalid)
        {
            int error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw Win32ErrorMapping.ToException(error, path.DevicePath, "opening");
        }
        try
        {
            var limits = StorageQueries.QueryAdapter(handle, out var adapter) == 0
                ? SptAdapterLimits.From(adapter.MaximumTransferLength, adapter.MaximumPhysicalPages, adapter.AlignmentMask, adapter.SrbType)
                : SptAdapterLimits.Fallback;
            byte portNumber = path.PortNumber, pathId = path.PathId, targetId = path.TargetId, lun = path.Lun;
            // Through a class handle the address comes from the LU; fill it anyway, as mtx does.
            if (!path.IsAdapter && StorageQueries.GetAddress(handle, out var address) == 0)
            {
                (portNumber, pathId, targetId, lun) = (address.PortNumber, address.PathId, address.TargetId, address.Lun);
            }
            return new SptTransport(handle, path, device, limits, portNumber, pathId, targetId, lun);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    internal static SafeFileHandle OpenHandle(string devicePath) =>
        Interop.Kernel32.CreateFile(devicePath,
            Interop.Kernel32.GENERIC_READ | Interop.Kernel32.GENERIC_WRITE,
            Interop.Kernel32.FILE_SHARE_READ | Interop.Kernel32.FILE_SHARE_WRITE,
            0, Interop.Kernel32.OPEN_EXISTING, Interop.Kernel32.FILE_ATTRIBUTE_NORMAL, 0);

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return Execute(command, dataIn.Span);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ScsiResult Execute(ScsiCommand command, Span<byte> dataIn)
    {
        int length = command.Direction switch
        {
            DataDirection.In => Math.Min(command.TransferLength, dataIn.Length),
            DataDirection.Out => Math.Min(command.TransferLength, command.DataOut?.Length ?? 0),
            _ => 0,
        };
        if (length > Limits.MaximumTransferLength)
        {
            throw new ScsiTransportException(TransportFailure.Io,
                $"{command.Name} on {Device}: {length} bytes exceed the adapter maximum transfer of {Limits.MaximumTransferLength}", command.Name);
        }
        var p = PassThroughRequests.BuildParameters(command, length, _pathId, _targetId, _lun, _portNumber);
        ReadOnlySpan<byte> dataOut = command.DataOut;
        nuint alignment = (nuint)Limits.AlignmentMask + 1;

        bool ex = UsesExtendedPassThrough;
        PassThroughOutcome outcome;
        if (!_useBuffered)
        {
            outcome = ex
                ? PassThroughCall.Execute<SptdExWithSense>(_handle, p, dataOut, dataIn, alignment)
                : PassThroughCall.Execute<SptdWithSense>(_handle, p, dataOut, dataIn, alignment);
            if (!outcome.Succeeded && outcome.Win32Error is Win32Error.ERROR_INVALID_PARAMETER or Win32Error.ERROR_INVALID_FUNCTION or Win32Error.ERROR_NOT_SUPPORTED)
            {
                _useBuffered = true;
            }
            else
            {
                return ToResult(command, outcome);
            }
        }
        outcome = ex
            ? PassThroughCall.Execute<SptExWithSense>(_handle, p, dataOut, dataIn, alignment)
            : PassThroughCall.Execute<SptWithSense>(_handle, p, dataOut, dataIn, alignment);
        return ToResult(command, outcome);
    }

    private ScsiResult ToResult(ScsiCommand command, PassThroughOutcome outcome)
    {
        if (!outcome.Succeeded) throw Win32ErrorMapping.ToException(outcome.Win32Error, Device, command.Name, command.Name);
        var status = (ScsiStatus)outcome.ScsiStatus;
        var sense = status == ScsiStatus.CheckCondition ? outcome.Sense : [];
        return new ScsiResult(status, outcome.Transferred, sense);
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"{Device} ({_path})";
}
