using System.Globalization;
using System.Text;
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

    /// <summary>
    /// Writes the same text to <paramref name="output"/> (without a new line after the last line), in pieces of about
    /// <see cref="FlushAt"/> chars: a 2,000-slot library's 57,000 chars never sit in one buffer, whose first use costs a
    /// page fault per 4 KiB (docs/performance.md).
    /// </summary>
    public static void Write(TextWriter output, LibraryStatus status, string device, Func<Element, string?>? driveNote = null, ushort? cleanerSlot = null)
    {
        // Handed to the writer (and emptied) after the line that brings it to FlushAt chars: with room for a usual line
        // past that, it stays one chunk.
        var sb = new StringBuilder(FlushAt + 512);
        void Flush(bool whenFull = true)
        {
            if (whenFull && sb.Length < FlushAt) return;
            output.Write(sb);
            sb.Clear();
        }
        var id = status.Identity;
        var map = status.Map;
        sb.AppendLine($"{id.Vendor} {id.Product} (rev {id.Revision}) on {device}");

        // One pass over the elements (each list in the order reported, as LibraryStatus.OfType gives them).
        var drives = new List<Element>();
        var slots = new List<Element>(status.Elements.Count);
        var ies = new List<Element>();
        var pickers = new List<Element>();
        int full = 0, cleaners = 0;
        var all = status.Elements;
        for (int i = 0; i < all.Count; i++)
        {
            var e = all[i];
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

        sb.AppendLine();
        sb.AppendLine($"Drives ({drives.Count(d => d.Full)} of {drives.Count} loaded)");
        foreach (var d in drives)
        {
            string from = d.Source is ushort s && map.SlotNumber(s) is int n ? $"from slot {n}" : "";
            string serial = d.DriveSerial is { Length: > 0 } ser ? $"serial {ser}" : "";
            string model = d.DriveModel is { } m ? $"  {m}" : "";
            sb.AppendLine($"  drive {d.Drive,-3} [{d.Address,5}]  {Cartridge(d),-22} {from,-14} {serial}{model}".TrimEnd() + Notes(d, extra: driveNote?.Invoke(d)));
            Flush();
        }

        if (ies.Count > 0)
        {
            bool open = ies.All(e => !e.Access);
            sb.AppendLine();
            sb.AppendLine($"Import/export (mail slots{(open ? ", port open" : "")})");
            foreach (var e in ies)
            {
                string who = e.Full ? (e.ImpExp ? "placed by operator" : "placed by robot") : "";
                sb.AppendLine($"  slot {e.Slot,-4} [{e.Address,5}]  {Cartridge(e),-22} {who}".TrimEnd() + Notes(e));
                Flush();
            }
        }

        sb.AppendLine();
        sb.AppendLine($"Storage ({slots.Count(s => s.Full)} of {slots.Count} slots full)");
        // Libraries that never report ACCESS (tgt) would show every slot as inaccessible: flag only where the bit means something.
        bool accessReported = slots.Any(s => s.Access);
        const string Reserved = "  (reserved cleaner slot)";
        Span<char> stack = stackalloc char[128];
        foreach (var s in slots)
        {
            // Made on the stack with its new line and appended once (a large library has thousands of these lines): no
            // string per line, and the trimming reads the span, not the builder.
            string cartridge = Cartridge(s);
            int room = 32 + cartridge.Length + Reserved.Length + Environment.NewLine.Length;
            Span<char> line = room <= stack.Length ? stack : new char[room];
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
                sb.Append(line[..n]);
                sb.Append(Notes(s, accessReported));
                sb.AppendLine();
                Flush();
                continue;
            }
            Environment.NewLine.CopyTo(line[n..]);
            sb.Append(line[..(n + Environment.NewLine.Length)]);
            Flush();
        }

        if (pickers.Count > 0)
        {
            sb.AppendLine();
            foreach (var p in pickers)
            {
                sb.AppendLine($"Picker [{p.Address}]  {Cartridge(p)}".TrimEnd() + Notes(p));
            }
        }

        sb.AppendLine();
        sb.Append($"{drives.Count} drives, {slots.Count} slots, {ies.Count} mail slots, {full} cartridges ({cleaners} cleaning)");
        Flush(whenFull: false);
    }

    /// <summary>
    /// <c>$"  slot {slot,-4} [{address,5}]  "</c> written into <paramref name="head"/> (at least 32 chars); returns its
    /// length.
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
        Span<char> digits = stackalloc char[5];
        int length = Digits(digits, address);
        for (int pad = length; pad < 5; pad++) head[n++] = ' ';
        digits[..length].CopyTo(head[n..]);
        n += length;
        "]  ".CopyTo(head[n..]);
        return n + 3;
    }

    /// <summary>The decimal digits of <paramref name="value"/> at the start of <paramref name="to"/> (11 chars at most); returns how many.</summary>
    private static int Digits(Span<char> to, int value)
    {
        value.TryFormat(to, out int written, default, CultureInfo.InvariantCulture);
        return written;
    }

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
