using TapeChanger.Cleaning;
using TapeChanger.Domain;

namespace TapeChanger.Service;

/// <summary>Who asked: the name (token name or Unix user), the role, and the Unix uid when known (SO_PEERCRED).</summary>
public sealed record Caller(string Name, CallerRole Role, int? Uid = null)
{
    /// <summary>The engine itself (automatic cleaning, reconciliation after a restart).</summary>
    public static Caller Service { get; } = new("tapechangerd", CallerRole.Admin);
}

/// <summary>A library the service owns: its configured name, device URI, and whether it cleans drives by itself.</summary>
public sealed record LibraryInfo(string Name, string DeviceUri, bool AutoCleaning, bool IsDefault);

/// <summary>
/// The arguments of a request; which ones a kind needs is documented on <see cref="RequestKind"/>. Slots and drives
/// are numbered as the CLI numbers them (slots from 1, drives from 0).
/// </summary>
public sealed record RequestArguments
{
    public int? Slot { get; init; }
    public int? ToSlot { get; init; }
    public int? Drive { get; init; }
    /// <summary>An import/export element address (Import, Export).</summary>
    public ushort? Element { get; init; }
    /// <summary>CleanerInject: cleans left on the cartridge (null: not counted).</summary>
    public uint? CleansLeft { get; init; }
    /// <summary>CleanerInject / CleanerEject: mail slot or door (Auto: RSM's rule).</summary>
    public CleanerPath Via { get; init; } = CleanerPath.Auto;
    /// <summary>How long the request may wait for an operator (CleanerInject/Eject); null: the configured default.</summary>
    public int? TimeoutSeconds { get; init; }
    /// <summary>Clean: unload a tape the drive holds first (never done by automatic cleaning).</summary>
    public bool UnloadFirst { get; init; }
    /// <summary>Command: what the command is (for the history and the audit log, e.g. "load 3 0").</summary>
    public string? CommandText { get; init; }
    /// <summary>Clean: queued by automatic cleaning (deferred, not failed, when the drive holds a tape by then).</summary>
    public bool Automatic { get; init; }
}

/// <summary>The context a <see cref="RequestKind.Command"/> delegate runs in: the library is its own until it returns.</summary>
public sealed record LibraryCommandContext(LibraryInfo Library, string StateDirectory, RequestRecord Request);

/// <summary>What a <see cref="RequestKind.Command"/> delegate ended with: the CLI exit code (0 = passed) and a message.</summary>
public sealed record CommandOutcome(int ExitCode, string? Message = null);

/// <summary>Runs exclusively on a library (nothing else moves its robot meanwhile); the engine re-reads its map afterwards.</summary>
public delegate Task<CommandOutcome> LibraryCommand(LibraryCommandContext context, CancellationToken ct);

/// <summary>What a client submits.</summary>
public sealed record RequestSpec(RequestKind Kind)
{
    public RequestArguments Arguments { get; init; } = new();
    /// <summary>RSM's range: -15 (lowest) to 15 (highest); higher runs first, FIFO within a priority.</summary>
    public int Priority { get; init; }
    /// <summary>Only for <see cref="RequestKind.Command"/>.</summary>
    public LibraryCommand? Command { get; init; }

    public const int LowestPriority = -15;
    public const int HighestPriority = 15;
}

/// <summary>One request as the history keeps it.</summary>
public sealed record RequestRecord
{
    public required Guid Id { get; init; }
    /// <summary>Order of submission across the service (FIFO within a priority).</summary>
    public required long Sequence { get; init; }
    public required string Library { get; init; }
    public required RequestKind Kind { get; init; }
    public required RequestArguments Arguments { get; init; }
    public required int Priority { get; init; }
    public required Caller Submitter { get; init; }
    public required RequestState State { get; init; }
    /// <summary>RSM result code: ERROR_SUCCESS when passed, else why it failed (ERROR_TIMEOUT, ERROR_CANCELLED...).</summary>
    public NtmsResult Result { get; init; } = NtmsResult.ERROR_SUCCESS;
    /// <summary>Human text: the outcome ("slot 3 -> drive 0 (A00003L8)"), the failure reason, or what it waits for.</summary>
    public string? Message { get; init; }
    /// <summary>Command requests: the CLI exit code the command ended with.</summary>
    public int? ExitCode { get; init; }
    /// <summary>The operator request this request waits on (State Waiting).</summary>
    public Guid? OperatorRequest { get; init; }
    public Caller? CancelledBy { get; init; }
    public required DateTimeOffset Submitted { get; init; }
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Completed { get; init; }
    public DateTimeOffset Updated { get; init; }

    public bool IsFinal => State is RequestState.Passed or RequestState.Failed or RequestState.Cancelled;
}

/// <summary>An operator request (RSM: SubmitNtmsOperatorRequest / SatisfyNtmsOperatorRequest / CancelNtmsOperatorRequest).</summary>
public sealed record OperatorRequestRecord
{
    public required Guid Id { get; init; }
    public required string Library { get; init; }
    public required OperatorRequestKind Kind { get; init; }
    public required OperatorRequestState State { get; init; }
    /// <summary>What the operator is asked to do.</summary>
    public required string Message { get; init; }
    /// <summary>The request waiting on it, if any.</summary>
    public Guid? Request { get; init; }
    public int? Drive { get; init; }
    public required DateTimeOffset Submitted { get; init; }
    public DateTimeOffset Updated { get; init; }
    public DateTimeOffset? Completed { get; init; }
    /// <summary>Who satisfied or refused it (null while open, or when the engine closed it itself).</summary>
    public Caller? CompletedBy { get; init; }
    /// <summary>Refused: the reason given; Complete: how it ended ("satisfied", "timed out", "the cleaner arrived").</summary>
    public string? Outcome { get; init; }

    public bool IsOpen => State is OperatorRequestState.Submitted or OperatorRequestState.Active or OperatorRequestState.InProgress;
}

/// <summary>The library's kept state: what the last reads and moves left, without asking the device.</summary>
public sealed record LibrarySnapshot(LibraryInfo Library, LibraryStatus? Status, DateTimeOffset? ReadAt, bool Online, string? Problem)
{
    /// <summary>Requests queued or running on the library now.</summary>
    public int QueueDepth { get; init; }
    /// <summary>Drives that reported a cleaning need and have not been cleaned yet.</summary>
    public IReadOnlyList<int> DrivesNeedingCleaning { get; init; } = [];
    /// <summary>How the storage slots are grouped into magazines (device configuration, else hardware profile, else one group).</summary>
    public MagazineLayout Magazines { get; init; } = MagazineLayout.None;
}

/// <summary>Filter for the history.</summary>
public sealed record RequestQuery
{
    public string? Library { get; init; }
    public RequestState? State { get; init; }
    /// <summary>Only requests not final yet.</summary>
    public bool OpenOnly { get; init; }
    /// <summary>Newest first, at most this many.</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>One change, for the server-sent event stream.</summary>
public sealed record ServiceEvent(long Sequence, DateTimeOffset At, ServiceEventKind Kind, string Library)
{
    public RequestRecord? Request { get; init; }
    public OperatorRequestRecord? OperatorRequest { get; init; }
    public int? Drive { get; init; }
    public string? Message { get; init; }
}

/// <summary>A refused call; <see cref="Result"/> is the RSM code the same failure has elsewhere.</summary>
public sealed class LibraryServiceException(ServiceError error, NtmsResult result, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public ServiceError Error { get; } = error;
    public NtmsResult Result { get; } = result;
}
