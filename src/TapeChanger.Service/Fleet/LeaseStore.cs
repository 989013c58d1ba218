using System.Globalization;
using TapeChanger.State;

namespace TapeChanger.Service.Fleet;

/// <summary>The lease a service holds on one library: who, and the fencing token of this holding.</summary>
public sealed record Fence(string Library, string Owner, long Token);

/// <summary>A write was refused because the writer no longer holds the library's lease (or holds it too close to its expiry).</summary>
public sealed class LeaseLostException(Fence fence, string? message = null)
    : Exception(message ?? $"library {fence.Library}: {fence.Owner} no longer holds its lease (fencing token {fence.Token}); nothing was written")
{
    public Fence Fence { get; } = fence;
}

/// <summary>A row of library_leases, as the control plane shows it.</summary>
public sealed record LeaseRow(string Library, string Owner, string? OwnerUrl, long Token, long ExpiresMs, long NowMs, string? Health, int QueueDepth)
{
    /// <summary>The drives asking for cleaning (ascending): the owner's last report (migration 0031) and the database's pending cleaning requests.</summary>
    public IReadOnlyList<int> DrivesNeedingCleaning { get; init; } = [];

    /// <summary>The library's identity key as its owner reported it (migration 0032), or null.</summary>
    public string? LibraryKey { get; init; }

    /// <summary>True when the owner last reported a Clean request in process.</summary>
    public bool Cleaning { get; init; }

    public bool Held => Owner.Length > 0 && ExpiresMs > NowMs;
}

/// <summary>
/// The lease table (migration 0030). Every statement is one conditional UPDATE on the database's clock, so two services
/// racing for a library both run it and exactly one changes the row (PostgreSQL re-checks the WHERE of an UPDATE on
/// the row version it waited for: manual, "Transaction Isolation", Read Committed).
/// </summary>
internal sealed class LeaseStore(StateDatabase db, string owner, string? url, TimeProvider? time = null)
{
    public StateDatabase Database { get; } = db;
    public string Owner { get; } = owner;

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Per library, what the database last confirmed of this service's lease: the token, the lease time left then
    /// (database clock), and this host's monotonic timestamp taken before that statement was sent (so the estimate
    /// of what is left now errs short).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Token, long LeftMs, long Before)> _confirmed = new(StringComparer.Ordinal);

    /// <summary>Allowance for this host's clock running slow against the database's: 1 ms per second (1000 ppm, twice NTP's maximum slew of 500 ppm).</summary>
    public const double ClockAllowance = 0.001;

    /// <summary>
    /// The lease time <paramref name="fence"/> has left now, as far as this service knows without asking: what the
    /// database last confirmed minus the time elapsed here since (plus <see cref="ClockAllowance"/>). Zero when
    /// nothing was confirmed for this token.
    /// </summary>
    public TimeSpan Left(Fence fence)
    {
        if (!_confirmed.TryGetValue(fence.Library, out var c) || c.Token != fence.Token) return TimeSpan.Zero;
        double elapsed = _time.GetElapsedTime(c.Before).TotalMilliseconds * (1 + ClockAllowance);
        return TimeSpan.FromMilliseconds(Math.Max(0, c.LeftMs - elapsed));
    }

    private long _extensions;

    /// <summary>How many times a move asked for its lease to be extended (<see cref="Extend"/>), for tests and measurements.</summary>
    public long Extensions => Interlocked.Read(ref _extensions);

    private void Forget(Fence fence)
    {
        if (_confirmed.TryGetValue(fence.Library, out var c) && c.Token == fence.Token) _confirmed.TryRemove(new(fence.Library, c));
    }

    private void Confirm(string library, long token, long leftMs, long before) => _confirmed[library] = (token, leftMs, before);

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
    /// <remarks>
    /// The rule that keeps a stale owner's move from overlapping the next owner's: a lease is taken only once its
    /// expiry has passed on the database's clock (<c>expires_ms &lt;= now</c>), and an owner starts a move only while
    /// its own estimate of that expiry (<see cref="Left"/>, which errs short) is at least the move's budget away.
    /// </remarks>
    public Fence? TryAcquire(string library, TimeSpan ttl)
    {
        long before = _time.GetTimestamp();
        var fence = Database.WriteRows(tx =>
        {
            var token = tx.Scalar($"UPDATE library_leases SET owner = @o, owner_url = @u, token = token + 1, expires_ms = {Now} + @ttl, acquired_ms = {Now}, renewed_ms = {Now} " +
                $"WHERE library = @l AND expires_ms <= {Now} RETURNING token", ("o", Owner), ("u", url), ("l", library), ("ttl", (long)ttl.TotalMilliseconds));
            return token is null ? null : new Fence(library, Owner, Convert.ToInt64(token, CultureInfo.InvariantCulture));
        });
        if (fence is not null) Confirm(library, fence.Token, (long)ttl.TotalMilliseconds, before);
        return fence;
    }

