using System.Text;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using TapeChanger.Scsi;

namespace TapeChanger.Cli.Tests;

/// <summary>The storage lines of `status`: the slot head, the cartridge, the reserved cleaner slot and the notes, exactly.</summary>
public sealed class StatusRendererTests
{
    private static Element Slot(ushort address, int? slot, bool full, string? barcode = null, bool cleaner = false, bool except = false, bool access = true) =>
        new(ElementType.Storage, address, full, barcode, null, null, MediumType.Unspecified, except, (byte)(except ? 0x3B : 0), (byte)(except ? 0x12 : 0),
            access, false, false, false, null, null, slot, null, cleaner);

    [Fact]
    public void Storage_lines_are_the_documented_format_byte_for_byte()
    {
        var elements = new List<Element>
        {
            Slot(1000, 1, false),
            Slot(1001, 22, true, "B00001L8"),
            Slot(1002, 333, true, "CLN001L1", cleaner: true),
            Slot(1003, 4444, true),                                  // full without a label
            Slot(9999, 55555, true, null, cleaner: true),            // a slot number wider than its column
            Slot(65535, null, false),                                 // no slot number
            Slot(7, 6, true, "TRAIL   "),                             // trailing blanks are trimmed
            Slot(8, 7, false, except: true),                          // a note
            Slot(9, 8, true, new string('X', 140)),                   // longer than the stack line
            Slot(10, 9, false, access: false),
        };
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 0), new ElementRange(ElementType.Storage, 1000, (ushort)elements.Count),
            new ElementRange(ElementType.ImportExport, 10, 0), new ElementRange(ElementType.DataTransfer, 500, 0));
        var status = new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements);

        string text = StatusRenderer.Render(status, "virtual:", cleanerSlot: 1001);

        string nl = Environment.NewLine;
        string expected =
            "  slot 1    [ 1000]  empty" + nl +
            "  slot 22   [ 1001]  B00001L8  (reserved cleaner slot)" + nl +
            "  slot 333  [ 1002]  CLN001L1 cleaner" + nl +
            "  slot 4444 [ 1003]  (full, no label)" + nl +
            "  slot 55555 [ 9999]  (no label) cleaner" + nl +
            "  slot      [65535]  empty" + nl +
            "  slot 6    [    7]  TRAIL" + nl +
            "  slot 7    [    8]  empty  ! EXCEPTION 3B/12: medium magazine removed" + nl +
            "  slot 8    [    9]  " + new string('X', 140) + nl +
            "  slot 9    [   10]  empty  ! not accessible" + nl;
        int start = text.IndexOf("  slot 1 ", StringComparison.Ordinal);
        int end = text.IndexOf(nl + nl, start, StringComparison.Ordinal) + nl.Length;
        Assert.Equal(expected, text[start..end]);
    }

    [Fact]
    public void A_large_library_is_written_in_pieces_that_together_are_the_whole_text()
    {
        // 5,000 slots (about 150,000 chars): handed to the writer in pieces of about FlushAt chars, never all at once.
        // The first half plain lines, the second half lines with a note: each kind of line is followed by its own flush.
        var elements = Enumerable.Range(0, 5000)
            .Select(i => Slot((ushort)(1000 + i), i + 1, i % 3 == 0, i % 3 == 0 ? $"B{i:D5}L8" : null, except: i >= 2500)).ToList();
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 0), new ElementRange(ElementType.Storage, 1000, 5000),
            new ElementRange(ElementType.ImportExport, 10, 0), new ElementRange(ElementType.DataTransfer, 500, 0));
        var status = new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements);
        var pieces = new PieceWriter();
        StatusRenderer.Write(pieces, status, "virtual:");
        string whole = pieces.Text.ToString();
        Assert.Equal(StatusRenderer.Render(status, "virtual:"), whole);
        Assert.StartsWith("V P (rev 1) on virtual:", whole);
        Assert.EndsWith("0 drives, 5000 slots, 0 mail slots, 1667 cartridges (0 cleaning)", whole);
        Assert.InRange(pieces.Writes, whole.Length / (StatusRenderer.FlushAt + 100), whole.Length / StatusRenderer.FlushAt + 1);
        Assert.True(pieces.Longest < StatusRenderer.FlushAt + 100, $"a piece of {pieces.Longest} chars");
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(7, "7")]
    [InlineData(9, "9")]
    [InlineData(10, "10")]
    [InlineData(99, "99")]
    [InlineData(100, "100")]
    [InlineData(65535, "65535")]
    [InlineData(999999999, "999999999")]
    [InlineData(1000000000, "1000000000")]
    [InlineData(int.MaxValue, "2147483647")]
    public void Digits_are_the_invariant_decimal_text(int value, string expected)
    {
        Span<char> to = stackalloc char[12];
        to.Fill('#');
        int n = StatusRenderer.Digits(to, value);
        Assert.Equal(expected, to[..n].ToString());
        Assert.Equal('#', to[n]);                                   // nothing written past the digits
    }

    [Fact]
    public void Digits_of_a_negative_number_are_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => StatusRenderer.Digits(new char[12], -1));

    [Fact]
    public void A_slot_line_longer_than_the_pending_buffer_is_written_whole()
    {
        // Longer than FlushAt + 512: the line is made in a buffer of its own size, after the text before it.
        string label = new('L', StatusRenderer.FlushAt + 1000);
        var elements = new List<Element> { Slot(1000, 1, true, "B00001L8"), Slot(1001, 2, true, label), Slot(1002, 3, false) };
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 0), new ElementRange(ElementType.Storage, 1000, 3),
            new ElementRange(ElementType.ImportExport, 10, 0), new ElementRange(ElementType.DataTransfer, 500, 0));
        var status = new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements);
        var pieces = new PieceWriter();
        StatusRenderer.Write(pieces, status, "virtual:");
        string nl = Environment.NewLine;
        Assert.Contains(nl + "  slot 1    [ 1000]  B00001L8" + nl + "  slot 2    [ 1001]  " + label + nl + "  slot 3    [ 1002]  empty" + nl, pieces.Text.ToString());
        Assert.EndsWith("0 drives, 3 slots, 0 mail slots, 2 cartridges (0 cleaning)", pieces.Text.ToString());
    }

    /// <summary>Counts the pieces a writer is handed (a char array each, as the renderer writes them).</summary>
    private sealed class PieceWriter : StringWriter
    {
        public StringBuilder Text => GetStringBuilder();
        public int Writes { get; private set; }
        public int Longest { get; private set; }

        public override void Write(char[] buffer, int index, int count)
        {
            Writes++;
            Longest = Math.Max(Longest, count);
            base.Write(buffer, index, count);
        }
    }
}
