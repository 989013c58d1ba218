using TapeChanger.Cleaning;
using TapeChanger.Domain;

namespace TapeChanger.Service.Engine;

/// <summary>
/// Automatic cleaning (RSM's LibrarySupportsDriveCleaning; off unless configured): a drive that asks for cleaning
/// (TapeAlert 20/21, sense 00/17: the cleaner service reads and remembers it) gets a Clean request when it is empty,
/// never by taking a tape out of it; a cleaning that finds the drive loaded by then is deferred to the next unload. A
/// spent cleaner raises a CLEANER operator request.
/// </summary>
internal sealed partial class LibraryHost
{
    private readonly HashSet<int> _needsCleaning = [];
    private readonly HashSet<int> _autoCleanQueued = [];
    private bool _checkDue;

    /// <summary>Asks the drives now and then while the library is idle.</summary>
    private async Task TickAsync(CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_ctx.Tuning.AutoCleaningInterval, _ctx.Time, ct).ConfigureAwait(false);
                lock (_lock) _checkDue = true;
                _signal.Release();
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private bool TakeAutoCleaningCheck()
    {
        lock (_lock)
        {
            bool due = _checkDue;
            _checkDue = false;
            return due;
        }
    }

    private async Task AfterRequestAsync(RequestRecord r, Outcome? outcome, CancellationToken ct)
    {
        // A cleaning handed to the side of the queue (no outcome yet) is still queued for its drive: it is let go when
        // it ends (CleanBesideQueueAsync calls this again with the outcome), or the next check would queue it again.
        if (r.Kind == RequestKind.Clean && r.Arguments.Automatic && r.Arguments.Drive is int cleaned && outcome is not null)
        {
            lock (_lock) _autoCleanQueued.Remove(cleaned);
        }
        if (!Info.AutoCleaning || outcome is null) return;
        // A drive just emptied is asked (its TapeAlert flags are read and remembered); remembered requests are then served.
        if (r.Kind == RequestKind.Unload && outcome.Result == NtmsResult.ERROR_SUCCESS && r.Arguments.Drive is int drive)
        {
            await CheckDrivesAsync([drive], ct).ConfigureAwait(false);
        }
    }

    /// <summary>Reads which drives ask for cleaning, and queues a cleaning for each that is empty now.</summary>
    private async Task CheckDrivesAsync(IEnumerable<int>? drives, CancellationToken ct)
    {
        if (!Info.AutoCleaning) return;
        // Not while a cleaning is carried out beside the queue: the drive it cleans is still remembered as asking until
        // it passes, and a check that read that before the end would queue the drive again after it. The periodic
        // check reads every drive once the cleaning has ended (only the picker starts cleanings, so none starts during
        // a check).
        lock (_lock)
        {
            if (_cleaningBeside.Count > 0)
            {
                _checkDue = true;
                return;
            }
        }
        IReadOnlyList<CleaningDue> due;
        await _device.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            due = await _cleaner.DrivesNeedingCleaningAsync(drives, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            string why = EngineContext.Classify(e).Message;
            _ctx.Events.Publish(ServiceEventKind.Status, Info.Name, ev => ev with { Message = $"automatic cleaning could not ask the drives: {why}" });
            return;
        }
        finally
        {
            AfterSession(statusReadLast: false);
            _device.Release();
        }
        foreach (var d in due)
        {
            bool added;
            lock (_lock) added = _needsCleaning.Add(d.Drive);
            if (added) _ctx.Events.Publish(ServiceEventKind.DriveNeedsCleaning, Info.Name, e => e with { Drive = d.Drive, Message = d.Reason });
        }
        if (Volatile.Read(ref _status) is null) await TryRefreshAsync(ct).ConfigureAwait(false);
        List<int> toClean;
        lock (_lock)
        {
            toClean = [.. _needsCleaning.Where(n => !_autoCleanQueued.Contains(n) && !_cleaningBeside.ContainsValue(n) && DriveEmpty(n))];
            foreach (int n in toClean) _autoCleanQueued.Add(n);
        }
        foreach (int n in toClean)
        {
            Submit(new RequestSpec(RequestKind.Clean)
            {
                Arguments = new RequestArguments { Drive = n, Automatic = true },
                Priority = RequestSpec.HighestPriority,
            }, Caller.Service, null);
        }
    }

    /// <summary>True when the kept status shows drive <paramref name="drive"/> empty (caller holds the lock).</summary>
    private bool DriveEmpty(int drive) =>
        _status is { } s && s.Map.Drives.Count > drive && s.At(s.Map.DriveAddress(drive)) is { Full: false };

    private void DriveCleaned(int drive)
    {
        lock (_lock) _needsCleaning.Remove(drive);
    }

    /// <summary>A spent cleaner (the cleaning said so, or it has no cleans left) raises one CLEANER operator request.</summary>
    private async Task CheckCleanerSpentAsync(Outcome outcome, CancellationToken ct)
    {
        CleanerCartridge? cleaner = null;
        try
        {
            cleaner = (await _cleaner.GetStateAsync(ct).ConfigureAwait(false)).Cleaner;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // the state could not be read: the outcome alone decides
        }
        bool spent = outcome.Result == NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT || cleaner is { CleansLeft: 0 };
        if (!spent) return;
        if (_ctx.Store.ListOperator(Info.Name, openOnly: true).Any(o => o.Kind == OperatorRequestKind.Cleaner && o.Request is null)) return;
        string which = cleaner?.Barcode is { } b ? $"cleaner {b}" : "the cleaner";
        string why = cleaner?.SpentReason ?? outcome.Message ?? "no cleanings left";
        _ctx.RaiseOperator(new OperatorRequestRecord
        {
            Id = Guid.NewGuid(),
            Library = Info.Name,
            Kind = OperatorRequestKind.Cleaner,
            State = OperatorRequestState.Submitted,
            Message = $"{which} is spent ({why}): eject it and inject a new one",
            Submitted = Now,
            Updated = Now,
        });
    }
}
