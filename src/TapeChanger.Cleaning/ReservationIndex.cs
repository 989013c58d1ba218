using TapeChanger.State;

namespace TapeChanger.Cleaning;

/// <summary>
/// Maps device URIs to library keys (table <c>device_index</c> of the state database), written whenever a cleaner
/// command identifies a library. Data commands (load, transfer, import...) use it to honour the cleaner-slot
/// reservation without extra SCSI round trips. A state directory without a database costs them nothing. Database
/// failures are <see cref="CleanerException"/>s (ERROR_DATABASE_FAILURE / ERROR_DATABASE_FULL) naming the file.
/// </summary>
public static class ReservationIndex
{
    /// <summary>Records that <paramref name="device"/> is the library <paramref name="key"/>.</summary>
    public static void Write(string stateDirectory, string device, string key) => StateErrors.Guard(() =>
    {
        var db = Open(stateDirectory);
        db.Write(tx =>
        {
            var existing = tx.Scalar("SELECT library_key FROM device_index WHERE device = @d", ("d", device)) as string;
            if (existing == key) return;
            if (existing is null) tx.Execute("INSERT INTO device_index (device, library_key) VALUES (@d, @k)", ("d", device), ("k", key));
            else tx.Execute("UPDATE device_index SET library_key = @k WHERE device = @d", ("d", device), ("k", key));
        });
    });

    /// <summary>The reserved cleaner slot address of the library last seen at <paramref name="device"/>, if any.</summary>
    public static ushort? ReservedAddress(string stateDirectory, string device)
    {
        if (!StateDatabase.ExistsIn(stateDirectory) && !File.Exists(CleanerLegacyImport.IndexPath(stateDirectory))) return null;
        return StateErrors.Guard(() => Lookup(stateDirectory, device));
    }

    /// <summary>
    /// The cleaner state of the library at <paramref name="device"/>, read-only. It is keyed by vendor, product and
    /// serial; an identity without the serial (a kept status does not ask VPD page 80h) is completed from the library
    /// last seen at the device, when vendor and product agree.
    /// </summary>
    public static CleanerState? PeekAt(string stateDirectory, string device, string vendor, string product, string? serial)
    {
        if (serial is null && StateDatabase.ExistsIn(stateDirectory))
        {
            var rows = StateErrors.Guard(() => Open(stateDirectory).Read(tx => tx.Query(
                "SELECT l.vendor, l.product, l.serial FROM device_index d JOIN libraries l ON l.library_key = d.library_key WHERE d.device = @d",
                r => (Vendor: r.GetString(0), Product: r.GetString(1), Serial: r.IsDBNull(2) ? null : r.GetString(2)), ("d", device))));
            if (rows is [var row] && row.Vendor == vendor && row.Product == product) serial = row.Serial;
        }
        return new CleanerStateStore(stateDirectory, vendor, product, serial).Peek();
    }

    private static ushort? Lookup(string stateDirectory, string device)
    {
        var db = Open(stateDirectory);
        if (db.Read(tx => tx.Scalar("SELECT library_key FROM device_index WHERE device = @d", ("d", device))) is not string key) return null;
        // The library's own old cleaner.json may not be imported yet: its reservation counts.
        CleanerLegacyImport.ImportLibrary(db, Path.Combine(Path.GetFullPath(stateDirectory), "libraries", key), key);
        return db.Read(tx => tx.Scalar("SELECT address FROM cleaner_reservations WHERE library_key = @k", ("k", key))) is { } address
            ? checked((ushort)Convert.ToInt64(address, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    private static StateDatabase Open(string stateDirectory)
    {
        var db = StateDatabase.Open(stateDirectory);
        CleanerLegacyImport.ImportIndex(db, stateDirectory);
        return db;
    }
}
