using System.Text;

namespace TapeChanger.Cli.Output;

/// <summary>
/// A write-only stream that decodes the UTF-8 written to it onto a <see cref="TextWriter"/> (JSON output without one big
/// string). On the process's own stdout the bytes go to fd 1 unchanged (<see cref="ProcessConsole.Utf8Under"/>): the
/// writer would only encode the decoded chars back to the same UTF-8.
/// </summary>
internal sealed class TextWriterStream(TextWriter writer) : Stream
{
    private readonly Stream? _bytes = ProcessConsole.Utf8Under(writer);
    private Decoder? _decoder;
    private char[]? _chars;

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_bytes is not null)
        {
            _bytes.Write(buffer);
            return;
        }
        // In pieces no longer than the char buffer (UTF-8 never decodes to more chars than bytes): no buffer the size
        // of a whole flush. The decoder keeps a sequence cut between pieces.
        _decoder ??= new UTF8Encoding(false).GetDecoder();
        _chars ??= new char[4096];
        while (!buffer.IsEmpty)
        {
            int take = Math.Min(buffer.Length, _chars.Length);
            int n = _decoder.GetChars(buffer[..take], _chars, flush: false);
            writer.Write(_chars, 0, n);
            buffer = buffer[take..];
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush()
    {
        if (_bytes is null) writer.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
