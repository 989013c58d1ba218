using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Transport.Usb;

/// <summary>Settings of one Bulk-Only session.</summary>
public sealed record BulkOnlyOptions
{
    /// <summary>bCBWLUN, 0 to 15.</summary>
    public byte Lun { get; init; }

    /// <summary>REQUEST SENSE allocation length, 18 to 96 (Linux usb-storage asks for 18).</summary>
    public byte SenseLength { get; init; } = 18;

    /// <summary>Trust the bytes actually moved, not dCSWDataResidue (Linux US_FL_IGNORE_RESIDUE for devices that misreport it).</summary>
    public bool IgnoreResidue { get; init; }

    /// <summary>Timeout of the Bulk-Only Mass Storage Reset and the clear-halts after it (Linux: 5 s).</summary>
    public TimeSpan ResetTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timeout of the CBW transfer (the data and status phases use the command's timeout).</summary>
    public TimeSpan CommandBlockTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static BulkOnlyOptions Default { get; } = new();
}

/// <summary>
/// SCSI over USB Mass Storage Bulk-Only Transport (USB Mass Storage Class Bulk-Only Transport 1.0 §5-6; the flow of Linux drivers/usb/storage/transport.c usb_stor_Bulk_transport): CBW out, data
/// phase, CSW in. A stalled data phase is cleared and the CSW still read; a stalled CSW is cleared and read once more;
/// CSW status 1 is answered with REQUEST SENSE and returned as CHECK CONDITION with that sense; a phase error, an
/// invalid CSW, a timeout or a failed transfer trigger reset recovery (mass storage reset + clear halt on both bulk
/// endpoints) and throw <see cref="ScsiTransportException"/>. Calls are synchronous; one command at a time.
/// </summary>
public sealed class BulkOnlyTransport : IScsiTransport
{
    /// <summary>Bulk-Only Mass Storage Reset: class request FFh to the interface, host to device.</summary>
    public const byte ResetRequestType = 0x21;
    public const byte ResetRequest = 0xFF;
    /// <summary>GET MAX LUN: class request FEh to the interface, device to host, one byte.</summary>
    public const byte GetMaxLunRequestType = 0xA1;
    public const byte GetMaxLunRequest = 0xFE;

    /// <summary>
    /// The claimed interface as the LUNs behind it share it: one command at a time on the bulk pipes whatever the LUN
    /// (BOT §5.3: the host sends the next CBW only after the CSW of the last), one tag sequence, and whether the owner
    /// has closed it.
    /// </summary>
    private sealed class Pipe(IUsbBulkDevice device)
    {
        public IUsbBulkDevice Device { get; } = device;
        public SemaphoreSlim Gate { get; } = new(1, 1);
        public uint Tag;
        public bool Closed;
    }

    private readonly Pipe _pipe;
    private readonly IUsbBulkDevice _device;
    private readonly BulkOnlyOptions _options;
    private readonly bool _ownsDevice;
    private readonly bool _sibling;
    private bool _disposed;

    public BulkOnlyTransport(IUsbBulkDevice device, string deviceName, BulkOnlyOptions? options = null, bool ownsDevice = true)
        : this(new Pipe(device ?? throw new ArgumentNullException(nameof(device))), deviceName, options, ownsDevice, sibling: false)
    {
    }

    private BulkOnlyTransport(Pipe pipe, string deviceName, BulkOnlyOptions? options, bool ownsDevice, bool sibling)
    {
        _pipe = pipe;
        _device = pipe.Device;
        _options = options ?? BulkOnlyOptions.Default;
        if (_options.Lun > 15) throw new ArgumentOutOfRangeException(nameof(options), "LUN must be 0 to 15");
        if (_options.SenseLength is < 18 or > 96) throw new ArgumentOutOfRangeException(nameof(options), "sense length must be 18 to 96");
        _ownsDevice = ownsDevice;
        _sibling = sibling;
        Device = deviceName;
    }

    public string Device { get; }

    public byte Lun => _options.Lun;

    /// <summary>Reset recoveries done so far (diagnostics and tests).</summary>
    public int ResetRecoveries { get; private set; }

