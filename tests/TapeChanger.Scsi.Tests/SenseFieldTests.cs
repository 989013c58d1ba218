using TapeChanger.Scsi.Sense;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// Sense data field by field (SPC-4 §4.5.3 fixed format, §4.5.2 descriptor format, §4.5.2.4.2 sense-key specific):
/// each bit that changes a decoded value, and the names and text made from them.
/// </summary>
public class SenseFieldTests
{
    private static byte[] Fixed(byte b0 = 0x70, byte b2 = 0x05, uint info = 0, byte asc = 0x24, byte ascq = 0x00, byte sks0 = 0, byte sks1 = 0, byte sks2 = 0, int length = 18)
    {
        var s = new byte[] { b0, 0, b2, (byte)(info >> 24), (byte)(info >> 16), (byte)(info >> 8), (byte)info, 10, 0, 0, 0, 0, asc, ascq, 0, sks0, sks1, sks2 };
        return s[..length];
    }

    [Theory]
    [InlineData(0x0, "NO SENSE")]
    [InlineData(0x1, "RECOVERED ERROR")]
    [InlineData(0x2, "NOT READY")]
    [InlineData(0x3, "MEDIUM ERROR")]
    [InlineData(0x4, "HARDWARE ERROR")]
    [InlineData(0x5, "ILLEGAL REQUEST")]
    [InlineData(0x6, "UNIT ATTENTION")]
    [InlineData(0x7, "DATA PROTECT")]
    [InlineData(0x8, "BLANK CHECK")]
    [InlineData(0x9, "VENDOR SPECIFIC")]
    [InlineData(0xA, "COPY ABORTED")]
    [InlineData(0xB, "ABORTED COMMAND")]
    [InlineData(0xC, "EQUAL (obsolete)")]
    [InlineData(0xD, "VOLUME OVERFLOW")]
    [InlineData(0xE, "MISCOMPARE")]
    [InlineData(0xF, "RESERVED")]
    public void Every_sense_key_has_its_spc_name(byte key, string name)
    {
        var s = SenseDecoder.Decode(Fixed(b2: key));
        Assert.Equal((SenseKey)key, s.Key);
        Assert.Equal(name, s.KeyName);
        Assert.Equal(name, SenseKeyText.Name((SenseKey)key));
        Assert.Equal($"{key:X2}/24/00", s.Triplet);
    }

    [Fact]
    public void Fixed_format_flags_information_and_deferred()
    {
        var s = SenseDecoder.Decode(Fixed(b0: 0xF1, b2: 0xE3, info: 0x01020304));
        Assert.Equal((byte)0x71, s.ResponseCode);
        Assert.True(s.Deferred);
        Assert.False(s.DescriptorFormat);
        Assert.Equal(SenseKey.MediumError, s.Key);
        Assert.Equal(0x01020304u, s.Information);
        Assert.Equal((true, true, true), (s.Filemark, s.EndOfMedium, s.IncorrectLength));

        var plain = SenseDecoder.Decode(Fixed(b0: 0x70, b2: 0x03, info: 0x01020304));
        Assert.Null(plain.Information);                 // VALID clear
        Assert.False(plain.Deferred);
        Assert.Equal((false, false, false), (plain.Filemark, plain.EndOfMedium, plain.IncorrectLength));
        Assert.Equal((true, false, false), (SenseDecoder.Decode(Fixed(b2: 0x83)).Filemark, SenseDecoder.Decode(Fixed(b2: 0x83)).EndOfMedium, SenseDecoder.Decode(Fixed(b2: 0x83)).IncorrectLength));
        Assert.Equal((false, true, false), (SenseDecoder.Decode(Fixed(b2: 0x43)).Filemark, SenseDecoder.Decode(Fixed(b2: 0x43)).EndOfMedium, SenseDecoder.Decode(Fixed(b2: 0x43)).IncorrectLength));
        Assert.Equal((false, false, true), (SenseDecoder.Decode(Fixed(b2: 0x23)).Filemark, SenseDecoder.Decode(Fixed(b2: 0x23)).EndOfMedium, SenseDecoder.Decode(Fixed(b2: 0x23)).IncorrectLength));
    }

