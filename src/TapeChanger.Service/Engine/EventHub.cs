using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace TapeChanger.Service.Engine;

/// <summary>
/// Fans every change out to the readers of the event stream. Each reader has its own bounded channel: a slow reader
/// loses its oldest events (the sequence numbers show the gap) and never holds the engine up.
/// </summary>
internal sealed class EventHub(TimeProvider time, int capacity)
{
    private readonly Lock _lock = new();
    private readonly List<Channel<ServiceEvent>> _readers = [];
    private long _sequence;

    public void Publish(ServiceEventKind kind, string library, Func<ServiceEvent, ServiceEvent>? fill = null)
    {
        var e = new ServiceEvent(Interlocked.Increment(ref _sequence), time.GetUtcNow(), kind, library);
        if (fill is not null) e = fill(e);
        lock (_lock)
        {
            foreach (var r in _readers) r.Writer.TryWrite(e);
        }
    }

    public async IAsyncEnumerable<ServiceEvent> ReadAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateBounded<ServiceEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_lock) _readers.Add(channel);
        try
        {
            while (await channel.Reader.WaitToReadAsync(ct).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var e)) yield return e;
            }
        }
        finally
        {
            lock (_lock) _readers.Remove(channel);
        }
    }

    /// <summary>Ends every reader's stream (the engine is stopping).</summary>
    public void Complete()
    {
        lock (_lock)
        {
            foreach (var r in _readers) r.Writer.TryComplete();
        }
    }
}
