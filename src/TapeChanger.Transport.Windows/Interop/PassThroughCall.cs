using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace TapeChanger.Transport.Windows;

/// <summary>What came back from one pass-through DeviceIoControl.</summary>
internal readonly record struct PassThroughOutcome(bool Succeeded, int Win32Error, byte ScsiStatus, int Transferred, byte[] Sense);

/// <summary>The unsafe part of a pass-through: buffers, pointers and the DeviceIoControl call.</summary>
[SupportedOSPlatform("windows")]
internal static unsafe class PassThroughCall
{
    /// <summary>
    /// Sends one request with wrapper <typeparamref name="T"/>. Direct: the data goes through a buffer aligned to
    /// <paramref name="alignment"/> (AlignmentMask + 1, at least 8). Buffered: header, sense and data in one buffer.
    /// </summary>
    internal static PassThroughOutcome Execute<T>(SafeFileHandle handle, in PassThroughParameters p, ReadOnlySpan<byte> dataOut, Span<byte> dataIn, nuint alignment)
        where T : unmanaged, IPassThroughRequest<T>
    {
        int length = (int)p.DataTransferLength;
        if (T.IsDirect)
        {
            byte* data = null;
            try
            {
                if (length > 0)
                {
                    data = (byte*)NativeMemory.AlignedAlloc((nuint)length, Math.Max(alignment, 8));
                    var span = new Span<byte>(data, length);
                    span.Clear();
                    if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT) dataOut[..Math.Min(dataOut.Length, length)].CopyTo(span);
                }
                T request = T.Create(p, (nuint)data);
                bool ok = Interop.Kernel32.DeviceIoControl(handle, T.IoControlCode,
                    &request, (uint)sizeof(T), &request, (uint)sizeof(T), out _, 0);
                if (!ok) return new PassThroughOutcome(false, Marshal.GetLastPInvokeError(), 0, 0, []);
                int transferred = (int)Math.Min(request.DataTransferLength, (uint)length);
                if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN && transferred > 0)
                {
                    new ReadOnlySpan<byte>(data, transferred).CopyTo(dataIn);
                }
                return new PassThroughOutcome(true, 0, request.ScsiStatus, transferred, request.CopySense());
            }
            finally
            {
                if (data != null) NativeMemory.AlignedFree(data);
            }
        }
        else
        {
            int header = sizeof(T);
            nuint total = (nuint)(header + length);
            byte* buffer = (byte*)NativeMemory.AlignedAlloc(total, 8);
            try
            {
                new Span<byte>(buffer, (int)total).Clear();
                *(T*)buffer = T.Create(p, (nuint)header);
                uint inLength = (uint)header;
                if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_OUT && length > 0)
                {
                    dataOut[..Math.Min(dataOut.Length, length)].CopyTo(new Span<byte>(buffer + header, length));
                    inLength += (uint)length;
                }
                bool ok = Interop.Kernel32.DeviceIoControl(handle, T.IoControlCode,
                    buffer, inLength, buffer, (uint)total, out _, 0);
                if (!ok) return new PassThroughOutcome(false, Marshal.GetLastPInvokeError(), 0, 0, []);
                T reply = *(T*)buffer;
                int transferred = (int)Math.Min(reply.DataTransferLength, (uint)length);
                if (p.DataIn == ScsiIoctlDirection.SCSI_IOCTL_DATA_IN && transferred > 0)
                {
                    new ReadOnlySpan<byte>(buffer + header, transferred).CopyTo(dataIn);
                }
                return new PassThroughOutcome(true, 0, reply.ScsiStatus, transferred, reply.CopySense());
            }
            finally
            {
                NativeMemory.AlignedFree(buffer);
            }
        }
    }
}
