namespace TapeChanger.Scsi.Decoding;

// Immutable results of the decoders other than READ ELEMENT STATUS and sense.

/// <summary>Mode parameter header, SPC-4 §7.5.5 (6-byte: 4 bytes; 10-byte: 8 bytes).</summary>
public sealed record ModeParameterHeader(int ModeDataLength, byte MediumType, byte DeviceSpecific, bool LongLba, int BlockDescriptorLength);

/// <summary>One mode page as returned: <see cref="Data"/> holds the page from its byte 0 (PS/SPF/page code).</summary>
public sealed record ModePage(byte PageCode, byte Subpage, bool ParametersSaveable, byte[] Data);

/// <summary>A decoded MODE SENSE(6)/(10) reply.</summary>
public sealed record ModeSenseData(ModeParameterHeader Header, IReadOnlyList<ModePage> Pages, bool Truncated)
{
    /// <summary>Bytes the header declared but the reply did not contain (0 when complete).</summary>
    public int MissingBytes { get; init; }

    public ModePage? Find(byte pageCode) => Pages.FirstOrDefault(p => p.PageCode == pageCode);
}

/// <summary>Page 1Dh Element Address Assignment, SMC-3 §7.3.3.</summary>
public sealed record ElementAddressAssignment(
    ushort FirstTransport, ushort TransportCount,
    ushort FirstStorage, ushort StorageCount,
    ushort FirstImportExport, ushort ImportExportCount,
    ushort FirstDataTransfer, ushort DataTransferCount);

/// <summary>One transport descriptor of page 1Eh (SMC-3 §7.3.5).</summary>
public sealed record TransportGeometryDescriptor(bool Rotate, byte MemberNumber);

/// <summary>Page 1Eh Transport Geometry Parameters.</summary>
public sealed record TransportGeometry(IReadOnlyList<TransportGeometryDescriptor> Transports);

/// <summary>
/// Page 1Fh Device Capabilities, SMC-3 §7.3.2. Bit masks use the SMC layout: MT 0x01, ST 0x02, IE 0x04, DT 0x08.
/// </summary>
public sealed record DeviceCapabilities(byte StorageMask, byte MoveFromTransport, byte MoveFromStorage, byte MoveFromImportExport, byte MoveFromDataTransfer,
    byte ExchangeFromTransport, byte ExchangeFromStorage, byte ExchangeFromImportExport, byte ExchangeFromDataTransfer)
{
    public static byte Mask(ElementType type) => type switch
    {
        ElementType.MediumTransport => 0x01,
        ElementType.Storage => 0x02,
        ElementType.ImportExport => 0x04,
        ElementType.DataTransfer => 0x08,
        _ => 0,
    };

    public bool CanStore(ElementType type) => (StorageMask & Mask(type)) != 0;

    public bool CanMove(ElementType from, ElementType to) => (MoveFrom(from) & Mask(to)) != 0;

    public bool CanExchange(ElementType from, ElementType to) => (ExchangeFrom(from) & Mask(to)) != 0;

    public bool SupportsExchange => (ExchangeFromTransport | ExchangeFromStorage | ExchangeFromImportExport | ExchangeFromDataTransfer) != 0;

    private byte MoveFrom(ElementType t) => t switch
    {
        ElementType.MediumTransport => MoveFromTransport,
        ElementType.Storage => MoveFromStorage,
        ElementType.ImportExport => MoveFromImportExport,
        ElementType.DataTransfer => MoveFromDataTransfer,
        _ => 0,
    };

    private byte ExchangeFrom(ElementType t) => t switch
    {
        ElementType.MediumTransport => ExchangeFromTransport,
        ElementType.Storage => ExchangeFromStorage,
        ElementType.ImportExport => ExchangeFromImportExport,
        ElementType.DataTransfer => ExchangeFromDataTransfer,
        _ => 0,
    };
}

/// <summary>Standard INQUIRY data, SPC-4 §6.6.2.</summary>
public sealed record StandardInquiry(
    byte PeripheralQualifier,
    byte PeripheralDeviceType,
    bool Removable,
    byte Version,
    byte ResponseDataFormat,
    int AdditionalLength,
    /// <summary>Byte 6 bit 3 MCHNGR: an attached medium changer (SMC LUN behind a drive).</summary>
    bool MediumChangerAttached,
    string Vendor,
    string Product,
    string Revision,
    /// <summary>Bytes 36-55, vendor specific (often a serial number), trimmed; null when absent.</summary>
    string? VendorSpecific,
    IReadOnlyList<ushort> VersionDescriptors,
    bool Truncated)
{
    public bool IsMediumChanger => PeripheralDeviceType == 0x08;
    public bool IsTapeDrive => PeripheralDeviceType == 0x01;
}

/// <summary>One designation descriptor of VPD page 83h (SPC-4 §7.8.6).</summary>
public sealed record Designator(byte ProtocolIdentifier, byte CodeSet, bool Piv, byte Association, byte DesignatorType, byte[] Value)
{
    public bool IsText => CodeSet is 2 or 3;

    /// <summary>Text for ASCII/UTF-8 designators, lower-case hex otherwise (NAA, EUI-64).</summary>
    public string Text => IsText ? AsciiText.Trim(Value) : Convert.ToHexString(Value).ToLowerInvariant();

    public string TypeName => DesignatorType switch
    {
        0 => "vendor specific",
        1 => "T10 vendor ID",
        2 => "EUI-64",
        3 => "NAA",
        4 => "relative target port",
        5 => "target port group",
        6 => "logical unit group",
        7 => "MD5 logical unit identifier",
        8 => "SCSI name string",
        9 => "protocol specific port identifier",
        10 => "UUID",
        _ => $"type {DesignatorType}",
    };
}

/// <summary>One LOG SENSE parameter (SPC-4 §7.3.2).</summary>
public sealed record LogParameter(ushort Code, byte Control, byte[] Value);

/// <summary>A decoded LOG SENSE page.</summary>
public sealed record LogPage(byte PageCode, byte Subpage, IReadOnlyList<LogParameter> Parameters, bool Truncated);

/// <summary>Whose TapeAlert flag table applies: SSC drive flags or SMC library flags.</summary>
public enum TapeAlertSource
{
    Drive,
    Changer,
}

/// <summary>A TapeAlert flag (1-64) with its name from the SSC or SMC table.</summary>
public sealed record TapeAlertFlag(int Number, string Name);

/// <summary>Decoded TapeAlert flags (page 2Eh, or the response page 12h): only the flags that are set.</summary>
public sealed record TapeAlertReport(TapeAlertSource Source, IReadOnlyList<TapeAlertFlag> Active, int ParametersDecoded, bool Truncated)
{
    /// <summary>The page read: 2Eh (reading it clears the flags on most drives) or 12h (it does not).</summary>
    public byte PageCode { get; init; } = 0x2E;

    /// <summary>True when the read cleared the flags it reported (page 2Eh): whoever read it holds the only notice.</summary>
    public bool ClearedByRead => PageCode == 0x2E;

    public bool IsSet(int number) => Active.Any(f => f.Number == number);
}
