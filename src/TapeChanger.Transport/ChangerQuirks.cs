using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>How READ ELEMENT STATUS is issued (docs/reference/library-behaviour.md §5, §9, §11).</summary>
public enum ReadElementStatusStrategy
{
    /// <summary>One element type per command (safe everywhere; tgt mis-builds all-type replies).</summary>
    PerType,
    /// <summary>All element types in one command (fewer round trips; HPE MSL3040 capture, mhVTL).</summary>
    AllTypes,
}

/// <summary>Whether the library can report drive identifiers (DVCID) and in which request shape (ordered: more cautious later).</summary>
public enum DeviceIdSupport
{
    /// <summary>DVCID and VolTag in the same command (HPE MSL3040, mhVTL, IBM 3573-TL).</summary>
    WithVolumeTag,
    /// <summary>DVCID only in a command without VolTag (PBS 6c053ffc: some changers cannot combine them).</summary>
    WithoutVolumeTag,
    /// <summary>Never ask (Qualstar: the RES fails, PBS dc887e93).</summary>
    Unsupported,
}

/// <summary>
/// The per-library knobs the SMC client obeys, filled from the hardware profile (and what was learned at runtime).
/// Defaults are the generic SMC behaviour.
/// </summary>
public sealed record ChangerQuirks
{
    public static ChangerQuirks Generic { get; } = new();

    public ReadElementStatusStrategy ReadStrategy { get; init; } = ReadElementStatusStrategy.PerType;

    /// <summary>Elements per READ ELEMENT STATUS (PBS uses 1000).</summary>
    public int MaxElementsPerRead { get; init; } = 1000;

    /// <summary>Largest allocation length (some changers honour only the low 16 bits of the 3-byte field: PBS).</summary>
    public int MaxAllocation { get; init; } = 0xFFFF;

    public DeviceIdSupport DeviceId { get; init; } = DeviceIdSupport.WithVolumeTag;

    /// <summary>Ask for CURDATA (no robot motion to refresh status); off by default, as the MSL3040 capture is the only proof.</summary>
    public bool CurrentData { get; init; }

    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan MoveTimeout { get; init; } = TimeSpan.FromSeconds(600);
    public TimeSpan InitializeTimeout { get; init; } = TimeSpan.FromSeconds(3600);

    /// <summary>How long NOT READY "becoming ready" is waited out (PBS: 5 minutes).</summary>
    public TimeSpan BecomingReadyLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Element address ranges used when MODE SENSE page 1Dh fails (mtx falls back to compiled-in defaults).</summary>
    public ElementAddressAssignment? DefaultAddresses { get; init; }

    /// <summary>The drive must be told to eject (LOAD UNLOAD) before a MOVE out of it (Exabyte EZ-17, SPMER).</summary>
    public bool EjectBeforeUnload { get; init; }

    /// <summary>PREVENT locks the mail slot, so ALLOW is sent before an export and PREVENT restored after.</summary>
    public bool PreventLocksMailSlot { get; init; }

    /// <summary>Profile sense rows, consulted before the built-in table (vendor ASCs 80h-FFh and model quirks).</summary>
    public IReadOnlyList<SenseRule> SenseRules { get; init; } = [];
}
