using System.Text;

namespace TapeChanger.Cli.Mtx;

/// <summary>
/// The answers of Bacula's mtx-changer script (Bacula 13, /etc/bacula/scripts/mtx-changer: slots, list, listall,
/// loaded), computed from the same view mtx prints, so they agree with what the script derives from mtx's text.
/// Volume names are trimmed (the script's listall keeps mtx's padding; its list does not). Pure.
/// </summary>
internal static class BaculaText
{
    /// <summary>"slots": mtx's slot count (storage plus import/export).</summary>
    public static string Slots(MtxView v) => $"{v.Slots.Count}\n";

    /// <summary>
    /// "list": SLOT:VOLUME for each full storage slot (mail slots are not listed), then SLOT:VOLUME for each loaded
    /// drive whose source slot is known. <paramref name="hidden"/> leaves slots out (cleaners, the reserved cleaner slot).
    /// </summary>
    public static string List(MtxView v, Func<int, bool> hidden)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < v.Slots.Count; i++)
        {
            var s = v.Slots[i];
            if (s.ImportExport || !s.Full || hidden(i)) continue;
            sb.Append($"{i + 1}:{s.PrimaryTag.Trim()}\n");
        }
        foreach (var d in v.Drives)
        {
            if (!d.Full || d.Source < 0 || (d.Cleaner && hidden(-1))) continue;
            sb.Append($"{d.Source + 1}:{d.PrimaryTag.Trim()}\n");
        }
        return sb.ToString();
    }

    /// <summary>
    /// "listall": D:DRIVE:F:SLOT:VOLUME or D:DRIVE:E, S:SLOT:F:VOLUME or S:SLOT:E, and I:SLOT:... for mail slots
    /// (S: with <paramref name="bareos"/>, whose changer contract has no I: lines).
    /// </summary>
    public static string ListAll(MtxView v, bool bareos)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < v.Drives.Count; i++)
        {
            var d = v.Drives[i];
            if (!d.Full) sb.Append($"D:{i}:E\n");
            else if (d.Source > -1) sb.Append($"D:{i}:F:{d.Source + 1}:{d.PrimaryTag.Trim()}\n");
        }
        for (int i = 0; i < v.Slots.Count; i++)
        {
            var s = v.Slots[i];
            string kind = s.ImportExport && !bareos ? "I" : "S";
            sb.Append(s.Full ? $"{kind}:{i + 1}:F:{s.PrimaryTag.Trim()}\n" : $"{kind}:{i + 1}:E\n");
        }
        return sb.ToString();
    }

    /// <summary>"loaded": the slot the drive's cartridge came from, 0 when the drive is empty.</summary>
    public static string Loaded(MtxView v, int drive) =>
        drive < 0 || drive >= v.Drives.Count || !v.Drives[drive].Full ? "0\n" : $"{v.Drives[drive].Source + 1}\n";
}
