using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>How a cleaner enters or leaves the library.</summary>
public enum CleanerPath
{
    /// <summary>Through an import/export element when the library has one, otherwise the door (RSM's rule).</summary>
    Auto,
    /// <summary>NTMS_IEPORT: through an import/export element.</summary>
    IePort,
    /// <summary>NTMS_IEDOOR: the operator opens the door and uses the reserved slot directly.</summary>
    Door,
}

/// <summary>
/// RSM's cleaner management over any library: ReserveNtmsCleanerSlot, ReleaseNtmsCleanerSlot, InjectNtmsCleaner,
/// EjectNtmsCleaner and CleanNtmsDrive semantics (contract: shared/seed/InjectNtmsCleaner.md and facts.md §3.4).
/// Start methods validate and queue, returning an operation id at once; <see cref="RunAsync"/> carries an
/// operation out (in a worker process or in the background). Failures throw <see cref="CleanerException"/>.
/// </summary>
public sealed class CleanerService
{
    /// <summary>dwNumberOfCleansLeft value meaning "not counted".</summary>
    public const uint Unlimited = 0xFFFF_FFFF;

    private readonly IChangerConnector _connector;
    private readonly string _stateDirectory;
    private readonly CleanerOptions _options;
    private readonly TimeProvider _time;
    private CleanerStateStore? _store;
    private ProfileSelection? _profile;

    /// <summary>The hw-profile of the library (known once the library has been identified).</summary>
    public ProfileSelection? Profile => _profile;

    public CleanerService(IChangerConnector connector, string stateDirectory, CleanerOptions? options = null, TimeProvider? time = null)
    {
        _connector = connector;
        _stateDirectory = stateDirectory;
        _options = options ?? new CleanerOptions();
        _time = time ?? TimeProvider.System;
    }

    private DateTimeOffset Now => _time.GetUtcNow();

    // ---------------------------------------------------------------- sessions, identity, errors

