using System.Text;
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

    /// <summary>One storage page with one 48-byte descriptor (12 fixed + a 36-byte primary tag).</summary>
    private static VolumeTag Decoded(byte[] tag)
    {
        byte[] reply =
        [
            0x03, 0xE8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x38,    // header: first 1000, 1 element, 56 bytes follow
            0x02, 0x80, 0x00, 0x30, 0x00, 0x00, 0x00, 0x30,    // storage page, PVOLTAG, descriptor length 48, 48 bytes
            0x03, 0xE8, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, .. tag,
        ];
        return ElementDescriptor(reply).PrimaryVolumeTag!;
    }

    private static ElementDescriptor ElementDescriptor(byte[] reply) => ElementStatusDecoder.Decode(reply).Elements.Single();

    private static byte[] UsualTag(string identifier, byte sequence) => [.. Encoding.ASCII.GetBytes(identifier.PadRight(32)), 0x00, 0x00, 0x00, sequence];

    [Fact]
    public void Tags_that_differ_in_identifier_sequence_number_or_field_alone_are_not_equal()
    {
        // Usual tags keep the identifier's bytes and no field: the identifier and sequence number must tell them apart.
        var a1 = Decoded(UsualTag("A00001L8", 1));
        Assert.Equal(a1, Decoded(UsualTag("A00001L8", 1)));
        Assert.NotEqual(a1, Decoded(UsualTag("A00002L8", 1)));
        Assert.NotEqual(a1, Decoded(UsualTag("A00001L8", 2)));
        Assert.False(a1.Equals(null));

        // Two fields kept as sent, same identifier and sequence number: a leading blank, and blank reserved bytes.
        byte[] leading = [.. " A00001L8"u8, .. Enumerable.Repeat((byte)' ', 23), 0x00, 0x00, 0x00, 0x01];
        byte[] reserved = [.. "A00001L8"u8, .. Enumerable.Repeat((byte)' ', 24), 0x20, 0x20, 0x00, 0x01];
        var l = Decoded(leading);
        var r = Decoded(reserved);
        Assert.Equal(("A00001L8", (ushort)1, Encoding.Latin1.GetString(leading)), (l.Identifier, l.SequenceNumber, l.Field));
        Assert.Equal(("A00001L8", (ushort)1, Encoding.Latin1.GetString(reserved)), (r.Identifier, r.SequenceNumber, r.Field));
        Assert.NotEqual(l, r);
        Assert.Equal(l, Decoded(leading));
    }

    [Fact]
    public void A_control_byte_first_in_the_identifier_is_shown_as_a_question_mark()
    {
        byte[] tag = [0x01, .. "ABC"u8, .. Enumerable.Repeat((byte)' ', 28), 0x00, 0x00, 0x00, 0x05];
        var t = Decoded(tag);
        Assert.Equal(("?ABC", (ushort)5, Encoding.Latin1.GetString(tag)), (t.Identifier, t.SequenceNumber, t.Field));
    }

    [Fact]
    public void A_usual_tag_gives_back_every_byte_of_its_field()
    {
        // Identifier left-aligned and space padded, reserved bytes zero, sequence number 0102h.
        byte[] tag = [.. "A00001L8"u8, .. Enumerable.Repeat((byte)' ', 24), 0x00, 0x00, 0x01, 0x02];
        var t = Decoded(tag);
        Assert.Equal(("A00001L8", (ushort)0x0102), (t.Identifier, t.SequenceNumber));
        Assert.Equal(Encoding.Latin1.GetString(tag), t.Field);
        // The same tag given its field explicitly is equal (with the same hash), one with another field is not.
        var explicitField = new VolumeTag("A00001L8", 0x0102) { Field = Encoding.Latin1.GetString(tag) };
        Assert.Equal(explicitField, t);
        Assert.Equal(explicitField.GetHashCode(), t.GetHashCode());
        Assert.NotEqual(new VolumeTag("A00001L8", 0x0102) { Field = "A00001L8" }, t);
        Assert.NotEqual(new VolumeTag("A00001L8", 0x0102), t);
    }

    [Fact]
    public void Unusual_tags_keep_the_bytes_as_sent()
    {
        // A control byte inside the identifier (shown as '?'), NUL padding, reserved bytes set: each field is kept as sent.
        byte[][] tags =
        [
            [.. "AB\u0001CD"u8, .. Enumerable.Repeat((byte)' ', 27), 0, 0, 0, 0],
            [.. "A00001L8"u8, .. new byte[28]],
            [.. "A00001L8"u8, .. Enumerable.Repeat((byte)' ', 24), 0x20, 0x20, 0x20, 0x20],
            [.. "A00001L8 "u8, .. Enumerable.Repeat((byte)0, 23), 0, 0, 0, 7],
        ];
        string[] identifiers = ["AB?CD", "A00001L8", "A00001L8", "A00001L8"];
        for (int i = 0; i < tags.Length; i++)
        {
            var t = Decoded(tags[i]);
            Assert.Equal((identifiers[i], Encoding.Latin1.GetString(tags[i])), (t.Identifier, t.Field));
        }
    }
}
