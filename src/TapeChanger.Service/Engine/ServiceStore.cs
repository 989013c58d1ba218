using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using TapeChanger.State;

namespace TapeChanger.Service.Engine;

/// <summary>Where a move stood when it was last written down (before the MOVE MEDIUM, after it).</summary>
public enum JournalStep
{
    /// <summary>The addresses are chosen and the MOVE MEDIUM is about to be sent (or was, and the reply never came).</summary>
    Moving,
    /// <summary>The library acknowledged the move.</summary>
    Moved,
}

/// <summary>What a request's move was about to do: enough to find out afterwards whether it happened.</summary>
public sealed record RequestJournal(JournalStep Step, ushort? Source, ushort? Destination, string? Barcode)
{
    /// <summary>The cleaner service's operation carrying out a cleaner request (it keeps its own journal and resumes from it).</summary>
    public Guid? CleanerOperation { get; init; }
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(OperatorRequestRecord))]
[JsonSerializable(typeof(RequestJournal))]
internal sealed partial class ServiceStoreJson : JsonSerializerContext;

/// <summary>
/// The requests and operator requests in the state database (tables of migration 0010). Every write is its own
/// transaction, committed before the engine acts on it.
/// </summary>
internal sealed class ServiceStore(StateDatabase db)
{
    /// <summary>The channel a new request is announced on (PostgreSQL NOTIFY, payload: the library), so its owner takes it at once.</summary>
    public const string RequestChannel = "tapechanger_requests";

    public StateDatabase Database { get; } = db;

    /// <summary>How much of its lease a fenced writer must have left (fleet mode).</summary>
    public TimeSpan FenceMargin { get; init; } = TimeSpan.FromSeconds(2);

    private void Fenced(StateTransaction tx, Fleet.Fence? fence)
    {
        if (fence is not null) Fleet.LeaseStore.Check(tx, Database, fence, FenceMargin);
    }

    private static string StateNow() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static string Text(DateTimeOffset t) => t.ToString("O", CultureInfo.InvariantCulture);

    private static string Json(RequestRecord r) => JsonSerializer.Serialize(r, ServiceStoreJson.Default.RequestRecord);

    private static string Json(OperatorRequestRecord r) => JsonSerializer.Serialize(r, ServiceStoreJson.Default.OperatorRequestRecord);

    private static RequestRecord Request(string json) => JsonSerializer.Deserialize(json, ServiceStoreJson.Default.RequestRecord)!;

    private static OperatorRequestRecord Operator(string json) => JsonSerializer.Deserialize(json, ServiceStoreJson.Default.OperatorRequestRecord)!;

    /// <summary>Inserts a new request, giving it the next sequence number.</summary>
    public RequestRecord Insert(Func<long, RequestRecord> create) => Database.Write(tx =>
    {
        long next = Convert.ToInt64(tx.Scalar("SELECT COALESCE(MAX(sequence), 0) + 1 FROM service_requests"), CultureInfo.InvariantCulture);
        var r = create(next);
        tx.Execute("INSERT INTO service_requests (id, sequence, library, state, submitted_at, record_json) VALUES (@id, @seq, @lib, @state, @at, @json)",
            ("id", r.Id.ToString()), ("seq", r.Sequence), ("lib", r.Library), ("state", r.State.ToString()), ("at", Text(r.Submitted)), ("json", Json(r)));
        Database.Notify(tx, RequestChannel, r.Library);
        return r;
    });

    public void Update(RequestRecord r) => Database.Write(tx =>
    {
        tx.Execute("UPDATE service_requests SET state = @state, record_json = @json WHERE id = @id",
            ("id", r.Id.ToString()), ("state", r.State.ToString()), ("json", Json(r)));
    });

    /// <summary>Updates the request if <paramref name="change"/> says so, under the write lock; returns the stored record (changed or not).</summary>
    public RequestRecord? Change(Guid id, Func<RequestRecord, RequestRecord?> change, Fleet.Fence? fence = null) => Database.Write(tx =>
    {
        Fenced(tx, fence);
        var r = Get(tx, id);
        if (r is null) return null;
        var changed = change(r);
        if (changed is null) return r;
        tx.Execute("UPDATE service_requests SET state = @state, record_json = @json WHERE id = @id",
            ("id", id.ToString()), ("state", changed.State.ToString()), ("json", Json(changed)));
        return changed;
    });

