using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>
/// RSM's cleaner management over any library: ReserveNtmsCleanerSlot, ReleaseNtmsCleanerSlot, InjectNtmsCleaner,
/// EjectNtmsCleaner and CleanNtmsDrive semantics (Microsoft Learn, "Removable Storage Manager" reference, ntmsapi.h:
/// the functions of those names). Start methods validate and queue, returning an operation id at once;
/// <see cref="RunAsync"/> carries an operation out (in a worker process or in the background). Failures throw
/// <see cref="CleanerException"/>.
/// <para>One job per file: this facade (sessions, identity, run); <c>.Reservation</c> (reserve/release);
/// <c>.Start</c> (validate and queue, stop, confirm); <c>.Journal</c> (the operation journal); <c>.OperatorWait</c>;
/// <c>.InjectEject</c> (by port and by door); <c>.Clean</c> (the clean step machine); <c>.DriveHealth</c> (watching a
/// drive, TapeAlert and sense marks); <c>.Orphans</c> (dead workers); <see cref="RsmErrors"/> (RSM error mapping).</para>
/// </summary>
public sealed partial class CleanerService
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

    /// <summary>Turns device failures into the RSM codes the cleaner functions document (<see cref="RsmErrors.Map"/>).</summary>
    public static CleanerException? Map(Exception e) => RsmErrors.Map(e);

    private static ValueTask<T> Guard<T>(Func<ValueTask<T>> action) => RsmErrors.Guard(action);

    private static ValueTask Guard(Func<ValueTask> action) => RsmErrors.Guard(action);

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

    /// <summary>
    /// A session for one poll of an operator wait, or null when another program holds the device right now (a USB
    /// interface one process claims at a time, a Windows changer opened exclusively): the wait tries again at the next
    /// poll, within the operation's time-out, instead of failing the whole operation for a moment's contention.
    /// </summary>
    private async ValueTask<ChangerSession?> OpenForPollAsync(CancellationToken ct)
    {
        try
        {
            return await _connector.OpenAsync(ct).ConfigureAwait(false);
        }
        catch (ScsiTransportException e) when (e.Failure == TransportFailure.Busy)
        {
            return null;
        }
        catch (Exception e) when (Map(e) is { } mapped)
        {
            throw mapped;
        }
    }

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

    /// <summary>
    /// A slot whose magazine is missing (<see cref="Element.MagazineMissing"/>), or ACCESS clear on a library that reports
    /// ACCESS at all. tgt never sets ACCESS on any element (fujita/tgt usr/smc.c), so there a clear bit means nothing.
    /// </summary>
    private static bool NotPresent(Element e, bool accessReported) =>
        e.MagazineMissing || (accessReported && e.Type == ElementType.Storage && !e.Access);

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

    public async Task<OperationRecord> GetOperationAsync(Guid id, CancellationToken ct = default) =>
        (await StoreAsync(ct).ConfigureAwait(false)).Read().Find(id) ?? throw new CleanerException(NtmsResult.ERROR_OBJECT_NOT_FOUND, $"no operation {id}");

    public async Task<CleanerState> GetStateAsync(CancellationToken ct = default) => (await StoreAsync(ct).ConfigureAwait(false)).Read();

    /// <summary>
    /// Carries out a queued operation to the end and returns its final record. Safe to call for an operation whose
    /// previous worker died: it picks up from the journal's step (an interrupted cleaning is reconciled).
    /// </summary>
    public async Task<OperationRecord> RunAsync(Guid id, IProgress<OperationRecord>? progress = null, CancellationToken ct = default)
    {
        var store = await StoreAsync(ct).ConfigureAwait(false);
        var op = Set(store, id, o => { o.WorkerPid = Environment.ProcessId; if (o.State is OperationState.Queued or OperationState.Interrupted) o.State = OperationState.InProcess; });
        if (op.State.IsFinal()) return op;
        try
        {
            switch (op.Kind)
            {
                case OperationKind.Inject when op.Via == CleanerPath.Door: await InjectByDoorAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case OperationKind.Inject: await InjectByPortAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case OperationKind.Eject when op.Via == CleanerPath.Door: await EjectByDoorAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case OperationKind.Eject: await EjectByPortAsync(store, id, progress, ct).ConfigureAwait(false); break;
                case OperationKind.Clean: await CleanAsync(store, id, progress, ct).ConfigureAwait(false); break;
                default: throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, $"unknown operation kind '{op.Kind}'");
            }
        }
        catch (Exception e) when (e is CleanerException || Map(e) is not null || e is ChangerOperationException)
        {
            var ce = e as CleanerException ?? Map(e) ?? new CleanerException(NtmsResult.ERROR_UNABLE_TO_CLEAN, e.Message, e);
            if (Resumable(store.Read().Find(id)!, e, ce)) Interrupt(store, id, ce);
            else Finish(store, id, OperationState.Failed, ce.Result, ce.Message);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C. A cleaning whose cleaner is out of its slot cannot just end: it is journalled as interrupted, with
            // the cancel as its result, and the next clean (or operations recover) puts the cleaner back and counts it once.
            if (store.Read().Find(id) is { Kind: OperationKind.Clean, Step: CleanStep.ToDrive or CleanStep.InDrive })
            {
                Interrupt(store, id, new CleanerException(NtmsResult.ERROR_CANCELLED, "cancelled (Ctrl-C) while the cleaner was out of its slot"));
            }
            else
            {
                Finish(store, id, OperationState.Cancelled, NtmsResult.ERROR_CANCELLED, "cancelled");
            }
        }
        var final = store.Read().Find(id)!;
        progress?.Report(final);
        return final;
    }
}

/// <summary>A connector that can name its device, so the reservation can be found from a device URI.</summary>
public interface IDeviceNamed
{
    string DeviceName { get; }
}
