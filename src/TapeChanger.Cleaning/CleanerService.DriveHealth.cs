using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>Drive health: watching a drive clean, and which drives ask for cleaning (TapeAlert, sense marks).</summary>
public sealed partial class CleanerService
{
    /// <summary>
    /// Watches the drive where its transport's drive locator reaches it, one TEST UNIT READY per poll, and lets the sense
    /// policy's drive rows decide: CleaningInProgress (30/03) or a becoming-ready row (04/00, 04/01, 04/07) means the
    /// cycle runs, CleaningDone (04/02, 3A/xx) that it ended, MarkCleanerSpent (30/07, 30/0B, 30/13) that the cleaner is
    /// used up; GOOD after the cycle was seen (or after three polls) ends it too. Where the drive cannot be reached it
    /// waits the configured or the profile's cleaning time. Returns whether the cleaner is spent.
    /// The drive was paired once, before the watch (<paramref name="paired"/>; null: it cannot be reached from here):
    /// each poll opens that device alone, with no changer session, where its transport can (every one but USB, whose
    /// drive is a LUN of the changer's own interface and is opened through a session that asks the changer nothing).
    /// </summary>
    private async Task<(bool Spent, string Outcome)> WaitForCleaningAsync(CleanerStateStore store, Guid id, int drive, PairedDrive? paired, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var started = Now;
        bool sawCleaning = false;
        while (true)
        {
            string? watched = null;
            ChangerSession? s = paired is { OpensWithoutChanger: false } ? await OpenAsync(ct).ConfigureAwait(false) : null;
            await using (s)
            {
                var tape = paired is null ? null
                    : s is not null ? await Guard(() => s.OpenDriveAsync(paired, ct)).ConfigureAwait(false)
                    : await Guard(async () => (TapeDrive?)await paired.OpenAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
                await using var alone = s is null ? tape : null;      // a session closes the drives it opened
                if (tape is not null)
                {
                    var ready = await Guard(() => tape.TestUnitReadyAsync(ct)).ConfigureAwait(false);
                    watched = $"{tape.Uri}: TEST UNIT READY {(ready.Ready ? "GOOD" : $"{ready.Sense!.Triplet} {ready.Rule!.Meaning}")}";
                    switch (ready.Action)
                    {
                        case SenseAction.Proceed when sawCleaning || Now - started > _options.PollInterval * 3:
                            return await CleaningEndedAsync(store, id, tape, "cleaned", ct).ConfigureAwait(false);
                        case SenseAction.MarkCleanerSpent:
                            return (true, $"{ready.Rule!.Meaning} [{ready.Sense!.Triplet}]");
                        case SenseAction.CleaningInProgress or SenseAction.WaitAndRetry:
                            sawCleaning = true;
                            break;
                        case SenseAction.CleaningDone:
                            return await CleaningEndedAsync(store, id, tape, "cleaned", ct).ConfigureAwait(false);
                        case not SenseAction.Proceed when sawCleaning:
                            return await CleaningEndedAsync(store, id, tape, $"cleaning ended with {ready.Sense!.Triplet}", ct).ConfigureAwait(false);
                    }
                }
            }
            bool reachable = watched is not null;
            var limit = reachable ? _options.MaxCleaningTime
                : _options.CleaningTime ?? TimeSpan.FromSeconds(_profile?.Profile.Cleaning.Seconds ?? 300);
            var elapsed = Now - started;
            if (elapsed >= limit)
            {
                return (false, reachable ? "cleaning did not report completion within the maximum cleaning time" : "waited the profile's cleaning time");
            }
            var op = Set(store, id, o =>
            {
                o.State = OperationState.InProcess;
                o.Progress = reachable
                    ? $"drive {drive} is cleaning ({(int)elapsed.TotalSeconds} s so far; {watched})"
                    : $"drive {drive} is cleaning; the drive cannot be polled, waiting the {(_options.CleaningTime is null ? $"'{_profile?.Profile.Name}' profile's " : "configured ")}cleaning time ({(int)(limit - elapsed).TotalSeconds} s left)";
            });
            progress?.Report(op);
            await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the cycle: the cleaner is spent when the drive's TapeAlert has a MarkCleanerSpent flag (22 "expired
    /// cleaning media", 23 "invalid cleaning tape") or the drive returned a MarkCleanerSpent sense (TapeAlertPolicy,
    /// SensePolicy). The outcome names the drive that was watched.
    /// </summary>
    private async Task<(bool Spent, string Outcome)> CleaningEndedAsync(CleanerStateStore store, Guid id, TapeDrive drive, string outcome, CancellationToken ct)
    {
        var alerts = await Guard(() => drive.TapeAlertsAsync(ct)).ConfigureAwait(false);      // null: no TapeAlert page (tgt)
        if (alerts is not null && TapeAlertPolicy.First(alerts.Active.Select(f => f.Number), SenseAction.MarkDriveNeedsCleaning) is { } still)
        {
            // The drive asks for cleaning right after one. Read through page 2Eh, this read took the only notice: it is
            // recorded (a request seen after the operation started outlives the cleaning's end, see CleanAsync).
            RecordRequest(store, id, $"TapeAlert {still.Flag}: {still.Meaning} (still set after a cleaning{(alerts.ClearedByRead ? ", read from page 2Eh" : "")})");
        }
        if (alerts is not null && TapeAlertPolicy.First(alerts.Active.Select(f => f.Number), SenseAction.MarkCleanerSpent) is { } flag)
        {
            return (true, $"TapeAlert {flag.Flag}: {flag.Meaning}");
        }
        if (drive.Marks.LastOrDefault(m => m.Rule.Action == SenseAction.MarkCleanerSpent) is { } mark)
        {
            return (true, $"{mark.Rule.Meaning} [{mark.Sense.Triplet}]");
        }
        return (false, $"{outcome} (watched {drive.Uri})");
    }

    /// <summary>
    /// Drives that ask for cleaning: TapeAlert 20 "cleaning required" or 21 "cleaning requested", or sense 00/17, read
    /// now, plus the requests remembered from earlier runs (<see cref="CleanerState.PendingCleaning"/>). What is read now
    /// is written to the library's state before anything else happens: reading the TapeAlert log page 2Eh (SSC-4) clears
    /// the flags on most drives (mhVTL's drives, and the virtual library after them, do), so a request that is not
    /// remembered here is lost if the cleaning then fails. A request is forgotten only when a cleaning of that drive passes (<see cref="CleanAsync"/>).
    /// </summary>
    public async Task<IReadOnlyList<CleaningDue>> DrivesNeedingCleaningAsync(IEnumerable<int>? drives = null, CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        var seen = new List<(int Drive, ushort Address, string Key, string? Fresh)>();
        foreach (int drive in drives ?? Enumerable.Range(0, map.Drives.Count))
        {
            ushort address = map.DriveAddress(drive);
            var element = await Guard(() => s.Changer.ReadElementAsync(address, ct)).ConfigureAwait(false);
            seen.Add((drive, address, CleanerState.DriveKey(element.DriveSerial, address), await FreshRequestAsync(s, drive, ct).ConfigureAwait(false)));
        }
        var now = Now;
        return store.Update(st =>
        {
            var due = new List<CleaningDue>();
            foreach (var (drive, address, key, fresh) in seen)
            {
                st.PendingCleaning.TryGetValue(key, out var pending);
                if (fresh is not null)
                {
                    pending ??= st.PendingCleaning[key] = new CleaningRequest { Since = now, Reason = fresh };
                    pending.Reason = fresh;
                    pending.LastSeen = now;
                }
                if (pending is null) continue;
                pending.Drive = drive;
                pending.Address = address;
                due.Add(new CleaningDue(drive, key, pending.Reason, pending.Since, Remembered: fresh is null));
            }
            return (IReadOnlyList<CleaningDue>)due;
        }, write: seen.Any(x => x.Fresh is not null));
    }

    private void RecordRequest(CleanerStateStore store, Guid id, string reason) => store.Update(st =>
    {
        var o = st.Find(id)!;
        string key = CleanerState.DriveKey(o.DriveSerial, o.Element ?? 0);
        var now = Now;
        if (!st.PendingCleaning.TryGetValue(key, out var pending)) st.PendingCleaning[key] = pending = new CleaningRequest { Since = now };
        pending.Drive = o.Drive ?? 0;
        pending.Address = o.Element ?? 0;
        pending.Reason = reason;
        pending.LastSeen = now;
    });

    /// <summary>What the drive says now (TapeAlert, then sense), or null; null too where the drive cannot be reached.</summary>
    private static async Task<string?> FreshRequestAsync(ChangerSession s, int drive, CancellationToken ct)
    {
        var tape = await Guard(() => s.OpenDriveAsync(drive, ct)).ConfigureAwait(false);
        if (tape is null) return null;
        var alerts = await Guard(() => tape.TapeAlertsAsync(ct)).ConfigureAwait(false);
        if (alerts is not null && TapeAlertPolicy.First(alerts.Active.Select(f => f.Number), SenseAction.MarkDriveNeedsCleaning) is { } flag)
        {
            return $"TapeAlert {flag.Flag}: {flag.Meaning}";
        }
        if (await Guard(() => tape.RequestSenseAsync(ct)).ConfigureAwait(false) is { Rule.Action: SenseAction.MarkDriveNeedsCleaning } condition)
        {
            return $"sense {condition.Sense.Asc:X2}/{condition.Sense.Ascq:X2}: {condition.Rule.Meaning}";
        }
        // 00/17 or 82/82 that came back with one of the commands above (RECOVERED ERROR, NO SENSE).
        return tape.Marks.FirstOrDefault(m => m.Rule.Action == SenseAction.MarkDriveNeedsCleaning) is { } mark
            ? $"sense {mark.Sense.Asc:X2}/{mark.Sense.Ascq:X2}: {mark.Rule.Meaning}"
            : null;
    }
}

/// <summary>A drive that needs cleaning: why, since when, and whether only the library's state remembers it (the drive no longer says so).</summary>
public sealed record CleaningDue(int Drive, string Key, string Reason, DateTimeOffset Since, bool Remembered);
