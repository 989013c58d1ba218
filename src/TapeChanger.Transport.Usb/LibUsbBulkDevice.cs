using System.Runtime.InteropServices;
using System.Text;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Usb;

/// <summary>
/// A claimed Bulk-Only interface of a USB device opened through libusb-1.0. Finds VID:PID[:serial], detaches the
/// kernel driver (usb-storage/uas on Linux) if it is bound and re-attaches it on dispose.
/// </summary>
public sealed class LibUsbBulkDevice : IUsbBulkDevice
{
    private readonly SafeLibUsbContextHandle _context;
    private readonly SafeLibUsbDeviceHandle _handle;
    private readonly string _id;
    private bool _disposed;

    private LibUsbBulkDevice(SafeLibUsbContextHandle context, SafeLibUsbDeviceHandle handle, BulkOnlyInterface bot, bool detached, string id, string? serial)
    {
        _context = context;
        _handle = handle;
        InterfaceNumber = bot.InterfaceNumber;
        BulkInEndpoint = bot.BulkIn;
        BulkOutEndpoint = bot.BulkOut;
        KernelDriverDetached = detached;
        _id = id;
        Serial = serial;
    }

    public string Description => $"USB device {_id}";

    public byte InterfaceNumber { get; }

    public byte BulkInEndpoint { get; }

    public byte BulkOutEndpoint { get; }

    /// <summary>The serial number string, when the device has one and it was read.</summary>
    public string? Serial { get; }

    /// <summary>True when a kernel driver was detached and will be re-attached on dispose.</summary>
    public bool KernelDriverDetached { get; }

    internal static string Id(ushort vendorId, ushort productId) => $"{vendorId:x4}:{productId:x4}";

