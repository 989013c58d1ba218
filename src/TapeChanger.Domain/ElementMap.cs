using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain;

/// <summary>A contiguous run of element addresses of one type (from MODE SENSE page 1Dh).</summary>
public sealed record ElementRange(ElementType Type, ushort First, ushort Count)
{
    public bool Contains(ushort address) => Count > 0 && address >= First && address < First + Count;

    public IEnumerable<ushort> Addresses => Enumerable.Range(First, Count).Select(a => (ushort)a);
}

/// <summary>
/// The library's element address map, built from page 1Dh, with mtx-compatible numbering:
/// slots are 1-based over storage elements then IE elements in address order; drives are 0-based.
/// It depends only on the static assignment, so it can be cached per library (keyed by serial number).
/// </summary>
public sealed record ElementMap(ElementRange Transports, ElementRange Storage, ElementRange ImportExport, ElementRange Drives)
{
    public static ElementMap From(ElementAddressAssignment a) => new(
        new ElementRange(ElementType.MediumTransport, a.FirstTransport, a.TransportCount),
        new ElementRange(ElementType.Storage, a.FirstStorage, a.StorageCount),
        new ElementRange(ElementType.ImportExport, a.FirstImportExport, a.ImportExportCount),
        new ElementRange(ElementType.DataTransfer, a.FirstDataTransfer, a.DataTransferCount));

    public IEnumerable<ElementRange> Ranges => [Transports, Storage, ImportExport, Drives];

    /// <summary>Number of mtx "slots": storage plus import/export elements.</summary>
    public int SlotCount => Storage.Count + ImportExport.Count;

    public ElementType? TypeOf(ushort address) => Ranges.FirstOrDefault(r => r.Contains(address))?.Type;

    public ElementRange RangeOf(ElementType type) => type switch
    {
        ElementType.MediumTransport => Transports,
        ElementType.Storage => Storage,
        ElementType.ImportExport => ImportExport,
        ElementType.DataTransfer => Drives,
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>The default picker address for MOVE MEDIUM (0 asks the library to choose when there is none).</summary>
    public ushort DefaultTransport => Transports.Count > 0 ? Transports.First : (ushort)0;

    /// <summary>mtx slot number (1-based) to element address.</summary>
    public ushort SlotAddress(int slot)
    {
        if (slot < 1 || slot > SlotCount)
        {
            throw new ChangerOperationException(ChangerError.InvalidElement,
                SlotCount == 0 ? "this library has no slots" : $"slot {slot} does not exist; valid slots are 1 to {SlotCount}");
        }
        return slot <= Storage.Count ? (ushort)(Storage.First + slot - 1) : (ushort)(ImportExport.First + slot - Storage.Count - 1);
    }

    /// <summary>mtx drive number (0-based) to element address.</summary>
    public ushort DriveAddress(int drive)
    {
        if (drive < 0 || drive >= Drives.Count)
        {
            throw new ChangerOperationException(ChangerError.InvalidElement,
                Drives.Count == 0 ? "this library has no drives" : $"drive {drive} does not exist; valid drives are 0 to {Drives.Count - 1}");
        }
        return (ushort)(Drives.First + drive);
    }

    public int? SlotNumber(ushort address) =>
        Storage.Contains(address) ? address - Storage.First + 1
        : ImportExport.Contains(address) ? Storage.Count + (address - ImportExport.First) + 1
        : null;

    public int? DriveNumber(ushort address) => Drives.Contains(address) ? address - Drives.First : null;

    /// <summary>Describes an address for messages: "slot 3 (element 1002)", "drive 0 (element 500)".</summary>
    public string Describe(ushort address) => TypeOf(address) switch
    {
        ElementType.Storage => $"slot {SlotNumber(address)} (element {address})",
        ElementType.ImportExport => $"import/export slot {SlotNumber(address)} (element {address})",
        ElementType.DataTransfer => $"drive {DriveNumber(address)} (element {address})",
        ElementType.MediumTransport => $"picker (element {address})",
        _ => $"element {address}",
    };
}
