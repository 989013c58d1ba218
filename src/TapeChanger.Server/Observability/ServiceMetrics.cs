using TapeChanger.Cleaning;
using TapeChanger.Service;

namespace TapeChanger.Server.Observability;

/// <summary>
/// What /metrics shows. Counters are fed by the engine's event stream (every request that ends) and by the HTTP
/// pipeline; gauges are read from the engine when /metrics is asked (queue depth, drives needing cleaning, open
/// operator requests) and from each library's cleaner state (cleanings left).
/// </summary>
public sealed class ServiceMetrics
{
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
    private static readonly HashSet<string> MoveWords = ["load", "unload", "transfer", "import", "export", "exchange", "move"];

    public MetricRegistry Registry { get; } = new();
    public Counter HttpRequests { get; }
    public Histogram HttpSeconds { get; }
    public Counter Requests { get; }
    public Counter Moves { get; }
    public Histogram MoveSeconds { get; }
    public Histogram QueueWaitSeconds { get; }
    public Counter RequestFailures { get; }
    public Counter ScsiCommands { get; }
    public Counter ScsiSenses { get; }

    public ServiceMetrics()
    {
        HttpRequests = Registry.Counter("tapechanger_http_requests_total", "HTTP requests by route, method and status code.", "method", "route", "code");
        HttpSeconds = Registry.Histogram("tapechanger_http_request_duration_seconds", "HTTP request duration.", LatencyBuckets, "route");
        Requests = Registry.Counter("tapechanger_requests_total", "Library requests that ended, by kind and final state.", "library", "kind", "state");
        Moves = Registry.Counter("tapechanger_moves_total", "Robot moves that ended (API moves and CLI move commands), by kind and result.", "library", "kind", "result");
        MoveSeconds = Registry.Histogram("tapechanger_move_duration_seconds", "Time a move took on the robot (started to completed).", LatencyBuckets, "library", "kind");
        QueueWaitSeconds = Registry.Histogram("tapechanger_queue_wait_seconds", "Time a request waited in its library's queue (submitted to started).", LatencyBuckets, "library");
        ScsiCommands = Registry.Counter("tapechanger_scsi_commands_total", "SCSI commands the engine sent, by command and status.", "library", "command", "status");
        ScsiSenses = Registry.Counter("tapechanger_scsi_senses_total", "CHECK CONDITION sense the engine received, by sense key and ASC/ASCQ.", "library", "key", "asc");
        RequestFailures = Registry.Counter("tapechanger_request_failures_total", "Failed library requests by RSM result code (the sense key/ASC a failure had is in the request's message).", "library", "result");
    }

    /// <summary>Counts a request that reached a final state.</summary>
    public void Observe(RequestRecord r)
    {
        if (!r.IsFinal) return;
        string kind = r.Kind == RequestKind.Command ? "command" : r.Kind.ToString().ToLowerInvariant();
        Requests.Inc(r.Library, kind, r.State.ToString().ToLowerInvariant());
        if (r.State == RequestState.Failed) RequestFailures.Inc(r.Library, r.Result.ToString());
        if (r.Started is { } started) QueueWaitSeconds.Observe(Math.Max(0, (started - r.Submitted).TotalSeconds), r.Library);
        string? move = r.Kind switch
        {
            RequestKind.Load or RequestKind.Unload or RequestKind.Transfer or RequestKind.Import or RequestKind.Export => kind,
            RequestKind.Command => MoveWord(r.Arguments.CommandText),
            _ => null,
        };
        if (move is null || r.State == RequestState.Cancelled) return;
        bool passed = r.Kind == RequestKind.Command ? r.ExitCode == 0 : r.State == RequestState.Passed;
        Moves.Inc(r.Library, move, passed ? "passed" : "failed");
        if (r.Started is { } s && r.Completed is { } c) MoveSeconds.Observe(Math.Max(0, (c - s).TotalSeconds), r.Library, move);
    }

