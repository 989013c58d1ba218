using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>Starting operations (validate, then queue in the journal), and STOP / operator confirmation.</summary>
public sealed partial class CleanerService
{
    /// <summary>InjectNtmsCleaner(NTMS_INJECT_START). <paramref name="cleansLeft"/> is an input (the SDK's Remarks).</summary>
    public async Task<Guid> StartInjectAsync(CleanerPath path, uint cleansLeft, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var reservation = store.Read().Reservation
            ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "this library has no slot reserved as a cleaner slot; run 'cleaner reserve SLOT' first");
        RefuseSecondPortOperation(store);
        await Guard(() => s.Changer.TestUnitReadyAsync(ct)).ConfigureAwait(false);
        var (e, accessReported) = await ReadSlotAsync(s, reservation.Address, ct).ConfigureAwait(false);
        if (NotPresent(e, accessReported)) throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"cleaner slot {reservation.Slot} is not installed: at least one magazine is missing");
        if (e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_FULL, $"cleaner slot {reservation.Slot} already holds {e.Barcode ?? "a cartridge"}; eject it first");
        var via = await ResolvePathAsync(s, path, ct).ConfigureAwait(false);
        return Queue(store, OperationKind.Inject, via, o =>
        {
            o.CleansLeft = cleansLeft;
            o.Deadline = via == CleanerPath.IePort ? Now + (timeout ?? _options.OperatorTimeout) : null;
        });
    }

    /// <summary>EjectNtmsCleaner(NTMS_EJECT_START).</summary>
    public async Task<Guid> StartEjectAsync(CleanerPath path, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var reservation = store.Read().Reservation
            ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "this library has no slot reserved as a cleaner slot");
        RefuseSecondPortOperation(store);
        var (e, accessReported) = await ReadSlotAsync(s, reservation.Address, ct).ConfigureAwait(false);
        if (NotPresent(e, accessReported)) throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"cleaner slot {reservation.Slot} is not installed (magazine missing)");
        if (!e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_EMPTY, $"cleaner slot {reservation.Slot} is empty; there is no cleaner to eject");
        var via = await ResolvePathAsync(s, path, ct).ConfigureAwait(false);
        return Queue(store, OperationKind.Eject, via, o =>
        {
            o.Barcode = e.Barcode;
            o.Deadline = via == CleanerPath.IePort ? Now + (timeout ?? _options.OperatorTimeout) : null;
        });
    }

    /// <summary>CleanNtmsDrive: queue a cleaning of DRIVE (0-based).</summary>
    public async Task<Guid> StartCleanAsync(int drive, bool unloadFirst, CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        if (drive < 0 || drive >= map.Drives.Count)
        {
            throw new CleanerException(NtmsResult.ERROR_INVALID_DRIVE, $"drive {drive} does not exist; drives are 0 to {map.Drives.Count - 1}");
        }
        var state = store.Read();
        var reservation = state.Reservation
            ?? throw new CleanerException(NtmsResult.ERROR_CLEANER_SLOT_NOT_SET, "no cleaner slot is reserved in this library; reserve one and inject a cleaner first");
        var slot = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
        bool cleanerBusy = state.Operations.Any(o => o.Kind == OperationKind.Clean && !o.State.IsFinal());
        if (!slot.Full && !cleanerBusy) throw new CleanerException(NtmsResult.ERROR_SLOT_EMPTY, $"cleaner slot {reservation.Slot} is empty; inject a cleaner first");
        if (slot.Full && SpentByElement(s.Changer, slot) is { } why) MarkSpent(store, why);
        if (store.Read().Cleaner is { CleansLeft: 0 } spentCleaner) throw new CleanerException(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, $"cleaner {spentCleaner.Barcode} has no cleanings left{Reason(spentCleaner)}; eject it and inject a new one");
        var d = await Guard(() => s.Changer.ReadElementAsync(map.DriveAddress(drive), ct)).ConfigureAwait(false);
        // The cleaner itself in the drive, for an earlier cleaning not ended yet: it goes back to its slot before this
        // one starts (one cleaning at a time), so the drive will be empty then.
        bool ourCleaner = d.Full && cleanerBusy && IsCleaner(d) && (state.Cleaner?.Barcode is not { } b || d.Barcode == b);
        if (d.Full && !unloadFirst && !ourCleaner)
        {
            throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, $"drive {drive} holds {d.Barcode ?? "a cartridge"}; unload it first or use --unload-first");
        }
        return Queue(store, OperationKind.Clean, CleanerPath.IePort, o =>
        {
            o.Drive = drive;
            o.UnloadFirst = unloadFirst;
            o.Element = map.DriveAddress(drive);
        });
    }

    /// <summary>
    /// One inject or eject at a time per library: a second one while the first waits for the operator would wait at the
    /// same mail slot or door and one of them would time out. Refused at once, naming the one that waits.
    /// </summary>
    private void RefuseSecondPortOperation(CleanerStateStore store)
    {
        if (store.Read().Operations.FirstOrDefault(o => o.Kind is OperationKind.Inject or OperationKind.Eject && IsLive(o)) is { } busy)
        {
            throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION,
                $"{busy.Kind.Name()} operation {busy.Id} is {busy.State.Name()}{(busy.Progress is { } p ? $" ({p})" : "")}; let it end or stop it with 'tapechanger cleaner {busy.Kind.Name()} --stop {busy.Id}'");
        }
    }

    private async ValueTask<CleanerPath> ResolvePathAsync(ChangerSession s, CleanerPath path, CancellationToken ct)
    {
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        return path switch
        {
            CleanerPath.Auto => map.ImportExport.Count > 0 ? CleanerPath.IePort : CleanerPath.Door,
            CleanerPath.IePort when map.ImportExport.Count == 0 => throw new CleanerException(NtmsResult.ERROR_INVALID_PARAMETER,
                "this library reports no import/export elements; use the door (--via door)"),
            _ => path,
        };
    }

    /// <summary>NTMS_INJECT_STOP / NTMS_EJECT_STOP: ends an IE-port wait before its timeout.</summary>
    public async Task StopAsync(Guid id, CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        store.Update(state =>
        {
            var op = state.Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");
            if (op.Kind == OperationKind.Clean) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "a drive cleaning cannot be stopped once queued");
            if (op.Via == CleanerPath.Door) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "STOP applies to import/export port operations only (InjectNtmsCleaner remarks)");
            if (op.State.IsFinal()) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, $"operation {id} has already {op.State.Name()}");
            op.StopRequested = true;
            op.Updated = Now;
        });
    }

    /// <summary>The operator confirms a door operation (cleaner placed in, or taken from, the reserved slot).</summary>
    public async Task ConfirmAsync(Guid id, CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        store.Update(state =>
        {
            var op = state.Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");
            if (op.Via != CleanerPath.Door || op.Kind == OperationKind.Clean) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "only door operations wait for a confirmation");
            if (op.State.IsFinal()) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, $"operation {id} has already {op.State.Name()}");
            op.Confirmed = true;
            op.Updated = Now;
        });
    }
}
