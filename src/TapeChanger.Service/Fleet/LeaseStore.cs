using System.Globalization;
using TapeChanger.State;

namespace TapeChanger.Service.Fleet;

/// <summary>The lease a service holds on one library: who, and the fencing token of this holding.</summary>
public sealed record Fence(string Library, string Owner, long Token);

/// <summary>A write was refused because the writer no longer holds the library's lease (or holds it too close to its expiry).</summary>
public sealed class LeaseLostException(Fence fence)
    : Exception($"library {fence.Library}: {fence.Owner} no longer holds its lease (fencing token {fence.Token}); nothing was written")
{
    public Fence Fence { get; } = fence;
}

/// <summary>A row of library_leases, as the control plane shows it.</summary>
public sealed record LeaseRow(string Library, string Owner, string? OwnerUrl, long Token, long ExpiresMs, long NowMs, string? Health, int QueueDepth)
{
    /// <summary>The drives the owner last reported asking for cleaning (migration 0031), ascending.</summary>
    public IReadOnlyList<int> DrivesNeedingCleaning { get; init; } = [];

    /// <summary>True when the owner last reported a Clean request in process.</summary>
    public bool Cleaning { get; init; }

    public bool Held => Owner.Length > 0 && ExpiresMs > NowMs;
}

/// <summary>
/// The lease table (migration 0030). Every statement is one conditional UPDATE on the database's clock, so two services
/// racing for a library both run it and exactly one changes the row (PostgreSQL re-checks the WHERE of an UPDATE on
/// the row version it waited for: manual, "Transaction Isolation", Read Committed).
/// </summary>
internal sealed class LeaseStore(StateDatabase db, string owner, string? url)
{
    public StateDatabase Database { get; } = db;
    public string Owner { get; } = owner;

    private string Now => Database.NowMilliseconds;

    /// <summary>Adds the rows of libraries nobody has leased yet (held by nobody, expired).</summary>
    public void Ensure(IEnumerable<string> libraries) => Database.Write(tx =>
    {
        foreach (string lib in libraries)
        {
            if (tx.Scalar("SELECT library FROM library_leases WHERE library = @l", ("l", lib)) is null)
            {
                tx.Execute("INSERT INTO library_leases (library, owner, token, expires_ms, acquired_ms, renewed_ms, queue_depth) VALUES (@l, '', 0, 0, 0, 0, 0)", ("l", lib));
            }
        }
    });

    /// <summary>Says this service is alive; returns how many services were seen within <paramref name="ttl"/>.</summary>
    public int Heartbeat(TimeSpan ttl) => Database.WriteRows(tx =>
    {
        if (tx.Execute($"UPDATE fleet_members SET seen_ms = {Now}, url = @u WHERE service = @o", ("o", Owner), ("u", url)) == 0)
        {
            tx.Execute($"INSERT INTO fleet_members (service, url, seen_ms) VALUES (@o, @u, {Now})", ("o", Owner), ("u", url));
        }
        return Convert.ToInt32(tx.Scalar($"SELECT count(*) FROM fleet_members WHERE seen_ms > {Now} - @ttl", ("ttl", (long)ttl.TotalMilliseconds)), CultureInfo.InvariantCulture);
    });

