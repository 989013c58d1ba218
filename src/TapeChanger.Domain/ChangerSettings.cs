namespace TapeChanger.Domain;

/// <summary>Settings for the domain layer.</summary>
public sealed record ChangerSettings
{
    /// <summary>How cleaners are recognised (label prefix, medium type 2); a profile's comes from <see cref="CleanerRecognition.For"/>.</summary>
    public CleanerRecognition Cleaners { get; init; } = CleanerRecognition.Default;

    /// <summary>Barcode prefix that marks a cleaning cartridge (shorthand for <see cref="Cleaners"/> with medium type 2 trusted).</summary>
    public string CleanerPrefix
    {
        get => Cleaners.Prefix;
        init => Cleaners = Cleaners with { Prefix = value };
    }

    /// <summary>
    /// Element addresses reserved for other purposes (the RSM cleaner slot). Data operations never move to or from
    /// them and never choose them as a free slot.
    /// </summary>
    public IReadOnlySet<ushort> ReservedAddresses { get; init; } = new HashSet<ushort>();

    /// <summary>
    /// The drives next to the library this session can reach (a drive locator for the changer's transport). Used to
    /// unload a drive (SSC LOAD UNLOAD) before a MOVE out of it when the profile says so, and once after 05/53/03;
    /// and by the cleaner to watch a drive clean. Null: drives are not reachable from here.
    /// </summary>
    public DriveAccess? Drives { get; init; }
}
