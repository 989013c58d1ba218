using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain;

/// <summary>
/// One element as the operator sees it: decoded status plus mtx numbering and cleaner marking. It keeps the decoded
/// descriptor and reads its fields through it instead of copying them: a 2,000-slot library's status then makes a
/// 48-byte object per element on top of the descriptor, not a 124-byte copy of it (docs/performance.md).
/// </summary>
public sealed record Element
{
    private readonly ElementDescriptor _descriptor;
    // The rest, for the few elements that have any: a drive's identifier texts, and what a caller set itself.
    private readonly Extras? _extras;
    private readonly int _slot;            // -1: none
    private readonly int _drive;           // -1: none

    private Element(ElementDescriptor descriptor, Extras? extras, int? slot, int? drive, bool isCleaner)
    {
        _descriptor = descriptor;
        _extras = extras;
        _slot = slot is int s and >= 0 ? s : -1;
        _drive = drive is int d and >= 0 ? d : -1;
        IsCleaner = isCleaner;
    }

    /// <summary>An element from its values (tests, and anything that did not read a descriptor).</summary>
    public Element(ElementType Type, ushort Address, bool Full, string? Barcode, string? AlternateBarcode, ushort? Source,
        MediumType MediumType, bool Except, byte Asc, byte Ascq, bool Access, bool ImpExp, bool InEnab, bool ExEnab,
        string? Identifier, string? DriveSerial, int? Slot, int? Drive, bool IsCleaner)
        : this(new ElementDescriptor(Type, Address, Flags(Full, ImpExp, Except, Access, ExEnab, InEnab), Asc, Ascq, Source, MediumType,
                false, false, Barcode is null ? null : new VolumeTag(Barcode, 0), AlternateBarcode is null ? null : new VolumeTag(AlternateBarcode, 0),
                null, null, null, false),
            // Given values have no tag fields as sent until a caller sets them.
            new Extras(Identifier, DriveSerial, null) { PrimaryTagFieldSet = true, AlternateTagFieldSet = true },
            Slot, Drive, IsCleaner)
    {
    }

    public ElementType Type => _descriptor.Type;
    public ushort Address => _descriptor.Address;
    public bool Full => _descriptor.Full;

    /// <summary>Primary barcode, trimmed; null when absent or blank.</summary>
    public string? Barcode => _descriptor.Barcode;
    public string? AlternateBarcode => _descriptor.AlternateBarcode;

    /// <summary>Source storage element address, when SVALID is set.</summary>
    public ushort? Source => _descriptor.SourceAddress;
    public MediumType MediumType => _descriptor.MediumType;
    public bool Except => _descriptor.Except;
    public byte Asc => _descriptor.Asc;
    public byte Ascq => _descriptor.Ascq;
    public bool Access => _descriptor.Access;
    public bool ImpExp => _descriptor.ImpExp;
    public bool InEnab => _descriptor.InEnab;
    public bool ExEnab => _descriptor.ExEnab;

    /// <summary>A drive's DVCID identifier as text ("IBM ULT3580-TD8 XYZZY_A1", a serial, or hex); null without one.</summary>
    public string? Identifier => _extras?.Identifier;

    /// <summary>A drive's serial number from its DVCID identifier; null without one.</summary>
    public string? DriveSerial => _extras?.DriveSerial;

    /// <summary>mtx's storage element number (slots and mail slots, counted from 1); null for other elements.</summary>
    public int? Slot => _slot >= 0 ? _slot : null;

    /// <summary>mtx's data transfer element number (counted from 0); null for other elements.</summary>
    public int? Drive => _drive >= 0 ? _drive : null;

    public bool IsCleaner { get; }

    /// <summary>The primary volume tag field as sent (36 chars, untrimmed); null when the reply had none.</summary>
    public string? PrimaryTagField
    {
        get => _extras is { PrimaryTagFieldSet: true } x ? x.PrimaryTagField : _descriptor.PrimaryVolumeTag?.Field;
        init => _extras = (_extras ?? Extras.None) with { PrimaryTagField = value, PrimaryTagFieldSet = true };
    }

