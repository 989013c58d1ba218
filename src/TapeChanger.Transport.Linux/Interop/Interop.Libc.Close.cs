using System.Runtime.InteropServices;

namespace TapeChanger.Transport.Linux.Interop;

internal static partial class Libc
{
    /// <summary>close(2). Called only by <see cref="SafeFdHandle.ReleaseHandle"/>.</summary>
    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
