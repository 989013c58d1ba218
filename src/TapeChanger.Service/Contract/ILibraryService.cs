namespace TapeChanger.Service;

/// <summary>
/// The library service's engine as the server (HTTP, the CLI's --server) sees it. Every method is safe to call from
/// any thread. Failures the caller caused throw <see cref="LibraryServiceException"/>; a request that fails on the
/// library does not throw: it ends Failed with its RSM code and reason.
/// </summary>
public interface ILibraryService : IAsyncDisposable
{
    /// <summary>The configured libraries (the default device is the library <c>default</c>).</summary>
    IReadOnlyList<LibraryInfo> Libraries { get; }

    /// <summary>The library named so; throws UnknownLibrary (ERROR_INVALID_LIBRARY).</summary>
    LibraryInfo GetLibrary(string name);

    /// <summary>
    /// Fleet mode (state in a shared PostgreSQL database): every library of the fleet, served here or not, with its
    /// owner, health and queue, and the services seen; null when this service keeps its state to itself.
    /// </summary>
    FleetView? GetFleet() => null;

    /// <summary>
    /// Fleet mode: the library's live owner when that is another service (it keeps the library's status and holds its
    /// session while it moves); null when this service owns the library, nobody does, or the state is not shared.
    /// Throws UnknownLibrary.
    /// </summary>
    FleetOwner? OwnerElsewhere(string library) => null;

    /// <summary>Opens every library and resumes the persisted queues (reconciling what was in process). Idempotent.</summary>
    Task StartAsync(CancellationToken ct = default);

    /// <summary>The kept status (no device round trip unless the map was dropped and nothing is queued to re-read it).</summary>
    Task<LibrarySnapshot> GetStatusAsync(string library, CancellationToken ct = default);

    /// <summary>Validates and queues a request (persisted before this returns); returns it Queued.</summary>
    Task<RequestRecord> SubmitAsync(string library, RequestSpec spec, Caller caller, CancellationToken ct = default);

    /// <summary>The request, or UnknownRequest.</summary>
    Task<RequestRecord> GetRequestAsync(Guid id, CancellationToken ct = default);

    /// <summary>The history, newest first.</summary>
    Task<IReadOnlyList<RequestRecord>> ListRequestsAsync(RequestQuery query, CancellationToken ct = default);

    /// <summary>
    /// Cancels a queued request (or one waiting on an operator: its operator request is closed too). A request the robot
    /// is carrying out cannot be cancelled (NotCancellable); a final one is returned unchanged.
    /// </summary>
    Task<RequestRecord> CancelAsync(Guid id, Caller caller, CancellationToken ct = default);

    /// <summary>Completes when the request is final (Passed, Failed, Cancelled).</summary>
    Task<RequestRecord> WaitAsync(Guid id, CancellationToken ct = default);

    /// <summary>Operator requests, newest first; <paramref name="openOnly"/>: Submitted, Active or InProgress ones.</summary>
    Task<IReadOnlyList<OperatorRequestRecord>> ListOperatorRequestsAsync(string? library = null, bool openOnly = false, CancellationToken ct = default);

    Task<OperatorRequestRecord> GetOperatorRequestAsync(Guid id, CancellationToken ct = default);

    /// <summary>The operator did it (SatisfyNtmsOperatorRequest): the waiting request goes on.</summary>
    Task<OperatorRequestRecord> SatisfyOperatorRequestAsync(Guid id, Caller caller, CancellationToken ct = default);

    /// <summary>The operator will not (CancelNtmsOperatorRequest): the waiting request fails with ERROR_CANCELLED.</summary>
    Task<OperatorRequestRecord> RefuseOperatorRequestAsync(Guid id, Caller caller, string? reason = null, CancellationToken ct = default);

    /// <summary>Every change from now on, in order (a slow reader loses the oldest events beyond a bound, never blocks the engine).</summary>
    IAsyncEnumerable<ServiceEvent> EventsAsync(CancellationToken ct = default);
}
