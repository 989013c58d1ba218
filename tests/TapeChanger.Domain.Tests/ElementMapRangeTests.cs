using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain.Tests;

/// <summary>The element map's ranges, boundaries, descriptions and the messages of a library without slots or drives.</summary>
public class ElementMapRangeTests
{
    // Page 1Dh of a small library: picker 1, storage 1000 x3, IE 10 x2, drives 500 x2.
    private static readonly ElementMap Small = ElementMap.From(new ElementAddressAssignment(1, 1, 1000, 3, 10, 2, 500, 2));

    [Fact]
    public void Each_range_comes_from_its_page_fields_with_its_type()
    {
        Assert.Equal(new ElementRange(ElementType.MediumTransport, 1, 1), Small.Transports);
        Assert.Equal(new ElementRange(ElementType.Storage, 1000, 3), Small.Storage);
        Assert.Equal(new ElementRange(ElementType.ImportExport, 10, 2), Small.ImportExport);
        Assert.Equal(new ElementRange(ElementType.DataTransfer, 500, 2), Small.Drives);
        Assert.Equal([Small.Transports, Small.Storage, Small.ImportExport, Small.Drives], Small.Ranges);
        Assert.Same(Small.Storage, Small.RangeOf(ElementType.Storage));
        Assert.Same(Small.Transports, Small.RangeOf(ElementType.MediumTransport));
        Assert.Same(Small.ImportExport, Small.RangeOf(ElementType.ImportExport));
        Assert.Same(Small.Drives, Small.RangeOf(ElementType.DataTransfer));
        Assert.Throws<ArgumentOutOfRangeException>(() => Small.RangeOf((ElementType)0));
    }

    [Fact]
    public void A_range_holds_first_to_first_plus_count_minus_one_and_an_empty_range_holds_nothing()
    {
        var r = new ElementRange(ElementType.Storage, 1000, 3);
        Assert.False(r.Contains(999));
        Assert.True(r.Contains(1000));
        Assert.True(r.Contains(1002));
        Assert.False(r.Contains(1003));
        Assert.Equal([(ushort)1000, 1001, 1002], r.Addresses);
        var empty = new ElementRange(ElementType.ImportExport, 1000, 0);
        Assert.False(empty.Contains(1000));
        Assert.Empty(empty.Addresses);
    }

    [Fact]
    public void Numbers_are_null_outside_their_ranges()
    {
        Assert.Null(Small.SlotNumber(999));
        Assert.Null(Small.SlotNumber(1003));
        Assert.Equal(4, Small.SlotNumber(10));
        Assert.Equal(5, Small.SlotNumber(11));
        Assert.Null(Small.SlotNumber(12));
        Assert.Null(Small.SlotNumber(500));
        Assert.Null(Small.DriveNumber(499));
        Assert.Equal(1, Small.DriveNumber(501));
        Assert.Null(Small.DriveNumber(502));
        Assert.Null(Small.DriveNumber(1000));
        Assert.Equal(5, Small.SlotCount);
    }

    [Fact]
    public void Slot_addresses_at_the_edges_of_storage_and_import_export()
    {
        Assert.Equal(1000, Small.SlotAddress(1));
        Assert.Equal(1002, Small.SlotAddress(3));
        Assert.Equal(10, Small.SlotAddress(4));
        Assert.Equal(11, Small.SlotAddress(5));
        Assert.Equal(500, Small.DriveAddress(0));
        Assert.Equal(501, Small.DriveAddress(1));
        var e = Assert.Throws<ChangerOperationException>(() => Small.DriveAddress(-1));
        Assert.Equal((ChangerError.InvalidElement, "drive -1 does not exist; valid drives are 0 to 1"), (e.Error, e.Message));
        e = Assert.Throws<ChangerOperationException>(() => Small.SlotAddress(6));
        Assert.Equal((ChangerError.InvalidElement, "slot 6 does not exist; valid slots are 1 to 5"), (e.Error, e.Message));
    }

    [Fact]
    public void A_library_without_slots_or_drives_says_so()
    {
        var bare = ElementMap.From(new ElementAddressAssignment(1, 1, 1000, 0, 10, 0, 500, 0));
        var e = Assert.Throws<ChangerOperationException>(() => bare.SlotAddress(1));
        Assert.Equal((ChangerError.InvalidElement, "this library has no slots"), (e.Error, e.Message));
        e = Assert.Throws<ChangerOperationException>(() => bare.DriveAddress(0));
        Assert.Equal((ChangerError.InvalidElement, "this library has no drives"), (e.Error, e.Message));
    }

    [Fact]
    public void Every_kind_of_element_is_described_in_operator_words()
    {
        Assert.Equal("picker (element 1)", Small.Describe(1));
        Assert.Equal("slot 1 (element 1000)", Small.Describe(1000));
        Assert.Equal("import/export slot 5 (element 11)", Small.Describe(11));
        Assert.Equal("drive 1 (element 501)", Small.Describe(501));
        Assert.Equal("element 7", Small.Describe(7));
    }

    [Fact]
    public void Default_transport_is_the_first_picker_or_zero_without_one()
    {
        var twoPickers = ElementMap.From(new ElementAddressAssignment(5, 2, 1000, 3, 10, 2, 500, 2));
        Assert.Equal(5, twoPickers.DefaultTransport);
        var none = ElementMap.From(new ElementAddressAssignment(5, 0, 1000, 3, 10, 2, 500, 2));
        Assert.Equal(0, none.DefaultTransport);
        Assert.Null(none.TypeOf(5));
    }
}
