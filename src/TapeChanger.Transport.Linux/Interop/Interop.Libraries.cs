namespace TapeChanger.Transport.Linux.Interop;

internal static partial class Libc
{
    /// <summary>The C library, resolved by the runtime's native library probing ("libc" → libc.so.6 on glibc, musl's libc.so).</summary>
    internal const string Name = "libc";
}
