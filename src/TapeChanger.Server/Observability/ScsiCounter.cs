using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Server.Observability;

/// <summary>
/// Wraps the engine's transports (LibraryOpenSettings.Observe) and those of the CLI commands run for --server clients
/// (TransportObserver), and counts what passes: commands by name and status, and the sense of each CHECK CONDITION by
/// key and ASC/ASCQ. It only watches; the command and reply go through unchanged.
/// </summary>
public sealed class ScsiCounter(IScsiTransport inner, string library, ServiceMetrics metrics) : IScsiTransport
{
    public string Device => inner.Device;

    public int MaxTransferLength => inner.MaxTransferLength;
    public bool WritesAllReportedBytes => inner.WritesAllReportedBytes;

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        ScsiResult result;
        try
        {
            result = await inner.ExecuteAsync(command, dataIn, cancellationToken).ConfigureAwait(false);
        }
        catch (ScsiTransportException)
        {
            metrics.ScsiCommands.Inc(library, command.Name, "transport_error");
            throw;
        }
        metrics.ScsiCommands.Inc(library, command.Name, result.Status.ToString().ToLowerInvariant());
        if (result.Status == ScsiStatus.CheckCondition && result.Sense is { Length: >= 8 } sense)
        {
            try
            {
                var s = SenseDecoder.Decode(sense);
                metrics.ScsiSenses.Inc(library, s.KeyName, $"{s.Asc:X2}/{s.Ascq:X2}");
            }
            catch (ScsiDecodeException)
            {
                metrics.ScsiSenses.Inc(library, "undecodable", "");
            }
        }
        return result;
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
