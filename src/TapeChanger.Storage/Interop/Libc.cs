using System.Runtime.InteropServices;

namespace TapeChanger.Storage.Interop;

/// <summary>
/// The libc calls needed to make a rename durable: .NET cannot open a directory as a file handle, so
/// fsync(2) of the containing directory goes through open(2) / fsync(2) / close(2) (POSIX.1-2017, fsync:
/// "all data for the open file descriptor ... is to be transferred to the storage device"; a directory's entries
/// are its data). Unix only. And open(2) with O_APPEND and write(2) for <see cref="SharedLog"/> (Linux only: the
/// flag values below are Linux's, the same on x86_64 and arm64).
/// </summary>
internal static partial class Libc
{
    /// <summary>"libc" is resolved by the runtime's native library probing (libc.so.6 on glibc, libc.so on musl, libSystem on macOS).</summary>
    private const string Name = "libc";

    /// <summary>O_RDONLY has the value 0 on every Unix; a directory may be opened read-only without O_DIRECTORY.</summary>
    internal const int O_RDONLY = 0;

    // Linux asm-generic/fcntl.h (x86_64 and arm64 alike).
    internal const int O_WRONLY = 0x1;
    internal const int O_CREAT = 0x40;
    internal const int O_APPEND = 0x400;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>open(2): the new descriptor, or -1 with errno set (an int, not a SafeHandle: -1 must stay -1).</summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string pathname, int flags);

    /// <summary>open(2) with a mode for O_CREAT (the variadic third argument, passed as an int in a register on Linux).</summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenMode(string pathname, int flags, int mode);

    /// <summary>write(2): the bytes written, or -1 with errno set.</summary>
    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, ReadOnlySpan<byte> buffer, nint count);

    internal static nint Write(int fd, ReadOnlySpan<byte> buffer) => Write(fd, buffer, buffer.Length);

    [LibraryImport(Name, EntryPoint = "fsync", SetLastError = true)]
    internal static partial int FSync(int fd);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
