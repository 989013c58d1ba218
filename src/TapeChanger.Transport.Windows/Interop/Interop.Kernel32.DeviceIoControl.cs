using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TapeChanger.Transport.Windows;

internal static partial class Interop
{
    internal static partial class Kernel32
    {
        /// <summary>DeviceIoControl (ioapiset.h), synchronous (no OVERLAPPED): the handle is opened without FILE_FLAG_OVERLAPPED.</summary>
        [LibraryImport(Libraries.Kernel32, EntryPoint = "DeviceIoControl", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        internal static unsafe partial bool DeviceIoControl(
            SafeFileHandle hDevice,
            uint dwIoControlCode,
            void* lpInBuffer,
            uint nInBufferSize,
            void* lpOutBuffer,
            uint nOutBufferSize,
            out uint lpBytesReturned,
            nint lpOverlapped);
    }
}
