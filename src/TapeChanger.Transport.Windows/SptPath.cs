using System.Globalization;

namespace TapeChanger.Transport.Windows;

/// <summary>
/// A parsed <c>spt:</c> device path. Class devices (<c>\\.\Changer0</c>, <c>\\.\Tape0</c>) address one LU and take
/// PathId/TargetId/Lun from IOCTL_SCSI_GET_ADDRESS; an adapter (<c>\\.\Scsi2:0:3:1</c> = port 2, bus 0, target 3,
/// LUN 1) needs them in every request (IOCTL_SCSI_GET_ADDRESS, ntddscsi.h; mtx 1.3.12 scsi_win32.cpp opens changers the same way).
/// </summary>
public sealed record SptPath(string DevicePath, bool IsAdapter, byte PathId, byte TargetId, byte Lun)
{
    /// <summary>The N of <c>\\.\ScsiN:</c> (STOR_ADDR_BTL8.Port); 0 for class devices, which take it from IOCTL_SCSI_GET_ADDRESS.</summary>
    public byte PortNumber { get; init; }

    /// <summary>
    /// Accepts <c>\\.\Changer0</c>, <c>//./Changer0</c>, <c>Changer0</c>, <c>\\.\Tape0</c>, <c>\\.\Scsi2:0:3:1</c>
    /// and <c>\\?\...</c> device interface paths.
    /// </summary>
    public static SptPath Parse(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string p = path.Trim();
        if (p.StartsWith(@"\\?\", StringComparison.Ordinal)) return new SptPath(p, false, 0, 0, 0);
        if (p.StartsWith(@"\\.\", StringComparison.Ordinal) || p.StartsWith("//./", StringComparison.Ordinal)) p = p[4..];
        if (p.Length == 0 || p.Contains('\\') || p.Contains('/'))
            throw new DeviceUriException($"spt device '{path}' is not a device name such as \\\\.\\Changer0, \\\\.\\Tape0 or \\\\.\\Scsi2:0:3:0");
        int colon = p.IndexOf(':');
        if (p.StartsWith("Scsi", StringComparison.OrdinalIgnoreCase) && colon > 4)
        {
            string adapter = p[..(colon + 1)];
            if (!byte.TryParse(adapter[4..^1], NumberStyles.None, CultureInfo.InvariantCulture, out byte port))
                throw new DeviceUriException($"spt device '{path}': '{adapter}' is not an adapter name such as Scsi2:");
            var parts = p[(colon + 1)..].Split(':');
            if (parts.Length != 3 || !TryByte(parts[0], out byte bus) || !TryByte(parts[1], out byte target) || !TryByte(parts[2], out byte lun))
                throw new DeviceUriException($"spt device '{path}': an adapter needs bus:target:lun, e.g. \\\\.\\{adapter}0:3:0");
            return new SptPath(@"\\.\" + adapter, true, bus, target, lun) { PortNumber = port };
        }
        if (colon >= 0) throw new DeviceUriException($"spt device '{path}': unexpected ':' (only \\\\.\\ScsiN: adapters take bus:target:lun)");
        return new SptPath(@"\\.\" + p, false, 0, 0, 0);
    }

    private static bool TryByte(string s, out byte value) =>
        byte.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    public override string ToString() => IsAdapter ? $"{DevicePath}{PathId}:{TargetId}:{Lun}" : DevicePath;
}
