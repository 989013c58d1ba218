using System.Text;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Scsi.Tests;

/// <summary>
/// Every field of a READ ELEMENT STATUS descriptor (SMC-3 §6.11.2-§6.11.6), one bit at a time: each flag, the
/// medium type bits, SVALID, INVERT, ED, the bus address bits of a drive, both volume tags and the identifier header.
/// </summary>
public class ElementDescriptorFieldTests
{
    /// <summary>One page of one descriptor: 12 fixed bytes, optional primary and alternate tags, then an identifier.</summary>
    private static byte[] Reply(byte type, byte[] fixedBytes, string? primary = null, string? alternate = null, byte[]? identifier = null, int? descLength = null)
    {
        var d = new List<byte>(fixedBytes);
        if (primary is not null) d.AddRange(Tag(primary, 7));
        if (alternate is not null) d.AddRange(Tag(alternate, 9));
        if (identifier is not null) d.AddRange(identifier);
        int length = descLength ?? d.Count;
        while (d.Count < length) d.Add(0);
        byte tagFlags = (byte)((primary is not null ? 0x80 : 0) | (alternate is not null ? 0x40 : 0));
        var page = new byte[] { type, tagFlags, (byte)(length >> 8), (byte)length, 0, 0, (byte)(length >> 8), (byte)length };
        int count = page.Length + length;
        var header = new byte[] { (byte)(fixedBytes[0]), fixedBytes[1], 0, 1, 0, (byte)(count >> 16), (byte)(count >> 8), (byte)count };
        return [.. header, .. page, .. d];
    }

    private static byte[] Tag(string id, ushort sequence)
    {
        var t = new byte[36];
        Encoding.ASCII.GetBytes(id.PadRight(32)).CopyTo(t, 0);
        t[34] = (byte)(sequence >> 8);
        t[35] = (byte)sequence;
        return t;
    }

    private static byte[] Fixed(ushort address, byte flags = 0, byte asc = 0, byte ascq = 0, byte b6 = 0, byte b7 = 0, byte b9 = 0, ushort source = 0) =>
        [(byte)(address >> 8), (byte)address, flags, 0, asc, ascq, b6, b7, 0, b9, (byte)(source >> 8), (byte)source];

    private static ElementDescriptor One(byte[] reply) => Assert.Single(ElementStatusDecoder.Decode(reply).Elements);

    [Theory]
    [InlineData(0x01, "Full")]
    [InlineData(0x02, "ImpExp")]
    [InlineData(0x04, "Except")]
    [InlineData(0x08, "Access")]
    [InlineData(0x10, "ExEnab")]
    [InlineData(0x20, "InEnab")]
    public void Each_flag_bit_sets_its_property_and_no_other(byte bit, string name)
    {
        var d = One(Reply(3, Fixed(10, flags: bit)));
        Assert.Equal((ElementFlags)bit, d.Flags);
        var set = new Dictionary<string, bool>
        {
            ["Full"] = d.Full, ["ImpExp"] = d.ImpExp, ["Except"] = d.Except,
            ["Access"] = d.Access, ["ExEnab"] = d.ExEnab, ["InEnab"] = d.InEnab,
        };
        Assert.Equal([name], set.Where(kv => kv.Value).Select(kv => kv.Key));
    }

    [Fact]
    public void Cmc_and_oir_are_kept_in_the_flags()
    {
        Assert.Equal(ElementFlags.Cmc | ElementFlags.Oir, One(Reply(1, Fixed(0, flags: 0xC0))).Flags);
    }

    [Fact]
    public void Address_asc_ascq_and_source_are_read_big_endian()
    {
        var d = One(Reply(2, Fixed(0x1234, asc: 0x3B, ascq: 0x12, b9: 0x80, source: 0xABCD)));
        Assert.Equal((ElementType.Storage, (ushort)0x1234, (byte)0x3B, (byte)0x12), (d.Type, d.Address, d.Asc, d.Ascq));
        Assert.Equal((ushort)0xABCD, d.SourceAddress);
        Assert.Equal((ushort)0xABCD, d.SourceField);
    }

    [Fact]
    public void Source_is_null_without_svalid_but_the_raw_field_is_kept()
    {
        var d = One(Reply(2, Fixed(0x1000, b9: 0x7F, source: 0x0102)));
        Assert.Null(d.SourceAddress);
        Assert.Equal((ushort)0x0102, d.SourceField);
    }

