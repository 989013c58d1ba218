using TapeChanger.Scsi.Cdb;
using TapeChanger.Domain;
using TapeChanger.Transport;
using TapeChanger.Transport.Iscsi;
using TapeChanger.Transport.Linux;
using TapeChanger.Virtual;

namespace TapeChanger.Cli;

/// <summary>
/// Sends LOAD UNLOAD (unload) to the drive a MOVE wants to empty, where this host can reach it: the virtual
/// library's drive LUNs, the vtltape socket device.conf binds to the element (mhvtl:), a Linux tape paired with the drive element by serial (as 'list' pairs them), or an iSCSI LUN
/// of the changer's target with that serial. Anything else reports "not reachable" and the move goes ahead.
/// </summary>
internal static class DriveEjector
{
    public static Func<int, Element, CancellationToken, ValueTask<bool>> For(IScsiTransport changer, DeviceAddress address, Func<IScsiTransport, IScsiTransport> traced, RetryPolicy retry) =>
        async (drive, element, ct) =>
        {
            IScsiTransport? transport = changer is VirtualTransport v ? v.OpenLun(drive + 1)   // virtual drives are LUNs 1..N
                : address.Scheme == DeviceScheme.Mhvtl ? await MhvtlDrives.OpenAsync(address, Path.GetTempPath(), drive, element, ct).ConfigureAwait(false)
                : await FindAsync(address, element, ct).ConfigureAwait(false);
            if (transport is null) return false;
            await using var client = new SmcClient(traced(transport), retry);
            await client.ExecuteAsync(SscCommands.LoadUnload(load: false), ct).ConfigureAwait(false);
            return true;
        };

    internal static async ValueTask<IScsiTransport?> FindAsync(DeviceAddress address, Element element, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(element.DriveSerial) && string.IsNullOrEmpty(element.Identifier)) return null;
        if (address.Scheme == DeviceScheme.Sg && OperatingSystem.IsLinux())
        {
            // The same pairing as 'list': exact serial, then a DVCID identifier ending in the tape's VPD 80h serial.
            var identity = new DriveElementIdentity(element.Address, element.DriveSerial, element.Identifier);
            var pair = DrivePairing.Pair([identity], new SysfsChangerDiscovery().ListTapeDrives()).Single();
            return pair.Drive is null ? null
                : await new SgTransportFactory().OpenAsync(DeviceUri.Parse(pair.Drive.Uri), new TransportOpenContext(Path.GetTempPath()), ct).ConfigureAwait(false);
        }
        if (address.Scheme == DeviceScheme.Iscsi)
        {
            var options = IscsiTransportFactory.OptionsFor(address with { Lun = 0 });
            IReadOnlyList<int> luns;
            await using (var lun0 = new SmcClient(await IscsiTransport.OpenAsync(options, address.Lun, ct).ConfigureAwait(false)))
            {
                luns = TapeChanger.Scsi.Decoding.ReportLunsDecoder.Decode(await lun0.ExecuteAsync(SpcCommands.ReportLuns(), ct).ConfigureAwait(false));
            }
            foreach (int lun in luns.Where(l => l != address.Lun))
            {
                var transport = await IscsiTransport.OpenAsync(options, lun, ct).ConfigureAwait(false);
                // The probe client only borrows the transport: it is handed on when the serial matches.
                var probe = new SmcClient(transport);
                if ((await probe.InquiryAsync(ct).ConfigureAwait(false)).IsTapeDrive
                    && await probe.UnitSerialNumberAsync(ct).ConfigureAwait(false) is { Length: > 0 } serial
                    && (string.Equals(serial, element.DriveSerial, StringComparison.OrdinalIgnoreCase)
                        || (serial.Length >= 4 && element.Identifier?.TrimEnd(' ', '\0').EndsWith(serial, StringComparison.OrdinalIgnoreCase) == true)))
                {
                    return transport;
                }
                await transport.DisposeAsync().ConfigureAwait(false);
            }
        }
        return null;
    }
}
