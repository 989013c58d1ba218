using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

internal static partial class Libc
{
    /// <summary>open(2). Returns the new file descriptor or -1 with errno set.</summary>
    [LibraryImport(Name, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial SafeFdHandle Open(string pathname, int flags);
}