    /// <summary>The tag of the last CBW sent on this interface (by any LUN's transport).</summary>
    public uint LastTag => _pipe.Tag;

    /// <summary>
    /// Another LUN of the same claimed interface (an autoloader's tape drive beside its changer): shares this
    /// transport's device, its one-command-at-a-time gate and its tag sequence; disposing it leaves the device open.
    /// It works while this transport is open; after that its commands fail with NotFound.
    /// </summary>
    public BulkOnlyTransport OpenLun(byte lun, string deviceName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lun > 15) throw new ArgumentOutOfRangeException(nameof(lun), "LUN must be 0 to 15");
        return new BulkOnlyTransport(_pipe, deviceName, _options with { Lun = lun }, ownsDevice: false, sibling: true);
    }

    /// <summary>GET MAX LUN on this transport's interface, between commands (0 when the device stalls it).</summary>
    public async ValueTask<byte> GetMaxLunAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _pipe.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed("GET MAX LUN");
            return GetMaxLun(_device);
        }
        finally
        {
            _pipe.Gate.Release();
        }
    }

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ObjectDisposedException.ThrowIf(_disposed, this);
        ThrowIfClosed(command.Name);
        await _pipe.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ThrowIfClosed(command.Name);
            return Execute(command, dataIn);
        }
        finally
        {
            _pipe.Gate.Release();
        }
    }

    private void ThrowIfClosed(string name)
    {
        if (_pipe.Closed)
            throw new ScsiTransportException(TransportFailure.NotFound, $"{name} on {Device}: the USB interface was closed with the session that claimed it", name);
    }

    private ScsiResult Execute(ScsiCommand command, Memory<byte> dataIn)
    {
        int length = command.Direction switch
        {
            DataDirection.In => Math.Min(command.TransferLength, dataIn.Length),
            DataDirection.Out => Math.Min(command.TransferLength, command.DataOut?.Length ?? 0),
            _ => 0,
        };
        var (status, transferred) = Transact(command.Name, command.Cdb, command.Direction, length, dataIn.Span, command.DataOut, command.Timeout);
        if (status == CswStatus.Passed) return new ScsiResult(ScsiStatus.Good, transferred, []);
        return new ScsiResult(ScsiStatus.CheckCondition, transferred, RequestSense());
    }

    /// <summary>REQUEST SENSE as a BOT command of its own; empty if that fails too.</summary>
    private byte[] RequestSense()
    {
        var command = SpcCommands.RequestSense(_options.SenseLength);
        var buffer = new byte[_options.SenseLength];
        var (status, transferred) = Transact(command.Name, command.Cdb, DataDirection.In, buffer.Length, buffer, null, command.Timeout);
        return status == CswStatus.Passed ? buffer.AsSpan(0, transferred).ToArray() : [];
    }

    /// <summary>One CBW / data / CSW round. Returns the CSW status (never PhaseError) and the bytes moved.</summary>
    private (CswStatus Status, int Transferred) Transact(string name, ReadOnlySpan<byte> cdb, DataDirection direction, int length,
        Span<byte> dataIn, ReadOnlySpan<byte> dataOut, TimeSpan timeout)
    {
        uint tag = unchecked(++_pipe.Tag);
        bool isIn = direction == DataDirection.In && length > 0;
        Span<byte> cbw = stackalloc byte[CommandBlockWrapper.Length];
        CommandBlockWrapper.Encode(cbw, tag, (uint)length, isIn, _options.Lun, cdb);

        // 1. Command transport.
        var r = _device.BulkOut(cbw, _options.CommandBlockTimeout);
        if (r.Status != UsbTransferStatus.Ok || r.Count != CommandBlockWrapper.Length)
            throw Fail(name, "sending the CBW", r);

        // 2. Data transport.
        int actual = 0;
        Span<byte> csw = stackalloc byte[CommandStatusWrapper.Length];
        bool cswInData = false;
        if (length > 0)
        {
            byte endpoint = isIn ? _device.BulkInEndpoint : _device.BulkOutEndpoint;
            r = isIn ? _device.BulkIn(dataIn[..length], timeout) : _device.BulkOut(dataOut[..length], timeout);
            switch (r.Status)
            {
                case UsbTransferStatus.Ok:
                    actual = r.Count;
                    // Some devices skip the data phase and send the CSW at once (Linux "device skipped data phase").
                    if (isIn && actual == CommandStatusWrapper.Length && length != CommandStatusWrapper.Length && LooksLikeCsw(dataIn, tag))
                    {
                        dataIn[..CommandStatusWrapper.Length].CopyTo(csw);
                        dataIn[..CommandStatusWrapper.Length].Clear();
                        actual = 0;
                        cswInData = true;
                    }
                    break;
                case UsbTransferStatus.Stall:
                    // The device ended the data phase early: clear the halt and go on to the status phase.
                    actual = r.Count;
                    var cleared = _device.ClearHalt(endpoint);
                    if (cleared.Status != UsbTransferStatus.Ok) throw Fail(name, $"clearing the halt on endpoint {endpoint:X2}h", cleared);
                    break;
                case UsbTransferStatus.Overflow:
                    actual = length;            // babble: the buffer is full; the CSW still follows
                    break;
                default:
                    throw Fail(name, isIn ? "reading data" : "writing data", r);
            }
        }

        // 3. Status transport: retry once after a stall or a zero-length read.
        int cswLength = CommandStatusWrapper.Length;
        if (!cswInData)
        {
            for (int attempt = 0; ; attempt++)
            {
                r = _device.BulkIn(csw, timeout);
                bool retry = r.Status == UsbTransferStatus.Stall || (r.Status == UsbTransferStatus.Ok && r.Count == 0);
                if (!retry || attempt == 1) break;
                if (r.Status == UsbTransferStatus.Stall)
                {
                    var cleared = _device.ClearHalt(_device.BulkInEndpoint);
                    if (cleared.Status != UsbTransferStatus.Ok) throw Fail(name, "clearing the halt on the bulk-in endpoint", cleared);
                }
            }
            if (r.Status != UsbTransferStatus.Ok) throw Fail(name, "reading the CSW", r);
            cswLength = r.Count;
        }

        // 4. Validate.
        CommandStatusWrapper status;
        try
        {
            status = CommandStatusWrapper.Decode(csw[..cswLength], tag);
        }
        catch (InvalidCswException e)
        {
            string note = ResetRecoveryNote();
            throw new ScsiTransportException(TransportFailure.Io, $"{name} on {Device}: invalid CSW ({e.Message}); device reset{note}", name, e);
        }
        if (status.Status == CswStatus.PhaseError)
        {
            string note = ResetRecoveryNote();
            throw new ScsiTransportException(TransportFailure.Io, $"{name} on {Device}: phase error reported by the device; device reset{note}", name);
        }

        // 5. Residue.
        int residue = (int)Math.Min(status.DataResidue, (uint)length);
        int transferred = _options.IgnoreResidue ? actual : Math.Min(actual, length - residue);
        return (status.Status, transferred);
    }

    private static bool LooksLikeCsw(ReadOnlySpan<byte> data, uint tag) =>
        BinaryPrimitives.ReadUInt32LittleEndian(data) == CommandStatusWrapper.Signature
        && BinaryPrimitives.ReadUInt32LittleEndian(data[4..]) == tag
        && data[12] <= (byte)CswStatus.PhaseError;

    /// <summary>Turns a failed transfer into the exception, doing reset recovery first where it can help.</summary>
    private ScsiTransportException Fail(string name, string step, UsbTransferResult r)
    {
        if (r.Status == UsbTransferStatus.NoDevice)
            return new ScsiTransportException(TransportFailure.NotFound, $"{name} on {Device}: the device disappeared while {step}", name);
        string note = ResetRecoveryNote();
        return r.Status switch
        {
            UsbTransferStatus.Timeout => new ScsiTransportException(TransportFailure.Timeout, $"{name} on {Device}: timed out {step}; device reset{note}", name),
            UsbTransferStatus.Stall => new ScsiTransportException(TransportFailure.Io, $"{name} on {Device}: endpoint stalled {step}; device reset{note}", name),
            UsbTransferStatus.Ok => new ScsiTransportException(TransportFailure.Io, $"{name} on {Device}: short transfer ({r.Count} bytes) {step}; device reset{note}", name),
            _ => new ScsiTransportException(TransportFailure.Io, $"{name} on {Device}: {r.Detail ?? r.Status.ToString()} {step}; device reset{note}", name),
        };
    }

    private string ResetRecoveryNote()
    {
        var failures = ResetRecovery();
        return failures.Count == 0 ? "" : $" (reset recovery: {string.Join(", ", failures)})";
    }

    /// <summary>
    /// Reset recovery (BOT §5.3.4): Bulk-Only Mass Storage Reset, then CLEAR_FEATURE(ENDPOINT_HALT) on bulk-in and
    /// bulk-out. Returns the steps that failed (empty when all succeeded).
    /// </summary>
    public IReadOnlyList<string> ResetRecovery()
    {
        ResetRecoveries++;
        var failed = new List<string>();
        var r = _device.ControlTransfer(ResetRequestType, ResetRequest, 0, _device.InterfaceNumber, [], _options.ResetTimeout);
        if (r.Status != UsbTransferStatus.Ok) failed.Add($"mass storage reset {Describe(r)}");
        r = _device.ClearHalt(_device.BulkInEndpoint);
        if (r.Status != UsbTransferStatus.Ok) failed.Add($"clear halt {_device.BulkInEndpoint:X2}h {Describe(r)}");
        r = _device.ClearHalt(_device.BulkOutEndpoint);
        if (r.Status != UsbTransferStatus.Ok) failed.Add($"clear halt {_device.BulkOutEndpoint:X2}h {Describe(r)}");
        return failed;
    }

    private static string Describe(UsbTransferResult r) => r.Detail ?? r.Status.ToString().ToLowerInvariant();

    /// <summary>GET MAX LUN; 0 when the device stalls the request or answers nonsense (single-LUN devices may stall).</summary>
    public static byte GetMaxLun(IUsbBulkDevice device, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        Span<byte> b = stackalloc byte[1];
        var r = device.ControlTransfer(GetMaxLunRequestType, GetMaxLunRequest, 0, device.InterfaceNumber, b, timeout ?? TimeSpan.FromSeconds(10));
        return r.Status == UsbTransferStatus.Ok && r.Count == 1 && b[0] <= 15 ? b[0] : (byte)0;
    }

    /// <summary>
    /// The LUN whose INQUIRY reports peripheral device type 08h (medium changer); 0 when the device has one LUN or none
    /// says so. Autoloaders often put the drive on LUN 0 and the changer on LUN 1.
    /// </summary>
    public static async ValueTask<byte> FindChangerLunAsync(IUsbBulkDevice device, string deviceName, BulkOnlyOptions? options = null, CancellationToken cancellationToken = default)
    {
        byte max = GetMaxLun(device);
        if (max == 0) return 0;
        options ??= BulkOnlyOptions.Default;
        for (byte lun = 0; lun <= max; lun++)
        {
            await using var probe = new BulkOnlyTransport(device, deviceName, options with { Lun = lun }, ownsDevice: false);
            var inquiry = SpcCommands.Inquiry(36);
            var buffer = new byte[36];
            var result = await probe.ExecuteAsync(inquiry, buffer, cancellationToken).ConfigureAwait(false);
            if (result.Status == ScsiStatus.Good && result.DataTransferred > 0 && (buffer[0] & 0x1F) == 0x08 && (buffer[0] >> 5) == 0) return lun;
        }
        return 0;
    }

    /// <summary>
    /// Closes the interface when this transport owns it (after a command another LUN has in flight); a transport from
    /// <see cref="OpenLun"/> leaves it open.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        if (_sibling) return;
        await _pipe.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _pipe.Closed = true;
            if (_ownsDevice) _device.Dispose();
        }
        finally
        {
            _pipe.Gate.Release();
        }
    }
}
