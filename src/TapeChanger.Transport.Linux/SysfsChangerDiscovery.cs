using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TapeChanger.Transport.Linux;

/// <summary>SCSI peripheral device types this discovery cares about (INQUIRY byte 0 bits 4-0; sysfs <c>device/type</c>).</summary>
public enum PeripheralType
{
    Disk = 0,
    Tape = 1,
    MediumChanger = 8,
}

/// <summary>One SCSI logical unit as seen through <c>/sys/class/scsi_generic/sgN</c>.</summary>
/// <param name="SgName">"sg3".</param>
/// <param name="SgPath">"/dev/sg3": the node SG_IO is sent to.</param>
/// <param name="Hctl">"0:0:0:3" (host:channel:target:lun), or null when sysfs does not say.</param>
/// <param name="Type">Peripheral device type (8 changer, 1 tape, ...).</param>
/// <param name="Serial">VPD page 80h unit serial number from <c>device/vpd_pg80</c>, trimmed; null when absent.</param>
/// <param name="ChangerPath">"/dev/sch0" when the ch driver is bound.</param>
/// <param name="TapePath">"/dev/st0" (rewinding) when the st driver is bound.</param>
/// <param name="NonRewindingTapePath">"/dev/nst0".</param>
public sealed record ScsiGenericDevice(
    string SgName,
    string SgPath,
    string? Hctl,
    int Type,
    string Vendor,
    string Model,
    string Revision,
    string? Serial,
    string? ChangerPath,
    string? TapePath,
    string? NonRewindingTapePath)
{
    public bool IsChanger => Type == (int)PeripheralType.MediumChanger;
    public bool IsTape => Type == (int)PeripheralType.Tape;

    /// <summary>Host, channel, target and LUN parsed from <see cref="Hctl"/>; null when unknown.</summary>
    public (int Host, int Channel, int Target, int Lun)? Address
    {
        get
        {
            var parts = Hctl?.Split(':');
            if (parts is not { Length: 4 }) return null;
            var n = new int[4];
            for (int i = 0; i < 4; i++)
            {
                if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out n[i])) return null;
            }
            return (n[0], n[1], n[2], n[3]);
        }
    }

    /// <summary>The sg URI for the CLI: "sg:/dev/sg3".</summary>
    public string Uri => "sg:" + SgPath;
}

/// <summary>
/// Lists SCSI generic devices from sysfs (what <c>lsscsi -g</c> shows), without I/O to the devices themselves.
/// Pure over a root directory so tests can build a fake tree; the default root is "/".
/// Layout read: <c>{root}/sys/class/scsi_generic/sgN/device/{type,vendor,model,rev,vpd_pg80}</c>, plus the
/// class directories under <c>device/</c>: <c>scsi_changer/schN</c>, <c>scsi_tape/stN</c> and <c>nstN</c>
/// (older kernels: <c>scsi_changer:schN</c> style entries directly in <c>device/</c>).
/// </summary>
public sealed partial class SysfsChangerDiscovery
{
    private readonly string _root;

