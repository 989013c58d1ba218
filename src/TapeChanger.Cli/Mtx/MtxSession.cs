using TapeChanger.Cleaning;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Cli.Mtx;

/// <summary>
/// One mtx run's device and memory: the changer (opened through TapeChanger's transports, profile, learned quirks,
/// sense policy and reserved cleaner slot), the element status read once and then kept up to date by its own
/// moves as mtx keeps it, the flags, and the current command's numeric arguments. Command bodies are in
/// MtxSession.Commands.cs.
/// </summary>
internal sealed partial class MtxSession(TextWriter stdout, TextWriter stderr, MtxHostOptions host, CancellationToken ct) : IAsyncDisposable
{
    private CliContext? _ctx;
    private MediaChanger? _changer;
    private string? _device;
    private MtxView? _view;
    private bool _invert, _invert2, _noBarcode;
    private byte _eepos;
    private int _arg1 = -1, _arg2 = -1, _arg3 = -1;

    private MtxView View => _view!;
    private MediaChanger Changer => _changer!;

    public void SetArgs(int a1, int a2, int a3) => (_arg1, _arg2, _arg3) = (a1, a2, a3);

    /// <summary>
    /// mtx's FatalError: the message on stderr, exit 1. mtx 1.3.12 mtxl.c FatalError writes "argv0: " into its
    /// buffer and then copies the message over it from the start, so no prefix reaches stderr (checked against
    /// Debian's mtx 1.3.12-14).
    /// </summary>
    public MtxExit Fatal(string message) => new(message);

    /// <summary>The Request Sense report, then a FatalError line.</summary>
    private MtxExit Fatal(SenseData sense, string message) => new(MtxText.RequestSense(sense) + message);

    /// <summary>-f DEVICE: open it now, as mtx does (a missing device fails before any command).</summary>
    public async ValueTask OpenAsync(string device)
    {
        await CloseAsync().ConfigureAwait(false);
        _device = device;
        try
        {
            _ctx = host.Context(DeviceUriFor(device), stdout, stderr);
            _changer = await _ctx.OpenChangerAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not MtxExit and not OperationCanceledException)
        {
            throw Fatal($"cannot open SCSI device '{device}' - {OpenFailure(e)}\n");
        }
    }