    [Fact]
    public void Short_fixed_sense_has_no_asc_and_the_additional_length_bounds_the_fields()
    {
        var eight = SenseDecoder.Decode(Fixed(b2: 0x06, length: 8));
        Assert.Equal((SenseKey.UnitAttention, (byte)0, (byte)0), (eight.Key, eight.Asc, eight.Ascq));

        // ADDITIONAL SENSE LENGTH 5: bytes 8-12 only, so ASC/ASCQ (12-13) are not both there.
        var s = Fixed(asc: 0x3A, ascq: 0x02);
        s[7] = 5;
        Assert.Equal("05/00/00", SenseDecoder.Decode(s).Triplet);
        s[7] = 6;                                         // bytes 8-13: ASC and ASCQ, no sense-key specific
        var b = Fixed(asc: 0x3A, ascq: 0x02, sks0: 0xC0, sks1: 0, sks2: 2);
        b[7] = 6;
        var six = SenseDecoder.Decode(b);
        Assert.Equal("05/3A/02", six.Triplet);
        Assert.Null(six.FieldPointer);
        s[7] = 10;
        Assert.Equal("05/3A/02", SenseDecoder.Decode(s).Triplet);
    }

    [Theory]
    [InlineData(0xC0, 0x00, 0x02, true, 2, null)]      // SKSV, C/D = CDB, byte 2
    [InlineData(0x80, 0x01, 0x04, false, 0x104, null)] // parameter list byte 260
    [InlineData(0xCD, 0x00, 0x01, true, 1, 5)]         // BPV, bit 5
    [InlineData(0xC5, 0x00, 0x01, true, 1, null)]      // bit pointer without BPV means nothing
    public void Illegal_request_field_pointer(byte sks0, byte sks1, byte sks2, bool inCdb, int byteIndex, int? bit)
    {
        var s = SenseDecoder.Decode(Fixed(sks0: sks0, sks1: sks1, sks2: sks2));
        Assert.Equal(new FieldPointer(inCdb, byteIndex, bit), s.FieldPointer);
        Assert.Null(s.Progress);
    }

