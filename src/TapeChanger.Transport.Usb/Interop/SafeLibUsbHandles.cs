using Microsoft.Win32.SafeHandles;

namespace TapeChanger.Transport.Usb;

/// <summary>A libusb_context; released with libusb_exit.</summary>
internal sealed class SafeLibUsbContextHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeLibUsbContextHandle() : base(ownsHandle: true)
    {
    }

    internal SafeLibUsbContextHandle(nint context) : base(ownsHandle: true) => SetHandle(context);

    protected override bool ReleaseHandle()
    {
        Interop.LibUsb.Exit(handle);
        return true;
    }
}

/// <summary>A libusb_device_handle; released with libusb_close. Keeps its context alive until then.</summary>
internal sealed class SafeLibUsbDeviceHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private readonly SafeLibUsbContextHandle? _context;

    public SafeLibUsbDeviceHandle() : base(ownsHandle: true)
    {
    }

    internal SafeLibUsbDeviceHandle(nint handle, SafeLibUsbContextHandle context) : base(ownsHandle: true)
    {
        bool added = false;
        context.DangerousAddRef(ref added);
        _context = context;
        SetHandle(handle);
    }

    protected override bool ReleaseHandle()
    {
        Interop.LibUsb.Close(handle);
        _context?.DangerousRelease();
        return true;
    }
}
