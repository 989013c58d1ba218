using TapeChanger.Scsi;

namespace TapeChanger.Transport;

/// <summary>What every transport needs to open a device.</summary>
public sealed record TransportOpenContext(string StateDirectory)
{
    /// <summary>spt: only: send every command with the double-buffered IOCTL_SCSI_PASS_THROUGH, never the direct form.</summary>
    public bool SptBufferedOnly { get; init; }
}

/// <summary>Opens transports for one or more URI schemes (the MQTTnet channel-factory / Kestrel CanBind pattern).</summary>
public interface IScsiTransportFactory
{
    bool CanOpen(DeviceAddress address);

    ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default);
}

/// <summary>Picks the factory for a device address.</summary>
public sealed class TransportRegistry
{
    private readonly List<IScsiTransportFactory> _factories = [];

    public TransportRegistry Add(IScsiTransportFactory factory)
    {
        _factories.Add(factory);
        return this;
    }

    public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        foreach (var f in _factories)
        {
            if (f.CanOpen(address)) return f.OpenAsync(address, context, cancellationToken);
        }
        throw new ScsiTransportException(TransportFailure.Unsupported,
            $"the {address.Scheme.ToString().ToLowerInvariant()}: transport is not available in this build (device {address})");
    }
}