    [Theory]
    [InlineData(0x80, false, false, 0)]
    [InlineData(0x40, true, false, 0)]
    [InlineData(0x08, false, true, 0)]
    [InlineData(0x01, false, false, 1)]
    [InlineData(0x02, false, false, 2)]
    [InlineData(0x04, false, false, 4)]
    [InlineData(0x07, false, false, 7)]
    [InlineData(0x30, false, false, 0)]       // bits 5-4 reserved: no field
    public void Byte_9_gives_invert_ed_and_the_medium_type(byte b9, bool invert, bool disabled, int medium)
    {
        var d = One(Reply(2, Fixed(0x1000, b9: b9, source: 5)));
        Assert.Equal((invert, disabled, (MediumType)medium), (d.Invert, d.Disabled, d.MediumType));
        Assert.Equal((b9 & 0x80) != 0 ? (ushort?)5 : null, d.SourceAddress);
    }

    [Theory]
    [InlineData(0x00, 0x05, null, null)]
    [InlineData(0x20, 0x05, 5, null)]              // IDVALID: SCSI bus address
    [InlineData(0x10, 0x05, null, 0)]              // LUVALID, LUN 0
    [InlineData(0x17, 0x05, null, 7)]              // LUVALID, LUN 7
    [InlineData(0x3B, 0x0F, 15, 3)]                // both, LUN bits 2-0 only (bit 3 is reserved)
    [InlineData(0x80, 0x05, null, null)]           // NOTBUS alone says nothing about the address
    public void A_drive_reports_its_bus_address_and_lun_only_when_valid(byte b6, byte b7, int? scsiId, int? lun)
    {
        var d = One(Reply(4, Fixed(500, b6: b6, b7: b7)));
        Assert.Equal(scsiId is int s ? (byte?)s : null, d.ScsiId);
        Assert.Equal(lun is int l ? (byte?)l : null, d.Lun);
    }

    [Fact]
    public void Bus_address_bytes_of_other_element_types_are_ignored()
    {
        var d = One(Reply(2, Fixed(0x1000, b6: 0x3F, b7: 9)));
        Assert.Null(d.ScsiId);
        Assert.Null(d.Lun);
    }

    [Fact]
    public void Primary_and_alternate_tags_are_both_decoded_with_sequence_numbers()
    {
        var d = One(Reply(2, Fixed(0x1000, flags: 1), primary: "ABC123L8", alternate: "ALT001L8"));
        Assert.Equal(("ABC123L8", (ushort)7), (d.PrimaryVolumeTag!.Identifier, d.PrimaryVolumeTag.SequenceNumber));
        Assert.Equal(("ALT001L8", (ushort)9), (d.AlternateVolumeTag!.Identifier, d.AlternateVolumeTag.SequenceNumber));
        Assert.Equal("ABC123L8", d.Barcode);
        Assert.Equal("ALT001L8", d.AlternateBarcode);
        Assert.Equal(36, d.PrimaryVolumeTag.Field.Length);
        Assert.StartsWith("ABC123L8 ", d.PrimaryVolumeTag.Field);
    }

    [Fact]
    public void Blank_tags_give_no_barcode_and_keep_their_field()
    {
        var spaces = One(Reply(2, Fixed(0x1000), primary: "", alternate: ""));
        Assert.Null(spaces.Barcode);
        Assert.Null(spaces.AlternateBarcode);
        Assert.Equal(new string(' ', 32) + "\0\0\0\u0007", spaces.PrimaryVolumeTag!.Field);
        var zeros = Reply(2, Fixed(0x1000), primary: "");
        Array.Clear(zeros, 16 + 12, 36);
        var z = One(zeros);
        Assert.Null(z.Barcode);
        Assert.Equal(new string('\0', 36), z.PrimaryVolumeTag!.Field);
        var blank = Reply(2, Fixed(0x1000), primary: "");
        blank[16 + 12 + 35] = 0;                        // sequence 0: the shared blank record
        var b = One(blank);
        Assert.Equal(new string(' ', 32) + "\0\0\0\0", b.PrimaryVolumeTag!.Field);
        Assert.Equal((ushort)0, b.PrimaryVolumeTag.SequenceNumber);
    }

