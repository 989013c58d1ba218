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

    [Fact]
    public void A_whole_library_is_rendered_exactly()
    {
        // Every section: drives (one loaded from a slot, with serial and model; one with a note), mail slots (the port
        // open), storage with the reserved cleaner slot, the picker, and the summary line.
        static Element Of(ElementType type, ushort address, bool full, string? barcode = null, ushort? source = null, bool access = true,
            bool impExp = false, string? serial = null, int? slot = null, int? drive = null, bool cleaner = false) =>
            new(type, address, full, barcode, null, source, MediumType.Unspecified, false, 0, 0, access, impExp, false, false,
                null, serial, slot, drive, cleaner);
        var elements = new List<Element>
        {
            Of(ElementType.MediumTransport, 1, false),
            Of(ElementType.DataTransfer, 500, true, "B00001L8", source: 1001, serial: "SER0", drive: 0) with { DriveModel = "IBM ULT3580" },
            Of(ElementType.DataTransfer, 501, false, drive: 1),
            Of(ElementType.ImportExport, 10, true, "IMP001L8", access: false, impExp: true, slot: 4),
            Of(ElementType.ImportExport, 11, false, access: false, slot: 5),
            Of(ElementType.Storage, 1000, false, slot: 1),
            Of(ElementType.Storage, 1001, true, "CLN001L1", slot: 2, cleaner: true),
            Of(ElementType.Storage, 1002, true, "B00003L8", slot: 3),
        };
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 1), new ElementRange(ElementType.Storage, 1000, 3),
            new ElementRange(ElementType.ImportExport, 10, 2), new ElementRange(ElementType.DataTransfer, 500, 2));
        var status = new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements);

        string text = StatusRenderer.Render(status, "virtual:", d => d.Drive == 1 ? "NEEDS CLEANING" : null, cleanerSlot: 1001);

        string nl = Environment.NewLine;
        Assert.Equal(
            "V P (rev 1) on virtual:" + nl + nl +
            "Drives (1 of 2 loaded)" + nl +
            "  drive 0   [  500]  B00001L8               from slot 2    serial SER0  IBM ULT3580" + nl +
            "  drive 1   [  501]  empty  ! NEEDS CLEANING" + nl + nl +
            "Import/export (mail slots, port open)" + nl +
            "  slot 4    [   10]  IMP001L8               placed by operator" + nl +
            "  slot 5    [   11]  empty" + nl + nl +
            "Storage (2 of 3 slots full)" + nl +
            "  slot 1    [ 1000]  empty" + nl +
            "  slot 2    [ 1001]  CLN001L1 cleaner  (reserved cleaner slot)" + nl +
            "  slot 3    [ 1002]  B00003L8" + nl + nl +
            "Picker [1]  empty" + nl + nl +
            "2 drives, 3 slots, 2 mail slots, 4 cartridges (1 cleaning)", text);
    }

    [Fact]
    public void A_library_without_mail_slots_or_picker_has_no_such_section()
    {
        var elements = new List<Element> { Slot(1000, 1, false) };
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 0), new ElementRange(ElementType.Storage, 1000, 1),
            new ElementRange(ElementType.ImportExport, 10, 0), new ElementRange(ElementType.DataTransfer, 500, 0));
        string nl = Environment.NewLine;
        Assert.Equal(
            "V P (rev 1) on virtual:" + nl + nl + "Drives (0 of 0 loaded)" + nl + nl + "Storage (0 of 1 slots full)" + nl +
            "  slot 1    [ 1000]  empty" + nl + nl + "0 drives, 1 slots, 0 mail slots, 0 cartridges (0 cleaning)",
            StatusRenderer.Render(new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements), "virtual:"));
    }

    [Fact]
    public void Mail_slots_the_robot_can_reach_and_several_notes_on_one_line()
    {
        // A reachable mail slot: no "port open"; one the robot filled; a drive with an exception and a note (joined by "; ").
        static Element Of(ElementType type, ushort address, bool full, string? barcode, bool access, bool except, int? slot, int? drive) =>
            new(type, address, full, barcode, null, null, MediumType.Unspecified, except, (byte)(except ? 0x3B : 0), (byte)(except ? 0x12 : 0),
                access, false, false, false, null, null, slot, drive, false);
        var elements = new List<Element>
        {
            Of(ElementType.DataTransfer, 500, false, null, true, true, null, 0),
            Of(ElementType.ImportExport, 10, true, "ROB001L8", true, false, 2, null),
            Of(ElementType.Storage, 1000, false, null, true, false, 1, null),
        };
        var map = new ElementMap(new ElementRange(ElementType.MediumTransport, 1, 0), new ElementRange(ElementType.Storage, 1000, 1),
            new ElementRange(ElementType.ImportExport, 10, 1), new ElementRange(ElementType.DataTransfer, 500, 1));
        string text = StatusRenderer.Render(new LibraryStatus(new LibraryIdentity("V", "P", "1", null, 8), map, elements), "virtual:", _ => "NOTE");
        string nl = Environment.NewLine;
        Assert.Contains(nl + "  drive 0   [  500]  empty  ! NOTE; EXCEPTION 3B/12: medium magazine removed" + nl, text);
        Assert.Contains(nl + "Import/export (mail slots)" + nl + "  slot 2    [   10]  ROB001L8               placed by robot" + nl, text);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(7, "7")]
    [InlineData(9, "9")]
    [InlineData(10, "10")]
    [InlineData(99, "99")]
    [InlineData(100, "100")]
    [InlineData(999, "999")]
    [InlineData(1000, "1000")]
    [InlineData(9999, "9999")]
    [InlineData(10000, "10000")]
    [InlineData(65535, "65535")]
    [InlineData(99999, "99999")]
    [InlineData(100000, "100000")]
    [InlineData(999999, "999999")]
    [InlineData(1000000, "1000000")]
    [InlineData(9999999, "9999999")]
    [InlineData(10000000, "10000000")]
    [InlineData(99999999, "99999999")]
    [InlineData(100000000, "100000000")]
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
        // Longer than the pending buffer (Capacity): the line is made in a buffer of its own size, after the text before it.
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

    [Fact]
    public void Pending_text_goes_to_the_writer_when_a_line_brings_it_to_FlushAt_chars()
    {
        string nl = Environment.NewLine;
        var short1 = new PieceWriter();
        var p = new StatusRenderer.Pieces(short1);
        p.Line(new string('x', StatusRenderer.FlushAt - nl.Length - 1));       // one char short
        Assert.Equal(0, short1.Writes);
        var exact = new PieceWriter();
        p = new StatusRenderer.Pieces(exact);
        p.Line(new string('x', StatusRenderer.FlushAt - nl.Length));           // exactly FlushAt
        Assert.Equal((1, StatusRenderer.FlushAt), (exact.Writes, exact.Longest));
        p.Flush();                                                              // nothing pending: nothing written
        Assert.Equal(1, exact.Writes);
    }

    [Fact]
    public void Text_that_fills_the_room_exactly_stays_with_what_is_pending()
    {
        const int Room = StatusRenderer.Capacity;
        var w = new PieceWriter();
        var p = new StatusRenderer.Pieces(w);
        p.Append("b");
        p.Append(new string('a', Room - 1));                                    // fits exactly
        Assert.Equal(0, w.Writes);
        p.Append("c");                                                          // does not: the pending text goes first
        p.Flush();
        Assert.Equal(2, w.Writes);
        Assert.Equal("b" + new string('a', Room - 1) + "c", w.Text.ToString());
    }

    [Fact]
    public void Text_longer_than_the_room_goes_straight_to_the_writer_after_what_is_pending()
    {
        const int Room = StatusRenderer.Capacity;
        var w = new PieceWriter();
        var p = new StatusRenderer.Pieces(w);
        p.Append("b");
        p.Append(new string('a', Room));                                        // the room exactly, after "b": "b" first
        p.Append(new string('z', Room + 1));                                    // longer than the room: written as it is
        p.Flush();
        Assert.Equal("b" + new string('a', Room) + new string('z', Room + 1), w.Text.ToString());
        Assert.Equal(3, w.Writes);
    }

    [Fact]
    public void Room_in_place_is_what_was_asked_for_and_a_commit_past_it_is_refused()
    {
        const int Room = StatusRenderer.Capacity;
        var w = new PieceWriter();
        var p = new StatusRenderer.Pieces(w);
        p.Append("b");
        var line = p.Room(Room - 1);                                            // fits after "b": nothing handed over
        Assert.Equal(0, w.Writes);
        line[..3].Fill('r');
        p.Commit(3);
        var wide = p.Room(Room + 10);                                           // more than the buffer: "brrr" first, then room enough
        Assert.Equal(1, w.Writes);
        Assert.True(wide.Length >= Room + 10);
        wide[..2].Fill('w');
        p.Commit(2);
        p.Flush();
        Assert.Equal("brrrww", w.Text.ToString());
        var q = new StatusRenderer.Pieces(new PieceWriter());
        q.Room(Room);
        q.Commit(Room);                                                         // the whole room: accepted
        Assert.Throws<InvalidOperationException>(() => q.Commit(1));            // one past it
    }

    [Fact]
    public void Room_is_always_at_least_what_was_asked_for_and_a_slot_line_reaching_FlushAt_is_handed_over()
    {
        const int Room = StatusRenderer.Capacity;
        var w = new PieceWriter();
        var p = new StatusRenderer.Pieces(w);
        p.Append(new string('p', 100));
        Assert.True(p.Room(Room - 50).Length >= Room - 50);                     // more than is left: handed over first
        Assert.Equal(1, w.Writes);
        var exact = new PieceWriter();
        var q = new StatusRenderer.Pieces(exact);
        q.Room(StatusRenderer.FlushAt)[..StatusRenderer.FlushAt].Fill('s');
        q.CommitLine(StatusRenderer.FlushAt);                                    // exactly FlushAt: handed over
        Assert.Equal((1, StatusRenderer.FlushAt), (exact.Writes, exact.Longest));
        var e = Assert.Throws<InvalidOperationException>(() => q.Commit(Room + 1));
        Assert.Equal("more chars than the room asked for", e.Message);
    }
}