    /// <summary>The alternate volume tag field as sent; null when the reply had none.</summary>
    public string? AlternateTagField
    {
        get => _extras is { AlternateTagFieldSet: true } x ? x.AlternateTagField : _descriptor.AlternateVolumeTag?.Field;
        init => _extras = (_extras ?? Extras.None) with { AlternateTagField = value, AlternateTagFieldSet = true };
    }

    /// <summary>A drive's vendor and product as its DVCID identifier names them (a T10 vendor ID designator); null otherwise.</summary>
    public string? DriveModel
    {
        get => _extras?.DriveModel;
        init => _extras = (_extras ?? Extras.None) with { DriveModel = value };
    }

    /// <summary>SOURCE STORAGE ELEMENT ADDRESS as sent, even without SVALID (<see cref="Source"/> honours SVALID).</summary>
    public ushort SourceField
    {
        get => _extras?.SourceField ?? _descriptor.SourceField;
        init => _extras = (_extras ?? Extras.None) with { SourceField = value };
    }

    /// <summary>
    /// What the element's exception means in the operator's words (the ASC/ASCQ meaning, SPC-4 annex D), or null when
    /// EXCEPT is clear. The one place above the SCSI layer that turns an element's ASC/ASCQ into text.
    /// </summary>
    public string? ExceptionMeaning => Except ? TapeChanger.Scsi.Sense.AscAscqTable.Describe(Asc, Ascq) : null;

    /// <summary>
    /// The element's magazine is out of the library: EXCEPT with 3B/11 MEDIUM MAGAZINE NOT ACCESSIBLE or 3B/12 MEDIUM
    /// MAGAZINE REMOVED in the descriptor's ASC/ASCQ (SMC-3 §6.11.3; codes from SPC-4 annex D).
    /// </summary>
    public bool MagazineMissing => Except && Asc == 0x3B && Ascq is 0x11 or 0x12;

    /// <summary>The element with the label prefix given and medium type 2 trusted (see <see cref="CleanerRecognition"/>).</summary>
    public static Element From(ElementDescriptor d, ElementMap map, string cleanerPrefix) =>
        From(d, map, new CleanerRecognition(cleanerPrefix));

    public static Element From(ElementDescriptor d, ElementMap map, CleanerRecognition cleaners)
    {
        // Only a drive with a DVCID identifier has texts of its own; every other element is the descriptor and its numbers.
        var extras = d.Identifier is { } id
            ? new Extras(id.Text, id.SerialNumber, id is { Vendor: { Length: > 0 } vendor, Product: { Length: > 0 } product } ? $"{vendor} {product}" : null)
            : null;
        return new Element(d, extras, map.SlotNumber(d.Address), map.DriveNumber(d.Address), cleaners.IsCleaner(d));
    }

    private static ElementFlags Flags(bool full, bool impExp, bool except, bool access, bool exEnab, bool inEnab) =>
        (full ? ElementFlags.Full : 0) | (impExp ? ElementFlags.ImpExp : 0) | (except ? ElementFlags.Except : 0)
        | (access ? ElementFlags.Access : 0) | (exEnab ? ElementFlags.ExEnab : 0) | (inEnab ? ElementFlags.InEnab : 0);

    /// <summary>What an element has besides its descriptor. Immutable: a <c>with</c> copy never changes the original's.</summary>
    private sealed record Extras(string? Identifier, string? DriveSerial, string? DriveModel)
    {
        public static readonly Extras None = new(null, null, null);

        public string? PrimaryTagField { get; init; }
        public bool PrimaryTagFieldSet { get; init; }
        public string? AlternateTagField { get; init; }
        public bool AlternateTagFieldSet { get; init; }
        public ushort? SourceField { get; init; }
    }
}
