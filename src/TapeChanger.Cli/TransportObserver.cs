using TapeChanger.Transport;

namespace TapeChanger.Cli;

/// <summary>
/// A host running CLI commands in its own process (tapechangerd for its --server clients) sees the transports they
/// open: every session the commands open in this async flow is wrapped by the observer (the service counts their SCSI
/// commands for /metrics). It only watches; the commands and replies pass unchanged.
/// </summary>
public static class TransportObserver
{
    private static readonly AsyncLocal<Func<IScsiTransport, IScsiTransport>?> s_current = new();

    /// <summary>The observer of this async flow, if any.</summary>
    internal static Func<IScsiTransport, IScsiTransport>? Current => s_current.Value;

    /// <summary>Observes the transports opened by commands run in this async flow until the result is disposed.</summary>
    public static IDisposable Observe(Func<IScsiTransport, IScsiTransport> observer)
    {
        var previous = s_current.Value;
        s_current.Value = observer;
        return new Restore(previous);
    }

    private sealed class Restore(Func<IScsiTransport, IScsiTransport>? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}
