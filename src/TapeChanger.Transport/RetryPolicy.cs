using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>
/// How the client carries out the sense policy (<see cref="SensePolicy"/>): how many unit attentions it absorbs, how
/// long it waits out "becoming ready", and how long it waits for the operator.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>UNIT ATTENTION is reported once per event; the command is simply re-sent (RetrySoon rows).</summary>
    public int UnitAttentionRetries { get; init; } = 5;

    /// <summary>
    /// How long WaitAndRetry rows (NOT READY 04/00, 04/01, 04/07, 3E/00; BUSY) are waited out. Null: the library
    /// profile's <see cref="ChangerQuirks.BecomingReadyLimit"/> (generic: 5 minutes, as PBS). The CLI sets it only when
    /// the user gives <c>BecomingReadySeconds</c>.
    /// </summary>
    public TimeSpan? BecomingReadyTimeout { get; init; }

    /// <summary>First backoff delay; it doubles up to <see cref="BecomingReadyMaxInterval"/>.</summary>
    public TimeSpan BecomingReadyInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BecomingReadyMaxInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long WaitForOperator rows (door open 04/18, pause 04/83/04/85, mail slot open 3A/02, magazine out) are waited
    /// for. Zero (the default): fail at once with the rule's message.
    /// </summary>
    public TimeSpan OperatorWaitLimit { get; init; } = TimeSpan.Zero;

    /// <summary>How often the command is re-sent while waiting for the operator.</summary>
    public TimeSpan OperatorPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called once per wait with "waiting up to N s: meaning; what to do [02/04/18]" (the CLI writes it to stderr).</summary>
    public Action<string>? OnWaiting { get; init; }

    public static RetryPolicy Default { get; } = new();
}
