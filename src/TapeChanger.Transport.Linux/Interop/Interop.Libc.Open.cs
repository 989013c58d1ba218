using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

internal static partial class Libc
{
    /// <summary>
    /// open(2). Returns the new file descriptor or -1 with errno set. Declared as int, not SafeHandle: a SafeHandle
    /// return is read as a pointer-sized value, and the C int -1 zero-extended to 64 bits would look valid.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string pathname, int flags);
}
