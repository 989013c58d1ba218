using System.Runtime.InteropServices;
using System.Text;

namespace TapeChanger.Cli;

/// <summary>
/// The process's stdout and stderr. On Unix they write straight to file descriptors 1 and 2: .NET's Console writers
/// initialise its terminal handling on first write when stdin is a terminal, which sends the terminfo keypad-transmit
/// string (ESC[?1h ESC=) and leaves the terminal in keypad mode after the process ends. This CLI never reads the
/// console, so it never needs that mode.
/// </summary>
internal static partial class ProcessConsole
{
    private static readonly Stream? OutBytes = OperatingSystem.IsWindows() ? null : new DescriptorStream(1);

    public static TextWriter Out { get; } = OperatingSystem.IsWindows() ? Console.Out : Raw(OutBytes!);
    // stderr's lines are short and each is written at once (AutoFlush): a small buffer, which the collector clears
    // when it is made whether or not anything is written (4096 chars here were 20 KB: five new pages, faulted in).
    public static TextWriter Err { get; } = OperatingSystem.IsWindows() ? Console.Error : Raw(new DescriptorStream(2), bufferSize: 256);

    /// <summary>
    /// The UTF-8 byte stream under <paramref name="writer"/> when it is this process's stdout on Unix (the writer
    /// flushed first, so what it wrote comes before); null otherwise. JSON made as UTF-8 then goes to fd 1 as it is,
    /// instead of being decoded to chars for the writer, which encodes them back to the same bytes.
    /// </summary>
    public static Stream? Utf8Under(TextWriter writer)
    {
        if (OutBytes is null || !ReferenceEquals(writer, Out)) return null;
        writer.Flush();
        return OutBytes;
    }

    /// <summary>True when <paramref name="writer"/> is this process's stderr and that is a terminal.</summary>
    public static bool IsTerminalStderr(TextWriter writer) => ReferenceEquals(writer, Err) && !Console.IsErrorRedirected;

    public static bool IsProcessOutput(TextWriter writer) => ReferenceEquals(writer, Out);

    private static TextWriter Raw(Stream fd, int bufferSize = 4096) =>
        TextWriter.Synchronized(new StreamWriter(fd, new UTF8Encoding(false), bufferSize) { AutoFlush = true });

    /// <summary>
    /// write(2) on the descriptor, so the file offset it shares with the other descriptors of its open file moves with
    /// every write (POSIX write: "the file offset shall be incremented by the number of bytes actually written").
    /// A FileStream on a seekable file writes at its own remembered position (pwrite): with `>file 2>&1` stdout and
    /// stderr then overwrite each other, and text a shell wrote before the process started is overwritten too.
    /// A reader that went away (`tapechanger man | head`, EPIPE) is not an error of the command: later writes are dropped,
    /// as .NET's console stream does.
    /// </summary>
    private sealed partial class DescriptorStream(int fd) : Stream
    {
        private const int EINTR = 4, EAGAIN = 11;
        private bool _gone;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!_gone && buffer.Length > 0)
            {
                nint n = WriteFd(fd, buffer, (nuint)buffer.Length);
                if (n >= 0)
                {
                    buffer = buffer[(int)n..];
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno is EINTR or EAGAIN) continue;
                _gone = true;                   // EPIPE, EBADF, ENOSPC...: the output is gone, the command goes on
            }
        }

        [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
        private static partial nint WriteFd(int fd, ReadOnlySpan<byte> buffer, nuint count);
    }
}
