using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain.Tests;

public class ElementMapTests
{
    // mhVTL library 10 (docs/reference/mhvtl.md §2): MT 1, ST 1000 x39, IE 10 x4, DT 500 x4.
    private static readonly ElementMap Library10 = ElementMap.From(new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4));

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(39, 1038)]
    [InlineData(40, 10)]   // mtx: slots continue over the IE elements after the storage elements
    [InlineData(43, 13)]
    public void Slot_numbers_follow_mtx_storage_then_import_export(int slot, int address)
    {
        Assert.Equal(address, Library10.SlotAddress(slot));
        Assert.Equal(slot, Library10.SlotNumber((ushort)address));
    }

    [Theory]
    [InlineData(0, 500)]
    [InlineData(3, 503)]
    public void Drives_are_zero_based(int drive, int address)
    {
        Assert.Equal(address, Library10.DriveAddress(drive));
        Assert.Equal(drive, Library10.DriveNumber((ushort)address));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(44)]
    [InlineData(-1)]
    public void Out_of_range_slot_is_an_operator_error(int slot)
    {
        var e = Assert.Throws<ChangerOperationException>(() => Library10.SlotAddress(slot));
        Assert.Equal(ChangerError.InvalidElement, e.Error);
        Assert.Contains("valid slots are 1 to 43", e.Message);
    }

    [Fact]
    public void Out_of_range_drive_is_an_operator_error()
    {
        var e = Assert.Throws<ChangerOperationException>(() => Library10.DriveAddress(4));
        Assert.Contains("valid drives are 0 to 3", e.Message);
    }

    [Fact]
    public void Types_and_descriptions_come_from_the_ranges()
    {
        Assert.Equal(ElementType.MediumTransport, Library10.TypeOf(1));
        Assert.Equal(ElementType.ImportExport, Library10.TypeOf(12));
        Assert.Null(Library10.TypeOf(999));
        Assert.Equal("drive 2 (element 502)", Library10.Describe(502));
        Assert.Equal("slot 3 (element 1002)", Library10.Describe(1002));
    }

    [Fact]
    public void Library_without_mail_slots_numbers_storage_only()
    {
        // HPE MSL3040 logical library (MSL3040 capture, page 1Dh): IE first 101 but count 0.
        var msl = ElementMap.From(new ElementAddressAssignment(0, 1, 1001, 40, 101, 0, 1, 2));
        Assert.Equal(40, msl.SlotCount);
        Assert.Null(msl.SlotNumber(101));
        Assert.Equal(1040, msl.SlotAddress(40));
        Assert.Equal(0, msl.DefaultTransport);
    }
}
