using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>
/// Convenience over a transport: allocates the data-in buffer, executes, checks the result,
/// and returns the bytes received.
/// </summary>
public sealed class ScsiChannel : IAsyncDisposable
{
    public ScsiChannel(IScsiTransport transport) => Transport = transport;

    public IScsiTransport Transport { get; }

    public string Device => Transport.Device;

    /// <summary>Number of commands executed through this channel (round trips).</summary>
    public int CommandCount { get; private set; }

    /// <summary>
    /// Sense returned with the last command, also when the command completed (RECOVERED ERROR 01/00/17, NO SENSE
    /// 00/00/17): the sense policy reads "drive needs cleaning" from it. Null when none came back.
    /// </summary>
    public SenseData? LastSense { get; private set; }

    /// <summary>Executes and checks; returns the data-in bytes actually transferred (empty for no-data commands).</summary>
    public async ValueTask<byte[]> ExecuteAsync(ScsiCommand command, CancellationToken cancellationToken = default)
    {
        var reply = await TryExecuteAsync(command, cancellationToken).ConfigureAwait(false);
        if (reply.Failure is { } sense) throw ScsiResultChecker.Failed(command, sense);
        return reply.Data;
    }

    /// <summary>
    /// Executes and checks, as <see cref="ExecuteAsync"/>, but a CHECK CONDITION that failed the command comes back
    /// as its sense (<see cref="ScsiChecked.Failure"/>, no data) instead of thrown (<see cref="ScsiResultChecker.Check"/>).
    /// </summary>
    public async ValueTask<ScsiChecked> TryExecuteAsync(ScsiCommand command, CancellationToken cancellationToken = default)
    {
        var buffer = command.Direction == DataDirection.In ? new byte[command.TransferLength] : [];
        CommandCount++;
        LastSense = null;
        var result = await Transport.ExecuteAsync(command, buffer, cancellationToken).ConfigureAwait(false);
        if (result.Status is ScsiStatus.Good or ScsiStatus.CheckCondition && SenseDecoder.IsSense(result.Sense))
        {
            try { LastSense = SenseDecoder.Decode(result.Sense); }
            catch (ScsiDecodeException) { }            // the checker reports unreadable sense of a failed command
        }
        int n = ScsiResultChecker.Check(command, result, out var failure);
        if (failure is not null) return new ScsiChecked([], failure);
        n = Math.Clamp(n, 0, buffer.Length);
        return new ScsiChecked(n == buffer.Length ? buffer : buffer.AsSpan(0, n).ToArray(), null);
    }

    public ValueTask DisposeAsync() => Transport.DisposeAsync();
}

/// <summary>A checked command: its data-in bytes, or the sense of the CHECK CONDITION that failed it.</summary>
public readonly record struct ScsiChecked(byte[] Data, SenseData? Failure);
