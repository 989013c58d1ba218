using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>CleanNtmsDrive: the clean step machine (<see cref="CleanStep"/>), resumable from its journalled step.</summary>
public sealed partial class CleanerService
{
    private async Task CleanAsync(CleanerStateStore store, Guid id, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        // One cleaner, one cleaning at a time: further requests queue here (across processes).
        Set(store, id, o => o.Progress = "waiting for the cleaner (another drive is being cleaned)");
        using var cleanerBusy = await RobotLock.AcquireAsync(store.Directory, "cleaner-busy.lock", _options.MaxCleaningTime * 4, ct).ConfigureAwait(false);
        var state = store.Read();
        var op = state.Find(id)!;
        var reservation = state.Reservation ?? throw new CleanerException(NtmsResult.ERROR_CLEANER_SLOT_NOT_SET, "the cleaner slot reservation was released");
        int drive = op.Drive!.Value;
        ushort driveAddress = op.Element!.Value;
        bool spent = false;
        string outcome = "cleaned";
        PairedDrive? paired = null;         // the drive's device, paired once for the whole watch
        bool pairedYet = false;

        if (op.Step is null or CleanStep.ToDrive)
        {
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            using var robot = await RobotLock.AcquireAsync(store.Directory, _options.RobotLockTimeout, ct).ConfigureAwait(false);
            var cleaner = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
            if (op.Step == CleanStep.ToDrive && !cleaner.Full && await ReturnFromPickerAsync(s, store, id, reservation, state.Cleaner?.Barcode, ct).ConfigureAwait(false))
            {
                cleaner = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
            }
            var d = await Guard(() => s.Changer.ReadElementAsync(driveAddress, ct)).ConfigureAwait(false);
            bool alreadyInDrive = op.Step == CleanStep.ToDrive && !cleaner.Full && d.Full && IsCleaner(d);
            if (!alreadyInDrive)
            {
                if (cleaner.Full && SpentByElement(s.Changer, cleaner) is { } why) { MarkSpent(store, why); state = store.Read(); }
                if (state.Cleaner is { CleansLeft: 0 }) throw new CleanerException(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, $"cleaner {state.Cleaner.Barcode} has no cleanings left{Reason(state.Cleaner)}");
                if (!cleaner.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_EMPTY, $"cleaner slot {reservation.Slot} is empty");
                if (d.Full)
                {
                    if (!op.UnloadFirst) throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, $"drive {drive} holds {d.Barcode ?? "a cartridge"}; unload it first or use --unload-first");
                    Set(store, id, o => o.Progress = $"unloading drive {drive}");
                    await Guard(() => s.Changer.UnloadAsync(null, drive, ct)).ConfigureAwait(false);
                }
                Set(store, id, o => { o.Step = CleanStep.ToDrive; o.State = OperationState.InProcess; o.Progress = $"loading cleaner {cleaner.Barcode} into drive {drive}"; });
                try
                {
                    // The two reads above are the move's check (the drive's is read again when it was just unloaded).
                    await s.Changer.MoveAsync(cleaner, d, $"load cleaner into drive {drive}", ct).ConfigureAwait(false);
                }
                catch (ChangerOperationException e) when (e.Error == ChangerError.DriveRejectedMedium)
                {
                    throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_LOAD_MEDIUM, $"drive {drive} rejected cleaner {cleaner.Barcode} (incompatible cleaning cartridge?): {e.Message}", e);
                }
            }
            Set(store, id, o => { o.Step = CleanStep.InDrive; o.Barcode = cleaner.Barcode ?? d.Barcode; o.DriveSerial = d.DriveSerial; });
            paired = await Guard(() => s.PairDriveAsync(drive, ct)).ConfigureAwait(false);
            pairedYet = true;
        }

        if (store.Read().Find(id)!.Step == CleanStep.InDrive)
        {
            if (!pairedYet)
            {
                // Resumed with the cleaner already in the drive: pair it in a session of its own.
                await using var pairing = await OpenAsync(ct).ConfigureAwait(false);
                paired = await Guard(() => pairing.PairDriveAsync(drive, ct)).ConfigureAwait(false);
            }
            (spent, outcome) = await WaitForCleaningAsync(store, id, drive, paired, progress, ct).ConfigureAwait(false);
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            using var robot = await RobotLock.AcquireAsync(store.Directory, _options.RobotLockTimeout, ct).ConfigureAwait(false);
            var d = await Guard(() => s.Changer.ReadElementAsync(driveAddress, ct)).ConfigureAwait(false);
            var slot = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
            if (d.Full && !slot.Full)
            {
                Set(store, id, o => o.Progress = $"returning the cleaner to slot {reservation.Slot}");
                await Guard(() => s.Changer.MoveAsync(d, slot, $"return cleaner from drive {drive}", ct)).ConfigureAwait(false);
            }
            else if (!slot.Full && !await ReturnFromPickerAsync(s, store, id, reservation, store.Read().Find(id)!.Barcode, ct).ConfigureAwait(false))
            {
                throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, $"the cleaner is neither in drive {drive} nor in cleaner slot {reservation.Slot}; run 'status' and check the library");
            }
        }

        // Count the cleaning and close the operation in one atomic write: a crash before it re-runs the return
        // step (idempotent), a crash after it finds the operation final. Never counted twice.
        var result = spent ? NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT : NtmsResult.ERROR_SUCCESS;
        Finish(store, id, spent ? OperationState.Failed : OperationState.Passed, result,
            spent ? $"drive {drive}: the cleaner is spent ({outcome}); eject it and inject a new one" : $"drive {drive} cleaned",
            st =>
            {
                var o = st.Find(id)!;
                o.Step = CleanStep.Done;
                if (st.Cleaner is { } c)
                {
                    c.TimesUsed++;
                    if (spent) { c.CleansLeft = 0; c.SpentReason = outcome; }
                    else if (c.CleansLeft != Unlimited && c.CleansLeft > 0) c.CleansLeft--;
                }
                string key = CleanerState.DriveKey(o.DriveSerial, driveAddress);
                // The drive's request is met only by a passed cleaning, and only a request seen before this cleaning started.
                if (!spent && !(st.PendingCleaning.TryGetValue(key, out var asked) && asked.LastSeen > o.Created)) st.PendingCleaning.Remove(key);
                if (!st.DriveHistory.TryGetValue(key, out var list)) st.DriveHistory[key] = list = [];
                list.Add(new CleaningRecord
                {
                    At = Now, Drive = drive, Address = driveAddress, CleanerBarcode = o.Barcode,
                    CleansLeftAfter = st.Cleaner?.CleansLeft ?? 0, Operation = id, Outcome = outcome,
                });
            });
    }

    /// <summary>
    /// A move that stopped halfway leaves the cleaner in the picker (medium transport element); MOVE MEDIUM from the
    /// MT element puts it back (SMC-3 §6.6; page 1Fh MT&gt;ST). Returns true when it did.
    /// </summary>
    private async Task<bool> ReturnFromPickerAsync(ChangerSession s, CleanerStateStore store, Guid id, CleanerReservation reservation, string? barcode, CancellationToken ct)
    {
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        if (map.Transports.Count == 0) return false;
        var picker = await Guard(() => s.Changer.ReadElementAsync(map.DefaultTransport, ct)).ConfigureAwait(false);
        if (!picker.Full || !IsCleaner(picker) || (barcode is not null && picker.Barcode is not null && picker.Barcode != barcode)) return false;
        Set(store, id, o => o.Progress = $"returning the cleaner from the picker to slot {reservation.Slot}");
        await Guard(() => s.Changer.MoveAsync(map.DefaultTransport, reservation.Address, $"return cleaner from the picker to slot {reservation.Slot}", ct)).ConfigureAwait(false);
        return true;
    }

    /// <summary>An element ASC the policy reads as a used-up cleaner (e.g. 5A/01 on a Quantum library), or null.</summary>
    private static string? SpentByElement(MediaChanger changer, Element e)
    {
        if (!e.Except) return null;
        var rule = changer.ElementRule(e);
        return rule.Action == SenseAction.MarkCleanerSpent ? $"{rule.Meaning} [element ASC {e.Asc:X2}/{e.Ascq:X2}]" : null;
    }

    private static void MarkSpent(CleanerStateStore store, string reason) => store.Update(st =>
    {
        if (st.Cleaner is { } c && (c.CleansLeft != 0 || c.SpentReason is null))
        {
            c.CleansLeft = 0;
            c.SpentReason = reason;
        }
    });

    private static string Reason(CleanerCartridge c) => c.SpentReason is { } r ? $" ({r})" : "";
}
