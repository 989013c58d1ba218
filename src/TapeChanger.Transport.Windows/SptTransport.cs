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

    /// <summary>Bytes of STORAGE_ADAPTER_DESCRIPTOR up to and including AlignmentMask (the fields the limits use).</summary>
    internal const uint MinimumUsefulReply = 20;

    /// <summary>
    /// The limits from an IOCTL_STORAGE_QUERY_PROPERTY(StorageAdapterProperty) reply: <see cref="Fallback"/> when the
    /// call failed, or when it "succeeded" with fewer bytes than the limit fields (Wine 8 answers an unknown property
    /// with success and 0 bytes; read as a descriptor of zeros that would mean "no limit").
    /// </summary>
    internal static SptAdapterLimits FromQuery(int win32Error, uint bytesReturned, in StorageAdapterDescriptor d)
    {
        if (win32Error != 0 || bytesReturned < MinimumUsefulReply) return Fallback;
        byte srbType = bytesReturned >= 31 ? d.SrbType : (byte)0;   // pre-Windows 8: 30 bytes, no SrbType/AddressType
        return From(d.MaximumTransferLength, d.MaximumPhysicalPages, d.AlignmentMask, srbType);
    }

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
/// Uses IOCTL_SCSI_PASS_THROUGH_DIRECT (the _EX form when the adapter reports SrbType 1) with a buffer aligned to the
/// adapter's AlignmentMask and falls back, for the rest of the session, to the double-buffered IOCTL_SCSI_PASS_THROUGH
/// if the direct form is refused (or uses the buffered form from the start when asked to). The struct layout follows
/// the process: 56-byte headers in 64-bit (x64, arm64) processes, 44-byte ones in 32-bit processes (which is what
/// WOW64 expects). Calls are synchronous; one command at a time.
/// </summary>
[SupportedOSPlatform("windows")]
public sealed class SptTransport : IScsiTransport
{
    private readonly SafeFileHandle _handle;
    private readonly SptPath _path;
    private readonly PassThroughSession _session;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SptTransport(SafeFileHandle handle, SptPath path, string device, PassThroughSession session)
    {
        _handle = handle;
        _path = path;
        Device = device;
        _session = session;
    }

    public string Device { get; }

    public SptAdapterLimits Limits => _session.Limits;

    /// <summary>The adapter's maximum transfer: READ ELEMENT STATUS is cut into chunks that fit.</summary>
    public int MaxTransferLength => _session.Limits.MaximumTransferLength;

    /// <summary>True when the adapter reports SRB_TYPE_STORAGE_REQUEST_BLOCK and the _EX IOCTLs are used (as WDS spti does).</summary>
    public bool UsesExtendedPassThrough => Limits.SrbType == 1;

    /// <summary>True once the direct IOCTL was refused (or from the start when asked for) and the buffered one is used.</summary>
    public bool UsesBufferedPassThrough => _session.UsesBufferedPassThrough;

    /// <summary>
    /// Opens <paramref name="path"/> (CreateFile GENERIC_READ|GENERIC_WRITE, FILE_SHARE_READ|FILE_SHARE_WRITE, OPEN_EXISTING).
    /// <paramref name="bufferedOnly"/> skips the direct IOCTL (for drivers known to mishandle it).
    /// </summary>
    public static SptTransport Open(SptPath path, string? device = null, bool bufferedOnly = false)
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
            int queryError = StorageQueries.QueryAdapter(handle, out var adapter, out uint returned);
            var limits = SptAdapterLimits.FromQuery(queryError, returned, adapter);
            byte portNumber = path.PortNumber, pathId = path.PathId, targetId = path.TargetId, lun = path.Lun;
            // Through a class handle the address comes from the LU; fill it anyway, as mtx does.
            if (!path.IsAdapter && StorageQueries.GetAddress(handle, out var address) == 0)
            {
                (portNumber, pathId, targetId, lun) = (address.PortNumber, address.PathId, address.TargetId, address.Lun);
            }
            var session = new PassThroughSession(new HandlePassThroughDevice(handle, limits), device, limits, portNumber, pathId, targetId, lun, bufferedOnly);
            return new SptTransport(handle, path, device, session);
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
            return _session.Execute(command, dataIn.Span);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _handle.Dispose();
        _gate.Dispose();
        return ValueTask.CompletedTask;
    }

    public override string ToString() => $"{Device} ({_path})";
}

/// <summary>DeviceIoControl on an open handle, with the wrapper the adapter and the process ABI call for.</summary>
[SupportedOSPlatform("windows")]
internal sealed class HandlePassThroughDevice(SafeFileHandle handle, SptAdapterLimits limits) : IPassThroughDevice
{
    public PassThroughOutcome Send(PassThroughForm form, in PassThroughParameters p, ReadOnlySpan<byte> dataOut, Span<byte> dataIn)
    {
        nuint alignment = (nuint)limits.AlignmentMask + 1;
        bool ex = limits.SrbType == 1;
        return (form, ex) switch
        {
            (PassThroughForm.Direct, true) => PassThroughCall.Execute<SptdExWithSense>(handle, p, dataOut, dataIn, alignment),
            (PassThroughForm.Direct, false) => PassThroughCall.Execute<SptdWithSense>(handle, p, dataOut, dataIn, alignment),
            (_, true) => PassThroughCall.Execute<SptExWithSense>(handle, p, dataOut, dataIn, alignment),
            (_, false) => PassThroughCall.Execute<SptWithSense>(handle, p, dataOut, dataIn, alignment),
        };
    }
}
