using System.Globalization;
using TapeChanger.MhvtlConfig;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Mhvtl;

/// <summary>One drive of an mhVTL library, as device.conf binds it.</summary>
/// <param name="DriveNumber">0-based drive number: data transfer element <c>Slot</c> - 1 (element address order).</param>
/// <param name="Id">The drive's device.conf id (its vtltape -q and socket number).</param>
/// <param name="Serial">device.conf <c>Unit serial number</c>.</param>
/// <param name="Socket">userland.&lt;Id&gt;.sock beside the library's socket.</param>
public sealed record MhvtlDrive(int DriveNumber, int Id, int Slot, string Serial, string Socket);

/// <summary>
/// The drives of the library behind an <c>mhvtl:</c> address: device.conf's <c>Drive: M</c> stanzas with
/// <c>Library ID: N Slot: K</c>, N being the library socket's number (userland.N.sock). Pure apart from reading
/// device.conf.
/// </summary>
public static class MhvtlDriveMap
{
    /// <summary>mhVTL's default configuration directory (markh794/mhvtl@fada6b85 usr/Makefile MHVTL_CONFIG_PATH).</summary>
    public const string DefaultConfigDirectory = "/etc/mhvtl";

    /// <summary>?config=DIR, else $MHVTL_CONFIG_PATH, else /etc/mhvtl; and whether it was named explicitly.</summary>
    public static (string Directory, bool Explicit) ConfigDirectory(DeviceAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.ConfigDirectory is { Length: > 0 } dir) return (dir, true);
        if (Environment.GetEnvironmentVariable("MHVTL_CONFIG_PATH") is { Length: > 0 } env) return (env, true);
        return (DefaultConfigDirectory, false);
    }

    /// <summary>N from .../userland.N.sock, or null when the name has another form.</summary>
    public static int? LibraryId(string socketPath)
    {
        string name = Path.GetFileName(socketPath);
        const string prefix = "userland.", suffix = ".sock";
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal)) return null;
        string digits = name[prefix.Length..^suffix.Length];
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int id) ? id : null;
    }

    /// <summary>The drives bound to library <paramref name="libraryId"/> in <paramref name="conf"/>, with their sockets in <paramref name="runDirectory"/>.</summary>
    public static IReadOnlyList<MhvtlDrive> Drives(DeviceConf conf, int libraryId, string runDirectory)
    {
        ArgumentNullException.ThrowIfNull(conf);
        return conf.DrivesOf(libraryId)
            .Select(d => new MhvtlDrive(d.Slot - 1, d.Id, d.Slot, d.Serial,
                Path.Combine(runDirectory, $"userland.{d.Id.ToString(CultureInfo.InvariantCulture)}.sock")))
            .ToList();
    }

    /// <summary>
    /// The drives of the library at <paramref name="address"/>; empty when the socket name carries no library id or
    /// the default configuration directory has no device.conf. A named directory without one is an error.
    /// </summary>
    public static IReadOnlyList<MhvtlDrive> Load(DeviceAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        string socket = Path.GetFullPath(address.Path ?? throw new DeviceUriException($"mhvtl device '{address}' names no socket"));
        if (LibraryId(socket) is not int id) return [];
        var (dir, named) = ConfigDirectory(address);
        string file = Path.Combine(dir, "device.conf");
        if (!named && !File.Exists(file)) return [];
        var conf = DeviceConfParser.Load(file);
        if (conf.Library(id) is null)
            throw new MhvtlConfigException(file, 0, $"no 'Library: {id}' stanza for {socket}; pass the directory the daemons use with ?config=DIR");
        return Drives(conf, id, Path.GetDirectoryName(socket)!);
    }

    /// <summary>
    /// Whether a serial the library or the drive reported names the device.conf drive: equal after trimming blanks and
    /// NULs (case-insensitive), or the tail of a DVCID identifier (vendor + product + serial).
    /// </summary>
    public static bool SameSerial(string configured, string? reported)
    {
        string want = configured.Trim(' ', '\0');
        string got = reported?.Trim(' ', '\0') ?? "";
        return want.Length > 0 && (got.Equals(want, StringComparison.OrdinalIgnoreCase) || got.EndsWith(" " + want, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// Opens the mhVTL drive behind a drive element: the device.conf drive bound to that element's slot, on its own
/// socket, after checking its serial against what the library reported for the element (DVCID) and what the drive
/// itself answers to INQUIRY VPD 80h. Returns null when device.conf binds no drive to the element.
/// </summary>
public sealed class MhvtlDriveLocator
{
    private readonly IReadOnlyList<MhvtlDrive> _drives;
    private readonly MhvtlTransportOptions _options;

    public MhvtlDriveLocator(IReadOnlyList<MhvtlDrive> drives, MhvtlTransportOptions? options = null)
    {
        _drives = drives ?? throw new ArgumentNullException(nameof(drives));
        _options = options ?? new MhvtlTransportOptions();
    }

    /// <summary>For the library at <paramref name="address"/> (its device.conf, see <see cref="MhvtlDriveMap.Load"/>).</summary>
    public static MhvtlDriveLocator For(DeviceAddress address, string? stateDirectory) =>
        new(MhvtlDriveMap.Load(address), new MhvtlTransportOptions { FallbackLockDirectory = stateDirectory });

    public IReadOnlyList<MhvtlDrive> Drives => _drives;

    /// <param name="driveNumber">0-based drive number (element address order).</param>
    /// <param name="elementSerial">The serial the library reported for the element (DVCID), if any.</param>
    /// <param name="elementIdentifier">The whole DVCID identifier text, if any.</param>
    public async ValueTask<IScsiTransport?> OpenAsync(int driveNumber, string? elementSerial, string? elementIdentifier, CancellationToken ct = default)
    {
        if (_drives.FirstOrDefault(d => d.DriveNumber == driveNumber) is not { } drive) return null;
        string? reported = elementSerial is { Length: > 0 } ? elementSerial : elementIdentifier;
        if (reported is { Length: > 0 } && !MhvtlDriveMap.SameSerial(drive.Serial, reported))
        {
            throw new ScsiTransportException(TransportFailure.NotFound,
                $"drive {driveNumber}: the library reports serial '{reported.Trim()}' but device.conf binds drive {drive.Id} (serial {drive.Serial}) to slot {drive.Slot}; " +
                "point ?config=DIR at the device.conf the daemons run with");
        }
        var transport = await MhvtlTransport.OpenAsync(drive.Socket, _options, ct).ConfigureAwait(false);
        try
        {
            // The probe client only borrows the transport (not disposed): it is handed on when the serial matches.
            var probe = new SmcClient(transport);
            string? vpd = await probe.UnitSerialNumberAsync(ct).ConfigureAwait(false);
            if (!MhvtlDriveMap.SameSerial(drive.Serial, vpd))
            {
                throw new ScsiTransportException(TransportFailure.NotFound,
                    $"drive {driveNumber}: {transport.Device} answers VPD 80h serial '{vpd?.Trim()}', device.conf says drive {drive.Id} is {drive.Serial}");
            }
            return transport;
        }
        catch
        {
            await transport.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
