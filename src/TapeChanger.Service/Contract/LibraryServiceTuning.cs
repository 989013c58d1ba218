namespace TapeChanger.Service;

/// <summary>Engine timings (tests shorten them).</summary>
public sealed record LibraryServiceTuning
{
    /// <summary>How often a waiting cleaner operation polls the library.</summary>
    public TimeSpan CleanerPollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Cleaning time assumed when a drive cannot be polled; null: the profile's.</summary>
    public TimeSpan? CleaningTime { get; init; }
    /// <summary>How often an idle library with automatic cleaning asks its drives whether they need cleaning.</summary>
    public TimeSpan AutoCleaningInterval { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Events a slow reader may fall behind before it loses the oldest.</summary>
    public int EventBuffer { get; init; } = 1024;
    /// <summary>Fleet mode: how long a library's lease lasts without renewal (a dead owner's libraries are taken over after this).</summary>
    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromSeconds(6);
    /// <summary>Fleet mode: how often leases are renewed and free ones looked for (the takeover delay is at most LeaseTime plus this).</summary>
    public TimeSpan FleetTick { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Fleet mode: how often queued requests are looked for without a notification (the fallback when NOTIFY is lost).</summary>
    public TimeSpan FleetPollInterval { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Fleet mode: lease time a service must have left to start or record a move (longer than one move takes).</summary>
    public TimeSpan FenceMargin { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>
    /// Fleet mode: the time budget of one robot move (configuration Fleet:MoveBudgetSeconds), which is also the MOVE
    /// MEDIUM's timeout (the profile's is cut to it). A service sends a move only while its lease, as the database last
    /// confirmed it, has at least this left; otherwise it extends the lease first, and gives the request up when it
    /// cannot. Set it to the robot's longest move: a move that outlasts it may overlap the next owner's.
    /// </summary>
    public TimeSpan MoveBudget { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Fleet mode: this service's name in the lease table (configuration Fleet:Name; default HOST:PID).</summary>
    public string? FleetName { get; init; }
    /// <summary>Fleet mode: where other services and clients reach this one (configuration Fleet:Url), shown as the owner's address.</summary>
    public string? FleetUrl { get; init; }
    /// <summary>Fleet mode: where lease changes and database outages are told (the service's log).</summary>
    public Action<string>? FleetLog { get; init; }
}
