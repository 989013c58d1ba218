using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TapeChanger.Cli;

/// <summary>
/// The process's stdout and stderr. On Unix they write straight to file descriptors 1 and 2: .NET's Console writers
/// initialise its terminal handling on first write when stdin is a terminal, which sends the terminfo keypad-transmit
/// string (ESC[?1h ESC=) and leaves the terminal in keypad mode after the process ends. This CLI never reads the
/// console, so it never needs that mode.
/// </summary>
internal static class ProcessConsole
{
    public static TextWriter Out { get; } = OperatingSystem.IsWindows() ? Console.Out : Raw(1);
    public static TextWriter Err { get; } = OperatingSystem.IsWindows() ? Console.Error : Raw(2);

    /// <summary>True when <paramref name="writer"/> is this process's stderr and that is a terminal.</summary>
    public static bool IsTerminalStderr(TextWriter writer) => ReferenceEquals(writer, Err) && !Console.IsErrorRedirected;

    public static bool IsProcessOutput(TextWriter writer) => ReferenceEquals(writer, Out);

    private static TextWriter Raw(int fd)
    {
        var stream = new PipeSafeStream(new FileStream(new SafeFileHandle(fd, ownsHandle: false), FileAccess.Write, bufferSize: 0));
        return TextWriter.Synchronized(new StreamWriter(stream, new UTF8Encoding(false), bufferSize: 4096) { AutoFlush = true });
    }

    /// <summary>
    /// A reader that went away (`tapechanger man | head`) is not an error of the command: like .NET's console stream,
    /// writes after EPIPE are dropped.
    /// </summary>
    private sealed class PipeSafeStream(Stream inner) : Stream
    {
        private bool _gone;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { if (!_gone) Try(inner.Flush); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) { if (!_gone) Try(() => inner.Write(buffer, offset, count)); }
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_gone) return;
            try { inner.Write(buffer); }
            catch (IOException) { _gone = true; }
        }

        private void Try(Action write)
        {
            try { write(); }
            catch (IOException) { _gone = true; }
        }
    }
}
