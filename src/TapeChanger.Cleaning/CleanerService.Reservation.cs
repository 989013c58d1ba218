using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cleaning;

/// <summary>ReserveNtmsCleanerSlot and ReleaseNtmsCleanerSlot.</summary>
public sealed partial class CleanerService
{
    /// <summary>
    /// ReserveNtmsCleanerSlot: SLOT (mtx numbering, storage slots only) becomes the library's cleaner slot. With
    /// <paramref name="adoptCleansLeft"/> the slot must instead hold a cleaning cartridge (SMC-3 medium type cleaning, or
    /// the cleaner label prefix), which becomes the library's cleaner with that many cleanings left: a cleaner already in
    /// the library is adopted without exporting and injecting it again.
    /// </summary>
    public async Task<CleanerReservation> ReserveAsync(int slot, CancellationToken ct = default) => await ReserveAsync(slot, null, ct).ConfigureAwait(false);

    public async Task<CleanerReservation> ReserveAsync(int slot, uint? adoptCleansLeft, CancellationToken ct = default)
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
        if (adoptCleansLeft is null && e.Full)
        {
            throw new CleanerException(NtmsResult.ERROR_SLOT_FULL, $"slot {slot} holds {e.Barcode ?? "a cartridge"}; a cleaner slot must be empty (or adopt the cleaner in it: --adopt)");
        }
        if (adoptCleansLeft is not null && !e.Full) throw new CleanerException(NtmsResult.ERROR_SLOT_EMPTY, $"slot {slot} is empty; there is no cleaner to adopt");
        if (adoptCleansLeft is not null && !IsCleaner(e))
        {
            throw new CleanerException(NtmsResult.ERROR_INVALID_CLEANER, $"slot {slot} holds {e.Barcode ?? "a cartridge"}, which is not a cleaning cartridge (medium type or '{_options.CleanerPrefix}' label)");
        }
        return store.Update(state =>
        {
            if (state.Reservation is { } r)
            {
                throw new CleanerException(NtmsResult.ERROR_ALREADY_RESERVED, $"slot {r.Slot} is already reserved as this library's cleaner slot");
            }
            state.Reservation = new CleanerReservation { Address = address, Slot = slot, ReservedAt = Now };
            state.Cleaner = adoptCleansLeft is uint left ? new CleanerCartridge { Barcode = e.Barcode, CleansLeft = left, InjectedAt = Now } : null;
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
            if (state.Operations.Any(o => !o.State.IsFinal()))
            {
                throw new CleanerException(NtmsResult.ERROR_INVALID_OPERATION, "a cleaner operation is still queued or running; stop it first");
            }
            state.Reservation = null;
            state.Cleaner = null;
        });
    }
}
