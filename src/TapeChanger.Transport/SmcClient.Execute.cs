using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

// The sense policy carried out: retries, backoff, operator waits, and the marks a sense leaves (drive needs cleaning,
// cleaner spent). Every other part of the client sends its commands through ExecuteAsync or ExecuteOnceAsync.
public sealed partial class SmcClient
{
    /// <summary>
    /// Executes with the sense policy (<see cref="SensePolicy"/>): RetrySoon rows are re-sent up to
    /// <see cref="RetryPolicy.UnitAttentionRetries"/>; WaitAndRetry rows and BUSY back off (1 s doubling to 30 s) up to
    /// the becoming-ready limit; WaitForOperator rows tell <see cref="RetryPolicy.OnWaiting"/> once and re-send every
    /// few seconds up to <see cref="RetryPolicy.OperatorWaitLimit"/>; everything else throws. Returns the data-in bytes.
    /// </summary>
    internal async ValueTask<ReadOnlyMemory<byte>> ExecuteAsync(ScsiCommand command, CancellationToken ct = default)
    {
        int ua = 0;
        long? notReadySince = null, operatorSince = null;
        TimeSpan backoff = _retry.BecomingReadyInterval;
        SenseRule? announced = null;
        while (true)
        {
            // A CHECK CONDITION comes back as its sense and rule, not thrown: the unit attention every new iSCSI session
            // reports is re-sent without an exception (thrown and rethrown through two async frames it cost about
            // 0.35 million instructions a status; callgrind, docs/performance.md). What is not re-sent is thrown here.
            Once once = default;        // assigned here too so that Stryker's mutants of the BUSY branch compile (docs/mutation.md)
            try
            {
                once = await TryExecuteOnceAsync(command, ct).ConfigureAwait(false);
            }
            catch (ScsiStatusException e) when (e.Status == ScsiStatus.Busy)
            {
                // BUSY is a WaitAndRetry condition without sense (SAM-5 status BUSY, 08h).
                notReadySince ??= _time.GetTimestamp();
                var busy = new SenseRule(null, 0, null, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library is busy", "SAM-5 status codes (BUSY)");
                if (!await BackOffAsync(notReadySince.Value, ref backoff, busy, "BUSY", ref announced, ct).ConfigureAwait(false)) throw;
                continue;
            }
            if (once.Failure is not { } sense) return once.Data;
            var rule = once.Rule!;
            switch (rule.Action)
            {
                case SenseAction.RetrySoon when ua < _retry.UnitAttentionRetries:
                    ua++;
                    UnitAttentionsSeen++;
                    if (sense.Key == SenseKey.UnitAttention && SensePolicy.InvalidatesElementMap(sense.Asc, sense.Ascq)) MapChangesSeen++;
                    if (sense.Key == SenseKey.UnitAttention && sense.Asc is 0x2A or 0x3F) DefinitionChangesSeen++;
                    continue;
                case SenseAction.WaitAndRetry or SenseAction.CleaningInProgress:
                    notReadySince ??= _time.GetTimestamp();
                    if (!await BackOffAsync(notReadySince.Value, ref backoff, rule, sense.Triplet, ref announced, ct).ConfigureAwait(false))
                        throw Failed(command, once);
                    continue;
                case SenseAction.WaitForOperator when _retry.OperatorWaitLimit > TimeSpan.Zero:
                    operatorSince ??= _time.GetTimestamp();
                    var left = _retry.OperatorWaitLimit - _time.GetElapsedTime(operatorSince.Value);
                    if (left <= TimeSpan.Zero) throw Failed(command, once);
                    Announce(rule, sense.Triplet, _retry.OperatorWaitLimit, ref announced);
                    await Task.Delay(Min(_retry.OperatorPollInterval, left), _time, ct).ConfigureAwait(false);
                    continue;
                default:
                    // MarkDriveNeedsCleaning and MarkCleanerSpent were recorded by TryExecuteOnceAsync; the command failed.
                    throw Failed(command, once);
            }
        }
    }

    /// <summary>A command sent once: its data, or the sense that failed it and that sense's policy row.</summary>
    private readonly record struct Once(ReadOnlyMemory<byte> Data, SenseData? Failure, SenseRule? Rule);

    private static ScsiCheckConditionException Failed(ScsiCommand command, Once once) =>
        ScsiResultChecker.Failed(command, once.Failure!).WithRule(once.Rule!);

    private TimeSpan BecomingReadyLimit => _retry.BecomingReadyTimeout ?? Quirks.BecomingReadyLimit;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Waits the next backoff step; false when the becoming-ready limit is used up.</summary>
    private ValueTask<bool> BackOffAsync(long since, ref TimeSpan backoff, SenseRule rule, string triplet, ref SenseRule? announced, CancellationToken ct)
    {
        var left = BecomingReadyLimit - _time.GetElapsedTime(since);
        if (left <= TimeSpan.Zero) return ValueTask.FromResult(false);
        Announce(rule, triplet, BecomingReadyLimit, ref announced);
        var delay = Min(backoff, left);
        backoff = Min(backoff * 2, _retry.BecomingReadyMaxInterval);
        return DelayAsync(delay, ct);
    }

    private async ValueTask<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        return true;
    }

    private void Announce(SenseRule rule, string triplet, TimeSpan limit, ref SenseRule? announced)
    {
        if (ReferenceEquals(announced, rule) || (announced is not null && announced == rule)) return;
        announced = rule;
        _retry.OnWaiting?.Invoke($"waiting up to {(int)Math.Ceiling(limit.TotalSeconds)} s: {rule.Meaning} [{triplet}]");
    }

    /// <summary>
    /// Executes once, without retries or waits (for callers that poll on their own, like the cleaner watching a
    /// drive clean). Senses that mark the drive or the cleaner are recorded in <see cref="Marks"/> either way.
    /// </summary>
    internal async ValueTask<ReadOnlyMemory<byte>> ExecuteOnceAsync(ScsiCommand command, CancellationToken ct = default)
    {
        var once = await TryExecuteOnceAsync(command, ct).ConfigureAwait(false);
        if (once.Failure is not null) throw Failed(command, once);
        return once.Data;
    }

    /// <summary>
    /// <see cref="ExecuteOnceAsync"/> with a CHECK CONDITION that failed the command returned (its sense and rule), not
    /// thrown; the senses that mark the drive or the cleaner are recorded either way.
    /// </summary>
    private async ValueTask<Once> TryExecuteOnceAsync(ScsiCommand command, CancellationToken ct)
    {
        if (BeforeMotion is { } gate && command.Cdb[0] is OpCode.MoveMedium or OpCode.ExchangeMedium or OpCode.PositionToElement)
        {
            await gate(ct).ConfigureAwait(false);               // throws to leave the command unsent
        }
        var reply = await _channel.TryExecuteAsync(command, ct).ConfigureAwait(false);
        if (reply.Failure is { } sense) return new Once(ReadOnlyMemory<byte>.Empty, sense, Mark(sense, command.Name));
        if (_channel.LastSense is { } note) Mark(note, command.Name);
        return new Once(reply.Data, null, null);
    }

    private SenseRule Mark(SenseData sense, string command)
    {
        var rule = RuleFor(sense, command);
        if (rule.Action is SenseAction.MarkDriveNeedsCleaning or SenseAction.MarkCleanerSpent) _marks.Add(new SenseMark(rule, sense, command));
        return rule;
    }
}
