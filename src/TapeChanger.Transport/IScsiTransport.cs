using TapeChanger.Scsi;

namespace TapeChanger.Transport;

/// <summary>
/// Carries one command to one logical unit and returns what came back. Transports never throw for SCSI
/// outcomes (CHECK CONDITION, BUSY...): those are data in <see cref="ScsiResult"/>, turned into exceptions
/// only by <see cref="ScsiResultChecker"/>. They throw <see cref="ScsiTransportException"/> when the device
/// cannot be reached at all.
/// </summary>
public interface IScsiTransport : IAsyncDisposable
{
    /// <summary>The device this transport talks to, for messages ("virtual:", "sg:/dev/sg3").</summary>
    string Device { get; }

    /// <summary>
    /// Largest data transfer one command may carry, in bytes (the sg driver's max_sectors_bytes, an adapter's
    /// MaximumTransferLength...). <see cref="SmcClient"/> sizes READ ELEMENT STATUS chunks to fit. Unlimited by default.
    /// </summary>
    int MaxTransferLength => int.MaxValue;

    /// <summary>
    /// True when every byte below a result's <see cref="ScsiResult.DataTransferred"/> was written by that command (a
    /// gap in what the device sent is cleared, not left as it was). <see cref="ScsiChannel"/> then hands the transport a
    /// data-in buffer it has not cleared first: a 2,000-slot READ ELEMENT STATUS asks for 200 KB and gets 104 KB, and
    /// clearing the rest touches 24 more pages (docs/performance.md). False by default: the buffer is zeroed.
    /// </summary>
    bool WritesAllReportedBytes => false;

    /// <summary>
    /// Executes <paramref name="command"/>. Data-in lands in <paramref name="dataIn"/> (at least
    /// <see cref="ScsiCommand.TransferLength"/> bytes for data-in commands); data-out comes from
    /// <see cref="ScsiCommand.DataOut"/>.
    /// </summary>
    ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default);
}

/// <summary>Outcome of one command as the transport saw it.</summary>
public readonly record struct ScsiResult(ScsiStatus Status, int DataTransferred, byte[] Sense)
{
    /// <summary>Requested minus transferred bytes (SAM residual).</summary>
    public int Residual(ScsiCommand command) => Math.Max(0, command.TransferLength - DataTransferred);

    public static ScsiResult Good(int transferred) => new(ScsiStatus.Good, transferred, []);

    public static ScsiResult CheckCondition(byte[] sense) => new(ScsiStatus.CheckCondition, 0, sense);
}