    /// <summary>
    /// The libraries among <paramref name="mine"/> whose lease is free (expired or released) with how long it has been
    /// free, how many leases this service holds, and how many libraries the fleet has.
    /// </summary>
    public (List<(string Library, long FreeForMs)> Free, int Held, int Total) Scan(IReadOnlySet<string> mine) => Database.Read(tx =>
    {
        var rows = tx.Query($"SELECT library, owner, {Now} - expires_ms FROM library_leases",
            r => (Library: r.GetString(0), Owner: r.GetString(1), FreeFor: Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)));
        return (rows.Where(r => r.FreeFor >= 0 && mine.Contains(r.Library)).Select(r => (r.Library, r.FreeFor)).ToList(),
            rows.Count(r => r.FreeFor < 0 && r.Owner == Owner), rows.Count);
    });

    /// <summary>Takes the library's lease if it is free: a new fencing token (one more than the last), valid for <paramref name="ttl"/>.</summary>
    public Fence? TryAcquire(string library, TimeSpan ttl) => Database.WriteRows(tx =>
    {
        var token = tx.Scalar($"UPDATE library_leases SET owner = @o, owner_url = @u, token = token + 1, expires_ms = {Now} + @ttl, acquired_ms = {Now}, renewed_ms = {Now} " +
            $"WHERE library = @l AND expires_ms <= {Now} RETURNING token", ("o", Owner), ("u", url), ("l", library), ("ttl", (long)ttl.TotalMilliseconds));
        return token is null ? null : new Fence(library, Owner, Convert.ToInt64(token, CultureInfo.InvariantCulture));
    });

    /// <summary>Extends every lease this service still holds by <paramref name="ttl"/>; returns the libraries it holds (with their tokens).</summary>
    public Dictionary<string, long> RenewAll(TimeSpan ttl) => Database.WriteRows(tx =>
        tx.Query($"UPDATE library_leases SET expires_ms = {Now} + @ttl, renewed_ms = {Now} WHERE owner = @o AND expires_ms > {Now} RETURNING library, token",
            r => (r.GetString(0), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)), ("o", Owner), ("ttl", (long)ttl.TotalMilliseconds))
        .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal));

    /// <summary>What the control plane shows of a held library: its health, queue depth and cleaning state.</summary>
    public void Report(Fence fence, string? health, int queueDepth, string drivesNeedingCleaning, bool cleaning) => Database.WriteRows(tx =>
        tx.Execute("UPDATE library_leases SET health = @h, queue_depth = @q, drives_needing_cleaning = @d, cleaning = @c WHERE library = @l AND owner = @o AND token = @t",
            ("h", health), ("q", queueDepth), ("d", drivesNeedingCleaning), ("c", cleaning ? 1 : 0), ("l", fence.Library), ("o", fence.Owner), ("t", fence.Token)));

    /// <summary>Drive numbers as the drives_needing_cleaning column keeps them: ascending, comma-separated, '' for none.</summary>
    public static string FormatDrives(IEnumerable<int> drives) => string.Join(',', drives.Order().Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseDrives(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(d => int.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture))];

    /// <summary>Gives the lease up at once (a clean stop, or a picker that lost its fence): the next service takes it without waiting for the expiry.</summary>
    public void Release(Fence fence) => Database.WriteRows(tx =>
        tx.Execute($"UPDATE library_leases SET expires_ms = {Now} WHERE library = @l AND owner = @o AND token = @t AND expires_ms > {Now}",
            ("l", fence.Library), ("o", fence.Owner), ("t", fence.Token)));

    public IReadOnlyList<LeaseRow> List() => Database.Read(tx => tx.Query(
        $"SELECT library, owner, owner_url, token, expires_ms, {Now}, health, queue_depth, drives_needing_cleaning, cleaning FROM library_leases ORDER BY library",
        r => new LeaseRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
            Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture),
            r.IsDBNull(6) ? null : r.GetString(6), Convert.ToInt32(r.GetValue(7), CultureInfo.InvariantCulture))
        {
            DrivesNeedingCleaning = ParseDrives(r.GetString(8)),
            Cleaning = Convert.ToInt64(r.GetValue(9), CultureInfo.InvariantCulture) != 0,
        }));

    /// <summary>The services of the fleet, most recently seen first.</summary>
    public IReadOnlyList<FleetMember> Members() => Database.Read(tx => tx.Query(
        $"SELECT service, url, {Now} - seen_ms FROM fleet_members ORDER BY seen_ms DESC, service",
        r => new FleetMember(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture))));

    /// <summary>
    /// Inside a write transaction: refuses (<see cref="LeaseLostException"/>) unless <paramref name="fence"/> still holds
    /// the lease with at least <paramref name="margin"/> left. The row stays share-locked to the end of the transaction,
    /// so a takeover waits for this write and the next owner reads the journal it wrote.
    /// </summary>
    public static void Check(StateTransaction tx, StateDatabase db, Fence fence, TimeSpan margin)
    {
        var held = tx.Query($"SELECT token FROM library_leases WHERE library = @l AND owner = @o AND token = @t AND expires_ms > {db.NowMilliseconds} + @m{db.LockRows}",
            r => r.GetValue(0), ("l", fence.Library), ("o", fence.Owner), ("t", fence.Token), ("m", (long)margin.TotalMilliseconds));
        if (held.Count == 0) throw new LeaseLostException(fence);
    }
}
