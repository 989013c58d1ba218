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
    internal async ValueTask<byte[]> ExecuteAsync(ScsiCommand command, CancellationToken ct = default)
    {
        int ua = 0;
        long? notReadySince = null, operatorSince = null;
        TimeSpan backoff = _retry.BecomingReadyInterval;
        SenseRule? announced = null;
        while (true)
        {
            try
            {
                return await ExecuteOnceAsync(command, ct).ConfigureAwait(false);
            }
            catch (ScsiCheckConditionException e)
            {
                var rule = e.Rule ?? RuleFor(e.Sense, command.Name);
                switch (rule.Action)
                {
                    case SenseAction.RetrySoon when ua < _retry.UnitAttentionRetries:
                        ua++;
                        UnitAttentionsSeen++;
                        if (e.Key == SenseKey.UnitAttention && SensePolicy.InvalidatesElementMap(e.Asc, e.Ascq)) MapChangesSeen++;
                        if (e.Key == SenseKey.UnitAttention && e.Asc is 0x2A or 0x3F) DefinitionChangesSeen++;
                        continue;
                    case SenseAction.WaitAndRetry or SenseAction.CleaningInProgress:
                        notReadySince ??= _time.GetTimestamp();
                        if (!await BackOffAsync(notReadySince.Value, ref backoff, rule, e.Sense.Triplet, ref announced, ct).ConfigureAwait(false)) throw;
                        continue;
                    case SenseAction.WaitForOperator when _retry.OperatorWaitLimit > TimeSpan.Zero:
                        operatorSince ??= _time.GetTimestamp();
                        var left = _retry.OperatorWaitLimit - _time.GetElapsedTime(operatorSince.Value);
                        if (left <= TimeSpan.Zero) throw;
                        Announce(rule, e.Sense.Triplet, _retry.OperatorWaitLimit, ref announced);
                        await Task.Delay(Min(_retry.OperatorPollInterval, left), _time, ct).ConfigureAwait(false);
                        continue;
                    case SenseAction.MarkDriveNeedsCleaning or SenseAction.MarkCleanerSpent:
                        // Recorded by ExecuteOnceAsync; the command itself failed.
                        throw;
                    default:
                        throw;
                }
            }
            catch (ScsiStatusException e) when (e.Status == ScsiStatus.Busy)
            {
                // BUSY is a WaitAndRetry condition without sense (SAM-5 status BUSY, 08h).
                notReadySince ??= _time.GetTimestamp();
                var busy = new SenseRule(null, 0, null, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library is busy", "SAM-5 status codes (BUSY)");
                if (!await BackOffAsync(notReadySince.Value, ref backoff, busy, "BUSY", ref announced, ct).ConfigureAwait(false)) throw;
            }
        }
    }

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
    internal async ValueTask<byte[]> ExecuteOnceAsync(ScsiCommand command, CancellationToken ct = default)
    {
        if (BeforeMotion is { } gate && command.Cdb[0] is OpCode.MoveMedium or OpCode.ExchangeMedium or OpCode.PositionToElement)
        {
            await gate(ct).ConfigureAwait(false);               // throws to leave the command unsent
        }
        try
        {
            var data = await _channel.ExecuteAsync(command, ct).ConfigureAwait(false);
            if (_channel.LastSense is { } note) Mark(note, command.Name);
            return data;
        }
        catch (ScsiCheckConditionException e)
        {
            e.WithRule(Mark(e.Sense, command.Name));
            throw;
        }
    }

    private SenseRule Mark(SenseData sense, string command)
    {
        var rule = RuleFor(sense, command);
        if (rule.Action is SenseAction.MarkDriveNeedsCleaning or SenseAction.MarkCleanerSpent) _marks.Add(new SenseMark(rule, sense, command));
        return rule;
    }
}
