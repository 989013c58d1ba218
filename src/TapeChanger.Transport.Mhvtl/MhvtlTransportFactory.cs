namespace TapeChanger.Transport.Mhvtl;

/// <summary>Opens <c>mhvtl:SOCKET[?config=DIR]</c> device addresses with <see cref="MhvtlTransport"/>.</summary>
public sealed class MhvtlTransportFactory : IScsiTransportFactory
{
    public bool CanOpen(DeviceAddress address) => address is { Scheme: DeviceScheme.Mhvtl };

    public async ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(context);
        if (address.Path is not { Length: > 0 } socket) throw new DeviceUriException($"mhvtl device '{address}' names no socket");
        return await MhvtlTransport.OpenAsync(socket, new MhvtlTransportOptions { FallbackLockDirectory = context.StateDirectory }, cancellationToken).ConfigureAwait(false);
    }
}