    [Fact]
    public void Without_sksv_there_is_no_field_pointer_or_progress()
    {
        Assert.Null(SenseDecoder.Decode(Fixed(sks0: 0x40, sks1: 0, sks2: 2)).FieldPointer);
        Assert.Null(SenseDecoder.Decode(Fixed(b2: 0x02, asc: 0x04, ascq: 0x01, sks0: 0x00, sks1: 0x80, sks2: 0)).Progress);
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0x00)]
    public void Not_ready_and_no_sense_carry_progress(byte key)
    {
        var s = SenseDecoder.Decode(Fixed(b2: key, asc: 0x04, ascq: 0x07, sks0: 0x80, sks1: 0x80, sks2: 0x01));
        Assert.Equal(0x8001, s.Progress);
        Assert.Null(s.FieldPointer);
    }

    [Fact]
    public void Other_keys_ignore_the_sense_key_specific_bytes()
    {
        var s = SenseDecoder.Decode(Fixed(b2: 0x04, sks0: 0xC0, sks1: 0x00, sks2: 0x02));
        Assert.Null(s.FieldPointer);
        Assert.Null(s.Progress);
    }

    [Fact]
    public void Describe_names_key_triplet_meaning_and_the_invalid_field()
    {
        var s = SenseDecoder.Decode(Fixed(sks0: 0xCD, sks1: 0x00, sks2: 0x01));
        Assert.Equal("ILLEGAL REQUEST 05/24/00: invalid field in CDB (invalid CDB byte 1 bit 5)", s.Describe());
        var p = SenseDecoder.Decode(Fixed(sks0: 0x80, sks1: 0x00, sks2: 0x07));
        Assert.Equal("ILLEGAL REQUEST 05/24/00: invalid field in CDB (invalid parameter byte 7)", p.Describe());
        Assert.Equal("NOT READY 02/04/01: " + AscAscqTable.Describe(0x04, 0x01), SenseDecoder.Decode(Fixed(b2: 2, asc: 4, ascq: 1)).Describe());
        Assert.Equal(AscAscqTable.Describe(0x24, 0x00), s.Meaning);
    }

    [Fact]
    public void Descriptor_format_information_sks_and_stream_descriptors()
    {
        byte[] s =
        [
            0x72, 0x05, 0x24, 0x00, 0, 0, 0, 32,
            0x00, 0x0A, 0x80, 0, 0, 0, 0, 0, 0x11, 0x22, 0x33, 0x44,       // information, VALID
            0x02, 0x06, 0, 0, 0xC8, 0x00, 0x03, 0,                         // sense-key specific: CDB byte 3 bit 0
            0x04, 0x02, 0, 0xE0,                                           // stream: FILEMARK, EOM, ILI
        ];
        var d = SenseDecoder.Decode(s);
        Assert.True(d.DescriptorFormat);
        Assert.False(d.Deferred);
        Assert.Equal((byte)0x72, d.ResponseCode);
        Assert.Equal("05/24/00", d.Triplet);
        Assert.Equal(0x11223344u, d.Information);
        Assert.Equal(new FieldPointer(true, 3, 0), d.FieldPointer);
        Assert.Equal((true, true, true), (d.Filemark, d.EndOfMedium, d.IncorrectLength));
    }

    [Fact]
    public void Descriptor_format_information_without_valid_is_absent_and_large_values_are_capped()
    {
        byte[] invalid = [0x73, 0x03, 0x11, 0x00, 0, 0, 0, 12, 0x00, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 5];
        var d = SenseDecoder.Decode(invalid);
        Assert.Null(d.Information);
        Assert.True(d.Deferred);
        byte[] large = [0x72, 0x03, 0x11, 0x00, 0, 0, 0, 12, 0x00, 0x0A, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        Assert.Equal(uint.MaxValue, SenseDecoder.Decode(large).Information);
    }

    [Fact]
    public void Stream_flags_one_at_a_time()
    {
        foreach (var (flag, expected) in new[] { (0x80, (true, false, false)), (0x40, (false, true, false)), (0x20, (false, false, true)) })
        {
            byte[] s = [0x72, 0x00, 0x00, 0x00, 0, 0, 0, 4, 0x04, 0x02, 0, (byte)flag];
            var d = SenseDecoder.Decode(s);
            Assert.Equal(expected, (d.Filemark, d.EndOfMedium, d.IncorrectLength));
        }
    }

    [Fact]
    public void A_descriptor_cut_by_the_buffer_is_dropped_but_one_past_the_declared_length_is_malformed()
    {
        byte[] cut = [0x72, 0x05, 0x24, 0x00, 0, 0, 0, 8, 0x02, 0x06, 0, 0, 0xC0, 0x00];    // 6 of 8 declared bytes arrived
        var d = SenseDecoder.Decode(cut);
        Assert.Equal("05/24/00", d.Triplet);
        Assert.Null(d.FieldPointer);
        byte[] past = [0x72, 0x05, 0x24, 0x00, 0, 0, 0, 4, 0x02, 0x06, 0, 0, 0xC0, 0x00, 0x03, 0];
        Assert.Throws<ScsiDecodeException>(() => SenseDecoder.Decode(past));
    }

    [Fact]
    public void Short_descriptors_of_known_types_are_skipped()
    {
        byte[] s = [0x72, 0x05, 0x24, 0x00, 0, 0, 0, 8, 0x00, 0x02, 0x80, 0, 0x02, 0x02, 0xC0, 0];
        var d = SenseDecoder.Decode(s);
        Assert.Null(d.Information);
        Assert.Null(d.FieldPointer);
    }

    [Theory]
    [InlineData(new byte[] { 0x70 }, true)]
    [InlineData(new byte[] { 0xF3 }, true)]
    [InlineData(new byte[] { 0x6F }, false)]
    [InlineData(new byte[] { 0x74 }, false)]
    [InlineData(new byte[0], false)]
    public void Is_sense_checks_the_response_code(byte[] data, bool expected) => Assert.Equal(expected, SenseDecoder.IsSense(data));

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x74)]
    [InlineData(0x7F)]
    public void Other_response_codes_are_not_sense(byte code) =>
        Assert.Throws<ScsiDecodeException>(() => SenseDecoder.Decode([code, 0, 0, 0, 0, 0, 0, 0]));

    [Fact]
    public void Asc_table_knows_its_codes_and_calls_the_rest_vendor_specific_or_unknown()
    {
        Assert.True(AscAscqTable.IsKnown(0x3A, 0x00));
        Assert.False(AscAscqTable.IsKnown(0x3A, 0x7E));
        Assert.Equal("medium not present", AscAscqTable.Describe(0x3A, 0x00));
        Assert.Equal("vendor specific ASC 85h/01h", AscAscqTable.Describe(0x85, 0x01));
        Assert.Equal("vendor specific ASC 80h/00h", AscAscqTable.Describe(0x80, 0x00));
        Assert.Equal("power on, reset, or bus device reset occurred", AscAscqTable.Describe(0x29, 0x7E));
        Assert.Equal("vendor specific qualifier 99h of ASC 04h", AscAscqTable.Describe(0x04, 0x99));
        Assert.Equal("vendor specific qualifier 80h of ASC 04h", AscAscqTable.Describe(0x04, 0x80));
        Assert.Equal("unknown ASC/ASCQ 3Ah/7Eh", AscAscqTable.Describe(0x3A, 0x7E));
        Assert.Equal("unknown ASC/ASCQ 7Fh/7Fh", AscAscqTable.Describe(0x7F, 0x7F));
    }
}
