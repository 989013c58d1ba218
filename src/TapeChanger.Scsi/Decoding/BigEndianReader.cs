using System.Buffers.Binary;
using System.Text;

namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// Bounds-checked big-endian cursor over a device reply. Every read past the end throws
/// <see cref="ScsiDecodeException"/> naming the absolute offset, so decoders never read past the buffer.
/// </summary>
public ref struct BigEndianReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _context;
    private readonly int _origin;

    public BigEndianReader(ReadOnlySpan<byte> data, string context, int origin = 0)
    {
        _data = data;
        _context = context;
        _origin = origin;
        Position = 0;
    }

    /// <summary>Position relative to the start of this reader's span.</summary>
    public int Position { get; private set; }

    /// <summary>Absolute offset in the original reply (for error messages).</summary>
    public readonly int AbsolutePosition => _origin + Position;

    public readonly int Remaining => _data.Length - Position;
    public readonly int Length => _data.Length;

    private readonly void Require(int count, string field)
    {
        if (count < 0 || Position + count > _data.Length)
        {
            throw new ScsiDecodeException(_context, field, _origin + Position, count, Math.Max(0, _data.Length - Position));
        }
    }

    public byte U8(string field)
    {
        Require(1, field);
        return _data[Position++];
    }

    public ushort U16(string field)
    {
        Require(2, field);
        var v = BinaryPrimitives.ReadUInt16BigEndian(_data.Slice(Position, 2));
        Position += 2;
        return v;
    }

    public int U24(string field)
    {
        Require(3, field);
        var s = _data.Slice(Position, 3);
        Position += 3;
        return (s[0] << 16) | (s[1] << 8) | s[2];
    }

    public uint U32(string field)
    {
        Require(4, field);
        var v = BinaryPrimitives.ReadUInt32BigEndian(_data.Slice(Position, 4));
        Position += 4;
        return v;
    }

    public ulong U64(string field)
    {
        Require(8, field);
        var v = BinaryPrimitives.ReadUInt64BigEndian(_data.Slice(Position, 8));
        Position += 8;
        return v;
    }

    public ReadOnlySpan<byte> Bytes(int count, string field)
    {
        Require(count, field);
        var s = _data.Slice(Position, count);
        Position += count;
        return s;
    }

    public void Skip(int count, string field)
    {
        Require(count, field);
        Position += count;
    }

    /// <summary>Reads an ASCII field and trims trailing spaces and NULs (SPC "left-aligned, space padded").</summary>
    public string Ascii(int count, string field) => AsciiText.Trim(Bytes(count, field));

    /// <summary>A sub-reader over the next <paramref name="count"/> bytes; this reader advances past them.</summary>
    public BigEndianReader Sub(int count, string field)
    {
        Require(count, field);
        var sub = new BigEndianReader(_data.Slice(Position, count), _context, _origin + Position);
        Position += count;
        return sub;
    }

    /// <summary>Fails with a decode error at the current position.</summary>
    public readonly ScsiDecodeException Error(string field, string reason) =>
        new(_context, field, _origin + Position, reason);
}

/// <summary>ASCII helpers for SCSI text fields.</summary>
public static class AsciiText
{
    /// <summary>Decodes printable ASCII, replaces anything else with '?', and trims NUL/space padding.</summary>
    public static string Trim(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.Length;
        while (end > 0 && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x00)) end--;
        int start = 0;
        while (start < end && (bytes[start] == 0x20 || bytes[start] == 0x00)) start++;
        int length = end - start;
        if (length == 0) return string.Empty;
        // One allocation (the string): volume tags and identifiers are decoded once per element of a large library.
        Span<char> chars = length <= 256 ? stackalloc char[length] : new char[length];
        for (int i = 0; i < length; i++)
        {
            byte b = bytes[start + i];
            chars[i] = b is >= 0x20 and < 0x7F ? (char)b : '?';
        }
        return new string(chars);
    }

    /// <summary>Writes <paramref name="text"/> left-aligned and padded with <paramref name="pad"/>, truncating if long.</summary>
    public static void WritePadded(Span<byte> destination, string? text, byte pad = 0x20)
    {
        destination.Fill(pad);
        if (text is null) return;
        for (int i = 0; i < destination.Length && i < text.Length; i++)
        {
            char c = text[i];
            destination[i] = c is >= ' ' and < (char)0x7F ? (byte)c : (byte)'?';
        }
    }
}
