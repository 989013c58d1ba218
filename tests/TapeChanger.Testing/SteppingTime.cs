using Microsoft.Extensions.Time.Testing;

namespace TapeChanger.Testing;

/// <summary>
/// A fake clock that never sleeps: whenever a timer is pending (a <c>Task.Delay</c>, a timeout), it jumps straight to
/// the earliest one and fires it, so fake time advances by exactly the delays the code under test asked for, whatever
/// the machine's load. <see cref="Pace"/> puts a little real time between jumps, for tests where something else (the
/// operator on the virtual library) acts in real time while the code waits. Built on <see cref="FakeTimeProvider"/>;
/// tests that want to move time by hand use <see cref="FakeTimeProvider.Advance"/> directly and create no timers.
/// </summary>
public sealed class SteppingTime : FakeTimeProvider
{
    /// <summary>The fake time at construction.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<Pending> _pending = [];
    private bool _pumping;

    public SteppingTime() : base(Epoch) { }

    /// <summary>Real time between two jumps (zero: none; the waits of a sequential test take no real time at all).</summary>
    public TimeSpan Pace { get; init; }

    /// <summary>Every timer's due time as created, in order (the waits the code under test asked for).</summary>
    public List<TimeSpan> Delays { get; } = [];

    /// <summary>Fake time since construction.</summary>
    public TimeSpan Elapsed => GetUtcNow() - Epoch;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Pending(this, base.CreateTimer(callback, state, dueTime, period));
        if (dueTime != Timeout.InfiniteTimeSpan) lock (_gate) Delays.Add(dueTime);
        timer.Schedule(dueTime, period);
        return timer;
    }

    private void Track(Pending timer)
    {
        lock (_gate)
        {
            if (!_pending.Contains(timer)) _pending.Add(timer);
            if (_pumping) return;
            _pumping = true;
        }
        ThreadPool.UnsafeQueueUserWorkItem(_ => Pump(), null);
    }

    private void Untrack(Pending timer)
    {
        lock (_gate) _pending.Remove(timer);
    }

    /// <summary>Jumps to the earliest pending timer until none is left.</summary>
    private void Pump()
    {
        while (true)
        {
            if (Pace > TimeSpan.Zero) Thread.Sleep(Pace);
            DateTimeOffset target;
            lock (_gate)
            {
                var now = GetUtcNow();
                foreach (var t in _pending) t.Roll(now);
                _pending.RemoveAll(t => t.Due is null);
                if (_pending.Count == 0)
                {
                    _pumping = false;
                    return;
                }
                target = _pending.Min(t => t.Due!.Value);
            }
            var step = target - GetUtcNow();
            Advance(step > TimeSpan.Zero ? step : TimeSpan.Zero);     // fires every timer due by then, on this thread
        }
    }

    /// <summary>A timer of the fake clock with its next due time, so the pump knows where to jump.</summary>
    private sealed class Pending(SteppingTime owner, ITimer inner) : ITimer
    {
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public DateTimeOffset? Due { get; private set; }

        public void Schedule(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                _period = period;
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner.GetUtcNow() + dueTime;
            }
            if (Due is null) owner.Untrack(this);
            else owner.Track(this);
        }

        /// <summary>After a jump to <paramref name="now"/>: a fired one-shot timer is done, a periodic one moves on.</summary>
        public void Roll(DateTimeOffset now)
        {
            if (Due is not { } due || due > now) return;
            if (_period == Timeout.InfiniteTimeSpan || _period <= TimeSpan.Zero) { Due = null; return; }
            while (due <= now) due += _period;
            Due = due;
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = inner.Change(dueTime, period);
            Schedule(dueTime, period);
            return changed;
        }

        public void Dispose()
        {
            owner.Untrack(this);
            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            owner.Untrack(this);
            return inner.DisposeAsync();
        }
    }
}
