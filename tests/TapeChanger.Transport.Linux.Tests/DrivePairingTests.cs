using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Transport.Linux.Tests;

public class DrivePairingTests
{
    private static ScsiGenericDevice Tape(int sg, string hctl, string? serial) =>
        new($"sg{sg}", $"/dev/sg{sg}", hctl, 1, "IBM", "ULT3580-TD8", "Q3F0", serial, null, $"/dev/st{sg}", $"/dev/nst{sg}");

    private static readonly ScsiGenericDevice Changer =
        new("sg5", "/dev/sg5", "3:0:4:1", 8, "IBM", "3573-TL", "F.11", "LIB01", "/dev/sch0", null, null);

    [Fact]
    public void Pairs_by_dvcid_serial_regardless_of_order_and_case()
    {
        var tapes = new[] { Tape(2, "3:0:2:0", "drive-b"), Tape(1, "3:0:1:0", "DRIVE-A") };
        var pairs = DrivePairing.Pair([new(0x101, "DRIVE-B", null), new(0x100, "drive-a ", null)], tapes);
        Assert.Equal(2, pairs.Count);
        Assert.Equal((0, (ushort)0x100, "/dev/nst1", PairingMethod.Serial), (pairs[0].DriveNumber, pairs[0].ElementAddress, pairs[0].Drive?.NonRewindingTapePath, pairs[0].Method));
        Assert.Equal((1, (ushort)0x101, "/dev/nst2", PairingMethod.Serial), (pairs[1].DriveNumber, pairs[1].ElementAddress, pairs[1].Drive?.NonRewindingTapePath, pairs[1].Method));
    }

    [Fact]
    public void Falls_back_to_identifier_suffix()
    {
        var pairs = DrivePairing.Pair([new(1, null, "IBM     ULT3580-TD8     1068093050")], [Tape(1, "0:0:0:1", "1068093050")]);
        Assert.Equal(PairingMethod.IdentifierSuffix, pairs[0].Method);
    }

    [Fact]
    public void Falls_back_to_scsi2_bus_address_on_the_changers_host()
    {
        var tapes = new[] { Tape(1, "3:0:1:0", null), Tape(2, "3:0:2:0", null), Tape(9, "4:0:1:0", null) };
        var pairs = DrivePairing.Pair([new(1, null, null, ScsiId: 2, Lun: 0), new(2, null, null, ScsiId: 1)], tapes, Changer);
        Assert.Equal("/dev/sg2", pairs[0].Drive?.SgPath);
        Assert.Equal("/dev/sg1", pairs[1].Drive?.SgPath);
        Assert.All(pairs, p => Assert.Equal(PairingMethod.BusAddress, p.Method));
    }

    [Fact]
    public void Bus_address_is_not_used_without_the_changer()
    {
        var pairs = DrivePairing.Pair([new(1, null, null, ScsiId: 1, Lun: 0)], [Tape(1, "3:0:1:0", null)]);
        Assert.Equal(PairingMethod.None, pairs[0].Method);
        Assert.Null(pairs[0].Drive);
    }

    [Fact]
    public void Unmatched_and_ambiguous_elements_stay_unpaired_and_a_tape_is_used_once()
    {
        var tapes = new[] { Tape(1, "0:0:0:1", "DUP"), Tape(2, "0:0:0:2", "DUP"), Tape(3, "0:0:0:3", "ONE") };
        var pairs = DrivePairing.Pair([new(1, "DUP", null), new(2, "ONE", null), new(3, "ONE", null), new(4, null, null)], tapes);
        Assert.Equal([PairingMethod.None, PairingMethod.Serial, PairingMethod.None, PairingMethod.None], pairs.Select(p => p.Method));
        Assert.Equal("/dev/sg3", pairs[1].Drive?.SgPath);
    }

    [Fact]
    public void Identity_comes_from_a_decoded_dvcid_descriptor()
    {
        byte[] t10 = System.Text.Encoding.ASCII.GetBytes("IBM     ULT3580-TD8     1068093050");
        var id = new DeviceIdentifier(0, 2, false, 0, 1, t10, false);
        var d = new ElementDescriptor(ElementType.DataTransfer, 0x100, ElementFlags.Access, 0, 0, null, MediumType.Unspecified, false, false,
            null, null, id, null, null, false);
        var e = DriveElementIdentity.From(d);
        Assert.Equal("1068093050", e.Serial);
        var pairs = DrivePairing.Pair([e], [Tape(7, "0:0:0:7", "1068093050")]);
        Assert.Equal("/dev/nst7", pairs[0].Drive?.NonRewindingTapePath);
    }
}
