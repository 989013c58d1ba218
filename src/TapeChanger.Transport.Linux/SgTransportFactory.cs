using TapeChanger.Scsi;

namespace TapeChanger.Transport.Linux;

/// <summary>Opens <c>sg:/dev/sgN</c> (and bare <c>/dev/sgN</c>) device addresses with <see cref="SgTransport"/>. Linux only.</summary>
public sealed class SgTransportFactory : IScsiTransportFactory
{
    public bool CanOpen(DeviceAddress address) => address is { Scheme: DeviceScheme.Sg };

    public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        cancellationToken.ThrowIfCancellationRequested();
        if (!OperatingSystem.IsLinux())
        {
            throw new ScsiTransportException(TransportFailure.Unsupported,
                $"the sg: transport needs Linux (device {address}); on Windows use spt:\\\\.\\ChangerN");
        }
        if (address.Path is not { Length: > 0 } path)
        {
            throw new ScsiTransportException(TransportFailure.NotFound, $"sg device '{address}' has no path; expected sg:/dev/sgN");
        }
        return ValueTask.FromResult<IScsiTransport>(SgTransport.Open(path));
    }
}
