using TapeChanger.Scsi;

namespace TapeChanger.Virtual;

/// <summary>Cartridge classification from the barcode (docs/reference/mhvtl.md §2, barcode conventions).</summary>
public static class Media
{
    /// <summary>CLN prefix: cleaning (2); W prefix or LT/LU/LV/LW/JW/JX/JY suffix: WORM (4); otherwise data (1).</summary>
    public static MediumType TypeOf(string barcode)
    {
        if (barcode.StartsWith("CLN", StringComparison.Ordinal)) return MediumType.Cleaning;
        if (barcode.StartsWith('W')) return MediumType.Worm;
        if (barcode.Length >= 2)
        {
            string suffix = barcode[^2..];
            if (suffix is "LT" or "LU" or "LV" or "LW" or "JW" or "JX" or "JY") return MediumType.Worm;
        }
        return MediumType.Data;
    }

    /// <summary>NOBAR prefix: the cartridge has no readable label; RES reports a zero volume tag.</summary>
    public static bool HasLabel(string barcode) => !barcode.StartsWith("NOBAR", StringComparison.Ordinal);

    /// <summary>LTO generation from the last two characters (L1..L9; LTO WORM LT..LW = 3..6), or null when not LTO.</summary>
    public static int? LtoGeneration(string barcode)
    {
        if (barcode.Length < 2) return null;
        char a = barcode[^2], b = barcode[^1];
        if (a == 'L' && b is >= '1' and <= '9') return b - '0';
        if (a == 'L' && b is >= 'T' and <= 'W') return 3 + (b - 'T');
        return null;
    }

    /// <summary>LTO generation of a drive product "ULT3580-TDn" / "ULT3580-HHn", or null when unknown.</summary>
    public static int? DriveGeneration(string product)
    {
        product = product.Trim();
        foreach (var prefix in new[] { "ULT3580-TD", "ULT3580-HH", "ULTRIUM-TD", "ULTRIUM-HH" })
        {
            if (product.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && product.Length > prefix.Length
                && char.IsAsciiDigit(product[prefix.Length]))
                return product[prefix.Length] - '0';
        }
        return null;
    }

    /// <summary>
    /// Whether a drive loads the cartridge (docs/reference/mhvtl.md §10): an LTO-n drive loads data and cleaning
    /// cartridges of generation n and n-1. Unknown drive or media generation: accepted.
    /// </summary>
    public static bool DriveAccepts(string driveProduct, string barcode)
    {
        int? d = DriveGeneration(driveProduct);
        int? m = LtoGeneration(barcode);
        if (d is null || m is null) return true;
        return m == d || m == d - 1;
    }
}
