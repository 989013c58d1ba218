using System.Globalization;
using System.Text.Json.Serialization;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Domain;

// The profile schema: one hw-profiles/*.json file as objects (hw-profiles/README.md documents the format).

/// <summary>
/// One hw-profiles/*.json file: how a library model behaves, with the source of every fact. A default-constructed
/// profile is the generic SMC behaviour; a profile only states what differs, and <see cref="Sources"/> cites each difference.
/// </summary>
public sealed partial class HardwareProfile
{
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public ProfileMatch Match { get; set; } = new();
    public int Priority { get; set; }

    /// <summary>Element address ranges used when MODE SENSE page 1Dh fails; null = none known.</summary>
    public ElementDefaults? Elements { get; set; }
    public ReadElementStatusProfile ReadElementStatus { get; set; } = new();
    public TimeoutProfile Timeouts { get; set; } = new();
    public CleaningProfile Cleaning { get; set; } = new();
    public ImportExportProfile ImportExport { get; set; } = new();

    /// <summary>How storage slots are grouped into magazines (drawn by the console); null = not known, one group.</summary>
    public MagazineProfile? Magazines { get; set; }

    /// <summary>Facts a source states about the model that no code reads (kept for operators and future features).</summary>
    public DocumentedFacts Documented { get; set; } = new();

    /// <summary>The drive must be told to eject before a MOVE out of it (mtx 1.3.12 COMPATABILITY, Exabyte EZ-17; page 1Fh/41h SPMER: docs/reference/library-behaviour.md §18).</summary>
    public bool EjectBeforeUnload { get; set; }

    public List<SenseQuirk> SenseQuirks { get; set; } = [];

    /// <summary>Field path ("elements", "readElementStatus.strategy", "senseQuirks[0]") → the document or capture stating it.</summary>
    public Dictionary<string, string> Sources { get; set; } = [];

    public bool Matches(string vendor, string product, string? revision = null) => ProfilePattern.Matches(Match, vendor, product, revision);
}

public sealed class ProfileMatch
{
    /// <summary>INQUIRY vendor identification (bytes 8-15), trimmed; regular expression, case-insensitive.</summary>
    public string Vendor { get; set; } = ".*";
    /// <summary>INQUIRY product identification (bytes 16-31), trimmed.</summary>
    public string Product { get; set; } = ".*";
    /// <summary>INQUIRY product revision level (bytes 32-35); null matches any (docs/reference/library-behaviour.md §23: firmware-specific entries).</summary>
    public string? Revision { get; set; }
}

/// <summary>First address and count of one element type.</summary>
public sealed class ElementRangeProfile
{
    public int First { get; set; }
    /// <summary>Null where the source gives the first address only (the count depends on the configuration).</summary>
    public int? Count { get; set; }

    public override string ToString() => $"{First}x{(Count is int c ? c.ToString(CultureInfo.InvariantCulture) : "?")}";
}

/// <summary>Default element address assignment (what page 1Dh would say), used when MODE SENSE 1Dh fails.</summary>
public sealed class ElementDefaults
{
    public ElementRangeProfile Transport { get; set; } = new();
    public ElementRangeProfile Storage { get; set; } = new();
    public ElementRangeProfile ImportExport { get; set; } = new();
    public ElementRangeProfile DataTransfer { get; set; } = new();

    /// <summary>The page-1Dh equivalent, or null when a count is unknown (documented first addresses only).</summary>
    public ElementAddressAssignment? ToAssignment() =>
        Transport.Count is int mt && Storage.Count is int st && ImportExport.Count is int ie && DataTransfer.Count is int dt
            ? new((ushort)Transport.First, (ushort)mt, (ushort)Storage.First, (ushort)st, (ushort)ImportExport.First, (ushort)ie, (ushort)DataTransfer.First, (ushort)dt)
            : null;

    public override string ToString() => $"MT {Transport} ST {Storage} IE {ImportExport} DT {DataTransfer}";
}

public enum ProfileReadStrategy
{
    [JsonStringEnumMemberName("perType")] PerType,
    [JsonStringEnumMemberName("allTypes")] AllTypes,
}

public enum ProfileDeviceId
{
    [JsonStringEnumMemberName("withVolumeTag")] WithVolumeTag,
    [JsonStringEnumMemberName("withoutVolumeTag")] WithoutVolumeTag,
    [JsonStringEnumMemberName("unsupported")] Unsupported,
}

/// <summary>Whether a library feature is present; "unknown" where no source says (docs/reference/library-behaviour.md: "not found" is not "no").</summary>
public enum ProfileAvailability
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    [JsonStringEnumMemberName("no")] No,
    /// <summary>Depends on the library's configuration (front panel, partition setting).</summary>
    [JsonStringEnumMemberName("optional")] Optional,
    [JsonStringEnumMemberName("always")] Always,
}

