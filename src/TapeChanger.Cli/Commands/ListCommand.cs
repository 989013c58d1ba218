using System.CommandLine;
using System.Text;
using TapeChanger.Cli.Output;
using TapeChanger.Composition;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Transport;
using static TapeChanger.Cli.TapeChangerCli;

namespace TapeChanger.Cli.Commands;

/// <summary>
/// `list [iscsi://host[:port]]`: finds changers and their drives. Without an argument: Linux sysfs (type 8 changers,
/// type 1 drives, sg/st/nst nodes, serials, drives paired to elements by DVCID or VPD 80h serial), Windows
/// \\.\ChangerN, and USB bulk-only devices. With an iSCSI portal: SendTargets discovery, then each target's LUNs.
/// Each changer's drives are paired by the domain (<see cref="MediaChanger.PairDrivesAsync"/>) with what the
/// transport's drive locator finds: the same pairing as eject and cleaning use.
/// </summary>
internal static class ListCommand
{
    public static Command Build()
    {
        var portal = new Argument<string?>("PORTAL") { Description = "iscsi://host[:port] to discover targets on; default: local devices.", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("list", "Find changers and their drives: local sg devices (paired by serial), Windows changers, USB bulk-only devices, or iSCSI targets.") { portal };
        cmd.SetAction(Handler(async (ctx, p, ct) =>
        {
            var devices = p.GetValue(portal) is { } uri ? await IscsiAsync(ctx, uri, ct) : await LocalAsync(ctx, ct);
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
            ctx.Emit(new ListDocument(devices), static () => CliJsonContext.Default.ListDocument, sb.ToString().TrimEnd());
        }));
        return cmd;
    }

    private static async Task<IReadOnlyList<ListedDevice>> LocalAsync(CliContext ctx, CancellationToken ct)
    {
        var result = new List<ListedDevice>();
        foreach (var found in await Discovery.LocalAsync(ct))
        {
            var d = new ListedDevice(found.Uri, found.Kind, found.Vendor, found.Product, found.Revision, found.Serial, found.Path, found.Note);
            result.Add(d.Kind == "changer" && d.Uri.StartsWith("sg:", StringComparison.Ordinal) ? await WithDrivesAsync(ctx, Transports.Parse(d.Uri), d, ct) : d);
        }
        return result;
    }

    /// <summary>The changer's drive elements paired with the drives its transport's locator finds (a note when that fails).</summary>
    private static async Task<ListedDevice> WithDrivesAsync(CliContext ctx, DeviceAddress address, ListedDevice changer, CancellationToken ct)
    {
        try
        {
            await using var c = await ctx.OpenChangerAtAsync(address, ct);
            var pairs = await c.PairDrivesAsync(ct);
            return changer with
            {
                Drives = pairs.Select(p => new ListedDrive(p.DriveNumber, p.ElementAddress, p.Drive?.Serial ?? p.Element.Serial, p.Drive?.Uri, p.Drive?.Node,
                    p.Method.ToString().ToLowerInvariant())).ToList(),
            };
        }
        catch (Exception e) when (e is ScsiException or ChangerOperationException)
        {
            return changer with { Note = $"drives not paired: {e.Message}" };
        }
    }

    private static async Task<IReadOnlyList<ListedDevice>> IscsiAsync(CliContext ctx, string uri, CancellationToken ct)
    {
        var address = Transports.Parse(uri);
        if (address.Scheme != DeviceScheme.Iscsi) throw new UsageException($"list takes an iscsi://host[:port] portal, not '{uri}'");
        var result = new List<ListedDevice>();
        foreach (var target in await Discovery.IscsiTargetsAsync(address, ct))
        {
            foreach (var (lun, lunUri) in await Discovery.IscsiLunsAsync(target, ct))
            {
                LibraryIdentity id;
                await using (var probe = await ctx.OpenChangerAtAsync(lun, ct))
                {
                    id = await probe.GetIdentityAsync(withSerial: true, ct);
                }
                if (id.DeviceType is not (0x08 or 0x01)) continue;
                var device = new ListedDevice(lunUri, id.DeviceType == 0x08 ? "changer" : "tape", id.Vendor, id.Product, id.Revision, id.SerialNumber, null, null);
                result.Add(id.DeviceType == 0x08 ? await WithDrivesAsync(ctx, lun, device, ct) : device);
            }
        }
        return result;
    }
}
