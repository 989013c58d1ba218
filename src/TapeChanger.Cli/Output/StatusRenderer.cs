using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TapeChanger.Domain;
using TapeChanger.Scsi;

namespace TapeChanger.Cli.Output;

/// <summary>The human view of `status`: a picture of the library, not a raw dump.</summary>
internal static class StatusRenderer
{
    /// <param name="driveNote">An extra mark for a drive (e.g. a remembered request for cleaning), or null.</param>
    /// <param name="cleanerSlot">The address of the slot reserved for the cleaner, marked in the list.</param>
    public static string Render(LibraryStatus status, string device, Func<Element, string?>? driveNote = null, ushort? cleanerSlot = null)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(text, status, device, driveNote, cleanerSlot);
        return text.ToString();
    }

    /// <summary>Text gathered before it is handed to the writer: about 300 slot lines.</summary>
    internal const int FlushAt = 8192;

    /// <summary>The pending text's buffer: <see cref="FlushAt"/> and 512 chars past it, room for any usual line.</summary>
    internal const int Capacity = FlushAt + 512;

    /// <summary>
    /// Writes the same text to <paramref name="output"/> (without a new line after the last line), in pieces of about
    /// <see cref="FlushAt"/> chars: a 2,000-slot library's 57,000 chars never sit in one buffer, whose first use costs a
    /// page fault per 4 KiB (docs/performance.md).
    /// </summary>
    public static void Write(TextWriter output, LibraryStatus status, string device, Func<Element, string?>? driveNote = null, ushort? cleanerSlot = null)
    {
        var text = new Pieces(output);
        var id = status.Identity;
        var map = status.Map;
        text.Line($"{id.Vendor} {id.Product} (rev {id.Revision}) on {device}");

        // One pass over the elements (each list in the order reported, as LibraryStatus.OfType gives them).
        var drives = new List<Element>();
        var slots = new List<Element>(status.Elements.Count);
        var ies = new List<Element>();
        var pickers = new List<Element>();
        int full = 0, cleaners = 0;
        foreach (var e in Span(status.Elements))
        {
            if (e.Full) full++;
            if (e.IsCleaner) cleaners++;
            switch (e.Type)
            {
                case ElementType.DataTransfer: drives.Add(e); break;
                case ElementType.Storage: slots.Add(e); break;
                case ElementType.ImportExport: ies.Add(e); break;
                case ElementType.MediumTransport: pickers.Add(e); break;
            }
        }

        text.Line("");
        text.Line($"Drives ({drives.Count(d => d.Full)} of {drives.Count} loaded)");
        foreach (var d in drives)
        {
            string from = d.Source is ushort s && map.SlotNumber(s) is int n ? $"from slot {n}" : "";
            string serial = d.DriveSerial is { Length: > 0 } ser ? $"serial {ser}" : "";
            string model = d.DriveModel is { } m ? $"  {m}" : "";
            text.Line($"  drive {d.Drive,-3} [{d.Address,5}]  {Cartridge(d),-22} {from,-14} {serial}{model}".TrimEnd() + Notes(d, extra: driveNote?.Invoke(d)));
        }

        if (ies.Count > 0)
        {
            bool open = ies.All(e => !e.Access);
            text.Line("");
            text.Line($"Import/export (mail slots{(open ? ", port open" : "")})");
            foreach (var e in ies)
            {
                string who = e.Full ? (e.ImpExp ? "placed by operator" : "placed by robot") : "";
                text.Line($"  slot {e.Slot,-4} [{e.Address,5}]  {Cartridge(e),-22} {who}".TrimEnd() + Notes(e));
            }
        }

        text.Line("");
        text.Line($"Storage ({slots.Count(s => s.Full)} of {slots.Count} slots full)");
        // Libraries that never report ACCESS (tgt) would show every slot as inaccessible: flag only where the bit means something.
        bool accessReported = slots.Any(s => s.Access);
        const string Reserved = "  (reserved cleaner slot)";
        foreach (var s in CollectionsMarshal.AsSpan(slots))
        {
            // Made in place in the pending text (a large library has thousands of these lines): no string per line,
            // and the trimming reads the span.
            string cartridge = Cartridge(s);
            Span<char> line = text.Room(SlotHeadMax + cartridge.Length + Reserved.Length + Environment.NewLine.Length);
            int n = SlotHead(line, s.Slot, s.Address);
            cartridge.CopyTo(line[n..]);
            n += cartridge.Length;
            if (s.Address == cleanerSlot)
            {
                Reserved.CopyTo(line[n..]);
                n += Reserved.Length;
            }
            n = line[..n].TrimEnd().Length;
            if (s.Except || (accessReported && !s.Access))
            {
                text.Commit(n);
                text.Line(Notes(s, accessReported));
                continue;
            }
            Environment.NewLine.CopyTo(line[n..]);
            text.CommitLine(n + Environment.NewLine.Length);
        }

        if (pickers.Count > 0)
        {
            text.Line("");
            foreach (var p in pickers)
            {
                text.Line($"Picker [{p.Address}]  {Cartridge(p)}".TrimEnd() + Notes(p));
            }
        }

        text.Line("");
        text.Append($"{drives.Count} drives, {slots.Count} slots, {ies.Count} mail slots, {full} cartridges ({cleaners} cleaning)");
        text.Flush();
    }

    /// <summary>The elements as a span: the domain's list itself, not one interface call per element.</summary>
    private static ReadOnlySpan<Element> Span(IReadOnlyList<Element> elements) => elements switch
    {
        List<Element> list => CollectionsMarshal.AsSpan(list),
        Element[] array => array,
        _ => elements.ToArray(),
    };

    /// <summary>
    /// The text not yet handed to the writer, in a buffer of its own. After the line that brings it to
    /// <see cref="FlushAt"/> chars it goes to the writer whole (one <c>Write(char[], int, int)</c>) and starts again;
    /// the room past that (<see cref="Capacity"/>) holds any usual line.
    /// </summary>
    internal sealed class Pieces(TextWriter output)
    {
        private char[] _buffer = new char[Capacity];
        private int _length;

        /// <summary><paramref name="text"/>, then the line's end; handed over when the pending text reaches <see cref="FlushAt"/>.</summary>
        public void Line(ReadOnlySpan<char> text)
        {
            Append(text);
            Append(Environment.NewLine);
            if (_length >= FlushAt) Flush();
        }

        public void Append(ReadOnlySpan<char> text)
        {
            if (text.Length > _buffer.Length - _length)
            {
                Flush();
                if (text.Length > _buffer.Length)
                {
                    output.Write(text);
                    return;
                }
            }
            text.CopyTo(_buffer.AsSpan(_length));
            _length += text.Length;
        }

        /// <summary>At least <paramref name="chars"/> chars to write in place; <see cref="Commit"/> keeps what was written.</summary>
        public Span<char> Room(int chars)
        {
            if (chars > _buffer.Length - _length) Flush();
            if (chars > _buffer.Length) _buffer = new char[chars];
            return _buffer.AsSpan(_length);
        }

        /// <summary>Keeps the first <paramref name="chars"/> chars written into the last <see cref="Room"/>.</summary>
        public void Commit(int chars)
        {
            if (_length + chars > _buffer.Length) throw new InvalidOperationException("more chars than the room asked for");
            _length += chars;
        }

        /// <summary><see cref="Commit"/> of chars that end with the line's end: handed over as <see cref="Line"/> would.</summary>
        public void CommitLine(int chars)
        {
            Commit(chars);
            if (_length >= FlushAt) Flush();
        }

        public void Flush()
        {
            if (_length > 0) output.Write(_buffer, 0, _length);
            _length = 0;
        }
    }

    /// <summary>The longest <see cref="SlotHead"/>: "  slot " (7), a slot number (up to 10 digits), " [", 5 digits, "]  ".</summary>
    private const int SlotHeadMax = 7 + 10 + 2 + 5 + 3;

    /// <summary>
    /// <c>$"  slot {slot,-4} [{address,5}]  "</c> written into <paramref name="head"/> (at least
    /// <see cref="SlotHeadMax"/> chars); returns its length.
    /// </summary>
    private static int SlotHead(Span<char> head, int? slot, ushort address)
    {
        "  slot ".CopyTo(head);
        int n = 7;
        int written = slot is int number ? Digits(head[n..], number) : 0;
        n += written;
        for (; written < 4; written++) head[n++] = ' ';
        head[n++] = ' ';
        head[n++] = '[';
        for (int pad = DigitCount(address); pad < 5; pad++) head[n++] = ' ';
        n += Digits(head[n..], address);
        "]  ".CopyTo(head[n..]);
        return n + 3;
    }

    /// <summary>The decimal digits of <paramref name="value"/> (0 or more; 10 digits at most) at the start of <paramref name="to"/>; returns how many.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Digits(Span<char> to, int value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        uint rest = (uint)value;
        int count = DigitCount(rest);
        Span<char> digits = to[..count];
        for (int i = count - 1; i > 0; i--)
        {
            (rest, uint digit) = Math.DivRem(rest, 10u);
            digits[i] = (char)('0' + digit);
        }
        digits[0] = (char)('0' + rest);
        return count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int DigitCount(uint value) =>
        value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5
        : value < 1000000 ? 6 : value < 10000000 ? 7 : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;

    private static string Cartridge(Element e) =>
        !e.Full ? "empty"
        : e.IsCleaner ? $"{e.Barcode ?? "(no label)"} cleaner"
        : e.Barcode ?? "(full, no label)";

    private static string Notes(Element e, bool accessReported = false, string? extra = null)
    {
        var notes = new List<string>();
        if (extra is not null) notes.Add(extra);
        if (e.Except) notes.Add($"EXCEPTION {e.Asc:X2}/{e.Ascq:X2}: {e.ExceptionMeaning}");
        if (accessReported && !e.Access && e.Type is ElementType.Storage) notes.Add("not accessible");
        return notes.Count == 0 ? "" : "  ! " + string.Join("; ", notes);
    }
}
