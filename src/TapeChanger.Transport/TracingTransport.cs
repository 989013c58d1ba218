using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>Decorator that prints each CDB, its status, sense and (with data) the reply bytes — for --verbose/--trace.</summary>
public sealed class TracingTransport : IScsiTransport
{
    private readonly IScsiTransport _inner;
    private readonly TextWriter _log;
    private readonly bool _dumpData;

    public TracingTransport(IScsiTransport inner, TextWriter log, bool dumpData)
    {
        _inner = inner;
        _log = log;
        _dumpData = dumpData;
    }

    public string Device => _inner.Device;

    public int MaxTransferLength => _inner.MaxTransferLength;
    public bool WritesAllReportedBytes => _inner.WritesAllReportedBytes;

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        _log.WriteLine($"> {command.Name}: cdb {Hex(command.Cdb)}{(command.Direction == DataDirection.In ? $" (alloc {command.TransferLength})" : "")}");
        if (command.DataOut is { Length: > 0 } dout && _dumpData) _log.WriteLine($"  data-out {Hex(dout)}");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        ScsiResult result;
        try
        {
            result = await _inner.ExecuteAsync(command, dataIn, cancellationToken).ConfigureAwait(false);
        }
        catch (ScsiTransportException e)
        {
            _log.WriteLine($"< transport error: {e.Message}");
            throw;
        }
        var ms = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _log.WriteLine($"< status {result.Status} ({(byte)result.Status:X2}h), {result.DataTransferred} byte(s), {ms:F1} ms");
        if (result.Sense.Length > 0)
        {
            _log.WriteLine($"  sense {Hex(result.Sense)}");
            if (SenseDecoder.IsSense(result.Sense))
            {
                try { _log.WriteLine($"  {SenseDecoder.Decode(result.Sense).Describe()}"); }
                catch (ScsiDecodeException e) { _log.WriteLine($"  ({e.Message})"); }
            }
        }
        if (_dumpData && result.DataTransferred > 0)
        {
            var span = dataIn.Span[..Math.Min(result.DataTransferred, dataIn.Length)];
            for (int off = 0; off < span.Length; off += 16)
            {
                _log.WriteLine($"  {off:x4}  {Hex(span.Slice(off, Math.Min(16, span.Length - off)))}");
            }
        }
        return result;
    }

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    private static string Hex(ReadOnlySpan<byte> b) => string.Join(' ', b.ToArray().Select(x => x.ToString("x2")));
}
