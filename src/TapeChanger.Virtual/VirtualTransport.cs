using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Virtual;

/// <summary>
/// An <see cref="IScsiTransport"/> onto one LUN of a <see cref="VirtualLibraryStore"/>'s library. State is saved
/// after every command that changed it. Transports opened with <see cref="OpenLun"/> share the store; the store is
/// disposed with the last of them.
/// </summary>
public sealed class VirtualTransport : IScsiTransport
{
    private sealed class Shared(VirtualLibraryStore store)
    {
        public VirtualLibraryStore Store { get; } = store;
        public int References = 1;
    }

    private readonly Shared _shared;
    private readonly Func<VirtualLibraryStore>? _reopen;
    private bool _disposed;

    /// <summary>Wraps <paramref name="store"/>; the transport owns it (disposes it with the last LUN transport).</summary>
    public VirtualTransport(VirtualLibraryStore store, string device = "virtual:", int lun = 0)
        : this(new Shared(store), device, lun)
    {
    }

    /// <param name="reopen">Opens the library's files again (<see cref="OpenLunAnew"/>); null: this transport cannot.</param>
    public VirtualTransport(VirtualLibraryStore store, string device, int lun, Func<VirtualLibraryStore>? reopen)
        : this(new Shared(store), device, lun, reopen)
    {
    }

    private VirtualTransport(Shared shared, string device, int lun, Func<VirtualLibraryStore>? reopen = null)
    {
        _shared = shared;
        Device = device;
        Lun = lun;
        _reopen = reopen;
    }

    public string Device { get; }

    /// <summary>0 = the changer, 1..N = drives.</summary>
    public int Lun { get; }

    public VirtualLibraryStore Store => _shared.Store;

    public VirtualLibrary Library => _shared.Store.Library;

    /// <summary>Another transport onto the same library at <paramref name="lun"/> (a drive), sharing the store and its lock.</summary>
    public VirtualTransport OpenLun(int lun)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (lun < 0 || lun > Library.DriveCount)
            throw new ArgumentOutOfRangeException(nameof(lun), $"LUN {lun} does not exist on {Device}; LUNs are 0 (changer) to {Library.DriveCount}");
        Interlocked.Increment(ref _shared.References);
        return new VirtualTransport(_shared, Device, lun, _reopen);
    }

    /// <summary>True when <see cref="OpenLunAnew"/> can open the library's files again (a transport its factory opened).</summary>
    public bool CanReopen => _reopen is not null;

    /// <summary>
    /// <paramref name="lun"/> (a drive), also once this transport is closed: on the same store while any transport of
    /// it is still open (another session of this process holds the library), else on the library's files opened anew,
    /// their lock taken again, as a drive on another transport opens on its own device without the changer's connection
    /// (a drive listed in a session that has since closed).
    /// </summary>
    public VirtualTransport OpenLunAnew(int lun)
    {
        if (!_disposed) return OpenLun(lun);
        VirtualTransport drive;
        if (TryJoin())
        {
            drive = new VirtualTransport(_shared, Device, lun, _reopen);
        }
        else
        {
            var reopen = _reopen ?? throw new ObjectDisposedException(nameof(VirtualTransport), $"{Device} is closed and cannot open its library files again");
            drive = new VirtualTransport(new Shared(reopen()), Device, lun, reopen);
        }
        if (lun < 1 || lun > drive.Library.DriveCount)
        {
            drive.Release();
            throw new ArgumentOutOfRangeException(nameof(lun), $"LUN {lun} is no drive of {Device}; drives are LUNs 1 to {drive.Library.DriveCount}");
        }
        return drive;
    }

    /// <summary>Takes a reference on the shared store unless its last transport closed it.</summary>
    private bool TryJoin()
    {
        while (true)
        {
            int n = Volatile.Read(ref _shared.References);
            if (n == 0) return false;
            if (Interlocked.CompareExchange(ref _shared.References, n + 1, n) == n) return true;
        }
    }

    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        byte op = command.Cdb[0];
        if (Lun == 0 && op is (OpCode.MoveMedium or OpCode.ExchangeMedium) && Library.MoveTime > TimeSpan.Zero)
            return new ValueTask<ScsiResult>(MoveAsync(command, dataIn, cancellationToken));
        return ValueTask.FromResult(Execute(command, dataIn));
    }

    /// <summary>
    /// A move with the simulated move time (device.conf <c>Move time</c>): the robot is held for the whole time, so moves
    /// never overlap, while the library itself stays free for every other command (a drive's TEST UNIT READY during a
    /// cleaning, a status). The move takes effect when its time is over, as the reply of a real library comes then.
    /// </summary>
    private async Task<ScsiResult> MoveAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken ct)
    {
        var library = Library;
        await library.Robot.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var start = library.Time.GetUtcNow();
            var time = command.Cdb[0] == OpCode.ExchangeMedium ? library.MoveTime * 2 : library.MoveTime;
            await Task.Delay(time, library.Time, ct).ConfigureAwait(false);
            var result = Execute(command, dataIn);
            var cdb = command.Cdb;
            library.RecordMove(new VirtualRobotMove(cdb[0], (ushort)((cdb[4] << 8) | cdb[5]), (ushort)((cdb[6] << 8) | cdb[7]),
                start, library.Time.GetUtcNow(), result.Status == ScsiStatus.Good));
            return result;
        }
        finally
        {
            library.Robot.Release();
        }
    }

    private ScsiResult Execute(ScsiCommand command, Memory<byte> dataIn)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ScsiResult result = default;
        lock (_shared)
        {
            bool quiet = Library.LeavesStateUnchanged(Lun, command.Cdb[0]);
            try
            {
                result = Library.Execute(Lun, command, dataIn.Span);
            }
            finally
            {
                // Writes only when the state changed (also after an injected transport fault); a GOOD reporting command
                // changes nothing, so the state is not even serialised for it.
                if (!quiet || result.Status != ScsiStatus.Good) Store.Save();
            }
        }
        return result;
    }

    public ValueTask DisposeAsync()
    {
        Release();
        return ValueTask.CompletedTask;
    }

    private void Release()
    {
        if (_disposed) return;
        _disposed = true;
        if (Interlocked.Decrement(ref _shared.References) == 0) _shared.Store.Dispose();
    }
}

/// <summary>Opens <c>virtual:</c> and <c>virtual:DIR</c> devices from <see cref="TransportOpenContext.StateDirectory"/>.</summary>
public sealed class VirtualTransportFactory(TimeProvider? time = null) : IScsiTransportFactory
{
    public bool CanOpen(DeviceAddress address) => address.Scheme == DeviceScheme.Virtual;

    public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(context);
        if (!CanOpen(address)) throw new ArgumentException($"{address} is not a virtual: device", nameof(address));
        var store = VirtualLibraryStore.Open(address.ConfigDirectory, context.StateDirectory, time);
        string device = address.ConfigDirectory is null ? "virtual:" : "virtual:" + address.ConfigDirectory;
        return ValueTask.FromResult<IScsiTransport>(new VirtualTransport(store, device, address.Lun,
            () => VirtualLibraryStore.Open(address.ConfigDirectory, context.StateDirectory, time)));
    }
}
