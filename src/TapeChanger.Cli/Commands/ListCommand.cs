using System.CommandLine;
using System.Text;
using TapeChanger.Cli.Output;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Transport;
using TapeChanger.Transport.Iscsi;
using TapeChanger.Transport.Linux;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// `list [iscsi://host[:port]]`: finds changers and their drives. Without an argument: Linux sysfs (type 8 changers,
/// type 1 drives, sg/st/nst nodes, serials, drives paired to elements by DVCID or VPD 80h serial), Windows
/// \\.\ChangerN, and USB bulk-only devices. With an iSCSI portal: SendTargets discovery, then each target's LUNs.
/// </summary>
internal static class ListCommand
{
    public static Command Build()
    {
        var portal = new Argument<string?>("PORTAL") { Description = "iscsi://host[:port] to discover targets on; default: local devices.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("list", "Find changers and their drives: local sg devices (paired by serial), Windows changers, USB bulk-only devices, or iSCSI targets.") { portal };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            var devices = p.GetValue(portal) is { } uri ? await IscsiAsync(uri, ct) : await LocalAsync(ct);
            var sb = new StringBuilder();
            if (devices.Count == 0) sb.Append("no changers or tape drives found");
            foreach (var d in devices)
            {
                sb.AppendLine($"{d.Kind,-7} {d.Uri}  {d.Vendor} {d.Product} {d.Revision}{(d.Serial is { } s ? $"  serial {s}" : "")}{(d.Note is { } n ? $"  ({n})" : "")}");
                foreach (var drive in d.Drives ?? [])
                {
                    sb.AppendLine($"    drive {drive.Drive} [{drive.Element}]  {(drive.Uri ?? "not found on this host")}{(drive.TapePath is { } t ? $" {t}" : "")}{(drive.Serial is { } ds ? $"  serial {ds}" : "")}  ({drive.Pairing})");
                }
            }
            ctx.Emit(new ListDocument(devices), CliJsonContext.Default.ListDocument, sb.ToString().TrimEnd());
        }));
        return cmd;
    }

    private static async Task<IReadOnlyList<ListedDevice>> LocalAsync(CancellationToken ct)
    {
        var result = new List<ListedDevice>();
        if (OperatingSystem.IsLinux())
        {
            var sysfs = new SysfsChangerDiscovery();
            var tapes = sysfs.ListTapeDrives();
            foreach (var changer in sysfs.ListChangers())
            {
                IReadOnlyList<ListedDrive>? drives = null;
                string? note = null;
                try
                {
                    await using var client = new SmcClient(SgTransport.Open(changer.SgPath));
                    var map = await client.ElementAddressAssignmentAsync(ct);
                    var elements = await client.ReadElementStatusAsync(ElementType.DataTransfer, map.FirstDataTransfer, map.DataTransferCount, ct);
                    drives = DrivePairing.Pair(elements.Select(DriveElementIdentity.From).ToList(), tapes, changer)
                        .Select(pair => new ListedDrive(pair.DriveNumber, pair.ElementAddress,
                            pair.Drive?.Serial ?? elements.FirstOrDefault(e => e.Address == pair.ElementAddress)?.Identifier?.SerialNumber,
                            pair.Drive?.Uri, pair.Drive?.NonRewindingTapePath ?? pair.Drive?.TapePath, pair.Method.ToString().ToLowerInvariant()))
                        .ToList();
                }
                catch (ScsiException e)
                {
                    note = $"drives not paired: {e.Message}";
                }
                result.Add(new ListedDevice(changer.Uri, "changer", changer.Vendor, changer.Model, changer.Revision, changer.Serial, changer.ChangerPath, note) { Drives = drives });
            }
            foreach (var t in tapes)
            {
                result.Add(new ListedDevice(t.Uri, "tape", t.Vendor, t.Model, t.Revision, t.Serial, t.NonRewindingTapePath ?? t.TapePath, null));
            }
        }
        if (OperatingSystem.IsWindows())
        {
            foreach (var w in Transport.Windows.WindowsChangerEnumerator.List())
            {
                var id = w.Identity;
                string note = w.State.ToString().ToLowerInvariant();
                if (w.State == Transport.Windows.ChangerProbeState.Available && Transport.Windows.WindowsChangerEnumerator.NeedsInquiry(id))
                {
                    // No storage descriptor (or an empty one): ask the changer itself, over the same pass-through.
                    try
                    {
                        await using var client = new SmcClient(Transport.Windows.SptTransport.Open(Transport.Windows.SptPath.Parse(w.DevicePath), w.Uri));
                        var inq = await client.InquiryAsync(ct);
                        string? serial = await client.UnitSerialNumberAsync(ct);
                        id = Transport.Windows.WindowsChangerEnumerator.FromInquiry(id, inq.PeripheralDeviceType, inq.Vendor, inq.Product, inq.Revision, serial);
                    }
                    catch (ScsiException e)
                    {
                        note += $"; identity not read: {e.Message}";
                    }
                }
                result.Add(new ListedDevice(w.Uri, "changer", id?.Vendor, id?.Product, id?.Revision, id?.Serial, w.DevicePath, note));
            }
        }
        if (Transport.Usb.LibUsbLibrary.IsAvailable)
        {
            try
            {
                foreach (var u in Transport.Usb.LibUsbEnumerator.ListBulkOnly())
                {
                    result.Add(new ListedDevice(u.Uri, "usb", null, null, null, null, $"bus {u.Bus} address {u.Address}", "USB mass storage bulk-only"));
                }
            }
            catch (ScsiTransportException)
            {
                // libusb present but unusable (no USB in this sandbox): nothing to list.
            }
        }
        return result;
    }

    private static async Task<IReadOnlyList<ListedDevice>> IscsiAsync(string uri, CancellationToken ct)
    {
        var address = DeviceUri.Parse(uri);
        if (address.Scheme != DeviceScheme.Iscsi) throw new UsageException($"list takes an iscsi://host[:port] portal, not '{uri}'");
        var targets = await IscsiDiscovery.SendTargetsAsync(address.Host!, address.Port, address.User, address.Password, cancellationToken: ct);
        var result = new List<ListedDevice>();
        foreach (var target in targets)
        {
            if (address.TargetName is { } only && only != target.Name) continue;
            var options = IscsiTransportFactory.OptionsFor(address with { TargetName = target.Name, Lun = 0 });
            IReadOnlyList<int> luns;
            await using (var lun0 = new SmcClient(await IscsiTransport.OpenAsync(options, 0, ct)))
            {
                luns = ReportLunsDecoder.Decode(await lun0.ExecuteAsync(SpcCommands.ReportLuns(), ct));
            }
            foreach (int lun in luns)
            {
                await using var client = new SmcClient(await IscsiTransport.OpenAsync(options, lun, ct));
                var inq = await client.InquiryAsync(ct);
                if (!inq.IsMediumChanger && !inq.IsTapeDrive) continue;
                string? serial = await client.UnitSerialNumberAsync(ct);
                string host = address.Host!.Contains(':') ? $"[{address.Host}]" : address.Host!;
                IReadOnlyList<ElementDescriptor>? driveElements = null;
                if (inq.IsMediumChanger)
                {
                    var map = await client.ElementAddressAssignmentAsync(ct);
                    driveElements = await client.ReadElementStatusAsync(ElementType.DataTransfer, map.FirstDataTransfer, map.DataTransferCount, ct);
                }
                result.Add(new ListedDevice($"iscsi://{host}:{address.Port}/{target.Name}/{lun}", inq.IsMediumChanger ? "changer" : "tape",
                    inq.Vendor, inq.Product, inq.Revision, serial, null, null)
                {
                    Drives = driveElements?.Select((e, i) => new ListedDrive(i, e.Address, e.Identifier?.SerialNumber, null, null,
                        e.Identifier?.Truncated == true ? "truncated" : "none")).ToList(),
                });
            }
        }
        // Pair each changer's drive elements with the tape LUNs by serial (DVCID vs VPD 80h).
        var tapes = result.Where(d => d.Kind == "tape" && d.Serial is not null).ToList();
        return result.Select(d => d.Drives is null ? d : d with { Drives = PairBySerial(d.Drives, tapes) }).ToList();
    }

    /// <summary>
    /// Exact serial matches first; then, for identifiers the library cut short (tgt's READ ELEMENT STATUS loses the
    /// last 8 bytes of the reply, so the last drive's DVCID serial arrives truncated), the one still-unpaired tape
    /// whose serial starts with the fragment. Ambiguous fragments stay unpaired.
    /// </summary>
    internal static IReadOnlyList<ListedDrive> PairBySerial(IReadOnlyList<ListedDrive> drives, IReadOnlyList<ListedDevice> tapes)
    {
        var paired = drives.Select(dr => !string.IsNullOrEmpty(dr.Serial)
            && tapes.FirstOrDefault(t => string.Equals(t.Serial, dr.Serial, StringComparison.OrdinalIgnoreCase)) is { } exact
                ? dr with { Uri = exact.Uri, Pairing = "serial" } : dr).ToList();
        var free = tapes.Where(t => paired.All(p => p.Uri != t.Uri)).ToList();
        return paired.Select(dr =>
        {
            if (dr.Uri is not null || dr.Pairing != "truncated" || string.IsNullOrEmpty(dr.Serial)) return dr;
            var candidates = free.Where(t => t.Serial!.StartsWith(dr.Serial, StringComparison.OrdinalIgnoreCase)).ToList();
            return candidates.Count == 1 ? dr with { Uri = candidates[0].Uri, Serial = candidates[0].Serial, Pairing = "serial-prefix" } : dr;
        }).ToList();
    }
}
