using System.Text;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Cli.Mtx;

/// <summary>
/// mtx 1.3.12's text, byte for byte: every format here is the printf format of mtx.c / mtxl.c in mtx 1.3.12
/// (Status, ReportInquiry, Load, Unload, Usage, Version, PrintRequestSense). Pure: records in, text out.
/// Lines end in "\n" whatever the platform, as mtx writes them.
/// </summary>
internal static class MtxText
{
    public const string Version = "1.3.12";

    /// <summary>mtx.c Status(), as one string.</summary>
    public static string Status(MtxView v, string device)
    {
        var text = new StringWriter();
        WriteStatus(text, v, device);
        return text.ToString();
    }

    /// <summary>
    /// mtx.c Status(), written to <paramref name="output"/> in pieces of about <see cref="FlushAt"/> chars: the text
    /// of a 2,000-slot library (about 170,000 chars: mtx prints an empty slot's 32-space tag) never exists whole, in a
    /// builder or a string (each would be 340 KB, a page fault per 4 KB).
    /// </summary>
    public static void WriteStatus(TextWriter output, MtxView v, string device)
    {
        var sb = new StringBuilder(FlushAt + 256);
        sb.Append($"  Storage Changer {device}:{v.Drives.Count} Drives, {v.Slots.Count} Slots ( {v.ImportExportCount} Import/Export )\n");
        for (int i = 0; i < v.Drives.Count; i++)
        {
            Flush(output, sb);
            var d = v.Drives[i];
            sb.Append($"Data Transfer Element {i}:");
            if (!d.Full)
            {
                sb.Append("Empty\n");
                continue;
            }
            sb.Append(d.Source > -1 ? $"Full (Storage Element {d.Source + 1} Loaded)" : "Full (Unknown Storage Element Loaded)");
            if (d.PrimaryTag.Length > 0) sb.Append($":VolumeTag = {d.PrimaryTag}");
            if (d.AlternateTag.Length > 0) sb.Append($":AlternateVolumeTag = {d.AlternateTag}");
            sb.Append('\n');
        }
        for (int i = 0; i < v.Slots.Count; i++)
        {
            var s = v.Slots[i];
            sb.Append($"      Storage Element {i + 1}{(s.ImportExport ? " IMPORT/EXPORT" : "")}:{(s.Full ? "Full " : "Empty")}");
            if (s.PrimaryTag.Length > 0) sb.Append($":VolumeTag={s.PrimaryTag}");
            if (s.AlternateTag.Length > 0) sb.Append($":AlternateVolumeTag={s.AlternateTag}");
            sb.Append('\n');
            Flush(output, sb);
        }
        output.Write(sb);
    }

    /// <summary>The size of <see cref="WriteStatus"/>'s pieces.</summary>
    internal const int FlushAt = 8192;

    private static void Flush(TextWriter output, StringBuilder sb)
    {
        if (sb.Length < FlushAt) return;
        output.Write(sb);
        sb.Clear();
    }

    /// <summary>mtx.c PeripheralDeviceType[] (32 entries; 11h-1Eh "Reserved", 1Fh "Unknown").</summary>
    public static string PeripheralName(byte type) => type switch
    {
        0x00 => "Disk Drive",
        0x01 => "Tape Drive",
        0x02 => "Printer",
        0x03 => "Processor",
        0x04 => "Write-once",
        0x05 => "CD-ROM",
        0x06 => "Scanner",
        0x07 => "Optical",
        0x08 => "Medium Changer",
        0x09 => "Communications",
        0x0A or 0x0B => "ASC IT8",
        0x0C => "RAID Array",
        0x0D => "Enclosure Services",
        0x0E => "RBC Simplified Disk",
        0x0F => "OCR/W",
        0x10 => "Bridging Expander",
        0x1F => "Unknown",
        _ => "Reserved",
    };

    /// <summary>
    /// mtx.c ReportInquiry(): the identification fields are printed at their full INQUIRY widths (8, 16, 4) with
    /// their padding; the decoded values are trimmed, so the padding is restored with spaces.
    /// </summary>
    public static string Inquiry(byte deviceType, string vendor, string product, string revision, bool attachedChanger) =>
        $"Product Type: {PeripheralName(deviceType)}\n" +
        $"Vendor ID: '{Field(vendor, 8)}'\n" +
        $"Product ID: '{Field(product, 16)}'\n" +
        $"Revision: '{Field(revision, 4)}'\n" +
        $"Attached Changer API: {(attachedChanger ? "Yes" : "No")}\n";

    private static string Field(string s, int width) => s.Length >= width ? s[..width] : s.PadRight(width);

    /// <summary>mtx.c Load() progress, before the move; "done\n" follows on success.</summary>
    public static string Loading(int slot, int drive) => $"Loading media from Storage Element {slot} into drive {drive}...";

    /// <summary>mtx.c Unload() progress.</summary>
    public static string Unloading(int drive, int slot) => $"Unloading drive {drive} into Storage Element {slot}...";

    public const string Done = "done\n";

    /// <summary>mtx.c First()/Last() when the wanted cartridge is already in the drive.</summary>
    public const string AlreadyLoaded = "loading...done.\n";

