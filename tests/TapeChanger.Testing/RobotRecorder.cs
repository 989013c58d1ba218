using System.Buffers.Binary;
using System.Collections.Concurrent;
using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Testing;

/// <summary>One robot command as the transport saw it: MOVE MEDIUM's source and destination (SMC-3 MOVE MEDIUM bytes 4-7).</summary>
public sealed record RobotCommand(long Order, byte OperationCode, ushort Source, ushort Destination, ScsiStatus Status);

/// <summary>
/// Observes every changer transport the engine opens: robot commands (MOVE MEDIUM, EXCHANGE MEDIUM, INITIALIZE ELEMENT
/// STATUS, POSITION TO ELEMENT) are logged and counted while in flight (each takes a simulated move time), so a test
/// sees the most that ever ran at once. Hooks before and after a move let a test hold the robot.
/// </summary>
public sealed class RobotRecorder
{
    private int _inFlight;
    private int _max;
    private long _order;

    public ConcurrentQueue<RobotCommand> Log { get; } = new();
    public int MaxInFlight => Volatile.Read(ref _max);
    public TimeSpan MoveTime { get; set; } = TimeSpan.FromMilliseconds(3);
    public Func<ScsiCommand, CancellationToken, Task>? BeforeMove { get; set; }
    public Func<ScsiCommand, CancellationToken, Task>? AfterMove { get; set; }

    public IScsiTransport Wrap(IScsiTransport inner) => new Observed(this, inner);

    public IEnumerable<RobotCommand> Moves => Log.Where(c => c.OperationCode == 0xA5).OrderBy(c => c.Order);

    private static bool IsRobot(byte op) => op is 0xA5 or 0xA6 or 0x07 or 0x37 or 0x2B;

    private sealed class Observed(RobotRecorder r, IScsiTransport inner) : IScsiTransport
    {
        public string Device => inner.Device;

        public int MaxTransferLength => inner.MaxTransferLength;

        public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
        {
            if (!IsRobot(command.OperationCode)) return await inner.ExecuteAsync(command, dataIn, cancellationToken);
            int now = Interlocked.Increment(ref r._inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref r._max)) && Interlocked.CompareExchange(ref r._max, now, seen) != seen) { }
            try
            {
                if (r.BeforeMove is { } before) await before(command, cancellationToken);
                await Task.Delay(r.MoveTime, cancellationToken);
                var result = await inner.ExecuteAsync(command, dataIn, CancellationToken.None);
                ushort source = command.OperationCode == 0xA5 ? BinaryPrimitives.ReadUInt16BigEndian(command.Cdb.AsSpan(4)) : (ushort)0;
                ushort destination = command.OperationCode == 0xA5 ? BinaryPrimitives.ReadUInt16BigEndian(command.Cdb.AsSpan(6)) : (ushort)0;
                r.Log.Enqueue(new RobotCommand(Interlocked.Increment(ref r._order), command.OperationCode, source, destination, result.Status));
                if (r.AfterMove is { } after) await after(command, cancellationToken);
                return result;
            }
            finally
            {
                Interlocked.Decrement(ref r._inFlight);
            }
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