    /// <summary>The move a CLI command line is ("load 3 0", "mtx -f x load 3 0", "bacula-changer CTL load ..."), or null.</summary>
    internal static string? MoveWord(string? text)
    {
        if (text is null) return null;
        var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.FirstOrDefault(MoveWords.Contains);
    }

    /// <summary>The gauges, read from the engine on each scrape.</summary>
    public void AddGauges(ILibraryService engine, string stateDirectory)
    {
        Registry.Gauge("tapechanger_queue_depth", "Requests queued or running per library.",
            () => Snapshots(engine).Select(s => (new[] { s.Library.Name }, (double)s.QueueDepth)), "library");
        Registry.Gauge("tapechanger_library_online", "1 when the service has the library open.",
            () => Snapshots(engine).Select(s => (new[] { s.Library.Name }, s.Online ? 1.0 : 0.0)), "library");
        Registry.Gauge("tapechanger_drives_needing_cleaning", "Drives that asked for cleaning and have not been cleaned yet.",
            () => Snapshots(engine).Select(s => (new[] { s.Library.Name }, (double)s.DrivesNeedingCleaning.Count)), "library");
        Registry.Gauge("tapechanger_operator_requests_open", "Operator requests submitted, active or in progress.",
            () => engine.ListOperatorRequestsAsync(null, openOnly: true).GetAwaiter().GetResult()
                .GroupBy(o => (o.Library, o.Kind)).Select(g => (new[] { g.Key.Library, g.Key.Kind.ToString().ToLowerInvariant() }, (double)g.Count())), "library", "kind");
        Registry.Gauge("tapechanger_cleaner_cleans_left", "Cleanings left on the cleaner in each library's reserved slot (absent: none, or not counted).",
            () => Snapshots(engine).SelectMany(s => CleansLeft(s, stateDirectory)), "library", "barcode");
    }

    private static IEnumerable<(string[], double)> CleansLeft(LibrarySnapshot s, string stateDirectory)
    {
        if (s.Status?.Identity is not { } id) yield break;
        CleanerState? state;
        try
        {
            state = ReservationIndex.PeekAt(stateDirectory, s.Library.DeviceUri, id.Vendor, id.Product, id.SerialNumber);
        }
        catch (Exception e) when (e is IOException or CleanerException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            yield break;
        }
        if (state?.Cleaner is { } c && c.CleansLeft != CleanerService.Unlimited)
            yield return (new[] { s.Library.Name, c.Barcode ?? "" }, c.CleansLeft);
    }

    private static List<LibrarySnapshot> Snapshots(ILibraryService engine)
    {
        var list = new List<LibrarySnapshot>();
        var elsewhere = OwnedElsewhere(engine);
        foreach (var l in engine.Libraries)
        {
            // Fleet mode: a library another service owns is reported by its owner (each library's gauges come from one
            // service); reading it here would wait behind the owner's moves, and a scrape would wait with it.
            if (elsewhere.Contains(l.Name)) continue;
            try
            {
                list.Add(engine.GetStatusAsync(l.Name).GetAwaiter().GetResult());
            }
            catch (LibraryServiceException)
            {
            }
        }
        return list;
    }

    /// <summary>Fleet mode: the libraries another service holds the lease of now (none outside a fleet, or with the database away).</summary>
    private static HashSet<string> OwnedElsewhere(ILibraryService engine)
    {
        try
        {
            return engine.GetFleet() is { } fleet
                ? [.. fleet.Libraries.Where(l => l.State == FleetLibraryState.Owned && l.Owner != fleet.Service).Select(l => l.Library)]
                : [];
        }
        catch (LibraryServiceException)
        {
            return [];
        }
    }
}

/// <summary>Feeds <see cref="ServiceMetrics"/> from the engine's events.</summary>
public sealed class MetricsFeeder(ILibraryService engine, ServiceMetrics metrics) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var e in engine.EventsAsync(stoppingToken))
            {
                if (e.Kind == ServiceEventKind.Request && e.Request is { } r) metrics.Observe(r);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
