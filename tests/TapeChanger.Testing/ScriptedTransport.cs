using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Testing;

/// <summary>
/// A device that exists only as a script: it answers each command with the next result (the last one repeats), or with
/// what <see cref="Answer"/> returns, and records every command it was sent.
/// </summary>
public sealed class ScriptedTransport : IScsiTransport
{
    private readonly ScsiResult[] _results;
    private int _next;

    /// <summary>Answers in order; the last result repeats. No results: GOOD with no data.</summary>
    public ScsiResult[] Results => _results;

    public ScriptedTransport(params ScsiResult[] results) => _results = results;

    /// <summary>Answers each command (may fill the data-in buffer) instead of the result list.</summary>
    public Func<ScsiCommand, Memory<byte>, ScsiResult>? Answer { get; init; }

    public string Device { get; init; } = "scripted:";

    public int MaxTransferLength { get; init; } = int.MaxValue;

    public bool WritesAllReportedBytes { get; init; }

    /// <summary>Every command received, in order.</summary>
    public List<ScsiCommand> Sent { get; } = [];

    /// <summary>The names of the commands received, in order.</summary>
    public IReadOnlyList<string> SentNames => Sent.Select(c => c.Name).ToList();

    public bool Disposed { get; private set; }

    /// <summary>A device that must not be sent anything: any command throws, naming it, with <paramref name="why"/>.</summary>
    public static ScriptedTransport Untouchable(string device, string why) => new()
    {
        Device = device,
        Answer = (command, _) => throw new InvalidOperationException($"{why}; it was sent {command.Name}"),
    };

    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        lock (Sent) Sent.Add(command);
        if (Answer is { } answer) return ValueTask.FromResult(answer(command, dataIn));
        if (_results.Length == 0) return ValueTask.FromResult(ScsiResult.Good(0));
        return ValueTask.FromResult(_results[Math.Min(_next++, _results.Length - 1)]);
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
