using System.Runtime.InteropServices;
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
        return MemoryMarshal.TryGetArray(reply.Data, out var whole) && whole.Offset == 0 && whole.Count == whole.Array!.Length
            ? whole.Array : reply.Data.ToArray();
    }

    /// <summary>
    /// Executes and checks, as <see cref="ExecuteAsync"/>, but a CHECK CONDITION that failed the command comes back
    /// as its sense (<see cref="ScsiChecked.Failure"/>, no data) instead of thrown (<see cref="ScsiResultChecker.Check"/>),
    /// and the data is the part of the buffer the device filled, not a copy of it (a 2,000-slot READ ELEMENT STATUS
    /// fills 104 KB of a 256 KiB allocation).
    /// </summary>
    public async ValueTask<ScsiChecked> TryExecuteAsync(ScsiCommand command, CancellationToken cancellationToken = default)
    {
        var buffer = command.Direction != DataDirection.In ? []
            : Transport.WritesAllReportedBytes ? GC.AllocateUninitializedArray<byte>(command.TransferLength)
            : new byte[command.TransferLength];
        CommandCount++;
        LastSense = null;
        var result = await Transport.ExecuteAsync(command, buffer, cancellationToken).ConfigureAwait(false);
        if (result.Status is ScsiStatus.Good or ScsiStatus.CheckCondition && SenseDecoder.IsSense(result.Sense))
        {
            try { LastSense = SenseDecoder.Decode(result.Sense); }
            catch (ScsiDecodeException) { }            // the checker reports unreadable sense of a failed command
        }
        int n = ScsiResultChecker.Check(command, result, out var failure);
        if (failure is not null) return new ScsiChecked(ReadOnlyMemory<byte>.Empty, failure);
        return new ScsiChecked(buffer.AsMemory(0, Math.Clamp(n, 0, buffer.Length)), null);
    }

    public ValueTask DisposeAsync() => Transport.DisposeAsync();
}

/// <summary>A checked command: its data-in bytes, or the sense of the CHECK CONDITION that failed it.</summary>
public readonly record struct ScsiChecked(ReadOnlyMemory<byte> Data, SenseData? Failure);
