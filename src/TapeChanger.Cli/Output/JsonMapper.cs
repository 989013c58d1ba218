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
        bool? reservedCleanerSlot = null) => new()
    {
        Type = TypeName(e.Type),
        Address = e.Address,
        Full = e.Full,
        Barcode = e.Barcode,
        AlternateBarcode = e.AlternateBarcode,
        Source = e.Source,
        MediumType = MediumName(e.MediumType),
        Except = e.Except,
        Asc = e.Asc,
        Ascq = e.Ascq,
        Access = e.Access,
        ImpExp = e.ImpExp,
        Identifier = e.Identifier,
        Slot = e.Slot,
        Drive = e.Drive,
        SourceSlot = e.Source is ushort s ? map.SlotNumber(s) : null,
        Cleaner = e.IsCleaner,
        Serial = e.Type == ElementType.DataTransfer ? e.DriveSerial : null,
        Model = e.Type == ElementType.DataTransfer ? e.DriveModel : null,
        InEnab = e.Type == ElementType.ImportExport ? e.InEnab : null,
        ExEnab = e.Type == ElementType.ImportExport ? e.ExEnab : null,
        ExceptText = e.ExceptionMeaning,
        NeedsCleaning = needsCleaning,
        Cleaning = cleaning,
        ReservedCleanerSlot = reservedCleanerSlot,
    };

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
