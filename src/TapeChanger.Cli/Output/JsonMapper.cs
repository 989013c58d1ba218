using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Cli.Output;

/// <summary>Domain and decoder records to the --json contract.</summary>
internal static class JsonMapper
{
    public static string TypeName(ElementType t) => t switch
    {
        ElementType.MediumTransport => "transport",
        ElementType.Storage => "storage",
        ElementType.ImportExport => "importExport",
        ElementType.DataTransfer => "dataTransfer",
        _ => "all",
    };

    public static string MediumName(MediumType m) => m switch
    {
        MediumType.Unspecified => "unspecified",
        MediumType.Data => "data",
        MediumType.Cleaning => "cleaning",
        MediumType.Diagnostic => "diagnostic",
        MediumType.Worm => "worm",
        MediumType.Microcode => "microcode",
        _ => "reserved",
    };

    /// <summary>One element of `status --json`, with what the cleaner's state says about it (status only).</summary>
    public static ElementJson ToJson(Element e, ElementMap map, NeedsCleaningJson? needsCleaning = null, CleaningNowJson? cleaning = null,
        bool? reservedCleanerSlot = null)
    {
        var v = new StatusElementView(e, map, reservedCleanerSlot);
        return new()
        {
            Type = v.Type,
            Address = v.Address,
            Full = v.Full,
            Barcode = v.Barcode,
            AlternateBarcode = v.AlternateBarcode,
            Source = v.Source,
            MediumType = v.MediumType,
            Except = v.Except,
            Asc = v.Asc,
            Ascq = v.Ascq,
            Access = v.Access,
            ImpExp = v.ImpExp,
            Identifier = v.Identifier,
            Slot = v.Slot,
            Drive = v.Drive,
            SourceSlot = v.SourceSlot,
            Cleaner = v.Cleaner,
            Serial = v.Serial,
            Model = v.Model,
            InEnab = v.InEnab,
            ExEnab = v.ExEnab,
            Partial = v.Partial,
            ExceptText = v.ExceptText,
            NeedsCleaning = needsCleaning,
            Cleaning = cleaning,
            ReservedCleanerSlot = v.ReservedCleanerSlot,
        };
    }

    public static ElementJson ToJson(ElementDescriptor d) => new()
    {
        Type = TypeName(d.Type),
        Address = d.Address,
        Full = d.Full,
        Barcode = d.Barcode,
        AlternateBarcode = d.AlternateBarcode,
        Source = d.SourceAddress,
        MediumType = MediumName(d.MediumType),
        Except = d.Except,
        Asc = d.Asc,
        Ascq = d.Ascq,
        Access = d.Access,
        ImpExp = d.ImpExp,
        Identifier = d.Identifier?.Text,
        InEnab = d.Type == ElementType.ImportExport ? d.InEnab : null,
        ExEnab = d.Type == ElementType.ImportExport ? d.ExEnab : null,
        Partial = d.Partial ? true : null,
        ExceptText = d.Except ? TapeChanger.Scsi.Sense.AscAscqTable.Describe(d.Asc, d.Ascq) : null,
    };

    public static ElementMapJson ToJson(ElementMap m) => new(
        new RangeJson(m.Transports.First, m.Transports.Count),
        new RangeJson(m.Storage.First, m.Storage.Count),
        new RangeJson(m.ImportExport.First, m.ImportExport.Count),
        new RangeJson(m.Drives.First, m.Drives.Count));

    public static ElementMapJson ToJson(ElementAddressAssignment a) => ToJson(ElementMap.From(a));

    private static readonly ElementType[] Types = [ElementType.MediumTransport, ElementType.Storage, ElementType.ImportExport, ElementType.DataTransfer];

    public static CapabilitiesJson ToJson(DeviceCapabilities c) => new(
        Types.Where(c.CanStore).Select(TypeName).ToList(),
        Types.ToDictionary(TypeName, from => (IReadOnlyList<string>)Types.Where(to => c.CanMove(from, to)).Select(TypeName).ToList()),
        Types.ToDictionary(TypeName, from => (IReadOnlyList<string>)Types.Where(to => c.CanExchange(from, to)).Select(TypeName).ToList()),
        c.SupportsExchange);
}

/// <summary>The members of one element of the --json contract (<see cref="ElementJson"/>) but its cleaning ones.</summary>
internal interface IElementJson
{
    string Type { get; }
    int Address { get; }
    bool Full { get; }
    string? Barcode { get; }
    string? AlternateBarcode { get; }
    int? Source { get; }
    string MediumType { get; }
    bool Except { get; }
    int Asc { get; }
    int Ascq { get; }
    bool Access { get; }
    bool ImpExp { get; }
    string? Identifier { get; }
    int? Slot { get; }
    int? Drive { get; }
    int? SourceSlot { get; }
    bool? Cleaner { get; }
    string? Serial { get; }
    bool? InEnab { get; }
    bool? ExEnab { get; }
    bool? Partial { get; }
    string? Model { get; }
    bool? ReservedCleanerSlot { get; }
    string? ExceptText { get; }
    /// <summary>A drive's request for cleaning or unfinished cleaning: members only the serializer writes.</summary>
    bool HasCleaningMembers { get; }
}

/// <summary>
/// A domain element as `status --json` shows it: the one mapping of an <see cref="Element"/> to the contract's members.
/// <see cref="JsonMapper.ToJson(Element, ElementMap, NeedsCleaningJson?, CleaningNowJson?, bool?)"/> copies it into an
/// <see cref="ElementJson"/>; <see cref="ElementJsonBytes"/> writes it with no record made (about 400 instructions an
/// element less; callgrind, docs/performance.md). The cleaning members are not here: an element with them is mapped.
/// </summary>
internal readonly struct StatusElementView(Element e, ElementMap map, bool? reservedCleanerSlot) : IElementJson
{
    public string Type => JsonMapper.TypeName(e.Type);
    public int Address => e.Address;
    public bool Full => e.Full;
    public string? Barcode => e.Barcode;
    public string? AlternateBarcode => e.AlternateBarcode;
    public int? Source => e.Source;
    public string MediumType => JsonMapper.MediumName(e.MediumType);
    public bool Except => e.Except;
    public int Asc => e.Asc;
    public int Ascq => e.Ascq;
    public bool Access => e.Access;
    public bool ImpExp => e.ImpExp;
    public string? Identifier => e.Identifier;
    public int? Slot => e.Slot;
    public int? Drive => e.Drive;
    public int? SourceSlot => e.Source is ushort s ? map.SlotNumber(s) : null;
    public bool? Cleaner => e.IsCleaner;
    public string? Serial => e.Type == ElementType.DataTransfer ? e.DriveSerial : null;
    public bool? InEnab => e.Type == ElementType.ImportExport ? e.InEnab : null;
    public bool? ExEnab => e.Type == ElementType.ImportExport ? e.ExEnab : null;
    public bool? Partial => null;
    public string? Model => e.Type == ElementType.DataTransfer ? e.DriveModel : null;
    public bool? ReservedCleanerSlot => reservedCleanerSlot;
    public string? ExceptText => e.ExceptionMeaning;
    public bool HasCleaningMembers => false;
}
