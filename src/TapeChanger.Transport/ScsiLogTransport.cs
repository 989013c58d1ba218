using System.Globalization;
using System.Text;

namespace TapeChanger.Transport;

/// <summary>
/// Decorator that appends one line per command to a log file shared by every process that drives the library (the
/// CLI's, the service's): UTC start and end of the command (microseconds), process id, device, command, status,
/// tab-separated. Each line is one append (O_APPEND, <see cref="Storage.SharedLog"/>), so lines from several processes never interleave; the file
/// answers "who drove the robot when". Logging never fails a command.
/// </summary>
public sealed class ScsiLogTransport(IScsiTransport inner, string path) : IScsiTransport
{
    public string Device => inner.Device;

    public int MaxTransferLength => inner.MaxTransferLength;
    public bool WritesAllReportedBytes => inner.WritesAllReportedBytes;

    public async ValueTask<ScsiResult> ExecuteAsync(Scsi.ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        var start = DateTimeOffset.UtcNow;
        string outcome = "transport-error";
        try
        {
            var result = await inner.ExecuteAsync(command, dataIn, cancellationToken).ConfigureAwait(false);
            outcome = result.Status.ToString();
            return result;
        }
        finally
        {
            Append(start, DateTimeOffset.UtcNow, command.Name, outcome);
        }
    }

    private void Append(DateTimeOffset start, DateTimeOffset end, string command, string outcome) =>
        Append(path, start, end, inner.Device, command, outcome);

    /// <summary>One line in the log at <paramref name="path"/> (also for what is not a command: the robot lock held).</summary>
    public static void Append(string path, DateTimeOffset start, DateTimeOffset end, string device, string command, string outcome)
    {
        const string F = "yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'";
        string line = string.Join('\t', start.ToString(F, CultureInfo.InvariantCulture), end.ToString(F, CultureInfo.InvariantCulture),
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture), device, command, outcome) + "\n";
        try
        {
            Storage.SharedLog.Append(path, Encoding.UTF8.GetBytes(line));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the log is a witness, not a dependency
        }
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
