using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace TapeChanger.Transport.Windows;

/// <summary>IOCTL_STORAGE_QUERY_PROPERTY and IOCTL_SCSI_GET_ADDRESS helpers.</summary>
[SupportedOSPlatform("windows")]
internal static unsafe class StorageQueries
{
    /// <summary>StorageAdapterProperty; returns the Win32 error (0 on success) and how many bytes came back.</summary>
    internal static int QueryAdapter(SafeFileHandle handle, out StorageAdapterDescriptor descriptor, out uint returned)
    {
        var query = new StoragePropertyQuery { PropertyId = StoragePropertyQuery.StorageAdapterProperty, QueryType = StoragePropertyQuery.PropertyStandardQuery };
        StorageAdapterDescriptor d = default;
        bool ok = Interop.Kernel32.DeviceIoControl(handle, IoControlCodes.IOCTL_STORAGE_QUERY_PROPERTY,
            &query, (uint)sizeof(StoragePropertyQuery), &d, (uint)sizeof(StorageAdapterDescriptor), out returned, 0);
        descriptor = d;
        if (!ok)
        {
            returned = 0;
            return Marshal.GetLastPInvokeError();
        }
        return 0;
    }

    /// <summary>IOCTL_SCSI_GET_ADDRESS; returns the Win32 error (0 on success).</summary>
    internal static int GetAddress(SafeFileHandle handle, out ScsiAddress address)
    {
        ScsiAddress a = default;
        a.Length = (uint)sizeof(ScsiAddress);
        bool ok = Interop.Kernel32.DeviceIoControl(handle, IoControlCodes.IOCTL_SCSI_GET_ADDRESS,
            null, 0, &a, (uint)sizeof(ScsiAddress), out _, 0);
        address = a;
        return ok ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>StorageDeviceProperty: peripheral type, vendor, product, revision, serial. Null on failure.</summary>
    internal static StorageDeviceInfo? QueryDevice(SafeFileHandle handle)
    {
        const int size = 1024;
        var query = new StoragePropertyQuery { PropertyId = StoragePropertyQuery.StorageDeviceProperty, QueryType = StoragePropertyQuery.PropertyStandardQuery };
        byte* buffer = (byte*)NativeMemory.AllocZeroed(size);
        try
        {
            if (!Interop.Kernel32.DeviceIoControl(handle, IoControlCodes.IOCTL_STORAGE_QUERY_PROPERTY,
                    &query, (uint)sizeof(StoragePropertyQuery), buffer, size, out uint returned, 0) || returned < sizeof(StorageDeviceDescriptor))
            {
                return null;
            }
            var bytes = new ReadOnlySpan<byte>(buffer, (int)Math.Min(returned, (uint)size));
            var d = *(StorageDeviceDescriptor*)buffer;
            return new StorageDeviceInfo(d.DeviceType, AsciiAt(bytes, d.VendorIdOffset), AsciiAt(bytes, d.ProductIdOffset),
                AsciiAt(bytes, d.ProductRevisionOffset), AsciiAt(bytes, d.SerialNumberOffset), d.BusType);
        }
        finally
        {
            NativeMemory.Free(buffer);
        }
    }

    internal static string? AsciiAt(ReadOnlySpan<byte> bytes, uint offset)
    {
        if (offset == 0 || offset >= bytes.Length) return null;
        var s = bytes[(int)offset..];
        int nul = s.IndexOf((byte)0);
        if (nul >= 0) s = s[..nul];
        var text = Encoding.ASCII.GetString(s).Trim();
        return text.Length == 0 ? null : text;
    }
}

/// <summary>Decoded STORAGE_DEVICE_DESCRIPTOR strings.</summary>
public sealed record StorageDeviceInfo(byte PeripheralType, string? Vendor, string? Product, string? Revision, string? Serial, uint BusType);
