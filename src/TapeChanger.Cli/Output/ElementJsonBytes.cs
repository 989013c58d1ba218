using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace TapeChanger.Cli.Output;

/// <summary>
/// One element object of `status --json` as UTF-8, byte for byte what <see cref="Utf8JsonWriter"/> writes for it in
/// the status document (indented two spaces a level, the element at depth 2, default escaping), without the writer's
/// per-call checks: about 300 instructions a member there, a few dozen here. <see cref="StatusJsonWriter"/> hands the
/// bytes to the writer as a raw value: the writer puts the comma between elements and closes the array; the new line
/// and indentation before each element are written here (the writer adds none before a raw value).
/// Strings of printable ASCII that the default encoder leaves as they are are copied; any other string is escaped by
/// <see cref="JsonEncodedText"/>, the encoder the writer uses.
/// </summary>
internal sealed class ElementJsonBytes
{
    /// <summary>Members of an element are at depth 3 (root object, "elements" array, element object).</summary>
    private const int MemberIndent = 6;
    private const int CloseIndent = 4;
    /// <summary>Room for the names, separators and non-string values of one element (about 600 bytes), with margin.</summary>
    private const int FixedRoom = 1024;

    private static readonly string[] Names =
    [
        "type", "address", "full", "barcode", "alternateBarcode", "source", "mediumType", "except", "asc", "ascq", "access",
        "impExp", "identifier", "slot", "drive", "sourceSlot", "cleaner", "serial", "inEnab", "exEnab", "partial", "model",
        "reservedCleanerSlot", "exceptText",
    ];

    /// <summary>For each member: the new line, indentation, quoted name and ": " (the comma before it is added for all but the first).</summary>
    private readonly byte[][] _prefix;
    /// <summary>The prefix with the value "true", "false" or "null" after it: such a member is one copy, not two.</summary>
    private readonly byte[][] _true, _false, _null;
    /// <summary>The new line and indentation before the element, then "{".</summary>
    private readonly byte[] _open;
    /// <summary>The new line and indentation before the closing "}", and it.</summary>
    private readonly byte[] _close;
    private byte[] _buffer = new byte[4 * FixedRoom];
    private int _length;

    public ElementJsonBytes(string newLine)
    {
        _prefix = Names.Select(n => Encoding.UTF8.GetBytes($",{newLine}{new string(' ', MemberIndent)}\"{n}\": ")).ToArray();
        _true = _prefix.Select(p => p.Concat("true"u8.ToArray()).ToArray()).ToArray();
        _false = _prefix.Select(p => p.Concat("false"u8.ToArray()).ToArray()).ToArray();
        _null = _prefix.Select(p => p.Concat("null"u8.ToArray()).ToArray()).ToArray();
        // A raw value gets the writer's comma but not its new line and indentation.
        _open = Encoding.UTF8.GetBytes($"{newLine}{new string(' ', CloseIndent)}{{");
        _close = Encoding.UTF8.GetBytes($"{newLine}{new string(' ', CloseIndent)}}}");
    }

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Writes <paramref name="e"/>; false (nothing written) when it has members the generated serializer writes
    /// (a drive's request for cleaning or unfinished cleaning), which the caller writes member by member instead.
    /// </summary>
    public bool TryWrite(ElementJson e)
    {
        if (e.NeedsCleaning is not null || e.Cleaning is not null) return false;
        // One size check per element: escaping makes at most 6 bytes of a char (\uXXXX).
        int room = FixedRoom + 6 * (Length(e.Type) + Length(e.Barcode) + Length(e.AlternateBarcode) + Length(e.MediumType)
            + Length(e.Identifier) + Length(e.Serial) + Length(e.Model) + Length(e.ExceptText));
        if (room > _buffer.Length) _buffer = new byte[Math.Max(room, 2 * _buffer.Length)];
        _length = 0;
        Raw(_open);
        String(0, e.Type, first: true);
        Number(1, e.Address);
        Bool(2, e.Full);
        String(3, e.Barcode);
        String(4, e.AlternateBarcode);
        if (e.Source is int source) Number(5, source); else Null(5);
        String(6, e.MediumType);
        Bool(7, e.Except);
        Number(8, e.Asc);
        Number(9, e.Ascq);
        Bool(10, e.Access);
        Bool(11, e.ImpExp);
        String(12, e.Identifier);
        // The status-only members, left out when null (as their JsonIgnore says), in the contract's order.
        if (e.Slot is int slot) Number(13, slot);
        if (e.Drive is int drive) Number(14, drive);
        if (e.SourceSlot is int sourceSlot) Number(15, sourceSlot);
        if (e.Cleaner is bool cleaner) Bool(16, cleaner);
        if (e.Serial is { } serial) String(17, serial);
        if (e.InEnab is bool inEnab) Bool(18, inEnab);
        if (e.ExEnab is bool exEnab) Bool(19, exEnab);
        if (e.Partial is bool partial) Bool(20, partial);
        if (e.Model is { } model) String(21, model);
        if (e.ReservedCleanerSlot is bool reserved) Bool(22, reserved);
        if (e.ExceptText is { } exceptText) String(23, exceptText);
        Raw(_close);
        return true;
    }

    private static int Length(string? s) => s?.Length ?? 0;

    /// <summary>The separator, new line and indentation before a member, then its quoted name and ": ".</summary>
    private void Name(int member, bool first = false) => Raw(first ? _prefix[member].AsSpan(1) : _prefix[member]);

    private void Null(int member) => Raw(_null[member]);

    private void Bool(int member, bool value) => Raw(value ? _true[member] : _false[member]);

    private void Number(int member, int value)
    {
        Name(member);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int written);
        _length += written;
    }

    private void String(int member, string? value, bool first = false)
    {
        Name(member, first);
        if (value is null)
        {
            Raw("null"u8);
            return;
        }
        _buffer[_length++] = (byte)'"';
        if (Plain(value))
        {
            for (int i = 0; i < value.Length; i++) _buffer[_length + i] = (byte)value[i];
            _length += value.Length;
        }
        else
        {
            Raw(JsonEncodedText.Encode(value).EncodedUtf8Bytes);
        }
        _buffer[_length++] = (byte)'"';
    }

    /// <summary>
    /// Printable ASCII the default encoder (JavaScriptEncoder.Default) writes unescaped: everything from space to
    /// '~' except the quote, backslash and the HTML-sensitive &amp; ' &lt; &gt; + and `.
    /// </summary>
    internal static bool Plain(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\' or '&' or '\'' or '<' or '>' or '+' or '`') return false;
        }
        return true;
    }

    /// <summary>Copies within the room checked once per element.</summary>
    private void Raw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }
}