    /// <summary>
    /// Records what a move is about to do or did. Fleet mode: only under the library's lease (checked in this
    /// transaction), and appended to move_journal with the lease's fencing token.
    /// </summary>
    public void SetJournal(Guid id, RequestJournal? journal, Fleet.Fence? fence = null) => Database.Write(tx =>
    {
        Fenced(tx, fence);
        if (fence is not null && journal is not null)
        {
            long seq = Convert.ToInt64(tx.Scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM move_journal WHERE library = @l", ("l", fence.Library)), CultureInfo.InvariantCulture);
            tx.Execute("INSERT INTO move_journal (library, seq, request_id, step, token, owner, source, destination, barcode, at) VALUES (@l, @s, @id, @step, @t, @o, @src, @dst, @b, @at)",
                ("l", fence.Library), ("s", seq), ("id", id.ToString()), ("step", journal.Step.ToString()), ("t", fence.Token), ("o", fence.Owner),
                ("src", journal.Source is ushort a ? (long)a : null), ("dst", journal.Destination is ushort d ? (long)d : null), ("b", journal.Barcode), ("at", StateNow()));
        }
        tx.Execute("UPDATE service_requests SET journal_json = @j WHERE id = @id",
            ("id", id.ToString()), ("j", journal is null ? null : JsonSerializer.Serialize(journal, ServiceStoreJson.Default.RequestJournal)));
    });

    public RequestJournal? Journal(Guid id) => Database.Read(tx =>
        tx.Scalar("SELECT journal_json FROM service_requests WHERE id = @id", ("id", id.ToString())) is string j
            ? JsonSerializer.Deserialize(j, ServiceStoreJson.Default.RequestJournal)
            : null);

    public RequestRecord? Get(Guid id) => Database.Read(tx => Get(tx, id));

    private static RequestRecord? Get(StateTransaction tx, Guid id) =>
        tx.Scalar("SELECT record_json FROM service_requests WHERE id = @id", ("id", id.ToString())) is string j ? Request(j) : null;

    private static readonly string OpenStates = string.Join(", ", new[] { RequestState.Queued, RequestState.InProcess, RequestState.Waiting }.Select(s => $"'{s}'"));

    public IReadOnlyList<RequestRecord> List(RequestQuery q) => Database.Read(tx =>
    {
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (q.Library is { } lib) { where.Add("library = @lib"); args.Add(("lib", lib)); }
        if (q.State is { } state) { where.Add("state = @state"); args.Add(("state", state.ToString())); }
        if (q.OpenOnly) where.Add($"state IN ({OpenStates})");
        args.Add(("limit", Math.Clamp(q.Limit, 1, 100_000)));
        string sql = "SELECT record_json FROM service_requests" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY sequence DESC LIMIT @limit";
        return (IReadOnlyList<RequestRecord>)tx.Query(sql, r => Request(r.GetString(0)), [.. args]);
    });

    /// <summary>The library's requests that were not final when the service last stopped, oldest first.</summary>
    public IReadOnlyList<RequestRecord> Unfinished(string library) => Database.Read(tx =>
        (IReadOnlyList<RequestRecord>)tx.Query($"SELECT record_json FROM service_requests WHERE library = @lib AND state IN ({OpenStates}) ORDER BY sequence",
            r => Request(r.GetString(0)), ("lib", library)));

    /// <summary>Every queued request of every library, oldest first (fleet mode: each owner takes its libraries').</summary>
    public IReadOnlyList<RequestRecord> Queued() => Database.Read(tx =>
        (IReadOnlyList<RequestRecord>)tx.Query("SELECT record_json FROM service_requests WHERE state = @s ORDER BY sequence",
            r => Request(r.GetString(0)), ("s", RequestState.Queued.ToString())));

    /// <summary>Keeps the newest <paramref name="keep"/> final requests of the library.</summary>
    public void Prune(string library, int keep) => Database.Write(tx =>
    {
        tx.Execute($"DELETE FROM service_requests WHERE library = @lib AND state NOT IN ({OpenStates}) AND sequence < " +
            $"(SELECT COALESCE(MIN(sequence), 0) FROM (SELECT sequence FROM service_requests WHERE library = @lib AND state NOT IN ({OpenStates}) ORDER BY sequence DESC LIMIT @keep) newest)",
            ("lib", library), ("keep", keep));
    });

    public OperatorRequestRecord Insert(OperatorRequestRecord o) => Database.Write(tx =>
    {
        tx.Execute("INSERT INTO operator_requests (id, library, state, request_id, submitted_at, record_json) VALUES (@id, @lib, @state, @req, @at, @json)",
            ("id", o.Id.ToString()), ("lib", o.Library), ("state", o.State.ToString()), ("req", o.Request?.ToString()), ("at", Text(o.Submitted)), ("json", Json(o)));
        return o;
    });

    /// <summary>Changes the operator request under the write lock; <paramref name="change"/> returns null to leave it.</summary>
    public OperatorRequestRecord? Change(Guid id, Func<OperatorRequestRecord, OperatorRequestRecord?> change) => Database.Write(tx =>
    {
        var o = GetOperator(tx, id);
        if (o is null) return null;
        var changed = change(o);
        if (changed is null) return o;
        tx.Execute("UPDATE operator_requests SET state = @state, record_json = @json WHERE id = @id",
            ("id", id.ToString()), ("state", changed.State.ToString()), ("json", Json(changed)));
        return changed;
    });

    public OperatorRequestRecord? GetOperator(Guid id) => Database.Read(tx => GetOperator(tx, id));

    private static OperatorRequestRecord? GetOperator(StateTransaction tx, Guid id) =>
        tx.Scalar("SELECT record_json FROM operator_requests WHERE id = @id", ("id", id.ToString())) is string j ? Operator(j) : null;

    private static readonly string OpenOperatorStates = string.Join(", ",
        new[] { OperatorRequestState.Submitted, OperatorRequestState.Active, OperatorRequestState.InProgress }.Select(s => $"'{s}'"));

    public IReadOnlyList<OperatorRequestRecord> ListOperator(string? library, bool openOnly) => Database.Read(tx =>
    {
        var where = new List<string>();
        var args = new List<(string, object?)>();
        if (library is not null) { where.Add("library = @lib"); args.Add(("lib", library)); }
        if (openOnly) where.Add($"state IN ({OpenOperatorStates})");
        string sql = "SELECT record_json FROM operator_requests" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : "") +
            " ORDER BY submitted_at DESC, id";
        return (IReadOnlyList<OperatorRequestRecord>)tx.Query(sql, r => Operator(r.GetString(0)), [.. args]);
    });
}
