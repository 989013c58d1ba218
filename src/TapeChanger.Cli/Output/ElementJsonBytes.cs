using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace TapeChanger.Cli.Output;

/// <summary>
/// One element object of `status --json` as UTF-8, byte for byte what <see cref="Utf8JsonWriter"/> writes for it in
/// the status document (indented two spaces a level, the element at depth 2, default escaping), without the writer's
/// per-call checks. The new line and indentation before each element are written here; <see cref="StatusJsonWriter"/>
/// writes the comma between elements.
/// Elements of one shape (the same type, medium type, flags, and the same members null or left out) differ only in
/// their numbers and strings, so each shape's bytes are kept as a <see cref="Template"/>: the constant runs (names,
/// separators, <c>true</c>/<c>false</c>/<c>null</c>, the type and medium type words, ASC/ASCQ when both are 0) merged,
/// with the variable values between them. An empty storage slot is then three copies and two numbers (before: a copy
/// per member, about 2,500 instructions an element of a 2,081-element library; callgrind, docs/performance.md).
/// The bytes go straight into the document's <see cref="JsonByteBuffer"/>, not through a buffer of their own.
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

    /// <summary>The values of "type" and "mediumType" (<see cref="JsonMapper"/>'s names): in a template as constants.</summary>
    private static readonly string[] TypeWords = ["transport", "storage", "importExport", "dataTransfer", "all"];
    private static readonly string[] MediumWords = ["unspecified", "data", "cleaning", "diagnostic", "worm", "microcode", "reserved"];

    /// <summary>A value a template leaves open.</summary>
    private enum Slot : byte
    {
        Type, Address, Barcode, AlternateBarcode, Source, MediumType, Asc, Ascq, Identifier,
        SlotNumber, Drive, SourceSlot, Serial, Model, ExceptText,
    }

    /// <summary>An element shape's bytes: <c>Runs[0]</c>, the value of <c>Slots[0]</c>, <c>Runs[1]</c>, ..., <c>Runs[^1]</c>.</summary>
    private sealed class Template(byte[][] runs, Slot[] slots)
    {
        public readonly byte[][] Runs = runs;
        public readonly Slot[] Slots = slots;
    }

    /// <summary>For each member: the new line, indentation, quoted name and ": " (the comma before it is left off for the first).</summary>
    private readonly byte[][] _prefix;
    /// <summary>The new line and indentation before the element, then "{".</summary>
    private readonly byte[] _open;
    /// <summary>The new line and indentation before the closing "}", and it.</summary>
    private readonly byte[] _close;
    private readonly Dictionary<ulong, Template> _templates = [];
    private ulong _lastShape = ulong.MaxValue;
    private Template? _last;
    // The document's buffer while an element is written, and the length written so far.
    private JsonByteBuffer? _output;
    private byte[] _buffer = [];
    private int _length;

    public ElementJsonBytes(string newLine)
    {
        _prefix = Names.Select(n => Encoding.UTF8.GetBytes($",{newLine}{new string(' ', MemberIndent)}\"{n}\": ")).ToArray();
        // A raw value gets the writer's comma but not its new line and indentation.
        _open = Encoding.UTF8.GetBytes($"{newLine}{new string(' ', CloseIndent)}{{");
        _close = Encoding.UTF8.GetBytes($"{newLine}{new string(' ', CloseIndent)}}}");
    }

    /// <summary>The number of element shapes seen (tests: elements of one shape share one template).</summary>
    internal int Shapes => _templates.Count;

    /// <summary>
    /// Writes <paramref name="e"/> at the end of <paramref name="output"/>, after a comma where <paramref name="comma"/>
    /// says; false (nothing written) when it has members the generated serializer writes (a drive's request for cleaning
    /// or unfinished cleaning), which the caller writes member by member instead.
    /// </summary>
    public bool TryWrite(ElementJson e, JsonByteBuffer output, bool comma = false) => TryWrite<ElementJson>(e, output, comma);

    /// <summary>As <see cref="TryWrite(ElementJson, JsonByteBuffer, bool)"/>, for a domain element seen as the contract.</summary>
    public bool TryWrite(StatusElementView e, JsonByteBuffer output, bool comma = false) => TryWrite<StatusElementView>(e, output, comma);

    private bool TryWrite<T>(T e, JsonByteBuffer output, bool comma) where T : IElementJson
    {
        if (e.HasCleaningMembers) return false;
        // Room for the constant runs and the numbers; each string the template leaves open makes room for itself.
        _output = output;
        _buffer = output.Reserve(FixedRoom, out _length);
        ulong shape = Shape(e);
        Template t;
        if (shape == _lastShape) t = _last!;
        else
        {
            if (!_templates.TryGetValue(shape, out t!)) _templates.Add(shape, t = Build(e));
            _lastShape = shape;
            _last = t;
        }
        if (comma) _buffer[_length++] = (byte)',';
        var runs = t.Runs;
        var slots = t.Slots;
        for (int i = 0; i < slots.Length; i++)
        {
            Raw(runs[i]);
            Value(slots[i], e);
        }
        Raw(runs[slots.Length]);
        output.Commit(_length);
        _buffer = [];
        _output = null;
        return true;
    }

    /// <summary>
    /// What a template fixes, as bits: the type and medium type words (7 for any other string), each flag, which
    /// members are null or left out, the value of each optional flag, and whether ASC and ASCQ are both 0.
    /// </summary>
    private static ulong Shape<T>(T e) where T : IElementJson
    {
        ulong s = Word(e.Type, TypeWords);
        s |= Word(e.MediumType, MediumWords) << 3;
        s |= Bit(e.Full, 7) | Bit(e.Barcode is null, 8) | Bit(e.AlternateBarcode is null, 9) | Bit(e.Source is null, 10)
            | Bit(e.Except, 11) | Bit(e.Asc == 0 && e.Ascq == 0, 12) | Bit(e.Access, 13) | Bit(e.ImpExp, 14)
            | Bit(e.Identifier is null, 15) | Bit(e.Slot is null, 16) | Bit(e.Drive is null, 17) | Bit(e.SourceSlot is null, 18)
            | Bit(e.Serial is null, 19) | Bit(e.Model is null, 20) | Bit(e.ExceptText is null, 21);
        s |= Three(e.Cleaner) << 22 | Three(e.InEnab) << 24 | Three(e.ExEnab) << 26 | Three(e.Partial) << 28
            | Three(e.ReservedCleanerSlot) << 30;
        return s;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Bit(bool b, int at) => b ? 1UL << at : 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Three(bool? b) => b is null ? 0UL : b.Value ? 2UL : 1UL;

    /// <summary>
    /// The word's index (at most 6), by reference: the mapper's literals; 7 for another string, equal or not, which is a
    /// template value.
    /// </summary>
    private static ulong Word(string value, string[] words)
    {
        for (int i = 0; i < words.Length; i++)
        {
            if (ReferenceEquals(value, words[i])) return (ulong)i;
        }
        return 7;
    }

    /// <summary>The template of <paramref name="e"/>'s shape: the members in the contract's order, as the writer writes them.</summary>
    private Template Build<T>(T e) where T : IElementJson
    {
        var runs = new List<byte[]>();
        var slots = new List<Slot>();
        var run = new List<byte>(_open);
        void Const(ReadOnlySpan<byte> bytes) { foreach (byte b in bytes) run.Add(b); }
        void Name(int member) => Const(member == 0 ? _prefix[member].AsSpan(1) : _prefix[member]);
        void Open(Slot slot)
        {
            runs.Add([.. run]);
            run.Clear();
            slots.Add(slot);
        }
        void Bool(int member, bool value) { Name(member); Const(value ? "true"u8 : "false"u8); }
        void Word(int member, string value, string[] words, Slot slot)
        {
            Name(member);
            if (words.Any(w => ReferenceEquals(w, value))) Const(Encoding.UTF8.GetBytes($"\"{value}\""));
            else Open(slot);
        }
        void StringOrNull(int member, string? value, Slot slot)
        {
            Name(member);
            if (value is null) Const("null"u8); else Open(slot);
        }
        void Number(int member, Slot slot) { Name(member); Open(slot); }

        Word(0, e.Type, TypeWords, Slot.Type);
        Number(1, Slot.Address);
        Bool(2, e.Full);
        StringOrNull(3, e.Barcode, Slot.Barcode);
        StringOrNull(4, e.AlternateBarcode, Slot.AlternateBarcode);
        Name(5);
        if (e.Source is null) Const("null"u8); else Open(Slot.Source);
        Word(6, e.MediumType, MediumWords, Slot.MediumType);
        Bool(7, e.Except);
        if (e.Asc == 0 && e.Ascq == 0)
        {
            Name(8); Const("0"u8);
            Name(9); Const("0"u8);
        }
        else
        {
            Number(8, Slot.Asc);
            Number(9, Slot.Ascq);
        }
        Bool(10, e.Access);
        Bool(11, e.ImpExp);
        StringOrNull(12, e.Identifier, Slot.Identifier);
        // The status-only members, left out when null (as their JsonIgnore says), in the contract's order.
        if (e.Slot is not null) Number(13, Slot.SlotNumber);
        if (e.Drive is not null) Number(14, Slot.Drive);
        if (e.SourceSlot is not null) Number(15, Slot.SourceSlot);
        if (e.Cleaner is bool cleaner) Bool(16, cleaner);
        if (e.Serial is not null) StringOrNull(17, e.Serial, Slot.Serial);
        if (e.InEnab is bool inEnab) Bool(18, inEnab);
        if (e.ExEnab is bool exEnab) Bool(19, exEnab);
        if (e.Partial is bool partial) Bool(20, partial);
        if (e.Model is not null) StringOrNull(21, e.Model, Slot.Model);
        if (e.ReservedCleanerSlot is bool reserved) Bool(22, reserved);
        if (e.ExceptText is not null) StringOrNull(23, e.ExceptText, Slot.ExceptText);
        Const(_close);
        runs.Add([.. run]);
        return new Template([.. runs], [.. slots]);
    }

    /// <summary>A value the template leaves open; the shape says it is not null.</summary>
    private void Value<T>(Slot slot, T e) where T : IElementJson
    {
        switch (slot)
        {
            case Slot.Type: String(e.Type); break;
            case Slot.Address: Number(e.Address); break;
            case Slot.Barcode: String(e.Barcode!); break;
            case Slot.AlternateBarcode: String(e.AlternateBarcode!); break;
            case Slot.Source: Number(e.Source!.Value); break;
            case Slot.MediumType: String(e.MediumType); break;
            case Slot.Asc: Number(e.Asc); break;
            case Slot.Ascq: Number(e.Ascq); break;
            case Slot.Identifier: String(e.Identifier!); break;
            case Slot.SlotNumber: Number(e.Slot!.Value); break;
            case Slot.Drive: Number(e.Drive!.Value); break;
            case Slot.SourceSlot: Number(e.SourceSlot!.Value); break;
            case Slot.Serial: String(e.Serial!); break;
            case Slot.Model: String(e.Model!); break;
            case Slot.ExceptText: String(e.ExceptText!); break;
        }
    }

    private void Number(int value)
    {
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int written);
        _length += written;
    }

    private void String(string value)
    {
        // Escaping makes at most 6 bytes of a char (\uXXXX); the constant runs and numbers after it keep their room.
        int room = 2 + 6 * value.Length + FixedRoom;
        if (_length + room > _buffer.Length)
        {
            _output!.Commit(_length);
            _buffer = _output.Reserve(room, out _length);
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
