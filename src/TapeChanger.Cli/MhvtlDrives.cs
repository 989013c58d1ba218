using TapeChanger.Domain;
using TapeChanger.Transport;
using TapeChanger.Transport.Mhvtl;

namespace TapeChanger.Cli;

/// <summary>
/// The mhvtl: drive locator: drive element → the vtltape socket device.conf binds to it (serial checked against the
/// library's DVCID and the drive's VPD 80h). Used by the cleaner's drive polling and by eject-before-unload.
/// </summary>
internal static class MhvtlDrives
{
    /// <summary>The drive transport for <paramref name="drive"/> of an mhvtl: library, or null when device.conf binds none.</summary>
    public static async ValueTask<IScsiTransport?> OpenAsync(DeviceAddress library, string stateDirectory, int drive, Element? element, CancellationToken ct)
    {
        var locator = MhvtlDriveLocator.For(library, stateDirectory);
        return await locator.OpenAsync(drive, element?.DriveSerial, element?.Identifier, ct).ConfigureAwait(false);
    }

    /// <summary>For <see cref="TapeChanger.Cleaning.ChangerSession"/>: reads the drive element (its DVCID serial) through the open changer, then opens the drive.</summary>
    public static Func<int, CancellationToken, ValueTask<SmcClient?>> Opener(MediaChanger changer, DeviceAddress library, string stateDirectory,
        Func<IScsiTransport, IScsiTransport> traced, RetryPolicy retry) =>
        async (drive, ct) =>
        {
            var map = await changer.GetMapAsync(ct).ConfigureAwait(false);
            var element = await changer.ReadElementAsync(map.DriveAddress(drive), ct).ConfigureAwait(false);
            var transport = await OpenAsync(library, stateDirectory, drive, element, ct).ConfigureAwait(false);
            return transport is null ? null : new SmcClient(traced(transport), retry);
        };
}
