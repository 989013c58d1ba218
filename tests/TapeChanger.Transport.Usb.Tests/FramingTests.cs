using FsCheck.Xunit;

namespace TapeChanger.Transport.Usb.Tests;

public class CommandBlockWrapperTests
{
    [Fact]
    public void Test_unit_ready_is_31_exact_bytes()
    {
        var cbw = CommandBlockWrapper.Encode(tag: 1, dataTransferLength: 0, dataIn: false, lun: 0, [0, 0, 0, 0, 0, 0]);
        Assert.Equal(
            Convert.FromHexString("55534243" + "01000000" + "00000000" + "00" + "00" + "06" + "000000000000" + new string('0', 20)),
            cbw);
    }

    [Fact]
    public void Inquiry_on_lun_1_is_little_endian_with_the_in_flag()
    {
        var cbw = CommandBlockWrapper.Encode(0x12345678, 36, dataIn: true, lun: 1, [0x12, 0, 0, 0, 0x24, 0]);
        Assert.Equal(31, cbw.Length);
        Assert.Equal(
            Convert.FromHexString("55534243" + "78563412" + "24000000" + "80" + "01" + "06" + "120000002400" + new string('0', 20)),
            cbw);
    }

    [Fact]
    public void Data_out_and_16_byte_cdb()
    {
        var cdb = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var cbw = CommandBlockWrapper.Encode(7, 0x01020304, dataIn: false, lun: 15, cdb);
        Assert.Equal(new byte[] { 0x04, 0x03, 0x02, 0x01 }, cbw[8..12]);
        Assert.Equal(0, cbw[12]);
        Assert.Equal(15, cbw[13]);
        Assert.Equal(16, cbw[14]);
        Assert.Equal(cdb, cbw[15..31]);
    }

    [Fact]
    public void In_flag_is_clear_without_data() =>
        Assert.Equal(0, CommandBlockWrapper.Encode(1, 0, dataIn: true, 0, [0, 0, 0, 0, 0, 0])[12]);

    [Fact]
    public void Rejects_bad_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CommandBlockWrapper.Encode(1, 0, false, 16, [0, 0, 0, 0, 0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CommandBlockWrapper.Encode(1, 0, false, 0, new byte[17]));
        Assert.Throws<ArgumentOutOfRangeException>(() => CommandBlockWrapper.Encode(1, 0, false, 0, []));
        Assert.Throws<ArgumentException>(() => CommandBlockWrapper.Encode(new byte[30], 1, 0, false, 0, [0, 0, 0, 0, 0, 0]));
    }
}

public class CommandStatusWrapperTests
{
    private static byte[] Csw(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void Decodes_a_good_csw()
    {
        var csw = CommandStatusWrapper.Decode(Csw("55534253" + "2A000000" + "10000000" + "00"), expectedTag: 42);
        Assert.Equal(new CommandStatusWrapper(42, 16, CswStatus.Passed), csw);
    }

    [Theory]
    [InlineData("01", CswStatus.Failed)]
    [InlineData("02", CswStatus.PhaseError)]
    public void Decodes_failed_and_phase_error(string status, CswStatus expected) =>
        Assert.Equal(expected, CommandStatusWrapper.Decode(Csw("55534253" + "01000000" + "00000000" + status)).Status);

    [Theory]
    [InlineData("555342530100000000000000", CswError.Length)]          // 12 bytes
    [InlineData("55534253010000000000000000", null)]                  // 13 bytes, fine
    [InlineData("5553425301000000000000000000", CswError.Length)]      // 14 bytes
    [InlineData("55534255010000000000000000", CswError.Signature)]     // "USBU" (Olympus) is not accepted
    [InlineData("55534253020000000000000000", CswError.TagMismatch)]
    [InlineData("55534253010000000000000003", CswError.Status)]
    public void Rejects_malformed_csws_with_the_typed_exception(string hex, CswError? expected)
    {
        if (expected is null)
        {
            Assert.Equal(new CommandStatusWrapper(1, 0, CswStatus.Passed), CommandStatusWrapper.Decode(Csw(hex), 1));
        }
        else
        {
            var e = Assert.Throws<InvalidCswException>(() => CommandStatusWrapper.Decode(Csw(hex), 1));
            Assert.Equal(expected, e.Error);
        }
    }

    [Fact]
    public void Empty_input_is_a_length_error() =>
        Assert.Equal(CswError.Length, Assert.Throws<InvalidCswException>(() => CommandStatusWrapper.Decode([])).Error);

    [Property(MaxTest = 2000)]
    public bool Parser_only_throws_the_typed_exception(byte[] data, uint tag, bool checkTag)
    {
        try
        {
            CommandStatusWrapper.Decode(data ?? [], checkTag ? tag : null);
            return true;
        }
        catch (InvalidCswException)
        {
            return true;
        }
    }

    [Property]
    public bool Thirteen_random_bytes_with_the_signature_only_throw_the_typed_exception(uint tag, uint residue, byte status)
    {
        var b = new CommandStatusWrapper(tag, residue, CswStatus.Passed).Encode();
        b[12] = status;
        try
        {
            var csw = CommandStatusWrapper.Decode(b, tag);
            return status <= 2 && csw.Tag == tag && csw.DataResidue == residue && (byte)csw.Status == status;
        }
        catch (InvalidCswException e)
        {
            return status > 2 && e.Error == CswError.Status;
        }
    }
}