    /// <summary>
    /// Extends every lease this service still holds to at least <paramref name="ttl"/> from now (never shortens one a
    /// move extended further, <see cref="Extend"/>); returns the libraries it holds (with their tokens).
    /// </summary>
    public Dictionary<string, long> RenewAll(TimeSpan ttl)
    {
        long before = _time.GetTimestamp();
        var rows = Database.WriteRows(tx =>
            tx.Query($"UPDATE library_leases SET expires_ms = CASE WHEN expires_ms > {Now} + @ttl THEN expires_ms ELSE {Now} + @ttl END, renewed_ms = {Now} " +
                $"WHERE owner = @o AND expires_ms > {Now} RETURNING library, token, expires_ms - {Now}",
                r => (Library: r.GetString(0), Token: Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture), Left: Convert.ToInt64(r.GetValue(2), CultureInfo.InvariantCulture)),
                ("o", Owner), ("ttl", (long)ttl.TotalMilliseconds)));
        foreach (var r in rows) Confirm(r.Library, r.Token, r.Left, before);
        return rows.ToDictionary(x => x.Library, x => x.Token, StringComparer.Ordinal);
    }

    /// <summary>
    /// Extends <paramref name="fence"/>'s lease to at least <paramref name="ttl"/> from now (a move about to start
    /// needs more than the lease has left); false when the lease is no longer this fence's.
    /// </summary>
    public bool Extend(Fence fence, TimeSpan ttl)
    {
        Interlocked.Increment(ref _extensions);
        long before = _time.GetTimestamp();
        var left = Database.WriteRows(tx => tx.Scalar(
            $"UPDATE library_leases SET expires_ms = CASE WHEN expires_ms > {Now} + @ttl THEN expires_ms ELSE {Now} + @ttl END, renewed_ms = {Now} " +
            $"WHERE library = @l AND owner = @o AND token = @t AND expires_ms > {Now} RETURNING expires_ms - {Now}",
            ("l", fence.Library), ("o", fence.Owner), ("t", fence.Token), ("ttl", (long)ttl.TotalMilliseconds)));
        if (left is null)
        {
            Forget(fence);
            return false;
        }
        Confirm(fence.Library, fence.Token, Convert.ToInt64(left, CultureInfo.InvariantCulture), before);
        return true;
    }

    /// <summary>What the control plane shows of a held library: its health, queue depth, cleaning state and identity key (kept when null).</summary>
    public void Report(Fence fence, string? health, int queueDepth, string drivesNeedingCleaning, bool cleaning, string? libraryKey = null) => Database.WriteRows(tx =>
        tx.Execute("UPDATE library_leases SET health = @h, queue_depth = @q, drives_needing_cleaning = @d, cleaning = @c, library_key = COALESCE(@k, library_key) " +
            "WHERE library = @l AND owner = @o AND token = @t",
            ("h", health), ("q", queueDepth), ("d", drivesNeedingCleaning), ("c", cleaning ? 1 : 0), ("k", libraryKey), ("l", fence.Library), ("o", fence.Owner), ("t", fence.Token)));

    /// <summary>Drive numbers as the drives_needing_cleaning column keeps them: ascending, comma-separated, '' for none.</summary>
    public static string FormatDrives(IEnumerable<int> drives) => string.Join(',', drives.Order().Select(d => d.ToString(CultureInfo.InvariantCulture)));

    private static int[] ParseDrives(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(d => int.Parse(d, NumberStyles.None, CultureInfo.InvariantCulture))];

    /// <summary>Gives the lease up at once (a clean stop, or a picker that lost its fence): the next service takes it without waiting for the expiry.</summary>
    public void Release(Fence fence)
    {
        Forget(fence);
        Database.WriteRows(tx => tx.Execute($"UPDATE library_leases SET expires_ms = {Now} WHERE library = @l AND owner = @o AND token = @t AND expires_ms > {Now}",
            ("l", fence.Library), ("o", fence.Owner), ("t", fence.Token)));
    }

    /// <summary>
    /// Every library of the fleet. The drives needing cleaning are those the owner last reported (what it saw itself)
    /// together with the cleaner state's remembered requests in the database (pending_cleanings of the library's
    /// identity key): drives that asked for cleaning and were not cleaned since, whoever saw them, so a service that
    /// does not own the library, or an owner just restarted, lists them too.
    /// </summary>
    public IReadOnlyList<LeaseRow> List() => Database.Read(tx =>
    {
        var pending = tx.Query("SELECT library_key, drive FROM pending_cleanings",
            r => (Key: r.GetString(0), Drive: Convert.ToInt32(r.GetValue(1), CultureInfo.InvariantCulture))).ToLookup(p => p.Key, p => p.Drive, StringComparer.Ordinal);
        return tx.Query(
            $"SELECT library, owner, owner_url, token, expires_ms, {Now}, health, queue_depth, drives_needing_cleaning, cleaning, library_key FROM library_leases ORDER BY library",
            r => new LeaseRow(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), Convert.ToInt64(r.GetValue(3), CultureInfo.InvariantCulture),
                Convert.ToInt64(r.GetValue(4), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(5), CultureInfo.InvariantCulture),
                r.IsDBNull(6) ? null : r.GetString(6), Convert.ToInt32(r.GetValue(7), CultureInfo.InvariantCulture))
            {
                DrivesNeedingCleaning = [.. ParseDrives(r.GetString(8)).Concat(r.IsDBNull(10) ? [] : pending[r.GetString(10)]).Distinct().Order()],
                Cleaning = Convert.ToInt64(r.GetValue(9), CultureInfo.InvariantCulture) != 0,
                LibraryKey = r.IsDBNull(10) ? null : r.GetString(10),
            });
    });

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
