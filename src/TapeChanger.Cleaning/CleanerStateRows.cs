using TapeChanger.State;

namespace TapeChanger.Cleaning;

/// <summary>
/// The one mapping between <see cref="CleanerState"/> and its tables (Migrations/0001_libraries.sql,
/// 0002_cleaner.sql in TapeChanger.State). A new field of the model is one line here plus a migration adding its column.
/// </summary>
internal static class CleanerStateRows
{
    public static readonly RowMap<CleanerState> Library = new RowMap<CleanerState>("libraries", [], ["library_key"])
        .Map("library_key", s => s.LibraryKey, (s, v) => s.LibraryKey = v.TextOrEmpty)
        .Map("vendor", s => s.Vendor, (s, v) => s.Vendor = v.TextOrEmpty)
        .Map("product", s => s.Product, (s, v) => s.Product = v.TextOrEmpty)
        .Map("serial", s => s.Serial, (s, v) => s.Serial = v.Text);

    public static readonly RowMap<CleanerReservation> Reservation = new RowMap<CleanerReservation>("cleaner_reservations", ["library_key"], ["library_key"])
        .Map("address", r => r.Address, (r, v) => r.Address = v.UShort)
        .Map("slot", r => r.Slot, (r, v) => r.Slot = v.Int)
        .Map("reserved_at", r => r.ReservedAt, (r, v) => r.ReservedAt = v.Time);

    public static readonly RowMap<CleanerCartridge> Cartridge = new RowMap<CleanerCartridge>("cleaner_cartridges", ["library_key"], ["library_key"])
        .Map("barcode", c => c.Barcode, (c, v) => c.Barcode = v.Text)
        .Map("cleans_left", c => c.CleansLeft, (c, v) => c.CleansLeft = v.UInt)
        .Map("injected_at", c => c.InjectedAt, (c, v) => c.InjectedAt = v.Time)
        .Map("times_used", c => c.TimesUsed, (c, v) => c.TimesUsed = v.Int)
        .Map("spent_reason", c => c.SpentReason, (c, v) => c.SpentReason = v.Text);

    public static readonly RowMap<CleaningRecord> History = new RowMap<CleaningRecord>("cleaning_history", ["library_key", "drive_key", "seq"], ["library_key", "drive_key", "seq"])
        .Map("at", h => h.At, (h, v) => h.At = v.Time)
        .Map("drive", h => h.Drive, (h, v) => h.Drive = v.Int)
        .Map("address", h => h.Address, (h, v) => h.Address = v.UShort)
        .Map("cleaner_barcode", h => h.CleanerBarcode, (h, v) => h.CleanerBarcode = v.Text)
        .Map("cleans_left_after", h => h.CleansLeftAfter, (h, v) => h.CleansLeftAfter = v.UInt)
        .Map("operation", h => h.Operation, (h, v) => h.Operation = v.Guid)
        .Map("outcome", h => h.Outcome, (h, v) => h.Outcome = v.TextOrEmpty);

    public static readonly RowMap<CleaningRequest> Pending = new RowMap<CleaningRequest>("pending_cleanings", ["library_key", "drive_key"], ["library_key", "drive_key"])
        .Map("drive", p => p.Drive, (p, v) => p.Drive = v.Int)
        .Map("address", p => p.Address, (p, v) => p.Address = v.UShort)
        .Map("reason", p => p.Reason, (p, v) => p.Reason = v.TextOrEmpty)
        .Map("since", p => p.Since, (p, v) => p.Since = v.Time)
        .Map("last_seen", p => p.LastSeen, (p, v) => p.LastSeen = v.Time);

