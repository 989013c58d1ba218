using TapeChanger.Scsi;

namespace TapeChanger.Transport.Windows;

/// <summary>Opens <c>spt:</c> devices. On other operating systems it reports <see cref="TransportFailure.Unsupported"/>.</summary>
public sealed class SptTransportFactory : IScsiTransportFactory
{
    public bool CanOpen(DeviceAddress address) => address?.Scheme == DeviceScheme.Spt;

    public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(context);
        if (address.Scheme != DeviceScheme.Spt || address.Path is null)
            throw new ArgumentException($"'{address}' is not an spt: device", nameof(address));
        cancellationToken.ThrowIfCancellationRequested();
        if (!OperatingSystem.IsWindows())
            throw new ScsiTransportException(TransportFailure.Unsupported, $"the spt: transport needs Windows (device {address})");
        var path = SptPath.Parse(address.Path);
        return ValueTask.FromResult<IScsiTransport>(SptTransport.Open(path, address.Original, context.SptBufferedOnly));
    }
}