    private async ValueTask<ChangerSession> OpenAsync(CancellationToken ct)
    {
        try
        {
            return await _connector.OpenAsync(ct).ConfigureAwait(false);
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Turns device failures into the RSM codes the cleaner functions document.</summary>
    public static CleanerException? Map(Exception e) => e switch
    {
        CleanerException => null,
        ScsiTransportException { Failure: TransportFailure.PermissionDenied } t => new(NtmsResult.ERROR_ACCESS_DENIED, t.Message, t),
        // The device is there but the conversation broke (I/O error, timeout, dropped iSCSI connection): not connected.
        ScsiTransportException { Failure: TransportFailure.Io or TransportFailure.Timeout } t => new(NtmsResult.ERROR_NOT_CONNECTED, t.Message, t),
        ScsiTransportException t => new(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, t.Message, t),
        UnauthorizedAccessException u => new(NtmsResult.ERROR_ACCESS_DENIED, $"permission denied: {u.Message}", u),
        ChangerOperationException { Error: ChangerError.NotReady or ChangerError.OperatorIntervention } c => new(NtmsResult.ERROR_LIBRARY_OFFLINE, c.Message, c),
        // Sense policy MarkCleanerSpent rows (30/07, 30/0B, 30/13) classify as CleaningFailed.
        ChangerOperationException { Error: ChangerError.CleaningFailed } c => new(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, c.Message, c),
        // Not classified by the domain: the rule the client attached decides, as it does for the domain.
        ScsiCheckConditionException s when SenseClassifier.RuleOf(s) is { Action: SenseAction.MarkCleanerSpent }
            => new(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, s.Message, s),
        ScsiCheckConditionException s when SenseClassifier.RuleOf(s).Failure is SenseFailure.NotReady or SenseFailure.OperatorIntervention
            => new(NtmsResult.ERROR_LIBRARY_OFFLINE, s.Message, s),
        ScsiStatusException s => new(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, s.Message, s),
        IOException io => new(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, io.Message, io),
        _ => null,
    };

    /// <summary>The library's state store, keyed by its identity (INQUIRY vendor/product + VPD 80h serial).</summary>
    public async ValueTask<CleanerStateStore> StoreAsync(CancellationToken ct = default)
    {
        if (_store is not null) return _store;
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        return await StoreAsync(s, ct).ConfigureAwait(false);
    }

    private async ValueTask<CleanerStateStore> StoreAsync(ChangerSession s, CancellationToken ct)
    {
        if (_store is not null) return _store;
        var id = await Guard(() => s.Changer.GetIdentityAsync(withSerial: true, ct)).ConfigureAwait(false);
        if (id.DeviceType != 0x08)
        {
            throw new CleanerException(NtmsResult.ERROR_INVALID_LIBRARY, $"the device is not a medium changer (peripheral type {id.DeviceType:X2}h)");
        }
        _store = new CleanerStateStore(_stateDirectory, id.Vendor, id.Product, id.SerialNumber);
        _profile = _options.SelectProfile?.Invoke(id.Vendor, id.Product, id.Revision) ?? HardwareProfiles.Select(id.Vendor, id.Product, id.Revision);
        RecordDeviceIndex(_store);
        return _store;
    }

    /// <summary>Remembers which library key the connector's device points at, so data commands can honour the reservation cheaply.</summary>
    private void RecordDeviceIndex(CleanerStateStore store)
    {
        if (_connector is IDeviceNamed named) ReservationIndex.Write(_stateDirectory, named.DeviceName, store.Key);
    }

    private static async ValueTask<T> Guard<T>(Func<ValueTask<T>> action)
    {
        try { return await action().ConfigureAwait(false); }
        catch (Exception e) when (Map(e) is { } mapped) { throw mapped; }
    }

    private static async ValueTask Guard(Func<ValueTask> action)
    {
        try { await action().ConfigureAwait(false); }
        catch (Exception e) when (Map(e) is { } mapped) { throw mapped; }
    }

    /// <summary>
    /// A slot whose magazine is missing: Except with 3B/11 or 3B/12, or ACCESS clear on a library that reports ACCESS
    /// at all. tgt never sets ACCESS on any element (emulators.md §2.4), so there a clear bit means nothing.
    /// </summary>
    private static bool NotPresent(Element e, bool accessReported) =>
        (e.Except && e.Asc == 0x3B && e.Ascq is 0x11 or 0x12) || (accessReported && e.Type == ElementType.Storage && !e.Access);

    /// <summary>A storage slot plus whether the library reports ACCESS on its storage elements (one READ ELEMENT STATUS of the range).</summary>
    private async ValueTask<(Element Slot, bool AccessReported)> ReadSlotAsync(ChangerSession s, ushort address, CancellationToken ct)
    {
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        var all = await Guard(() => s.Changer.ReadElementsAsync(ElementType.Storage, map.Storage.First, map.Storage.Count, ct)).ConfigureAwait(false);
        var d = all.FirstOrDefault(x => x.Address == address)
            ?? throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"the library did not report {map.Describe(address)}");
        return (d, all.Any(x => x.Access));
    }

    private bool IsCleaner(Element e) => e.MediumType == MediumType.Cleaning
        || (e.Barcode is { } b && _options.CleanerPrefix.Length > 0 && b.StartsWith(_options.CleanerPrefix, StringComparison.OrdinalIgnoreCase));

    // ---------------------------------------------------------------- reserve / release

    /// <summary>ReserveNtmsCleanerSlot: SLOT (mtx numbering, storage slots only) becomes the library's cleaner slot.</summary>
    public async Task<CleanerReservation> ReserveAsync(int slot, CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        if (slot < 1 || slot > map.Storage.Count)
        {
            throw new CleanerException(NtmsResult.ERROR_INVALID_SLOT,
                $"slot {slot} is not a storage slot of this library (storage slots are 1 to {map.Storage.Count})");
        }
        ushort address = map.SlotAddress(slot);
        var (e, accessReported) = await ReadSlotAsync(s, address, ct).ConfigureAwait(false);
        if (NotPresent(e, accessReported)) throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"slot {slot} is not installed (magazine missing) [{e.Asc:X2}/{e.Ascq:X2}]");
        if (e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_FULL, $"slot {slot} holds {e.Barcode ?? "a cartridge"}; a cleaner slot must be empty");
        return store.Update(state =>
        {
            if (state.Reservation is { } r)
            {
                throw new CleanerException(NtmsResult.ERROR_ALREADY_RESERVED, $"slot {r.Slot} is already reserved as this library's cleaner slot");
            }
            state.Reservation = new CleanerReservation { Address = address, Slot = slot, ReservedAt = Now };
            state.Cleaner = null;
            return state.Reservation;
        });
    }