    public static readonly RowMap<OperationRecord> Operation = new RowMap<OperationRecord>("cleaner_operations", ["library_key", "seq"], ["id"])
        .Map("id", o => o.Id, (o, v) => o.Id = v.Guid)
        .Map("kind", o => o.Kind.Name(), (o, v) => o.Kind = Named<OperationKind>(v, OperationNames.Name))
        .Map("state", o => o.State.Name(), (o, v) => o.State = Named<OperationState>(v, OperationStates.Name))
        .Map("result", o => o.Result, (o, v) => o.Result = v.TextOrEmpty)
        .Map("code", o => o.Code, (o, v) => o.Code = v.UInt)
        .Map("message", o => o.Message, (o, v) => o.Message = v.Text)
        .Map("progress", o => o.Progress, (o, v) => o.Progress = v.Text)
        .Map("created", o => o.Created, (o, v) => o.Created = v.Time)
        .Map("updated", o => o.Updated, (o, v) => o.Updated = v.Time)
        .Map("completed", o => o.Completed, (o, v) => o.Completed = v.TimeOrNull)
        .Map("deadline", o => o.Deadline, (o, v) => o.Deadline = v.TimeOrNull)
        .Map("via", o => o.Via.Name(), (o, v) => o.Via = Named<CleanerPath>(v, OperationNames.Name))
        .Map("cleans_left", o => o.CleansLeft, (o, v) => o.CleansLeft = v.UInt)
        .Map("drive", o => o.Drive, (o, v) => o.Drive = v.IntOrNull)
        .Map("unload_first", o => o.UnloadFirst, (o, v) => o.UnloadFirst = v.Bool)
        .Map("stop_requested", o => o.StopRequested, (o, v) => o.StopRequested = v.Bool)
        .Map("confirmed", o => o.Confirmed, (o, v) => o.Confirmed = v.Bool)
        .Map("worker_pid", o => o.WorkerPid, (o, v) => o.WorkerPid = v.IntOrNull)
        .Map("step", o => o.Step.Name(), (o, v) => o.Step = v.IsNull ? null : Named<CleanStep>(v, x => ((CleanStep?)x).Name()!))
        .Map("element", o => o.Element, (o, v) => o.Element = v.UShortOrNull)
        .Map("barcode", o => o.Barcode, (o, v) => o.Barcode = v.Text)
        .Map("drive_serial", o => o.DriveSerial, (o, v) => o.DriveSerial = v.Text);

    /// <summary>An enum stored under its journal name (as `operations` shows it: "clean", "ieport", "in-drive").</summary>
    private static T Named<T>(DbValue v, Func<T, string> name) where T : struct, Enum
    {
        string text = v.TextOrEmpty;
        foreach (var value in Enum.GetValues<T>()) if (name(value) == text) return value;
        throw new InvalidDataException($"unknown {typeof(T).Name} '{text}' in the state database");
    }

    /// <summary>Every row of <paramref name="state"/>, per table, in the order tables must be written (parents first).</summary>
    public static IEnumerable<(IRowMap Table, List<RowImage> Rows)> Images(CleanerState state)
    {
        string key = state.LibraryKey;
        yield return (Library, [Library.Image(state)]);
        yield return (Reservation, state.Reservation is { } r ? [Reservation.Image(r, key)] : []);
        yield return (Cartridge, state.Cleaner is { } c ? [Cartridge.Image(c, key)] : []);
        yield return (History, [.. state.DriveHistory.SelectMany(d => d.Value.Select((h, i) => History.Image(h, key, d.Key, i)))]);
        yield return (Pending, [.. state.PendingCleaning.Select(p => Pending.Image(p.Value, key, p.Key))]);
        yield return (Operation, [.. state.Operations.Select((o, i) => Operation.Image(o, key, i))]);
    }

    /// <summary>The state of library <paramref name="key"/>, or null when the database holds no row for it.</summary>
    public static CleanerState? Load(StateTransaction tx, string key)
    {
        var state = Library.Select(tx, "library_key = @k", ("k", key)).Select(r => r.Item).FirstOrDefault();
        if (state is null) return null;
        state.Reservation = Reservation.Select(tx, "library_key = @k", ("k", key)).Select(r => r.Item).FirstOrDefault();
        state.Cleaner = Cartridge.Select(tx, "library_key = @k", ("k", key)).Select(r => r.Item).FirstOrDefault();
        foreach (var (h, scope) in History.Select(tx, "library_key = @k ORDER BY drive_key, seq", ("k", key)))
        {
            string drive = (string)scope[1]!;
            if (!state.DriveHistory.TryGetValue(drive, out var list)) state.DriveHistory[drive] = list = [];
            list.Add(h);
        }
        foreach (var (p, scope) in Pending.Select(tx, "library_key = @k ORDER BY drive_key", ("k", key))) state.PendingCleaning[(string)scope[1]!] = p;
        state.Operations = [.. Operation.Select(tx, "library_key = @k ORDER BY seq", ("k", key)).Select(r => r.Item)];
        return state;
    }

    /// <summary>Writes what changed between two images of one library's state (<paramref name="before"/> null: nothing stored yet).</summary>
    public static void Write(StateTransaction tx, IReadOnlyList<(IRowMap Table, List<RowImage> Rows)>? before, IReadOnlyList<(IRowMap Table, List<RowImage> Rows)> after)
    {
        // Parents first (libraries); a child row is deleted by its own table's sync, and the library row is never removed.
        for (int i = 0; i < after.Count; i++) after[i].Table.Sync(tx, before?[i].Rows ?? [], after[i].Rows);
    }
}
