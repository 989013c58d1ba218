using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>InjectNtmsCleaner and EjectNtmsCleaner, through an import/export element or the door.</summary>
public sealed partial class CleanerService
{
    private async Task InjectByPortAsync(CleanerStateStore store, Guid id, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var reservation = store.Read().Reservation ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "the cleaner slot reservation was released");
        HashSet<ushort>? fullAtStart = null;
        bool first = true;
        while (true)
        {
            var op = await PollAsync(store, id, "insert the cleaner into an import/export slot", progress, ct, first).ConfigureAwait(false);
            first = false;
            if (op is null) return;
            await using var s = await OpenForPollAsync(ct).ConfigureAwait(false);
            if (s is null) continue;
            var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
            var elements = await Guard(() => s.Changer.ReadElementsAsync(ElementType.ImportExport, map.ImportExport.First, map.ImportExport.Count, ct)).ConfigureAwait(false);
            fullAtStart ??= elements.Where(e => e.Full && !e.ImpExp).Select(e => e.Address).ToHashSet();
            // A cartridge the operator placed: ImpExp=1 (SMC), or (libraries without ImpExp, like tgt) one that appeared since we started.
            var placed = elements.FirstOrDefault(e => e.Full && (e.ImpExp || !fullAtStart.Contains(e.Address)));
            if (placed is null) continue;
            if (!IsCleaner(placed))
            {
                Finish(store, id, OperationState.Failed, NtmsResult.ERROR_INVALID_CLEANER,
                    $"{placed.Barcode ?? "the cartridge"} in {map.Describe(placed.Address)} is not a cleaner (no '{_options.CleanerPrefix}' label, medium type {placed.MediumType}); it was left in the import/export slot");
                return;
            }
            using (await RobotLock.AcquireAsync(store.Directory, _options.RobotLockTimeout, ct).ConfigureAwait(false))
            {
                try
                {
                    await s.Changer.MoveAsync(placed.Address, reservation.Address, $"move cleaner {placed.Barcode} to cleaner slot {reservation.Slot}", ct).ConfigureAwait(false);
                }
                catch (ChangerOperationException e) when (e.Error == ChangerError.OperatorIntervention)
                {
                    Set(store, id, o => o.Progress = "close the import/export port so the robot can take the cleaner");
                    continue;     // mhVTL: the robot may not use the mail slot while it is open (02/3A/02)
                }
            }
            Finish(store, id, OperationState.Passed, NtmsResult.ERROR_SUCCESS, $"cleaner {placed.Barcode} is in slot {reservation.Slot}", state =>
                state.Cleaner = new CleanerCartridge { Barcode = placed.Barcode, CleansLeft = op.CleansLeft, InjectedAt = Now });
            Set(store, id, o => o.Barcode = placed.Barcode);
            return;
        }
    }

    private async Task InjectByDoorAsync(CleanerStateStore store, Guid id, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var reservation = store.Read().Reservation ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "the cleaner slot reservation was released");
        string instruction = $"open the library door, place the cleaner in slot {reservation.Slot}, close the door (or run 'tapechanger operations confirm {id}')";
        if (!await WaitForDoorAsync(store, id, instruction, progress, ct).ConfigureAwait(false)) return;
        // No inventory (NTMS_IEDOOR): only the reserved slot is read, to learn the barcode.
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var e = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
        if (!e.Full)
        {
            Finish(store, id, OperationState.Failed, NtmsResult.ERROR_SLOT_EMPTY, $"slot {reservation.Slot} is still empty after the door access");
            return;
        }
        uint cleans = store.Read().Find(id)!.CleansLeft;
        Finish(store, id, OperationState.Passed, NtmsResult.ERROR_SUCCESS, $"cleaner {e.Barcode} is in slot {reservation.Slot}", state =>
        {
            state.Cleaner = new CleanerCartridge { Barcode = e.Barcode, CleansLeft = cleans, InjectedAt = Now };
            state.Find(id)!.Barcode = e.Barcode;
        });
    }

    private async Task EjectByPortAsync(CleanerStateStore store, Guid id, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var reservation = store.Read().Reservation ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "the cleaner slot reservation was released");
        ushort target;
        await using (var s = await OpenAsync(ct).ConfigureAwait(false))
        {
            var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
            var ies = await Guard(() => s.Changer.ReadElementsAsync(ElementType.ImportExport, map.ImportExport.First, map.ImportExport.Count, ct)).ConfigureAwait(false);
            var free = ies.FirstOrDefault(e => !e.Full && !e.Except)
                ?? throw new CleanerException(NtmsResult.ERROR_IEPORT_FULL, "every import/export slot is full; empty the mail slot first");
            target = free.Address;
            using (await RobotLock.AcquireAsync(store.Directory, _options.RobotLockTimeout, ct).ConfigureAwait(false))
            {
                await Guard(() => s.Changer.MoveAsync(reservation.Address, target, $"eject cleaner from slot {reservation.Slot}", ct)).ConfigureAwait(false);
            }
        }
        // Out of the library's slots: ejected cleaners are no longer tracked.
        store.Update(state => { state.Cleaner = null; var o = state.Find(id)!; o.Element = target; });
        bool first = true;
        while (true)
        {
            var op = await PollAsync(store, id, $"take the cleaner out of import/export element {target}", progress, ct, first).ConfigureAwait(false);
            first = false;
            if (op is null) return;
            await using var s = await OpenForPollAsync(ct).ConfigureAwait(false);
            if (s is null) continue;
            var e = await Guard(() => s.Changer.ReadElementAsync(target, ct)).ConfigureAwait(false);
            if (!e.Full)
            {
                Finish(store, id, OperationState.Passed, NtmsResult.ERROR_SUCCESS, "cleaner removed by the operator");
                return;
            }
        }
    }

    private async Task EjectByDoorAsync(CleanerStateStore store, Guid id, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var reservation = store.Read().Reservation ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "the cleaner slot reservation was released");
        string instruction = $"open the library door, take the cleaner out of slot {reservation.Slot}, close the door (or run 'tapechanger operations confirm {id}')";
        if (!await WaitForDoorAsync(store, id, instruction, progress, ct).ConfigureAwait(false)) return;
        Finish(store, id, OperationState.Passed, NtmsResult.ERROR_SUCCESS, "cleaner taken out through the door", state => state.Cleaner = null);
    }
}
