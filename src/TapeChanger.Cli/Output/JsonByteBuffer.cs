using System.Buffers.Text;
using System.Text.Json;

namespace TapeChanger.Cli.Output;

/// <summary>
/// UTF-8 JSON bytes gathered for a stream and handed to it in pieces (<see cref="FlushTo"/>), with no clearing of the
/// buffer between pieces: <see cref="Utf8JsonWriter"/> over a stream zeroes what it wrote at every flush (0.8 million
/// instructions for a 2,080-element `status --json`, callgrind). Strings are written as the writer writes them with the
/// default encoder (<see cref="ElementJsonBytes.Plain"/> ones copied, any other escaped by <see cref="JsonEncodedText"/>).
/// </summary>
internal sealed class JsonByteBuffer
{
    /// <summary>What <see cref="FlushTo"/> waits for: a buffer of twice that never grows for a usual element.</summary>
    public const int FlushAt = 32 * 1024;

    // Not zeroed when made: every byte handed on is written first.
    private byte[] _buffer = GC.AllocateUninitializedArray<byte>(2 * FlushAt);
    private int _length;

    public int Length => _length;

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        Room(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    public void Number(int value)
    {
        Room(11);
        Utf8Formatter.TryFormat(value, _buffer.AsSpan(_length), out int written);
        _length += written;
    }

    public void String(string? value)
    {
        if (value is null)
        {
            Raw("null"u8);
            return;
        }
        if (!ElementJsonBytes.Plain(value))
        {
            Room(2);
            _buffer[_length++] = (byte)'"';
            Raw(JsonEncodedText.Encode(value).EncodedUtf8Bytes);
            _buffer[_length++] = (byte)'"';
            return;
        }
        Room(value.Length + 2);
        _buffer[_length++] = (byte)'"';
        for (int i = 0; i < value.Length; i++) _buffer[_length + i] = (byte)value[i];
        _length += value.Length;
        _buffer[_length++] = (byte)'"';
    }

    /// <summary>
    /// The buffer with at least <paramref name="room"/> free bytes after <paramref name="length"/>, the bytes written
    /// so far: a writer fills it from there and hands the new length back with <see cref="Commit"/>.
    /// </summary>
    public byte[] Reserve(int room, out int length)
    {
        Room(room);
        length = _length;
        return _buffer;
    }

    /// <summary>The new length after writing into <see cref="Reserve"/>'s buffer.</summary>
    public void Commit(int length) => _length = length;

    public void FlushTo(Stream stream)
    {
        stream.Write(_buffer, 0, _length);
        _length = 0;
    }

    private void Room(int bytes)
    {
        if (_length + bytes + 2 <= _buffer.Length) return;
        var bigger = GC.AllocateUninitializedArray<byte>(Math.Max(2 * _buffer.Length, _length + bytes + 2));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        _buffer = bigger;
    }
}
