using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Composition;

/// <summary>A device found on this host or portal; drives are not paired here.</summary>
public sealed record DiscoveredDevice(string Uri, string Kind, string? Vendor, string? Product, string? Revision, string? Serial, string? Path, string? Note);

/// <summary>
/// Device discovery per transport for 'list' (composition root: the transports' own enumerators): Linux sysfs,
/// Windows changer devices, USB bulk-only devices, iSCSI SendTargets and REPORT LUNS. Drive pairing is not done
/// here; the command asks the domain (MediaChanger.PairDrivesAsync).
/// </summary>
public static class Discovery
{
    /// <summary>Changers and tape drives this host sees, without their drives paired.</summary>
    public static async Task<IReadOnlyList<DiscoveredDevice>> LocalAsync(CancellationToken ct)
    {
        var result = new List<DiscoveredDevice>();
        if (OperatingSystem.IsLinux())
        {
            var devices = new TapeChanger.Transport.Linux.SysfsChangerDiscovery().ListDevices();
            foreach (var c in devices.Where(d => d.IsChanger))
            {
                result.Add(new DiscoveredDevice(c.Uri, "changer", c.Vendor, c.Model, c.Revision, c.Serial, c.ChangerPath, null));
            }
            foreach (var t in devices.Where(d => d.IsTape))
            {
                result.Add(new DiscoveredDevice(t.Uri, "tape", t.Vendor, t.Model, t.Revision, t.Serial, t.NonRewindingTapePath ?? t.TapePath, null));
            }
        }
        if (OperatingSystem.IsWindows())
        {
            foreach (var w in TapeChanger.Transport.Windows.WindowsChangerEnumerator.List())
            {
                var id = w.Identity;
                string note = w.State.ToString().ToLowerInvariant();
                if (w.State == TapeChanger.Transport.Windows.ChangerProbeState.Available && TapeChanger.Transport.Windows.WindowsChangerEnumerator.NeedsInquiry(id))
                {
                    // No storage descriptor (or an empty one): ask the changer itself, over the same pass-through.
                    try
                    {
                        await using var client = new SmcClient(TapeChanger.Transport.Windows.SptTransport.Open(TapeChanger.Transport.Windows.SptPath.Parse(w.DevicePath), w.Uri));
                        var inq = await client.InquiryAsync(ct).ConfigureAwait(false);
                        string? serial = await client.UnitSerialNumberAsync(ct).ConfigureAwait(false);
                        id = TapeChanger.Transport.Windows.WindowsChangerEnumerator.FromInquiry(id, inq.PeripheralDeviceType, inq.Vendor, inq.Product, inq.Revision, serial);
                    }
                    catch (ScsiException e)
                    {
                        note += $"; identity not read: {e.Message}";
                    }
                }
                result.Add(new DiscoveredDevice(w.Uri, "changer", id?.Vendor, id?.Product, id?.Revision, id?.Serial, w.DevicePath, note));
            }
        }
        if (TapeChanger.Transport.Usb.LibUsbLibrary.IsAvailable)
        {
            try
            {
                foreach (var u in TapeChanger.Transport.Usb.LibUsbEnumerator.ListBulkOnly())
                {
                    result.Add(new DiscoveredDevice(u.Uri, "usb", null, null, null, null, $"bus {u.Bus} address {u.Address}", "USB mass storage bulk-only"));
                }
            }
            catch (ScsiTransportException)
            {
                // libusb present but unusable (no USB in this sandbox): nothing to list.
            }
        }
        return result;
    }

    /// <summary>The targets of an iSCSI portal (SendTargets), each as an address of its LUN 0.</summary>
    public static async Task<IReadOnlyList<DeviceAddress>> IscsiTargetsAsync(DeviceAddress portal, CancellationToken ct)
    {
        var targets = await TapeChanger.Transport.Iscsi.IscsiDiscovery.SendTargetsAsync(portal.Host!, portal.Port, portal.User, portal.Password, cancellationToken: ct).ConfigureAwait(false);
        return targets.Where(t => portal.TargetName is null || portal.TargetName == t.Name)
            .Select(t => portal with { TargetName = t.Name, Lun = 0 }).ToList();
    }

    /// <summary>The logical units of an iSCSI target (REPORT LUNS on LUN 0), each as its device address and display URI.</summary>
    public static async Task<IReadOnlyList<(DeviceAddress Address, string Uri)>> IscsiLunsAsync(DeviceAddress target, CancellationToken ct)
    {
        var luns = await TapeChanger.Transport.Iscsi.IscsiDriveLocator.ListLunsAsync(target, ct).ConfigureAwait(false);
        var options = TapeChanger.Transport.Iscsi.IscsiTransportFactory.OptionsFor(target);
        return luns.Select(l => (target with { Lun = l }, TapeChanger.Transport.Iscsi.IscsiTransport.DeviceName(options with { ChapUser = null }, l))).ToList();
    }
}
