using System.Text;
using System.Text.Json;
using TapeChanger.Cli.Output;
using TapeChanger.Scsi;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// ElementJsonBytes, member by member where StatusJsonWriterTests' documents do not tell: which words a template holds
/// as constants, which strings are copied rather than escaped, and a string that needs more than twice the buffer.
/// </summary>
public class ElementJsonBytesTests
{
    private static ElementJson Empty(int address) => new()
    {
        Type = "storage", Address = address, Full = false, MediumType = "unspecified", Except = false, Asc = 0, Ascq = 0,
        Access = true, ImpExp = false, Slot = address - 999,
    };

    private static string Written(IReadOnlyList<ElementJson> elements)
    {
        var doc = new StatusDocument("virtual:", new LibraryJson("V", "P", "R", null),
            new ElementMapJson(new RangeJson(1, 0), new RangeJson(1000, elements.Count), new RangeJson(10, 0), new RangeJson(500, 0)), elements);
        using var stream = new MemoryStream();
        StatusJsonWriter.Write(stream, doc);
        string written = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal(JsonSerializer.Serialize(doc, CliJsonContext.Default.StatusDocument), written);
        return written;
    }

    /// <summary>
    /// Every word the mapper gives "type" and "mediumType" is a constant of the template: an element with the mapper's
    /// word and one with an equal string made elsewhere have two shapes (the second a template value), the same bytes.
    /// </summary>
    [Fact]
    public void Each_of_the_mapper_s_type_and_medium_words_is_a_template_constant()
    {
        // Each word with the other member the mapper's "storage" or "data"; the copy differs in that word alone.
        var words = Enum.GetValues<ElementType>().Select(t => (Type: JsonMapper.TypeName(t), Medium: JsonMapper.MediumName(MediumType.Data), Of: "type"))
            .Concat(Enum.GetValues<MediumType>().Select(m => (Type: JsonMapper.TypeName(ElementType.Storage), Medium: JsonMapper.MediumName(m), Of: "medium")))
            .ToList();
        Assert.Equal(5 + 8, words.Count);
        foreach (var (type, medium, of) in words)
        {
            var constant = Empty(1000) with { Type = type, MediumType = medium };
            var copy = of == "type" ? Empty(1001) with { Type = new string(type.AsSpan()), MediumType = medium }
                : Empty(1001) with { Type = type, MediumType = new string(medium.AsSpan()) };
            var bytes = new ElementJsonBytes("\n");
            var output = new JsonByteBuffer();
            Assert.True(bytes.TryWrite(constant, output));
            Assert.True(bytes.TryWrite(copy, output));
            Assert.True(bytes.Shapes == 2, $"type {type}, medium type {medium}: {bytes.Shapes} shapes");
            Written([constant, copy]);
        }
    }

    /// <summary>
    /// Plain strings (copied) are printable ASCII from space to '~' but the quote, backslash and &amp; ' &lt; &gt; + `,
    /// which the default encoder escapes; each alone in a barcode is written as the serializer writes it.
    /// </summary>
    [Theory]
    [InlineData("a b~z", true)]
    [InlineData(" ", true)]
    [InlineData("~", true)]
    [InlineData("x\"y", false)]
    [InlineData("x\\y", false)]
    [InlineData("x&y", false)]
    [InlineData("x'y", false)]
    [InlineData("x<y", false)]
    [InlineData("x>y", false)]
    [InlineData("x+y", false)]
    [InlineData("x`y", false)]
    [InlineData("x\u001fy", false)]
    [InlineData("x\u007fy", false)]
    [InlineData("x\u00e9y", false)]
    public void Only_what_the_encoder_leaves_alone_is_copied(string barcode, bool plain)
    {
        Assert.Equal(plain, ElementJsonBytes.Plain(barcode));
        string written = Written([Empty(1000) with { Full = true, Barcode = barcode }, Empty(1001) with { Full = true, Barcode = barcode + barcode }]);
        if (plain) Assert.Contains($"\"barcode\": \"{barcode}\"", written);
    }

    /// <summary>
    /// Elements that differ in one member a template holds as a constant, and in nothing else, have shapes of their
    /// own: ASC/ASCQ both 0 (constants) or not (values: an ASC of 0 with an ASCQ, and the other way round), and each
    /// optional flag of a mail slot.
    /// </summary>
    [Fact]
    public void Elements_that_differ_only_in_a_constant_member_each_get_their_bytes()
    {
        Written([Empty(1000), Empty(1001) with { Asc = 0, Ascq = 7 }, Empty(1002) with { Asc = 0x3B, Ascq = 0x12 }, Empty(1003) with { Asc = 0x3A, Ascq = 0 },
            Empty(1004)]);
        static ElementJson MailSlot(int address, bool inEnab, bool exEnab) =>
            Empty(address) with { Type = "importExport", Slot = address - 9, InEnab = inEnab, ExEnab = exEnab };
        Written([MailSlot(10, true, true), MailSlot(11, false, true), MailSlot(12, false, false), MailSlot(13, true, false), MailSlot(14, true, true)]);
    }

    /// <summary>
    /// A string whose escaped form is larger than twice the buffer: the buffer grows to the room the string asked for,
    /// which must hold the string and the rest of its element (the margin of the constant runs, not only the string).
    /// </summary>
    [Fact]
    public void A_string_larger_than_twice_the_buffer_leaves_room_for_the_rest_of_its_element()
    {
        string barcode = new('<', 30_000);      // 180,000 bytes escaped; the buffer starts at 64 KiB
        Written([Empty(1000), Empty(1001) with { Full = true, Barcode = barcode, Source = 1005, SourceSlot = 6, Identifier = "ID" }, Empty(1002)]);
    }
}
