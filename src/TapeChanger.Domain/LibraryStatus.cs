using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain;

/// <summary>Who the library is (standard INQUIRY + VPD 80h).</summary>
public sealed record LibraryIdentity(string Vendor, string Product, string Revision, string? SerialNumber, byte DeviceType);

/// <summary>A full status read: element map plus every element's state.</summary>
public sealed record LibraryStatus(LibraryIdentity Identity, ElementMap Map, IReadOnlyList<Element> Elements)
{
    public IEnumerable<Element> OfType(ElementType type) => Elements.Where(e => e.Type == type);

    public Element? At(ushort address) => Elements.FirstOrDefault(e => e.Address == address);
}
