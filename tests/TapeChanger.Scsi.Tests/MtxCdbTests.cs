using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Scsi.Tests;

/// <summary>The CDBs mtx mode sends beyond the usual set, byte for byte as mtx 1.3.12 mtxl.c builds them.</summary>
public sealed class MtxCdbTests
{
    [Fact]
    public void Eject_magazine_is_1b_with_loej()
    {
        Assert.Equal(new byte[] { 0x1B, 0, 0, 0, 0x02, 0 }, SmcCommands.EjectMagazine().Cdb.ToArray());
    }

    [Fact]
    public void Move_medium_carries_invert_and_eepos_in_the_control_byte()
    {
        var cdb = SmcCommands.MoveMedium(1, 1000, 500, invert: true, controlHighBits: 3).Cdb.ToArray();
        Assert.Equal(new byte[] { 0xA5, 0, 0, 1, 0x03, 0xE8, 0x01, 0xF4, 0, 0, 0x01, 0xC0 }, cdb);
        Assert.Equal(0, SmcCommands.MoveMedium(1, 1000, 500).Cdb.ToArray()[11]);
    }
}
