using System.Runtime.InteropServices;
using TapeChanger.Storage.Interop;

namespace TapeChanger.Storage;

/// <summary>
/// A log file several processes append lines to. On Linux each line is one write(2) on a descriptor opened with
/// O_APPEND, so the file offset is set to the end and the write made as one atomic step (POSIX.1-2017, write: "the file
/// offset shall be set to the end of the file prior to each write and no intervening file modification operation
/// shall occur between changing the file offset and the write operation"): lines of different processes never
/// overwrite or split each other. .NET's FileMode.Append does not open with O_APPEND on Unix; it writes at the size it
/// read when it opened the file (pwrite at that offset), so two processes appending at once can overwrite each other.
/// Elsewhere (Windows, macOS) the line goes through FileMode.Append.
/// </summary>
public static class SharedLog
{
    /// <summary>Appends <paramref name="line"/> (with its new line) to <paramref name="path"/>, creating it (0666 less the umask).</summary>
    /// <exception cref="IOException">The file cannot be opened or written (the message names the path and why).</exception>
    public static void Append(string path, ReadOnlySpan<byte> line)
    {
        if (!OperatingSystem.IsLinux())
        {
            using var f = new FileStream(path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete });
            f.Write(line);
            return;
        }
        int fd = Libc.OpenMode(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_APPEND | Libc.O_CLOEXEC, 0b110_110_110);
        if (fd < 0) throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        try
        {
            nint written = Libc.Write(fd, line);
            if (written < 0) throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
            if (written != line.Length) throw new IOException($"{path}: {written} of {line.Length} bytes written");
        }
        finally
        {
            Libc.Close(fd);
        }
    }
}
