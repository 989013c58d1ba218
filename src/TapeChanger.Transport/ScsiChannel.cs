using TapeChanger.Scsi;

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

    /// <summary>Executes and checks; returns the data-in bytes actually transferred (empty for no-data commands).</summary>
    public async ValueTask<byte[]> ExecuteAsync(ScsiCommand command, CancellationToken cancellationToken = default)
    {
        var buffer = command.Direction == DataDirection.In ? new byte[command.TransferLength] : [];
        CommandCount++;
        var result = await Transport.ExecuteAsync(command, buffer, cancellationToken).ConfigureAwait(false);
        int n = ScsiResultChecker.ThrowIfFailed(command, result);
        n = Math.Clamp(n, 0, buffer.Length);
        return n == buffer.Length ? buffer : buffer.AsSpan(0, n).ToArray();
    }

    public ValueTask DisposeAsync() => Transport.DisposeAsync();
}