    /// <summary>Opens the device; throws <see cref="ScsiTransportException"/> (Unsupported when libusb is missing).</summary>
    public static LibUsbBulkDevice Open(ushort vendorId, ushort productId, string? serial = null)
    {
        LibUsbLibrary.EnsureLoaded();
        string id = Id(vendorId, productId);
        int rc = Interop.LibUsb.Init(out nint contextPtr);
        if (rc < 0) throw LibUsbErrors.ToException(rc, id, "initialising libusb");
        var context = new SafeLibUsbContextHandle(contextPtr);
        try
        {
            return OpenIn(context, vendorId, productId, serial, id);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static LibUsbBulkDevice OpenIn(SafeLibUsbContextHandle context, ushort vendorId, ushort productId, string? serial, string id)
    {
        nint count = Interop.LibUsb.GetDeviceList(context, out nint list);
        if (count < 0) throw LibUsbErrors.ToException((int)count, id, "listing USB devices");
        try
        {
            var candidates = new List<nint>();
            for (int i = 0; i < count; i++)
            {
                nint device = Marshal.ReadIntPtr(list, i * IntPtr.Size);
                if (Interop.LibUsb.GetDeviceDescriptor(device, out var d) == 0 && d.idVendor == vendorId && d.idProduct == productId)
                    candidates.Add(device);
            }
            if (candidates.Count == 0)
                throw new ScsiTransportException(TransportFailure.NotFound, $"USB device {id} not found ({count} USB device(s) present; check lsusb)");
            if (serial is null && candidates.Count > 1)
                throw new ScsiTransportException(TransportFailure.Io, $"{candidates.Count} USB devices match {id}; add the serial number: usb:{id}:SERIAL");

            int lastError = 0;
            var seenSerials = new List<string>();
            foreach (var device in candidates)
            {
                int rc = Interop.LibUsb.Open(device, out nint raw);
                if (rc < 0)
                {
                    lastError = rc;
                    continue;
                }
                var handle = new SafeLibUsbDeviceHandle(raw, context);
                try
                {
                    Interop.LibUsb.GetDeviceDescriptor(device, out var d);
                    string? deviceSerial = d.iSerialNumber == 0 ? null : ReadString(handle, d.iSerialNumber);
                    if (serial is not null && !string.Equals(serial, deviceSerial, StringComparison.Ordinal))
                    {
                        if (deviceSerial is not null) seenSerials.Add(deviceSerial);
                        handle.Dispose();
                        continue;
                    }
                    return Claim(context, handle, device, id, deviceSerial);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }
            }
            if (lastError < 0 && seenSerials.Count == 0) throw LibUsbErrors.ToException(lastError, id, "opening");
            throw new ScsiTransportException(TransportFailure.NotFound,
                $"USB device {id} with serial {serial} not found (serials present: {(seenSerials.Count == 0 ? "none readable" : string.Join(", ", seenSerials))})");
        }
        finally
        {
            Interop.LibUsb.FreeDeviceList(list, 1);
        }
    }

    private static LibUsbBulkDevice Claim(SafeLibUsbContextHandle context, SafeLibUsbDeviceHandle handle, nint device, string id, string? serial)
    {
        int rc = Interop.LibUsb.GetActiveConfigDescriptor(device, out nint config);
        if (rc < 0) throw LibUsbErrors.ToException(rc, id, "reading the configuration descriptor");
        List<UsbInterfaceInfo> interfaces;
        try
        {
            interfaces = ConfigDescriptorWalker.Walk(config);
        }
        finally
        {
            Interop.LibUsb.FreeConfigDescriptor(config);
        }
        var bot = BulkOnlyInterfaceSelector.Find(interfaces)
            ?? throw new ScsiTransportException(TransportFailure.Unsupported,
                $"USB device {id} has no Bulk-Only mass storage interface (class 08h, subclass 06h, protocol 50h)");

        bool detached = false;
        rc = Interop.LibUsb.KernelDriverActive(handle, bot.InterfaceNumber);
        if (rc == 1)
        {
            rc = Interop.LibUsb.DetachKernelDriver(handle, bot.InterfaceNumber);
            if (rc < 0 && rc != (int)LibUsbError.NotFound) throw LibUsbErrors.ToException(rc, id, $"detaching the kernel driver from interface {bot.InterfaceNumber}");
            detached = rc == 0;
        }
        else if (rc < 0 && rc != (int)LibUsbError.NotSupported)
        {
            throw LibUsbErrors.ToException(rc, id, "checking for a kernel driver");
        }

        rc = Interop.LibUsb.ClaimInterface(handle, bot.InterfaceNumber);
        if (rc < 0)
        {
            if (detached) Interop.LibUsb.AttachKernelDriver(handle, bot.InterfaceNumber);
            throw LibUsbErrors.ToException(rc, id, $"claiming interface {bot.InterfaceNumber}");
        }
        return new LibUsbBulkDevice(context, handle, bot, detached, id, serial);
    }

    internal static string? ReadString(SafeLibUsbDeviceHandle handle, byte index)
    {
        Span<byte> buffer = stackalloc byte[256];
        int n = Interop.LibUsb.GetStringDescriptorAscii(handle, index, buffer);
        if (n <= 0) return null;
        var s = Encoding.ASCII.GetString(buffer[..n]).Trim();
        return s.Length == 0 ? null : s;
    }

    private static uint Milliseconds(TimeSpan timeout)
    {
        double ms = Math.Ceiling(timeout.TotalMilliseconds);
        return ms < 1 ? 1 : ms >= uint.MaxValue ? uint.MaxValue : (uint)ms;   // 0 would mean "no timeout" to libusb
    }

    public UsbTransferResult BulkOut(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // libusb does not write to an OUT buffer; the signature is shared with IN.
        var span = MemoryMarshal.CreateSpan(ref MemoryMarshal.GetReference(data), data.Length);
        int rc = Interop.LibUsb.BulkTransfer(_handle, BulkOutEndpoint, span, out int transferred, Milliseconds(timeout));
        return LibUsbErrors.ToTransferResult(rc, transferred);
    }

    public UsbTransferResult BulkIn(Span<byte> buffer, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int rc = Interop.LibUsb.BulkTransfer(_handle, BulkInEndpoint, buffer, out int transferred, Milliseconds(timeout));
        return LibUsbErrors.ToTransferResult(rc, transferred);
    }

    public UsbTransferResult ClearHalt(byte endpoint)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return LibUsbErrors.ToTransferResult(Interop.LibUsb.ClearHalt(_handle, endpoint), 0);
    }

    public UsbTransferResult ControlTransfer(byte requestType, byte request, ushort value, ushort index, Span<byte> data, TimeSpan timeout)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int rc = Interop.LibUsb.ControlTransfer(_handle, requestType, request, value, index, data, Milliseconds(timeout));
        return rc >= 0 ? UsbTransferResult.Ok(rc) : LibUsbErrors.ToTransferResult(rc, 0);
    }

    /// <summary>Releases the interface, re-attaches the kernel driver if none is bound (see below), closes the device.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_handle.IsInvalid && !_handle.IsClosed)
        {
            Interop.LibUsb.ReleaseInterface(_handle, InterfaceNumber);
            // Hand the interface back to the kernel driver whenever none is bound, not only when this handle detached
            // it: with two processes taking turns (a cleaner worker polling while another command runs), the one that
            // detached may re-attach while the other holds the claim (refused), and the other found no driver to
            // re-attach, so usb-storage stayed unbound. With no driver for the interface this returns NOT_FOUND.
            if (KernelDriverDetached || Interop.LibUsb.KernelDriverActive(_handle, InterfaceNumber) == 0)
            {
                Interop.LibUsb.AttachKernelDriver(_handle, InterfaceNumber);
            }
        }
        _handle.Dispose();
        _context.Dispose();
    }
}
