namespace TapeChanger.Transport.Windows;

internal static partial class Interop
{
    internal static class Libraries
    {
        internal const string Kernel32 = "kernel32.dll";
    }
}
