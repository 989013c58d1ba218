namespace TapeChanger.Transport.Usb;

/// <summary>Outcome of one USB transfer.</summary>
public enum UsbTransferStatus
{
    Ok,
    /// <summary>The endpoint is halted (LIBUSB_ERROR_PIPE); clear the halt before using it again.</summary>
    Stall,
    Timeout,
    /// <summary>The device sent more than asked for (LIBUSB_ERROR_OVERFLOW, "babble").</summary>
    Overflow,
    /// <summary>The device is gone (unplugged).</summary>
    NoDevice,
    /// <summary>Any other failure; <see cref="UsbTransferResult.Detail"/> says which.</summary>
    Error,
}

/// <summary>A transfer's status and byte count (the count is valid on timeout too, as with libusb).</summary>
public readonly record struct UsbTransferResult(UsbTransferStatus Status, int Count, string? Detail = null)
{
    public static UsbTransferResult Ok(int count) => new(UsbTransferStatus.Ok, count);

    public static UsbTransferResult Stalled { get; } = new(UsbTransferStatus.Stall, 0);

    public static UsbTransferResult TimedOut(int count = 0) => new(UsbTransferStatus.Timeout, count);
}

/// <summary>
/// The bulk-pipe view of one claimed Bulk-Only mass storage interface: what <see cref="BulkOnlyTransport"/> needs
/// from libusb (or from a test fake).
/// </summary>
public interface IUsbBulkDevice : IDisposable
{
    /// <summary>For messages, e.g. "USB device 0A1B:0C2D".</summary>
    string Description { get; }

    byte InterfaceNumber { get; }

    /// <summary>Bulk-IN endpoint address (bit 7 set).</summary>
    byte BulkInEndpoint { get; }

    /// <summary>Bulk-OUT endpoint address.</summary>
    byte BulkOutEndpoint { get; }

    UsbTransferResult BulkOut(ReadOnlySpan<byte> data, TimeSpan timeout);

    UsbTransferResult BulkIn(Span<byte> buffer, TimeSpan timeout);

    /// <summary>CLEAR_FEATURE(ENDPOINT_HALT) on <paramref name="endpoint"/>.</summary>
    UsbTransferResult ClearHalt(byte endpoint);

    /// <summary>A control transfer on endpoint 0; direction from bit 7 of <paramref name="requestType"/>.</summary>
    UsbTransferResult ControlTransfer(byte requestType, byte request, ushort value, ushort index, Span<byte> data, TimeSpan timeout);
}