    /// <summary>mtx.c Usage() (stderr, exit 1).</summary>
    public const string Usage =
        "Usage:\n" +
        "\tmtx --version\n" +
        "\tmtx [ -f <loader-dev> ] noattach <more commands>\n" +
        "\tmtx [ -f <loader-dev> ] inquiry | inventory \n" +
        "\tmtx [ -f <loader-dev> ] [altres] [nobarcode] status\n" +
        "\tmtx [ -f <loader-dev> ] [altres] first [<drive#>]\n" +
        "\tmtx [ -f <loader-dev> ] [altres] last [<drive#>]\n" +
        "\tmtx [ -f <loader-dev> ] [altres] previous [<drive#>]\n" +
        "\tmtx [ -f <loader-dev> ] [altres] next [<drive#>]\n" +
        "\tmtx [ -f <loader-dev> ] [altres] [invert] load <storage-element-number> [<drive#>]\n" +
        "\tmtx [ -f <loader-dev> ] [altres] [invert] unload [<storage-element-number>][<drive#>]\n" +
        "\tmtx [ -f <loader-dev> ] [altres] [eepos eepos-number] transfer <storage-element-number> <storage-element-number>\n" +
        "\tmtx [ -f <loader-dev> ] [altres] [eepos eepos-number][invert][invert2] exchange <storage-element-number> <storage-element-number>\n" +
        "\tmtx [ -f <loader-dev> ] [altres] position <storage-element-number>\n" +
        "\tmtx [ -f <loader-dev> ] eject\n";

    /// <summary>mtx.c Version(): the version line, a blank line, then the usage (stderr, exit 1).</summary>
    public static string VersionText => $"mtx version {Version}\n\n" + Usage;

    /// <summary>mtxl.c sense_keys[].</summary>
    private static readonly string[] SenseKeys =
    [
        "No Sense", "Recovered Error", "Not Ready", "Medium Error", "Hardware Error", "Illegal Request", "Unit Attention", "Data Protect",
        "Blank Check", "0x09", "0x0a", "Aborted Command", "0x0c", "Volume Overflow", "Miscompare", "0x0f",
    ];

    /// <summary>
    /// mtxl.c PrintRequestSense(): the fixed-format fields of the sense, as mtx names them. The decoded sense gives
    /// back the bytes mtx reads: VALID and INFORMATION, key, FILEMARK/EOM/ILI, ASC/ASCQ, and the sense-key specific
    /// bytes 15-17 (SKSV, C/D, BPV, BIT POINTER, FIELD POINTER or PROGRESS).
    /// </summary>
    public static string RequestSense(SenseData s)
    {
        bool valid = s.Information is not null;
        uint info = s.Information ?? 0;
        bool sksv = s.FieldPointer is not null || s.Progress is not null;
        bool cd = s.FieldPointer?.InCdb ?? false;
        bool bpv = s.FieldPointer?.BitIndex is not null;
        int bitPointer = s.FieldPointer?.BitIndex ?? 0;
        int field = s.FieldPointer?.ByteIndex ?? s.Progress ?? 0;
        byte errorCode = (byte)(s.ResponseCode & 0x7F);
        string yes(bool b) => b ? "yes" : "no";

        var sb = new StringBuilder();
        sb.Append("mtx: Request Sense: Long Report=yes\n");
        sb.Append($"mtx: Request Sense: Valid Residual={yes(valid)}\n");
        sb.Append($"mtx: Request Sense: Error Code={errorCode:x} ({errorCode switch { 0x70 => "Current", 0x71 => "Deferred", _ => "Unknown?!" }})\n");
        sb.Append($"mtx: Request Sense: Sense Key={SenseKeys[(int)s.Key & 0x0F]}\n");
        sb.Append($"mtx: Request Sense: FileMark={yes(s.Filemark)}\n");
        sb.Append($"mtx: Request Sense: EOM={yes(s.EndOfMedium)}\n");
        sb.Append($"mtx: Request Sense: ILI={yes(s.IncorrectLength)}\n");
        if (valid) sb.Append($"mtx: Request Sense: Residual = {info >> 24:X2} {(info >> 16) & 0xFF:X2} {(info >> 8) & 0xFF:X2} {info & 0xFF:X2}\n");
        sb.Append($"mtx: Request Sense: Additional Sense Code = {s.Asc:X2}\n");
        sb.Append($"mtx: Request Sense: Additional Sense Qualifier = {s.Ascq:X2}\n");
        if (sksv) sb.Append($"mtx: Request Sense: Field in Error = {bitPointer:X2}\n");
        sb.Append($"mtx: Request Sense: BPV={yes(bpv)}\n");
        sb.Append($"mtx: Request Sense: Error in CDB={yes(cd)}\n");
        sb.Append($"mtx: Request Sense: SKSV={yes(sksv)}\n");
        if (bpv || sksv) sb.Append($"mtx: Request Sense: Field Pointer = {(field >> 8) & 0xFF:X2} {field & 0xFF:X2}\n");
        return sb.ToString();
    }
}
