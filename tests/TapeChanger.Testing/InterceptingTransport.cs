using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Testing;

/// <summary>
/// Passes commands to a real transport (usually the virtual library) and records them; <see cref="Before"/> may answer
/// a command instead of the device (a unit attention, a rejection), <see cref="After"/> may edit the data the device
/// returned (an element's ASC).
/// </summary>
public class InterceptingTransport(IScsiTransport inner) : IScsiTransport
{
    public IScsiTransport Inner => inner;

    /// <summary>Answers a command before the device sees it; null lets it through.</summary>
    public Func<ScsiCommand, ScsiResult?>? Before { get; set; }

    /// <summary>Edits the data-in bytes after the device answered.</summary>
    public Action<ScsiCommand, Memory<byte>>? After { get; set; }

    /// <summary>Every command sent, in order, answered by the device or not.</summary>
    public List<ScsiCommand> Sent { get; } = [];

    /// <summary>The names of the commands sent, in order.</summary>
    public IReadOnlyList<string> SentNames { get { lock (Sent) return Sent.Select(c => c.Name).ToList(); } }

    public string Device => inner.Device;

    public int MaxTransferLength => inner.MaxTransferLength;

    public async ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        lock (Sent) Sent.Add(command);
        if (Before?.Invoke(command) is { } replaced) return replaced;
        var result = await inner.ExecuteAsync(command, dataIn, cancellationToken).ConfigureAwait(false);
        After?.Invoke(command, dataIn);
        return result;
    }

    /// <summary>Answers the next command named <paramref name="command"/> with <paramref name="reply"/>, once.</summary>
    public void Once(string command, ScsiResult reply)
    {
        bool done = false;
        Before = c =>
        {
            if (done || c.Name != command) return null;
            done = true;
            return reply;
        };
    }

    public virtual ValueTask DisposeAsync() => inner.DisposeAsync();
}