    public SysfsChangerDiscovery(string root = "/")
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        _root = root;
    }

    private string ClassDir => System.IO.Path.Combine(_root, "sys", "class", "scsi_generic");

    /// <summary>Every sg device, ordered by sg number. Empty when sysfs has no scsi_generic class (no SCSI, or not Linux).</summary>
    public IReadOnlyList<ScsiGenericDevice> ListDevices()
    {
        if (!Directory.Exists(ClassDir)) return [];
        var result = new List<ScsiGenericDevice>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(ClassDir))
        {
            string name = System.IO.Path.GetFileName(entry);
            if (!SgName().IsMatch(name)) continue;
            var device = ReadDevice(name, System.IO.Path.Combine(entry, "device"));
            if (device is not null) result.Add(device);
        }
        return result.OrderBy(d => int.Parse(d.SgName.AsSpan(2), CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Medium changers (type 8).</summary>
    public IReadOnlyList<ScsiGenericDevice> ListChangers() => ListDevices().Where(d => d.IsChanger).ToList();

    /// <summary>Tape drives (type 1).</summary>
    public IReadOnlyList<ScsiGenericDevice> ListTapeDrives() => ListDevices().Where(d => d.IsTape).ToList();

    /// <summary>
    /// The block queue's max_sectors_kb for the sg node at <paramref name="devicePath"/> (/dev/sgN, symlinks resolved), when
    /// sysfs has one: only LUs with a block device (disks, CD) do; tapes and changers usually do not.
    /// </summary>
    public int? QueueMaxSectorsKb(string devicePath)
    {
        string name = SgNameOf(devicePath) ?? "";
        if (!SgName().IsMatch(name)) return null;
        string blockDir = System.IO.Path.Combine(ClassDir, name, "device", "block");
        try
        {
            if (!Directory.Exists(blockDir)) return null;
            foreach (var b in Directory.EnumerateDirectories(blockDir))
            {
                var text = ReadText(System.IO.Path.Combine(b, "queue", "max_sectors_kb"));
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int kb) && kb > 0) return kb;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static string? SgNameOf(string devicePath)
    {
        try
        {
            var target = File.ResolveLinkTarget(devicePath, returnFinalTarget: true);
            return System.IO.Path.GetFileName(target?.FullName ?? devicePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return System.IO.Path.GetFileName(devicePath);
        }
    }

    private static ScsiGenericDevice? ReadDevice(string sgName, string deviceDir)
    {
        if (!Directory.Exists(deviceDir)) return null;
        if (!int.TryParse(ReadText(System.IO.Path.Combine(deviceDir, "type")), NumberStyles.None, CultureInfo.InvariantCulture, out int type))
        {
            return null;
        }
        string? changer = null, tape = null, nst = null;
        foreach (var node in ClassNodes(deviceDir))
        {
            if (ChangerNode().IsMatch(node)) changer ??= "/dev/" + node;
            else if (TapeNode().IsMatch(node)) tape ??= "/dev/" + node;
            else if (NstNode().IsMatch(node)) nst ??= "/dev/" + node;
        }
        return new ScsiGenericDevice(
            sgName,
            "/dev/" + sgName,
            Hctl(deviceDir),
            type,
            ReadText(System.IO.Path.Combine(deviceDir, "vendor")) ?? "",
            ReadText(System.IO.Path.Combine(deviceDir, "model")) ?? "",
            ReadText(System.IO.Path.Combine(deviceDir, "rev")) ?? "",
            ReadVpd80Serial(System.IO.Path.Combine(deviceDir, "vpd_pg80")),
            changer, tape, nst);
    }

    /// <summary>Node names of the class devices bound to the LU: schN, stN, nstN (plus mode variants st0a/st0l/st0m, ignored by the callers).</summary>
    private static IEnumerable<string> ClassNodes(string deviceDir)
    {
        foreach (var cls in new[] { "scsi_changer", "scsi_tape" })
        {
            string dir = System.IO.Path.Combine(deviceDir, cls);
            if (Directory.Exists(dir))
            {
                foreach (var e in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal)) yield return System.IO.Path.GetFileName(e);
            }
        }
        // Kernels without the class subdirectory (CONFIG_SYSFS_DEPRECATED era) have "scsi_tape:st0" links in device/.
        foreach (var e in Directory.EnumerateFileSystemEntries(deviceDir).Order(StringComparer.Ordinal))
        {
            string n = System.IO.Path.GetFileName(e);
            int colon = n.IndexOf(':');
            if (colon > 0 && n[..colon] is "scsi_changer" or "scsi_tape") yield return n[(colon + 1)..];
        }
    }

    /// <summary>H:C:T:L from the device link's target name, or the device/scsi_device/H:C:T:L entry.</summary>
    private static string? Hctl(string deviceDir)
    {
        try
        {
            var target = Directory.ResolveLinkTarget(deviceDir, returnFinalTarget: true);
            if (target is not null && HctlName().IsMatch(target.Name)) return target.Name;
        }
        catch (IOException)
        {
        }
        string sd = System.IO.Path.Combine(deviceDir, "scsi_device");
        if (Directory.Exists(sd))
        {
            foreach (var e in Directory.EnumerateFileSystemEntries(sd))
            {
                string n = System.IO.Path.GetFileName(e);
                if (HctlName().IsMatch(n)) return n;
            }
        }
        return null;
    }

    private static string? ReadText(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim('\n', '\r', ' ', '\0', '\t') : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Reads the raw VPD page 80h file (4-byte header: type, page code 80h, 2-byte length; then the serial, SPC-4 §7.8.18).</summary>
    private static string? ReadVpd80Serial(string path)
    {
        byte[] page;
        try
        {
            if (!File.Exists(path)) return null;
            page = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        return DecodeVpd80(page);
    }

    /// <summary>The serial number text of a VPD 80h page, trimmed of spaces and NULs; null if the page is malformed or blank.</summary>
    public static string? DecodeVpd80(ReadOnlySpan<byte> page)
    {
        if (page.Length < 4 || page[1] != 0x80) return null;
        int length = (page[2] << 8) | page[3];
        var body = page[4..Math.Min(page.Length, 4 + length)];
        string s = Encoding.ASCII.GetString(body).Trim(' ', '\0');
        return s.Length == 0 ? null : s;
    }

    [GeneratedRegex(@"^sg\d+$")]
    private static partial Regex SgName();

    [GeneratedRegex(@"^sch\d+$")]
    private static partial Regex ChangerNode();

    [GeneratedRegex(@"^st\d+$")]
    private static partial Regex TapeNode();

    [GeneratedRegex(@"^nst\d+$")]
    private static partial Regex NstNode();

    [GeneratedRegex(@"^\d+:\d+:\d+:\d+$")]
    private static partial Regex HctlName();
}
