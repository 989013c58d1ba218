using TapeChanger.Scsi;

namespace TapeChanger.Transport.Usb;

/// <summary>
/// Opens <c>usb:VID:PID[:serial]</c> devices through libusb. The LUN is the address's LUN when non-zero; otherwise,
/// with <c>findChangerLun</c>, the LUN whose INQUIRY reports a medium changer (autoloaders often put it on LUN 1).
/// </summary>
public sealed class UsbTransportFactory : IScsiTransportFactory
{
    private readonly BulkOnlyOptions _options;
    private readonly bool _findChangerLun;
    private readonly Func<DeviceAddress, IUsbBulkDevice> _openDevice;

    public UsbTransportFactory(BulkOnlyOptions? options = null, bool findChangerLun = true)
        : this(options, findChangerLun, a => LibUsbBulkDevice.Open(a.VendorId, a.ProductId, a.Serial))
    {
    }

    /// <summary>For tests: <paramref name="openDevice"/> replaces libusb.</summary>
    public UsbTransportFactory(BulkOnlyOptions? options, bool findChangerLun, Func<DeviceAddress, IUsbBulkDevice> openDevice)
    {
        _options = options ?? BulkOnlyOptions.Default;
        _findChangerLun = findChangerLun;
        _openDevice = openDevice;
    }

    public bool CanOpen(DeviceAddress address) => address?.Scheme == DeviceScheme.Usb;

    public async ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Scheme != DeviceScheme.Usb) throw new ArgumentException($"'{address}' is not a usb: device", nameof(address));
        cancellationToken.ThrowIfCancellationRequested();
        if (address.Lun is < 0 or > 15)
            throw new ScsiTransportException(TransportFailure.NotFound, $"{address}: LUN {address.Lun} is outside the Bulk-Only range 0-15");
        var device = _openDevice(address);
        try
        {
            byte lun = (byte)address.Lun;
            if (lun == 0 && _findChangerLun)
                lun = await BulkOnlyTransport.FindChangerLunAsync(device, address.Original, _options, cancellationToken).ConfigureAwait(false);
            return new BulkOnlyTransport(device, address.Original, _options with { Lun = lun });
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }
}
