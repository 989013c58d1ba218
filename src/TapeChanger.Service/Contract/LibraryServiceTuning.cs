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
}