    [Fact]
    public void Identifier_header_fields_are_split_into_their_bits()
    {
        // PROTOCOL IDENTIFIER 6 (SAS) | CODE SET 2 (ASCII); PIV | ASSOCIATION 2 | TYPE 1 (T10 vendor ID).
        var value = Encoding.ASCII.GetBytes("IBM     ULT3580-TD5     SN1234");
        var id = One(Reply(4, Fixed(500), identifier: [0x62, 0xA1, 0, (byte)value.Length, .. value])).Identifier!;
        Assert.Equal(((byte)6, (byte)2, true, (byte)2, (byte)1, false), (id.ProtocolIdentifier, id.CodeSet, id.Piv, id.Association, id.IdentifierType, id.Truncated));
        Assert.Equal(value, id.Value);
        Assert.Equal(("IBM", "ULT3580-TD5", "SN1234"), (id.Vendor, id.Product, id.SerialNumber));
        Assert.Equal("IBM ULT3580-TD5 SN1234", id.Text);
    }

    [Fact]
    public void A_binary_identifier_is_shown_in_hex_and_has_no_serial()
    {
        var id = One(Reply(4, Fixed(500), identifier: [0x01, 0x03, 0, 4, 0xDE, 0xAD, 0xBE, 0xEF])).Identifier!;
        Assert.False(id.IsText);
        Assert.Equal("deadbeef", id.Text);
        Assert.Null(id.SerialNumber);
        Assert.Null(id.Vendor);
    }

    [Fact]
    public void A_text_identifier_of_another_type_is_its_serial()
    {
        var id = One(Reply(4, Fixed(500), identifier: [0x03, 0x00, 0, 6, .. "XYZ123"u8.ToArray()])).Identifier!;
        Assert.True(id.IsText);                             // code set 3: UTF-8
        Assert.Equal("XYZ123", id.SerialNumber);
        Assert.Equal("XYZ123", id.Text);
        Assert.Null(id.Vendor);
        Assert.Null(id.Product);
    }

    [Fact]
    public void A_declared_identifier_longer_than_the_descriptor_is_cut_and_marked()
    {
        // The descriptor ends 4 bytes into a 10-byte identifier.
        var reply = Reply(4, Fixed(500), identifier: [0x02, 0x00, 0, 10, .. "ABCD"u8.ToArray()]);
        var id = One(reply).Identifier!;
        Assert.True(id.Truncated);
        Assert.Equal("ABCD"u8.ToArray(), id.Value);
    }

    [Fact]
    public void An_identifier_of_length_zero_is_no_identifier()
    {
        Assert.Null(One(Reply(4, Fixed(500), identifier: [0x02, 0x01, 0, 0, 0, 0, 0, 0])).Identifier);
    }

    [Fact]
    public void Fewer_than_four_bytes_after_the_tags_are_no_identifier()
    {
        Assert.Null(One(Reply(4, Fixed(500), identifier: [0x02, 0x01, 0])).Identifier);
    }

    [Fact]
    public void Report_header_fields_and_page_record()
    {
        var reply = Reply(3, Fixed(0x0A), primary: "X");
        var r = ElementStatusDecoder.Decode(reply);
        Assert.Equal(((ushort)0x000A, 1, reply.Length - 8, reply.Length, 0), (r.FirstElementAddress, r.ElementsAvailable, r.DeclaredByteCount, r.BytesReceived, r.MissingBytes));
        var page = Assert.Single(r.Pages);
        Assert.Equal((ElementType.ImportExport, true, false, 48, 48, 1, false), (page.Type, page.PrimaryVolumeTag, page.AlternateVolumeTag, page.DescriptorLength, page.DeclaredByteCount, page.DescriptorsDecoded, page.Truncated));
        Assert.False(r.Truncated);
        Assert.False(r.MoreAvailable);
    }

    [Fact]
    public void More_available_when_the_library_has_more_elements_than_reported()
    {
        var reply = Reply(2, Fixed(0x1000));
        reply[3] = 5;                               // NUMBER OF ELEMENTS AVAILABLE
        Assert.True(ElementStatusDecoder.Decode(reply).MoreAvailable);
    }

    [Fact]
    public void A_reply_cut_short_counts_the_missing_bytes()
    {
        var reply = Reply(2, Fixed(0x1000), primary: "ABC");
        var r = ElementStatusDecoder.Decode(reply.AsSpan(0, reply.Length - 4));
        Assert.Equal(4, r.MissingBytes);
        Assert.True(r.Truncated);
        Assert.True(Assert.Single(r.Elements).Partial);
    }
}
