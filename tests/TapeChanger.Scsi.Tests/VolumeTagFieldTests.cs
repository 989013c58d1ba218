using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>The untrimmed volume tag field and raw source address the decoder keeps beside the trimmed values.</summary>
public class VolumeTagFieldTests
{
    [Fact]
    public void Msl3040_tag_fields_keep_their_padding_and_the_trailing_four_bytes()
    {
        // The MSL3040 fills the reserved and sequence-number bytes with blanks too, and mtx prints all 36.
        var report = ElementStatusDecoder.Decode(Fixture.Load("hpe-msl3040-res-all-voltag-curdata.hex"));
        var drive1 = report.Elements.Single(e => e.Type == ElementType.DataTransfer && e.Address == 0x0001);
        Assert.Equal(36, drive1.PrimaryVolumeTag!.Field.Length);
        Assert.Equal("S30002L9".PadRight(36), drive1.PrimaryVolumeTag.Field);
        Assert.Equal("S30002L9", drive1.PrimaryVolumeTag.Identifier);
        Assert.Equal((ushort)0x040a, drive1.SourceField);
    }

    [Fact]
    public void Source_field_is_kept_without_svalid()
    {
        // One storage page, one 12-byte descriptor: address 1000h, empty, SVALID clear, source bytes 0BB8h.
        byte[] reply =
        [
            0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14,    // header: first 1000h, 1 element, 20 bytes follow
            0x02, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x0C,    // storage page, descriptor length 12, 12 bytes
            0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0B, 0xB8,
        ];
        var e = ElementStatusDecoder.Decode(reply).Elements.Single();
        Assert.Null(e.SourceAddress);
        Assert.Equal((ushort)0x0BB8, e.SourceField);
    }
}
