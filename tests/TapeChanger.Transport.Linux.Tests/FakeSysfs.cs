namespace TapeChanger.Transport.Linux.Tests;

/// <summary>
/// A fake sysfs tree in a temp directory, shaped like a real one: the LU directories live under
/// sys/devices/.../H:C:T:L and sys/class/scsi_generic/sgN/device is a symlink to them.
/// </summary>
internal sealed class FakeSysfs : IDisposable
{
    public FakeSysfs() => Root = Directory.CreateTempSubdirectory("fake-sysfs").FullName;

    public string Root { get; }

    /// <summary>Adds an LU and its sg class entry; returns the LU directory.</summary>
    public string AddDevice(int sg, string hctl, int type, string vendor, string model, string rev,
        string? serial = null, string[]? classNodes = null, bool symlink = true, int? maxSectorsKb = null)
    {
        string lu = Path.Combine(Root, "sys", "devices", "platform", "host0", "session1", "target0:0:0", hctl);
        Directory.CreateDirectory(lu);
        File.WriteAllText(Path.Combine(lu, "type"), $"{type}\n");
        File.WriteAllText(Path.Combine(lu, "vendor"), vendor.PadRight(8) + "\n");
        File.WriteAllText(Path.Combine(lu, "model"), model.PadRight(16) + "\n");
        File.WriteAllText(Path.Combine(lu, "rev"), rev.PadRight(4) + "\n");
        Directory.CreateDirectory(Path.Combine(lu, "scsi_device", hctl));
        Directory.CreateDirectory(Path.Combine(lu, "scsi_generic", $"sg{sg}"));
        if (serial is not null)
        {
            var body = System.Text.Encoding.ASCII.GetBytes(serial.PadLeft(serial.Length + 2));   // some devices left-pad
            var page = new byte[4 + body.Length];
            page[0] = (byte)type;
            page[1] = 0x80;
            page[3] = (byte)body.Length;
            body.CopyTo(page, 4);
            File.WriteAllBytes(Path.Combine(lu, "vpd_pg80"), page);
        }
        foreach (var node in classNodes ?? [])
        {
            string cls = node.StartsWith("sch", StringComparison.Ordinal) ? "scsi_changer" : "scsi_tape";
            Directory.CreateDirectory(Path.Combine(lu, cls, node));
        }
        if (maxSectorsKb is int kb)
        {
            string q = Path.Combine(lu, "block", "sdz", "queue");
            Directory.CreateDirectory(q);
            File.WriteAllText(Path.Combine(q, "max_sectors_kb"), $"{kb}\n");
        }
        string sgDir = Path.Combine(Root, "sys", "class", "scsi_generic", $"sg{sg}");
        Directory.CreateDirectory(sgDir);
        string device = Path.Combine(sgDir, "device");
        if (symlink) Directory.CreateSymbolicLink(device, lu);
        else CopyDirectory(lu, device);
        return lu;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (var d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
