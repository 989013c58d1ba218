using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain;

/// <summary>Who the library is (standard INQUIRY + VPD 80h).</summary>
public sealed record LibraryIdentity(string Vendor, string Product, string Revision, string? SerialNumber, byte DeviceType);

/// <summary>One element as the operator sees it: decoded status plus mtx numbering and cleaner marking.</summary>
public sealed record Element(
    ElementType Type,
    ushort Address,
    bool Full,
    string? Barcode,
    string? AlternateBarcode,
    ushort? Source,
    MediumType MediumType,
    bool Except,
    byte Asc,
    byte Ascq,
    bool Access,
    bool ImpExp,
    bool InEnab,
    bool ExEnab,
    string? Identifier,
    string? DriveSerial,
    int? Slot,
    int? Drive,
    bool IsCleaner)
{
    private readonly string? _primaryTagField;
    private readonly string? _alternateTagField;
    // The decoded tags, kept so that their 36-char fields are made only when asked for (the mtx view asks; `status`
    // and `status --json` do not): a large library's status then makes no second string per cartridge.
    private readonly VolumeTag? _primaryTag;
    private readonly VolumeTag? _alternateTag;

    /// <summary>The primary volume tag field as sent (36 chars, untrimmed); null when the reply had none.</summary>
    public string? PrimaryTagField { get => _primaryTagField ?? _primaryTag?.Field; init => _primaryTagField = value; }

    /// <summary>The alternate volume tag field as sent; null when the reply had none.</summary>
    public string? AlternateTagField { get => _alternateTagField ?? _alternateTag?.Field; init => _alternateTagField = value; }

    private VolumeTag? PrimaryTag { init => _primaryTag = value; }

    private VolumeTag? AlternateTag { init => _alternateTag = value; }

    /// <summary>A drive's vendor and product as its DVCID identifier names them (a T10 vendor ID designator); null otherwise.</summary>
    public string? DriveModel { get; init; }

    /// <summary>SOURCE STORAGE ELEMENT ADDRESS as sent, even without SVALID (<see cref="Source"/> honours SVALID).</summary>
    public ushort SourceField { get; init; }

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
        bool cleaner = cleaners.IsCleaner(d);
        return new Element(d.Type, d.Address, d.Full, d.Barcode, d.AlternateBarcode, d.SourceAddress, d.MediumType,
            d.Except, d.Asc, d.Ascq, d.Access, d.ImpExp, d.InEnab, d.ExEnab,
            d.Identifier?.Text, d.Identifier?.SerialNumber,
            map.SlotNumber(d.Address), map.DriveNumber(d.Address), cleaner)
        {
            PrimaryTag = d.PrimaryVolumeTag,
            AlternateTag = d.AlternateVolumeTag,
            SourceField = d.SourceField,
            DriveModel = d.Identifier is { Vendor: { Length: > 0 } vendor, Product: { Length: > 0 } product } ? $"{vendor} {product}" : null,
        };
    }
}

/// <summary>A full status read: element map plus every element's state.</summary>
public sealed record LibraryStatus(LibraryIdentity Identity, ElementMap Map, IReadOnlyList<Element> Elements)
{
    public IEnumerable<Element> OfType(ElementType type) => Elements.Where(e => e.Type == type);

    public Element? At(ushort address) => Elements.FirstOrDefault(e => e.Address == address);
}
