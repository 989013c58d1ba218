using System.Runtime.Versioning;
using TapeChanger.Scsi;
using TapeChanger.Transport.Linux.Interop;

namespace TapeChanger.Transport.Linux;

/// <summary>
/// Linux SCSI generic transport: one CDB per <c>ioctl(fd, SG_IO, sg_io_hdr*)</c> on a <c>/dev/sgN</c> node.
/// Returns SAM status, sense (up to 96 bytes) and the residual as data; throws <see cref="ScsiTransportException"/>
/// only for errno, host_status (DID_*) and driver_status failures. Commands are serialised per transport
/// and run synchronously on the calling thread: the sg driver cannot cancel a command in flight, so
/// cancellation is honoured only before a command starts.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SgTransport : IScsiTransport
{
    private readonly SafeFdHandle _fd;
    private readonly Lock _gate = new();

    private SgTransport(string path, SafeFdHandle fd, bool readOnly, int sgVersion, int maxTransfer, int reservedSize)
    {
        Path = path;
        _fd = fd;
        ReadOnly = readOnly;
        SgVersion = sgVersion;
        MaxTransferLength = maxTransfer;
        ReservedSize = reservedSize;
    }

    /// <summary>The device node, e.g. /dev/sg3.</summary>
    public string Path { get; }

    public string Device => "sg:" + Path;

    /// <summary>
    /// True when the node could only be opened O_RDONLY (EACCES/EROFS on O_RDWR). The kernel then lets only
    /// read-safe commands through (INQUIRY, MODE SENSE, ...); READ ELEMENT STATUS and MOVE MEDIUM fail with EPERM
    /// unless the process has CAP_SYS_RAWIO.
    /// </summary>
    public bool ReadOnly { get; }

    /// <summary>SG_GET_VERSION_NUM, e.g. 30536 for sg 3.5.36.</summary>
    public int SgVersion { get; }

    /// <summary>SG_GET_RESERVED_SIZE in bytes (0 if the driver did not say).</summary>
    public int ReservedSize { get; }

    /// <summary>
    /// Largest data transfer one command may carry, in bytes: BLKSECTGET on the sg fd (max_sectors_bytes),
    /// bounded by the queue's max_sectors_kb when sysfs has it and by sg's 256 MiB limit.
    /// </summary>
    public int MaxTransferLength { get; }

    /// <summary>Opens <paramref name="path"/> read-write (non-blocking open), falling back to read-only on EACCES/EROFS.</summary>
    /// <exception cref="ScsiTransportException">The node is missing, not accessible, busy, or not an sg device.</exception>
    public static SgTransport Open(string path, string sysfsRoot = "/")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool readOnly = false;
        int errno = SgIo.Open(path, OpenFlags.O_RDWR | OpenFlags.O_NONBLOCK, out var fd);
        if (errno is Errno.EACCES or Errno.EROFS)
        {
            // sg permits read-safe commands on a read-only fd; write or changer commands will fail with a clear EPERM message.
            if (SgIo.Open(path, OpenFlags.O_RDONLY | OpenFlags.O_NONBLOCK, out var roFd) == 0)
            {
                fd = roFd;
                readOnly = true;
                errno = 0;
            }
        }
        if (errno != 0) throw SgErrors.Open(path, errno);
        try
        {
            int e = SgIo.GetInt(fd, Sg.SG_GET_VERSION_NUM, out int version);
            if (e != 0) throw SgErrors.NotSg(path, e);
            if (version < 30000)
            {
                throw new ScsiTransportException(TransportFailure.Unsupported,
                    $"{path}: sg driver version {version} is too old for SG_IO (needs 3.x)");
            }
            int reserved = SgIo.GetInt(fd, Sg.SG_GET_RESERVED_SIZE, out int r) == 0 ? r : 0;
            int? sectGet = SgIo.GetInt(fd, Sg.BLKSECTGET, out int s) == 0 ? s : null;
            int? queueKb = new SysfsChangerDiscovery(sysfsRoot).QueueMaxSectorsKb(path);
            int max = SgLimits.ComputeMaxTransferLength(reserved, sectGet, queueKb);
            return new SgTransport(path, fd, readOnly, version, max, reserved);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_fd.IsClosed, this);
        return ValueTask.FromResult(Execute(command, dataIn.Span));
    }

    private ScsiResult Execute(ScsiCommand command, Span<byte> dataIn)
    {
        int length = command.TransferLength;
        if (length > Sg.SgMaxDxferLen)
        {
            throw new ScsiTransportException(TransportFailure.Io,
                $"{command.Name} on {Device}: transfer of {length} bytes exceeds the sg limit of 256 MiB", command.Name);
        }
        Span<byte> data;
        int direction;
        switch (command.Direction)
        {
            case DataDirection.In when length > 0:
                if (dataIn.Length < length) throw new ArgumentException($"data-in buffer holds {dataIn.Length} bytes, command needs {length}", nameof(dataIn));
                data = dataIn[..length];
                direction = Sg.SG_DXFER_FROM_DEV;
                break;
            case DataDirection.Out when length > 0:
                var dout = command.DataOut ?? throw new ArgumentException($"{command.Name} is data-out but has no DataOut bytes", nameof(command));
                if (dout.Length < length) throw new ArgumentException($"DataOut holds {dout.Length} bytes, command declares {length}", nameof(command));
                data = dout.AsSpan(0, length);
                direction = Sg.SG_DXFER_TO_DEV;
                break;
            default:
                data = [];
                direction = Sg.SG_DXFER_NONE;
                break;
        }
        Span<byte> sense = stackalloc byte[Sg.SenseBufferSize];
        sense.Clear();
        SgIoReply reply;
        int errno;
        lock (_gate)
        {
            errno = SgIo.Execute(_fd, command.Cdb, direction, data, sense, SgLimits.TimeoutMilliseconds(command.Timeout), out reply);
        }
        if (errno != 0) throw SgErrors.Ioctl(Path, command.Name, errno, ReadOnly);
        return SgReplyInterpreter.Interpret(Device, command, reply, data.Length, sense);
    }

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            _fd.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