    /// <summary>ReleaseNtmsCleanerSlot.</summary>
    public async Task ReleaseAsync(CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var reservation = store.Read().Reservation
            ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "this library has no reserved cleaner slot");
        var (e, accessReported) = await ReadSlotAsync(s, reservation.Address, ct).ConfigureAwait(false);
        if (NotPresent(e, accessReported)) throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"cleaner slot {reservation.Slot} is not installed (magazine missing)");
        if (e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_FULL, $"cleaner slot {reservation.Slot} still holds {e.Barcode ?? "a cartridge"}; eject the cleaner first");
        store.Update(state =>
        {
            if (state.Operations.Any(o => !OperationStates.IsFinal(o.State)))
            {
                throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "a cleaner operation is still queued or running; stop it first");
            }
            state.Reservation = null;
            state.Cleaner = null;
        });
    }

    // ---------------------------------------------------------------- start (queue) operations

    /// <summary>InjectNtmsCleaner(NTMS_INJECT_START). <paramref name="cleansLeft"/> is an input (the SDK's Remarks).</summary>
    public async Task<Guid> StartInjectAsync(CleanerPath path, uint cleansLeft, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var store = await StoreAsync(s, ct).ConfigureAwait(false);
        var reservation = store.Read().Reservation
            ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "this library has no slot reserved as a cleaner slot; run 'cleaner reserve SLOT' first");
        await Guard(() => s.Changer.TestUnitReadyAsync(ct)).ConfigureAwait(false);
        var (e, accessReported) = await ReadSlotAsync(s, reservation.Address, ct).ConfigureAwait(false);
        if (NotPresent(e, accessReported)) throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"cleaner slot {reservation.Slot} is not installed: at least one magazine is missing");
        if (e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_FULL, $"cleaner slot {reservation.Slot} already holds {e.Barcode ?? "a cartridge"}; eject it first");
        var via = await ResolvePathAsync(s, path, ct).ConfigureAwait(false);
        return Queue(store, "inject", via, o =>
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
        var (e, accessReported) = await ReadSlotAsync(s, reservation.Address, ct).ConfigureAwait(false);
        if (NotPresent(e, accessReported)) throw new CleanerException(NtmsResult.ERROR_SLOT_NOT_PRESENT, $"cleaner slot {reservation.Slot} is not installed (magazine missing)");
        if (!e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_EMPTY, $"cleaner slot {reservation.Slot} is empty; there is no cleaner to eject");
        var via = await ResolvePathAsync(s, path, ct).ConfigureAwait(false);
        return Queue(store, "eject", via, o =>
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
        bool cleanerBusy = state.Operations.Any(o => o.Kind == "clean" && !OperationStates.IsFinal(o.State));
        if (!slot.Full && !cleanerBusy) throw new CleanerException(NtmsResult.ERROR_SLOT_EMPTY, $"cleaner slot {reservation.Slot} is empty; inject a cleaner first");
        if (slot.Full && SpentByElement(s.Changer, slot) is { } why) MarkSpent(store, why);
        if (store.Read().Cleaner is { CleansLeft: 0 } spentCleaner) throw new CleanerException(NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT, $"cleaner {spentCleaner.Barcode} has no cleanings left{Reason(spentCleaner)}; eject it and inject a new one");
        var d = await Guard(() => s.Changer.ReadElementAsync(map.DriveAddress(drive), ct)).ConfigureAwait(false);
        if (d.Full && !unloadFirst)
        {
            throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, $"drive {drive} holds {d.Barcode ?? "a cartridge"}; unload it first or use --unload-first");
        }
        return Queue(store, "clean", CleanerPath.Auto, o =>
        {
            o.Drive = drive;
            o.UnloadFirst = unloadFirst;
            o.Element = map.DriveAddress(drive);
        });
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

    private Guid Queue(CleanerStateStore store, string kind, CleanerPath via, Action<OperationRecord> init)
    {
        var op = new OperationRecord
        {
            Id = Guid.NewGuid(),
            Kind = kind,
            Via = via == CleanerPath.Door ? "door" : "ieport",
            Created = Now,
            Updated = Now,
            Progress = "queued",
        };
        init(op);
        store.Update(state =>
        {
            // Prune old finished operations so the journal stays small.
            var finished = state.Operations.Where(o => OperationStates.IsFinal(o.State)).OrderBy(o => o.Updated).ToList();
            foreach (var old in finished.Take(Math.Max(0, finished.Count - 200))) state.Operations.Remove(old);
            state.Operations.Add(op);
        });
        return op.Id;
    }

    // ---------------------------------------------------------------- stop / confirm / query

    /// <summary>NTMS_INJECT_STOP / NTMS_EJECT_STOP: ends an IE-port wait before its timeout.</summary>
    public async Task StopAsync(Guid id, CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        store.Update(state =>
        {
            var op = state.Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");
            if (op.Kind == "clean") throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "a drive cleaning cannot be stopped once queued");
            if (op.Via == "door") throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "STOP applies to import/export port operations only (InjectNtmsCleaner remarks)");
            if (OperationStates.IsFinal(op.State)) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, $"operation {id} has already {op.State}");
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
            if (op.Via != "door" || op.Kind == "clean") throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "only door operations wait for a confirmation");
            if (OperationStates.IsFinal(op.State)) throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, $"operation {id} has already {op.State}");
            op.Confirmed = true;
            op.Updated = Now;
        });
    }

    public async Task<OperationRecord> GetOperationAsync(Guid id, CancellationToken ct = default) =>
        (await StoreAsync(ct).ConfigureAwait(false)).Read().Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");

    public async Task<CleanerState> GetStateAsync(CancellationToken ct = default) => (await StoreAsync(ct).ConfigureAwait(false)).Read();

    // ---------------------------------------------------------------- run

    /// <summary>
    /// Carries out a queued operation to the end and returns its final record. Safe to call for an operation whose
    /// previous worker died: it picks up from the journal's step (an interrupted cleaning is reconciled).
    /// </summary>
    public async Task<OperationRecord> RunAsync(Guid id, IProgress<OperationRecord>? progress = null, CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        var op = Set(store, id, o => { o.WorkerPid = Environment.ProcessId; if (o.State is OperationStates.Queued or OperationStates.Interrupted) o.State = OperationStates.InProcess; });
        if (OperationStates.IsFinal(op.State)) return op;
        try
        {
            switch (op.Kind)
            {
                case "inject" when op.Via == "door": await InjectByDoorAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case "inject": await InjectByPortAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case "eject" when op.Via == "door": await EjectByDoorAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case "eject": await EjectByPortAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case "clean": await CleanAsync(store, id, progress, ct).ConfigureAwait(false); break;
                default: throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, $"unknown operation kind '{op.Kind}'");
            }
        }
        catch (Exception e) when (e is CleanerException || Map(e) is not null || e is ChangerOperationException)
        {
            var ce = e as CleanerException ?? Map(e) ?? new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, e.Message, e);
            if (Resumable(store.Read().Find(id)!, e, ce)) Interrupt(store, id, ce);
            else Finish(store, id, OperationStates.Failed, ce.Result, ce.Message);
        }
        catch (OperationCanceledException)
        {
            Finish(store, id, OperationStates.Cancelled, NtmsResult.ERROR_CANCELLED, "cancelled");
        }
        var final = store.Read().Find(id)!;
        progress?.Report(final);
        return final;
    }

    /// <summary>
    /// A cleaning whose cleaner may be out of its slot (step to-drive or in-drive) that failed on the device rather than
    /// on a rule (connection lost, hardware error such as a move stopped halfway, library not ready, magazine out, a drive
    /// refusing to give the cleaner back).
    /// Marking it failed would strand the cleaner where data commands may not touch it (the reserved slot is off limits).
    /// </summary>
    private static bool Resumable(OperationRecord op, Exception e, CleanerException ce) =>
        op.Kind == "clean" && op.Step is "to-drive" or "in-drive"
        && (ce.Result is NtmsResult.ERROR_NOT_CONNECTED or NtmsResult.ERROR_DEVICE_NOT_AVAILABLE or NtmsResult.ERROR_LIBRARY_OFFLINE
            || e is ChangerOperationException { Error: ChangerError.DeviceError or ChangerError.MoveNotVerified or ChangerError.RemovalPrevented });

    private void Interrupt(CleanerStateStore store, Guid id, CleanerException ce) => store.Update(state =>
    {
        var op = state.Find(id)!;
        op.State = OperationStates.Interrupted;
        op.Result = ce.Result.ToString();
        op.Code = (uint)ce.Result;
        op.Message = $"interrupted ({ce.Message}); run 'tapechanger operations recover' once the library is back";
        op.Progress = null;
        op.WorkerPid = null;
        op.Updated = Now;
    });

    private OperationRecord Set(CleanerStateStore store, Guid id, Action<OperationRecord> change) => store.Update(state =>
    {
        var op = state.Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");
        change(op);
        op.Updated = Now;
        return op;
    });

    private void Finish(CleanerStateStore store, Guid id, string finalState, NtmsResult result, string? message, Action<CleanerState>? also = null) =>
        store.Update(state =>
        {
            var op = state.Find(id)!;
            if (OperationStates.IsFinal(op.State)) return;
            op.State = finalState;
            op.Result = result.ToString();
            op.Code = (uint)result;
            op.Message = message;
            op.Progress = null;
            op.Updated = Now;
            op.Completed = Now;
            also?.Invoke(state);
        });

    /// <summary>Waits one poll interval; returns the fresh record, or null (after finishing it) when STOP or the deadline came.</summary>
    private async Task<OperationRecord?> PollAsync(CleanerStateStore store, Guid id, string waitingFor, IProgress<OperationRecord>? progress, CancellationToken ct, bool first = false)
    {
        if (!first) await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
        var op = Set(store, id, o =>
        {
            o.State = OperationStates.WaitingForOperator;
            string left = o.Deadline is { } dl ? $" ({Math.Max(0, (int)(dl - Now).TotalSeconds)} s left)" : "";
            o.Progress = waitingFor + left;
        });
        progress?.Report(op);
        if (op.StopRequested)
        {
            // The IE port is left as the operator sees it.
            Finish(store, id, OperationStates.Stopped, NtmsResult.ERROR_CANCELLED, "stopped by request before the time-out");
            return null;
        }
        if (op.Deadline is { } deadline && Now >= deadline)
        {
            Finish(store, id, OperationStates.Failed, NtmsResult.ERROR_TIMEOUT, $"gave up: {waitingFor}");
            return null;
        }
        return op;
    }

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
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
            var elements = await Guard(() => s.Changer.ReadElementsAsync(ElementType.ImportExport, map.ImportExport.First, map.ImportExport.Count, ct)).ConfigureAwait(false);
            fullAtStart ??= elements.Where(e => e.Full && !e.ImpExp).Select(e => e.Address).ToHashSet();
            // A cartridge the operator placed: ImpExp=1 (SMC), or (libraries without ImpExp, like tgt) one that appeared since we started.
            var placed = elements.FirstOrDefault(e => e.Full && (e.ImpExp || !fullAtStart.Contains(e.Address)));
            if (placed is null) continue;
            if (!IsCleaner(placed))
            {
                Finish(store, id, OperationStates.Failed, NtmsResult.ERROR_INVALID_CLEANER,
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
            Finish(store, id, OperationStates.Passed, NtmsResult.ERROR_SUCCESS, $"cleaner {placed.Barcode} is in slot {reservation.Slot}", state =>
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
            Finish(store, id, OperationStates.Failed, NtmsResult.ERROR_SLOT_EMPTY, $"slot {reservation.Slot} is still empty after the door access");
            return;
        }
        uint cleans = store.Read().Find(id)!.CleansLeft;
        Finish(store, id, OperationStates.Passed, NtmsResult.ERROR_SUCCESS, $"cleaner {e.Barcode} is in slot {reservation.Slot}", state =>
        {
            state.Cleaner = new CleanerCartridge { Barcode = e.Barcode, CleansLeft = cleans, InjectedAt = Now };
            state.Find(id)!.Barcode = e.Barcode;
        });
    }

    /// <summary>Door operations finish when the operator confirms, or when the library reports the door open and then closed.</summary>
    private async Task<bool> WaitForDoorAsync(CleanerStateStore store, Guid id, string instruction, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        bool doorSeenOpen = false;
        bool first = true;
        while (true)
        {
            var op = await PollAsync(store, id, instruction, progress, ct, first).ConfigureAwait(false);
            first = false;
            if (op is null) return false;
            if (op.Confirmed) return true;
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            // One TUR per poll (this loop is the operator wait): door open is a WaitForOperator row (02/04/18 ...).
            var ready = await Guard(() => s.Changer.PollReadyAsync(ct)).ConfigureAwait(false);
            switch (ready.Action)
            {
                case SenseAction.WaitForOperator:
                    doorSeenOpen = true;
                    break;
                case SenseAction.Proceed or SenseAction.RetrySoon when doorSeenOpen:
                    return true;                    // GOOD, or 06/28/00 after the door closed
            }
        }
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
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            var e = await Guard(() => s.Changer.ReadElementAsync(target, ct)).ConfigureAwait(false);
            if (!e.Full)
            {
                Finish(store, id, OperationStates.Passed, NtmsResult.ERROR_SUCCESS, "cleaner removed by the operator");
                return;
            }
        }
    }

    private async Task EjectByDoorAsync(CleanerStateStore store, Guid id, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var reservation = store.Read().Reservation ?? throw new CleanerException(NtmsResult.ERROR_NO_SLOT_SET, "the cleaner slot reservation was released");
        string instruction = $"open the library door, take the cleaner out of slot {reservation.Slot}, close the door (or run 'tapechanger operations confirm {id}')";
        if (!await WaitForDoorAsync(store, id, instruction, progress, ct).ConfigureAwait(false)) return;
        Finish(store, id, OperationStates.Passed, NtmsResult.ERROR_SUCCESS, "cleaner taken out through the door", state => state.Cleaner = null);
    }

    // ---------------------------------------------------------------- clean

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

        if (op.Step is null or "to-drive")
        {
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            using var robot = await RobotLock.AcquireAsync(store.Directory, _options.RobotLockTimeout, ct).ConfigureAwait(false);
            var cleaner = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
            if (op.Step == "to-drive" && !cleaner.Full && await ReturnFromPickerAsync(s, store, id, reservation, state.Cleaner?.Barcode, ct).ConfigureAwait(false))
            {
                cleaner = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
            }
            var d = await Guard(() => s.Changer.ReadElementAsync(driveAddress, ct)).ConfigureAwait(false);
            bool alreadyInDrive = op.Step == "to-drive" && !cleaner.Full && d.Full && IsCleaner(d);
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
                Set(store, id, o => { o.Step = "to-drive"; o.State = OperationStates.InProcess; o.Progress = $"loading cleaner {cleaner.Barcode} into drive {drive}"; });
                try
                {
                    await s.Changer.MoveAsync(reservation.Address, driveAddress, $"load cleaner into drive {drive}", ct).ConfigureAwait(false);
                }
                catch (ChangerOperationException e) when (e.Error == ChangerError.DriveRejectedMedium)
                {
                    throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_LOAD_MEDIUM, $"drive {drive} rejected cleaner {cleaner.Barcode} (incompatible cleaning cartridge?): {e.Message}", e);
                }
            }
            Set(store, id, o => { o.Step = "in-drive"; o.Barcode = cleaner.Barcode ?? d.Barcode; o.DriveSerial = d.DriveSerial; });
        }

        if (store.Read().Find(id)!.Step == "in-drive")
        {
            (spent, outcome) = await WaitForCleaningAsync(store, id, drive, progress, ct).ConfigureAwait(false);
            await using var s = await OpenAsync(ct).ConfigureAwait(false);
            using var robot = await RobotLock.AcquireAsync(store.Directory, _options.RobotLockTimeout, ct).ConfigureAwait(false);
            var d = await Guard(() => s.Changer.ReadElementAsync(driveAddress, ct)).ConfigureAwait(false);
            var slot = await Guard(() => s.Changer.ReadElementAsync(reservation.Address, ct)).ConfigureAwait(false);
            if (d.Full && !slot.Full)
            {
                Set(store, id, o => o.Progress = $"returning the cleaner to slot {reservation.Slot}");
                await Guard(() => s.Changer.MoveAsync(driveAddress, reservation.Address, $"return cleaner from drive {drive}", ct)).ConfigureAwait(false);
            }
            else if (!slot.Full && !await ReturnFromPickerAsync(s, store, id, reservation, store.Read().Find(id)!.Barcode, ct).ConfigureAwait(false))
            {
                throw new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, $"the cleaner is neither in drive {drive} nor in cleaner slot {reservation.Slot}; run 'status' and check the library");
            }
        }

        // Count the cleaning and close the operation in one atomic write: a crash before it re-runs the return
        // step (idempotent), a crash after it finds the operation final. Never counted twice.
        var result = spent ? NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT : NtmsResult.ERROR_SUCCESS;
        Finish(store, id, spent ? OperationStates.Failed : OperationStates.Passed, result,
            spent ? $"drive {drive}: the cleaner is spent ({outcome}); eject it and inject a new one" : $"drive {drive} cleaned",
            st =>
            {
                var o = st.Find(id)!;
                o.Step = "done";
                if (st.Cleaner is { } c)
                {
                    c.TimesUsed++;
                    if (spent) { c.CleansLeft = 0; c.SpentReason = outcome; }
                    else if (c.CleansLeft != Unlimited && c.CleansLeft > 0) c.CleansLeft--;
                }
                string key = o.DriveSerial is { Length: > 0 } serial ? serial : $"element:{driveAddress}";
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
    /// MT element puts it back (SMC-3 §6.9; page 1Fh MT&gt;ST). Returns true when it did.
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

    /// <summary>
    /// Watches the drive where its transport's drive locator reaches it, one TEST UNIT READY per poll, and lets the sense
    /// policy's drive rows decide: CleaningInProgress (30/03) or a becoming-ready row (04/00, 04/01, 04/07) means the
    /// cycle runs, CleaningDone (04/02, 3A/xx) that it ended, MarkCleanerSpent (30/07, 30/0B, 30/13) that the cleaner is
    /// used up; GOOD after the cycle was seen (or after three polls) ends it too. Where the drive cannot be reached it
    /// waits the configured or the profile's cleaning time. Returns whether the cleaner is spent.
    /// </summary>
    private async Task<(bool Spent, string Outcome)> WaitForCleaningAsync(CleanerStateStore store, Guid id, int drive, IProgress<OperationRecord>? progress, CancellationToken ct)
    {
        var started = Now;
        bool sawCleaning = false;
        while (true)
        {
            string? watched = null;
            await using (var s = await OpenAsync(ct).ConfigureAwait(false))
            {
                var tape = await Guard(() => s.OpenDriveAsync(drive, ct)).ConfigureAwait(false);
                if (tape is not null)
                {
                    var ready = await Guard(() => tape.TestUnitReadyAsync(ct)).ConfigureAwait(false);
                    watched = $"{tape.Uri}: TEST UNIT READY {(ready.Ready ? "GOOD" : $"{ready.Sense!.Triplet} {ready.Rule!.Meaning}")}";
                    switch (ready.Action)
                    {
                        case SenseAction.Proceed when sawCleaning || Now - started > _options.PollInterval * 3:
                            return await CleaningEndedAsync(tape, "cleaned", ct).ConfigureAwait(false);
                        case SenseAction.MarkCleanerSpent:
                            return (true, $"{ready.Rule!.Meaning} [{ready.Sense!.Triplet}]");
                        case SenseAction.CleaningInProgress or SenseAction.WaitAndRetry:
                            sawCleaning = true;
                            break;
                        case SenseAction.CleaningDone:
                            return await CleaningEndedAsync(tape, "cleaned", ct).ConfigureAwait(false);
                        case not SenseAction.Proceed when sawCleaning:
                            return await CleaningEndedAsync(tape, $"cleaning ended with {ready.Sense!.Triplet}", ct).ConfigureAwait(false);
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
                o.State = OperationStates.InProcess;
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
    private static async Task<(bool Spent, string Outcome)> CleaningEndedAsync(TapeDrive drive, string outcome, CancellationToken ct)
    {
        var alerts = await Guard(() => drive.TapeAlertsAsync(ct)).ConfigureAwait(false);      // null: no TapeAlert page (tgt)
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

    // ---------------------------------------------------------------- clean --if-needed

    /// <summary>Drives that ask for cleaning: TapeAlert 20 "cleaning required" or 21 "cleaning requested", or sense 00/17.</summary>
    public async Task<IReadOnlyList<(int Drive, string Reason)>> DrivesNeedingCleaningAsync(IEnumerable<int>? drives = null, CancellationToken ct = default)
    {
        var result = new List<(int, string)>();
        await using var s = await OpenAsync(ct).ConfigureAwait(false);
        var map = await Guard(() => s.Changer.GetMapAsync(ct)).ConfigureAwait(false);
        foreach (int drive in drives ?? Enumerable.Range(0, map.Drives.Count))
        {
            var tape = await Guard(() => s.OpenDriveAsync(drive, ct)).ConfigureAwait(false);
            if (tape is null) continue;
            // Reading 2Eh clears the flags on most drives (SSC-4 §4.2.19); we act on what we read.
            var alerts = await Guard(() => tape.TapeAlertsAsync(ct)).ConfigureAwait(false);
            if (alerts is not null && TapeAlertPolicy.First(alerts.Active.Select(f => f.Number), SenseAction.MarkDriveNeedsCleaning) is { } flag)
            {
                result.Add((drive, $"TapeAlert {flag.Flag}: {flag.Meaning}"));
                continue;
            }
            if (await Guard(() => tape.RequestSenseAsync(ct)).ConfigureAwait(false) is { Rule.Action: SenseAction.MarkDriveNeedsCleaning } condition)
            {
                result.Add((drive, $"sense {condition.Sense.Asc:X2}/{condition.Sense.Ascq:X2}: {condition.Rule.Meaning}"));
                continue;
            }
            // 00/17 or 82/82 that came back with one of the commands above (RECOVERED ERROR, NO SENSE).
            if (tape.Marks.FirstOrDefault(m => m.Rule.Action == SenseAction.MarkDriveNeedsCleaning) is { } mark)
            {
                result.Add((drive, $"sense {mark.Sense.Asc:X2}/{mark.Sense.Ascq:X2}: {mark.Rule.Meaning}"));
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- reconcile

    /// <summary>
    /// Operations whose worker died (kill -9, crash, reboot). The caller re-runs them: <see cref="RunAsync"/> resumes
    /// from the journal step, so a cleaner left in a drive goes back and is counted once.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> OrphanedOperationsAsync(CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        var now = Now;
        return store.Read().Operations
            .Where(o => o.State == OperationStates.Interrupted
                || !OperationStates.IsFinal(o.State)
                && (o.WorkerPid is int pid
                    ? pid != Environment.ProcessId && !ProcessAlive(pid)
                    : now - o.Created > TimeSpan.FromMinutes(1)))      // queued, but its worker never started
            .Select(o => o.Id).ToList();
    }

    private static bool ProcessAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            // A killed worker whose parent has gone may linger as a zombie until it is reaped; that is dead too.
            string stat = $"/proc/{pid}/stat";
            try
            {
                string text = File.ReadAllText(stat);
                int close = text.LastIndexOf(')');
                return close > 0 && close + 2 < text.Length && text[close + 2] is not ('Z' or 'X');
            }
            catch (IOException)
            {
                return false;
            }
        }
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

/// <summary>A connector that can name its device, so the reservation can be found from a device URI.</summary>
public interface IDeviceNamed
{
    string DeviceName { get; }
}
