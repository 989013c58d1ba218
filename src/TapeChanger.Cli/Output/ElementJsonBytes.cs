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
internal sealed class ElementJsonBytes(string newLine)
{
    /// <summary>Members of an element are at depth 3 (root object, "elements" array, element object).</summary>
    private const int MemberIndent = 6;
    private const int CloseIndent = 4;

    private readonly byte[] _newLine = Encoding.UTF8.GetBytes(newLine);
    private byte[] _buffer = new byte[2048];
    private int _length;
    private bool _first;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Writes <paramref name="e"/>; false (nothing written) when it has members the generated serializer writes
    /// (a drive's request for cleaning or unfinished cleaning), which the caller writes member by member instead.
    /// </summary>
    public bool TryWrite(ElementJson e)
    {
        if (e.NeedsCleaning is not null || e.Cleaning is not null) return false;
        _length = 0;
        _first = true;
        // A raw value gets the writer's comma but not its new line and indentation.
        Raw(_newLine);
        Indent(CloseIndent);
        Raw("{"u8);
        String("type"u8, e.Type);
        Number("address"u8, e.Address);
        Bool("full"u8, e.Full);
        String("barcode"u8, e.Barcode);
        String("alternateBarcode"u8, e.AlternateBarcode);
        if (e.Source is int source) Number("source"u8, source); else Null("source"u8);
        String("mediumType"u8, e.MediumType);
        Bool("except"u8, e.Except);
        Number("asc"u8, e.Asc);
        Number("ascq"u8, e.Ascq);
        Bool("access"u8, e.Access);
        Bool("impExp"u8, e.ImpExp);
        String("identifier"u8, e.Identifier);
        // The status-only members, left out when null (as their JsonIgnore says), in the contract's order.
        if (e.Slot is int slot) Number("slot"u8, slot);
        if (e.Drive is int drive) Number("drive"u8, drive);
        if (e.SourceSlot is int sourceSlot) Number("sourceSlot"u8, sourceSlot);
        if (e.Cleaner is bool cleaner) Bool("cleaner"u8, cleaner);
        if (e.Serial is { } serial) String("serial"u8, serial);
        if (e.InEnab is bool inEnab) Bool("inEnab"u8, inEnab);
        if (e.ExEnab is bool exEnab) Bool("exEnab"u8, exEnab);
        if (e.Partial is bool partial) Bool("partial"u8, partial);
        if (e.Model is { } model) String("model"u8, model);
        if (e.ReservedCleanerSlot is bool reserved) Bool("reservedCleanerSlot"u8, reserved);
        if (e.ExceptText is { } exceptText) String("exceptText"u8, exceptText);
        Raw(_newLine);
        Indent(CloseIndent);
        Raw("}"u8);
        return true;
    }

    /// <summary>The separator, new line and indentation before a member, then its quoted name and ": ".</summary>
    private void Name(ReadOnlySpan<byte> name)
    {
        if (!_first) Raw(","u8);
        _first = false;
        Raw(_newLine);
        Indent(MemberIndent);
        Raw("\""u8);
        Raw(name);
        Raw("\": "u8);
    }

    private void Null(ReadOnlySpan<byte> name)
    {
        Name(name);
        Raw("null"u8);
    }

    private void Bool(ReadOnlySpan<byte> name, bool value)
    {
        Name(name);
        Raw(value ? "true"u8 : "false"u8);
    }

    private void Number(ReadOnlySpan<byte> name, int value)
    {
        Name(name);
        Ensure(11);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int written);
        _length += written;
    }

    private void String(ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            Null(name);
            return;
        }
        Name(name);
        Raw("\""u8);
        if (Plain(value))
        {
            Ensure(value.Length);
            for (int i = 0; i < value.Length; i++) _buffer[_length + i] = (byte)value[i];
            _length += value.Length;
        }
        else
        {
            Raw(JsonEncodedText.Encode(value).EncodedUtf8Bytes);
        }
        Raw("\""u8);
    }

    /// <summary>
    /// Printable ASCII the default encoder (JavaScriptEncoder.Default) writes unescaped: everything from space to
    /// '~' except the quote, backslash and the HTML-sensitive &amp; ' &lt; &gt; + and `.
    /// </summary>
    private static bool Plain(string value)
    {
        foreach (char c in value)
        {
            if (c is < ' ' or > '~' or '"' or '\\' or '&' or '\'' or '<' or '>' or '+' or '`') return false;
        }
        return true;
    }

    private void Indent(int spaces)
    {
        Ensure(spaces);
        _buffer.AsSpan(_length, spaces).Fill((byte)' ');
        _length += spaces;
    }

    private void Raw(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
    }
}
