using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain.Tests;

/// <summary>What the domain keeps of a descriptor, and the element map's edges (no slots, no drives, no picker).</summary>
public class ElementRecordTests
{
    private static readonly ElementMap Library10 = ElementMap.From(new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4));

    [Fact]
    public void Every_descriptor_field_reaches_the_element()
    {
        var d = new ElementDescriptor(
            ElementType.DataTransfer, 501,
            ElementFlags.Full | ElementFlags.Except | ElementFlags.Access | ElementFlags.ImpExp | ElementFlags.InEnab | ElementFlags.ExEnab,
            0x30, 0x03, 1004, MediumType.Data, false, false,
            new VolumeTag("A00001L8", 0) { Field = "A00001L8 primary" }, new VolumeTag("ALT001L8", 0) { Field = "ALT001L8 alt" },
            new DeviceIdentifier(0, 2, false, 0, 1, "IBM     ULT3580-TD8     SER123"u8.ToArray(), false), 3, 0, false)
        {
            SourceField = 1004,
        };
        var e = Element.From(d, Library10, "CLN");
        Assert.Equal((ElementType.DataTransfer, (ushort)501, true, "A00001L8", "ALT001L8", (ushort?)1004, MediumType.Data),
            (e.Type, e.Address, e.Full, e.Barcode, e.AlternateBarcode, e.Source, e.MediumType));
        Assert.Equal((true, (byte)0x30, (byte)0x03, true, true, true, true), (e.Except, e.Asc, e.Ascq, e.Access, e.ImpExp, e.InEnab, e.ExEnab));
        Assert.Equal(("IBM ULT3580-TD8 SER123", "SER123", (int?)null, (int?)1, false), (e.Identifier, e.DriveSerial, e.Slot, e.Drive, e.IsCleaner));
        Assert.Equal(("A00001L8 primary", "ALT001L8 alt", (ushort)1004), (e.PrimaryTagField, e.AlternateTagField, e.SourceField));
        Assert.Equal("cleaning cartridge installed", e.ExceptionMeaning);        // 30/03, SPC-4 annex D
        Assert.Null(Element.From(d with { Flags = d.Flags & ~ElementFlags.Except }, Library10, "CLN").ExceptionMeaning);   // no exception, no meaning
    }

    [Fact]
    public void An_element_reads_its_descriptor_instead_of_copying_it()
    {
        // A slot's element is its descriptor, its numbers and its cleaner mark: 48 bytes on x64, whatever the descriptor
        // holds (a copy of the descriptor's fields was 124 bytes an element; 2,081 of them in a large library's status).
        var d = new ElementDescriptor(ElementType.Storage, 1004, ElementFlags.Full | ElementFlags.Access, 0, 0, 1003, MediumType.Data, false, false,
            new VolumeTag("A00001L8", 0) { Field = "A00001L8 primary" }, null, null, null, null, false);
        var cleaners = CleanerRecognition.Default;
        Element.From(d, Library10, cleaners);                                   // first-use costs out of the count
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Element.From(d, Library10, cleaners);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= 48, $"Element.From allocated {allocated} bytes for a slot");
        Assert.Equal(("A00001L8", "A00001L8 primary", (ushort?)1003, (int?)5, (int?)null), (e.Barcode, e.PrimaryTagField, e.Source, e.Slot, e.Drive));
    }

    [Fact]
    public void A_with_copy_changes_the_copy_only_and_keeps_what_it_does_not_set()
    {
        var d = new ElementDescriptor(ElementType.DataTransfer, 500, ElementFlags.Full, 0, 0, null, MediumType.Data, false, false,
            new VolumeTag("A00001L8", 0) { Field = "primary" }, new VolumeTag("ALT001L8", 0) { Field = "alternate" },
            new DeviceIdentifier(0, 2, false, 0, 1, "IBM     ULT3580-TD8     SER123"u8.ToArray(), false), null, null, false) { SourceField = 1007 };
        var e = Element.From(d, Library10, "CLN");
        var copy = e with { PrimaryTagField = "given", DriveModel = "MODEL", SourceField = 9 };
        Assert.Equal(("given", "alternate", "MODEL", (ushort)9), (copy.PrimaryTagField, copy.AlternateTagField, copy.DriveModel, copy.SourceField));
        Assert.Equal(("primary", "alternate", "IBM ULT3580-TD8", (ushort)1007), (e.PrimaryTagField, e.AlternateTagField, e.DriveModel, e.SourceField));
        Assert.Equal(("IBM ULT3580-TD8 SER123", "SER123", (int?)0), (copy.Identifier, copy.DriveSerial, copy.Drive));
        var alternate = e with { AlternateTagField = null };
        Assert.Equal(("primary", (string?)null, "SER123", "IBM ULT3580-TD8"), (alternate.PrimaryTagField, alternate.AlternateTagField, alternate.DriveSerial, alternate.DriveModel));
        var primary = e with { PrimaryTagField = null };
        Assert.Equal(((string?)null, "alternate", "SER123"), (primary.PrimaryTagField, primary.AlternateTagField, primary.DriveSerial));
    }

    [Fact]
    public void An_element_made_from_values_keeps_them_and_has_no_tag_fields_until_given()
    {
        var e = new Element(ElementType.DataTransfer, 501, true, "B00001L8", "ALT", 1002, MediumType.Cleaning, true, 0x3B, 0x12,
            false, true, true, false, "ID TEXT", "SER9", 0, 0, true);
        Assert.Equal((ElementType.DataTransfer, (ushort)501, true, "B00001L8", "ALT", (ushort?)1002, MediumType.Cleaning),
            (e.Type, e.Address, e.Full, e.Barcode, e.AlternateBarcode, e.Source, e.MediumType));
        Assert.Equal((true, (byte)0x3B, (byte)0x12, false, true, true, false), (e.Except, e.Asc, e.Ascq, e.Access, e.ImpExp, e.InEnab, e.ExEnab));
        Assert.Equal(("ID TEXT", "SER9", (int?)0, (int?)0, true), (e.Identifier, e.DriveSerial, e.Slot, e.Drive, e.IsCleaner));
        Assert.Equal(((string?)null, (string?)null, (string?)null, (ushort)0), (e.PrimaryTagField, e.AlternateTagField, e.DriveModel, e.SourceField));
        Assert.True(e.MagazineMissing);
        // Every flag the other way round.
        var other = new Element(ElementType.ImportExport, 10, false, null, null, null, MediumType.Unspecified, false, 0, 0,
            true, false, false, true, null, null, 3, null, false);
        Assert.Equal((false, false, true, false, false, true), (other.Full, other.Except, other.Access, other.ImpExp, other.InEnab, other.ExEnab));
        Assert.Equal(((string?)null, (string?)null, (int?)3, (int?)null, false), (other.Barcode, other.AlternateBarcode, other.Slot, other.Drive, other.IsCleaner));
    }

    [Theory]
    [InlineData(true, 0x3B, 0x11, true)]     // MEDIUM MAGAZINE NOT ACCESSIBLE
    [InlineData(true, 0x3B, 0x12, true)]     // MEDIUM MAGAZINE REMOVED
    [InlineData(true, 0x3B, 0x13, false)]    // MEDIUM MAGAZINE INSERTED: the magazine is back
    [InlineData(true, 0x3B, 0x0E, false)]    // MEDIUM SOURCE ELEMENT EMPTY
    [InlineData(true, 0x3A, 0x11, false)]
    [InlineData(false, 0x3B, 0x12, false)]   // ASC/ASCQ without EXCEPT mean nothing
    public void A_missing_magazine_is_an_exception_with_3B_11_or_3B_12(bool except, byte asc, byte ascq, bool missing)
    {
        var d = new ElementDescriptor(ElementType.Storage, 1004, except ? ElementFlags.Except : ElementFlags.Access, asc, ascq,
            null, MediumType.Unspecified, false, false, null, null, null, null, null, false);
        Assert.Equal(missing, Element.From(d, Library10, CleanerRecognition.Default).MagazineMissing);
    }

    [Fact]
    public void An_empty_slot_has_no_barcode_fields_and_its_slot_number()
    {
        var d = new ElementDescriptor(ElementType.Storage, 1004, ElementFlags.Access, 0, 0, null, MediumType.Unspecified, false, false, null, null, null, null, null, false);
        var e = Element.From(d, Library10, CleanerRecognition.Default);
        Assert.Equal((false, (string?)null, (string?)null, (int?)5, (int?)null, (string?)null, (string?)null), (e.Full, e.Barcode, e.Identifier, e.Slot, e.Drive, e.PrimaryTagField, e.AlternateTagField));
        Assert.False(e.IsCleaner);
    }

    [Fact]
    public void A_library_without_slots_drives_or_picker_says_so()
    {
        var bare = ElementMap.From(new ElementAddressAssignment(0, 0, 1000, 0, 10, 0, 500, 0));
        Assert.Equal("this library has no slots", Assert.Throws<ChangerOperationException>(() => bare.SlotAddress(1)).Message);
        Assert.Equal("this library has no drives", Assert.Throws<ChangerOperationException>(() => bare.DriveAddress(0)).Message);
        Assert.Equal((ushort)0, bare.DefaultTransport);
        Assert.Equal(0, bare.SlotCount);
        Assert.Null(bare.TypeOf(1000));                      // an empty range contains nothing, not even its first address
        Assert.Equal("element 1000", bare.Describe(1000));
    }

    [Fact]
    public void Ranges_in_order_and_by_type()
    {
        Assert.Equal([ElementType.MediumTransport, ElementType.Storage, ElementType.ImportExport, ElementType.DataTransfer], Library10.Ranges.Select(r => r.Type));
        Assert.Equal(Library10.Storage, Library10.RangeOf(ElementType.Storage));
        Assert.Equal(Library10.ImportExport, Library10.RangeOf(ElementType.ImportExport));
        Assert.Equal(Library10.Drives, Library10.RangeOf(ElementType.DataTransfer));
        Assert.Equal(Library10.Transports, Library10.RangeOf(ElementType.MediumTransport));
        Assert.Throws<ArgumentOutOfRangeException>(() => Library10.RangeOf(ElementType.All));
        Assert.Equal([(ushort)500, (ushort)501, (ushort)502, (ushort)503], Library10.Drives.Addresses);
        Assert.Equal((ushort)1, Library10.DefaultTransport);
        Assert.Equal(43, Library10.SlotCount);
        Assert.Equal("picker (element 1)", Library10.Describe(1));
        Assert.Equal("import/export slot 41 (element 11)", Library10.Describe(11));
        Assert.Equal("element 2", Library10.Describe(2));
    }

    [Fact]
    public void Range_bounds_are_first_inclusive_and_first_plus_count_exclusive()
    {
        var r = new ElementRange(ElementType.Storage, 1000, 39);
        Assert.False(r.Contains(999));
        Assert.True(r.Contains(1000));
        Assert.True(r.Contains(1038));
        Assert.False(r.Contains(1039));
        Assert.Null(Library10.SlotNumber(999));
        Assert.Null(Library10.DriveNumber(504));
        Assert.Equal(0, Library10.DriveNumber(500));
    }

    [Fact]
    public void Status_finds_elements_by_type_and_address()
    {
        var slot = Element.From(new ElementDescriptor(ElementType.Storage, 1000, ElementFlags.Full, 0, 0, null, MediumType.Data, false, false, new VolumeTag("A1", 0), null, null, null, null, false), Library10, "CLN");
        var drive = Element.From(new ElementDescriptor(ElementType.DataTransfer, 500, 0, 0, 0, null, MediumType.Unspecified, false, false, null, null, null, null, null, false), Library10, "CLN");
        var status = new LibraryStatus(new LibraryIdentity("V", "P", "R", null, 8), Library10, [slot, drive]);
        Assert.Equal([drive], status.OfType(ElementType.DataTransfer));
        Assert.Same(slot, status.At(1000));
        Assert.Null(status.At(1001));
    }
}