    /// <summary>
    /// mtx's -f names a device file: an absolute path without a scheme is an sg: device (any path, not only /dev/).
    /// A small regular file whose first line is a device URI stands for that device, so programs that insist on an
    /// existing path (Amanda's chg-robot checks -e) can drive an iscsi:// or virtual: library.
    /// </summary>
    internal static string DeviceUriFor(string device)
    {
        if (!device.StartsWith('/')) return device;
        try
        {
            var info = new FileInfo(device);
            if (info.Exists && info.Length is > 0 and < 4096 && !device.StartsWith("/dev/", StringComparison.Ordinal))
            {
                string first = File.ReadLines(device).FirstOrDefault()?.Trim() ?? "";
                if (first.Contains("://", StringComparison.Ordinal) || first.StartsWith("virtual:", StringComparison.Ordinal)
                    || first.StartsWith("replay:", StringComparison.Ordinal) || first.StartsWith("sg:", StringComparison.Ordinal)
                    || first.StartsWith("usb:", StringComparison.Ordinal) || first.StartsWith("spt:", StringComparison.Ordinal))
                {
                    return first;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not readable as a file: open it as a device and let that report the problem.
        }
        return "sg:" + device;
    }

    /// <summary>The %m part of mtx's "cannot open SCSI device" message: strerror for what has an errno, else our words.</summary>
    private static string OpenFailure(Exception e) => e switch
    {
        ScsiTransportException { Failure: TransportFailure.NotFound } => "No such file or directory",
        ScsiTransportException { Failure: TransportFailure.PermissionDenied } => "Permission denied",
        ScsiTransportException { Failure: TransportFailure.Busy } => "Device or resource busy",
        _ => ErrorMapper.Map(e).Message,
    };

    /// <summary>mtx.c execute_command: without -f, the CHANGER environment variable, then TapeChanger's configured default.</summary>
    public async ValueTask EnsureDeviceAsync()
    {
        if (_changer is not null) return;
        string? env = CliEnvironment.Get("CHANGER");
        if (string.IsNullOrEmpty(env))
        {
            env = host.Context(null, stdout, stderr).DeviceUri;
        }
        await OpenAsync(env).ConfigureAwait(false);
    }

    /// <summary>The element status, read before the first command that needs it and not re-read after (mtx.c execute_command).</summary>
    public async ValueTask EnsureStatusAsync()
    {
        if (_view is not null) return;
        LibraryStatus status;
        try
        {
            status = await Changer.GetStatusAsync(ct).ConfigureAwait(false);
        }
        catch (ChangerOperationException e) when (e.Sense is { } sense)
        {
            throw Fatal(sense, "READ ELEMENT STATUS Command Failed\n");
        }
        catch (Exception e) when (e is not MtxExit and not OperationCanceledException)
        {
            throw Fatal(ErrorMapper.Map(e).Message + "\n");
        }
        _view = MtxView.From(status, barcodes: !_noBarcode);
        if (_view.Drives.Count == 0) throw Fatal("no Data Transfer Element reported\n");
        if (_view.Slots.Count == 0) throw Fatal("no Storage Elements reported\n");
    }

    public ValueTask Flag(bool invert = false, bool invert2 = false, bool noBarcode = false)
    {
        // noattach and altres choose how mtx reads the library; TapeChanger's profile and learned quirks decide that.
        _invert |= invert;
        _invert2 |= invert2;
        _noBarcode |= noBarcode;
        return ValueTask.CompletedTask;
    }

    public ValueTask Eepos()
    {
        if (_arg1 < 0 || _arg1 > 3) throw Fatal("eepos equires argument between 0 and 3.\n");
        _eepos = (byte)_arg1;
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// mtx.c Move(): MOVE MEDIUM through the domain (its checks, eject-before-unload, verification) under the
    /// library's robot lock. A refusal the domain makes from the element status is worded as the library's own
    /// 3B/0D, 3B/0E would be; device sense gets mtx's special cases, else the Request Sense report.
    /// </summary>
    private async ValueTask MoveAsync(ushort source, ushort destination)
    {
        try
        {
            using var robot = await RobotLockAsync().ConfigureAwait(false);
            await Changer.MoveAsync(source, destination, null, ct, new MoveOptions(_invert, _eepos)).ConfigureAwait(false);
        }
        catch (ChangerOperationException e)
        {
            throw MoveFailure(e, source, destination, "MOVE MEDIUM");
        }
    }

    private MtxExit MoveFailure(ChangerOperationException e, int source, int destination, string verb)
    {
        if (e.Sense is { } s)
        {
            return (s.Asc, s.Ascq) switch
            {
                (0x30, 0x03) => Fatal("Cleaning Cartridge Installed and Ejected\n"),
                (0x3A, 0x00) => Fatal("Drive needs offline before move\n"),
                (0x3B, 0x0D) => Fatal($"Destination Element Address {destination} is Already Full\n"),
                (0x3B, 0x0E) => Fatal($"Source Element Address {source} is Empty\n"),
                _ => Fatal(s, $"{verb} from Element Address {source} to {destination} Failed\n"),
            };
        }
        return e.Error switch
        {
            ChangerError.SourceEmpty => Fatal($"Source Element Address {source} is Empty\n"),
            ChangerError.DestinationFull => Fatal($"Destination Element Address {destination} is Already Full\n"),
            _ => Fatal(e.Message + "\n"),
        };
    }

    /// <summary>The library's robot lock (the one cleaner steps and the other move commands hold), mtx-worded when it cannot be had.</summary>
    private async ValueTask<IDisposable> RobotLockAsync()
    {
        try
        {
            return await _ctx!.LockRobotAsync(Changer, ct).ConfigureAwait(false);
        }
        catch (CleanerException e)
        {
            throw Fatal(e.Message + "\n");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw Fatal($"cannot take the library's robot lock under {_ctx!.StateDirectory}: {e.Message}; give a writable state directory (TAPECHANGER_STATE_DIR)\n");
        }
    }

    private async ValueTask CloseAsync()
    {
        _ctx?.Finish();
        if (_changer is not null) await _changer.DisposeAsync().ConfigureAwait(false);
        _changer = null;
        _ctx = null;
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);
}