/// <summary>How the host can tell that the library manages cleaning itself.</summary>
public enum CleaningDetection
{
    [JsonStringEnumMemberName("unknown")] Unknown,
    /// <summary>MODE SENSE page 1Fh byte 3 bit 2 ACE (docs/reference/library-behaviour.md §4).</summary>
    [JsonStringEnumMemberName("page1fAce")] Page1FAce,
    /// <summary>A vendor mode page (IBM/Quantum 20h, Magnum 25h); the source names the page and bit.</summary>
    [JsonStringEnumMemberName("vendorModePage")] VendorModePage,
    /// <summary>Only visible at the library's panel or web UI.</summary>
    [JsonStringEnumMemberName("notDetectable")] NotDetectable,
}

public sealed class ReadElementStatusProfile
{
    public ProfileReadStrategy Strategy { get; set; } = ProfileReadStrategy.PerType;
    public int MaxElements { get; set; } = 1000;
    public int MaxAllocation { get; set; } = 0xFFFF;
    public ProfileDeviceId DeviceId { get; set; } = ProfileDeviceId.WithVolumeTag;
    public bool CurrentData { get; set; }
}

public sealed class TimeoutProfile
{
    public int DefaultSeconds { get; set; } = 60;
    public int MoveSeconds { get; set; } = 600;
    public int InitializeSeconds { get; set; } = 3600;
    public int BecomingReadySeconds { get; set; } = 300;
}

/// <summary>Cleaning facts the code acts on: the cleaning time when the drive cannot be polled, and how cleaners are recognised.</summary>
public sealed class CleaningProfile
{
    /// <summary>Cleaning cycle time assumed when the drive cannot be polled.</summary>
    public int Seconds { get; set; } = 300;
    /// <summary>Label prefix of cleaning cartridges (<see cref="CleanerRecognition.For"/>).</summary>
    public string LabelPrefix { get; set; } = CleanerRecognition.DefaultPrefix;
    /// <summary>
    /// Medium type 2 in the element descriptor means "cleaning" (SMC-3); false where the vendor documents otherwise, and
    /// then only the label marks a cleaner (<see cref="CleanerRecognition.IsCleaner"/>).
    /// </summary>
    public bool CleanerMediumType2Trusted { get; set; } = true;
}

/// <summary>Mail-slot facts the code acts on.</summary>
public sealed class ImportExportProfile
{
    /// <summary>PREVENT MEDIUM REMOVAL locks the mail slot.</summary>
    public bool PreventLocksMailSlot { get; set; }
}

/// <summary>A profile's sense row; hex strings as they appear in manuals ("06", "28", null = any).</summary>
public sealed class SenseQuirk
{
    public string? Key { get; set; }
    public string Asc { get; set; } = "";
    public string? Ascq { get; set; }
    public SenseAction Action { get; set; }
    public SenseFailure Failure { get; set; }
    /// <summary>What happened, in operator language.</summary>
    public string Meaning { get; set; } = "";
    public string Source { get; set; } = "";
    /// <summary>Restricts the row to these commands ("MOVE MEDIUM"...); null = any.</summary>
    public List<string>? Commands { get; set; }

    public SenseRule ToRule() => new(
        Key is null ? null : (SenseKey)HexByte(Key), HexByte(Asc), Ascq is null ? null : HexByte(Ascq),
        Action, Failure, Meaning, Source, Commands);

    internal static byte HexByte(string s)
    {
        var t = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? s[2..] : s;
        if (t.Length is < 1 or > 2 || !byte.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
            throw new FormatException($"'{s}' is not a hex byte");
        return b;
    }

    public override string ToString() => $"{Key ?? "*"}/{Asc}/{Ascq ?? "*"} {Action} {Failure}";
}

/// <summary>
/// The profile's "documented" section: facts the sources state about the model that the driver does not act on (no
/// code reads them; a test keeps it that way). They tell an operator what to expect and are where a future feature
/// starts (refusing host cleaning where the library always cleans, hiding the reservation where cleaning slots are
/// invisible). Like every other field, each one that differs from "unknown" needs a source.
/// </summary>
public sealed class DocumentedFacts
{
    public DocumentedCleaning Cleaning { get; set; } = new();
    public DocumentedImportExport ImportExport { get; set; } = new();
}

public sealed class DocumentedCleaning
{
    /// <summary>Cleaning slots without an element address (the host cannot reserve or see them; docs/reference/library-behaviour.md §19).</summary>
    public ProfileAvailability HiddenSlots { get; set; } = ProfileAvailability.Unknown;
    /// <summary>The library cleans drives by itself (auto-clean).</summary>
    public ProfileAvailability LibraryManaged { get; set; } = ProfileAvailability.Unknown;
    /// <summary>How the host could tell that the library cleans by itself.</summary>
    public CleaningDetection LibraryManagedDetection { get; set; } = CleaningDetection.Unknown;
}

public sealed class DocumentedImportExport
{
    /// <summary>The mail slot is an import/export element (false: small loaders whose mail slot SCSI never sees; docs/reference/library-behaviour.md §20).</summary>
    public bool ExposedAsElement { get; set; } = true;
}
