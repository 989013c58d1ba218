using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport;
using TapeChanger.Transport.Iscsi;
using TapeChanger.Transport.Linux;
using TapeChanger.Virtual;

namespace TapeChanger.Cli;

/// <summary>
/// Sends LOAD UNLOAD (unload) to the drive a MOVE wants to empty, where this host can reach it: the virtual
/// library's drive LUNs, a Linux tape whose VPD 80h serial equals the drive element's DVCID serial, or an iSCSI LUN
/// of the changer's target with that serial. Anything else reports "not reachable" and the move goes ahead.
/// </summary>
internal static class DriveEjector
{
    public static Func<int, string?, CancellationToken, ValueTask<bool>> For(IScsiTransport changer, DeviceAddress address, Func<IScsiTransport, IScsiTransport> traced, RetryPolicy retry) =>
        async (drive, serial, ct) =>
        {
            IScsiTransport? transport = changer is VirtualTransport v ? v.OpenLun(drive + 1)   // virtual drives are LUNs 1..N
                : await FindBySerialAsync(address, serial, ct).ConfigureAwait(false);
            if (transport is null) return false;
            await using var client = new SmcClient(traced(transport), retry);
            await client.ExecuteAsync(SscCommands.LoadUnload(load: false), ct).ConfigureAwait(false);
            return true;
        };

    private static async ValueTask<IScsiTransport?> FindBySerialAsync(DeviceAddress address, string? serial, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(serial)) return null;
        if (address.Scheme == DeviceScheme.Sg && OperatingSystem.IsLinux())
        {
            var tape = new SysfsChangerDiscovery().ListTapeDrives().FirstOrDefault(t => string.Equals(t.Serial, serial, StringComparison.OrdinalIgnoreCase));
            return tape is null ? null : await new SgTransportFactory().OpenAsync(DeviceUri.Parse(tape.Uri), new TransportOpenContext(Path.GetTempPath()), ct).ConfigureAwait(false);
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
                    && string.Equals(await probe.UnitSerialNumberAsync(ct).ConfigureAwait(false), serial, StringComparison.OrdinalIgnoreCase))
                {
                    return transport;
                }
                await transport.DisposeAsync().ConfigureAwait(false);
            }
        }
        return null;
    }
}
