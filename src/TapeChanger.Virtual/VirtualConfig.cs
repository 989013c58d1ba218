using System.Globalization;
using TapeChanger.MhvtlConfig;

namespace TapeChanger.Virtual;

/// <summary>Everything needed to build a virtual library: device.conf, library_contents and the personality.</summary>
public sealed record VirtualLibraryConfig(
    LibraryStanza Library,
    IReadOnlyList<DriveStanza?> DriveElements,
    LibraryContents Contents,
    Personality Personality,
    /// <summary>Full path of the config directory, or null for the built-in library 10.</summary>
    string? Directory)
{
    public const int DefaultMagazineSize = DeviceConfParser.DefaultMagazineSize;
    public const int DefaultCleaningSeconds = DeviceConfParser.DefaultCleaningSeconds;

    /// <summary>Loads DIR/device.conf and DIR/library_contents.&lt;id of the first Library stanza&gt;; null = built-in library 10.</summary>
    public static VirtualLibraryConfig Load(string? directory)
    {
        if (directory is null) return LoadBuiltIn();
        string dir = Path.GetFullPath(directory);
        string devicePath = Path.Combine(dir, "device.conf");
        if (!System.IO.File.Exists(devicePath))
            throw new MhvtlConfigException(devicePath, 0, "file not found (a virtual:DIR device needs DIR/device.conf and DIR/library_contents.<library id>)");
        var (lib, drives) = DeviceConfParser.Parse(devicePath, System.IO.File.ReadAllText(devicePath));
        string contentsPath = Path.Combine(dir, "library_contents." + lib.Id.ToString(CultureInfo.InvariantCulture));
        if (!System.IO.File.Exists(contentsPath))
            throw new MhvtlConfigException(contentsPath, 0, $"file not found (library {lib.Id} is the first Library stanza of {devicePath})");
        var contents = LibraryContentsParser.Parse(contentsPath, System.IO.File.ReadAllText(contentsPath));
        return Build(lib, drives, contents, dir, devicePath);
    }

    /// <summary>Builds a config from text (tests, tools). File names are used in messages only.</summary>
    public static VirtualLibraryConfig Parse(string deviceConf, string libraryContents, string deviceFile = "device.conf", string? contentsFile = null)
    {
        var (lib, drives) = DeviceConfParser.Parse(deviceFile, deviceConf);
        var contents = LibraryContentsParser.Parse(contentsFile ?? "library_contents." + lib.Id.ToString(CultureInfo.InvariantCulture), libraryContents);
        return Build(lib, drives, contents, null, deviceFile);
    }

    private static VirtualLibraryConfig LoadBuiltIn()
    {
        var cfg = Parse(BuiltIn("device.conf"), BuiltIn("library_contents.10"), "built-in device.conf", "built-in library_contents.10");
        return cfg;
    }

    /// <summary>A file of hw-profiles/mhvtl/library10, compiled in (<see cref="BuiltInLibraryFiles"/>).</summary>
    private static string BuiltIn(string name) =>
        System.Text.Encoding.UTF8.GetString(BuiltInLibraryFiles.Content(Array.IndexOf(BuiltInLibraryFiles.Names, name)));

    private static VirtualLibraryConfig Build(LibraryStanza lib, IReadOnlyList<DriveStanza> drives, LibraryContents contents, string? dir, string deviceFile)
    {
        // Drive element k is bound to the drive stanza with "Library ID: <lib> Slot: k" (docs/reference/mhvtl.md §2).
        var bound = drives.Where(d => d.LibraryId == lib.Id).ToList();
        int count = Math.Max(contents.Drives.Count, bound.Count == 0 ? 0 : bound.Max(d => d.Slot));
        var elements = new DriveStanza?[count];
        foreach (var d in bound)
        {
            if (elements[d.Slot - 1] is { } other)
                throw new MhvtlConfigException(deviceFile, 0, $"drives {other.Id} and {d.Id} are both bound to library {lib.Id} slot {d.Slot}");
            elements[d.Slot - 1] = d;
        }
        return new VirtualLibraryConfig(lib, elements, contents, Personality.Select(lib.Vendor, lib.Product), dir);
    }
}

/// <summary>DVCID style of a personality (docs/reference/mhvtl.md §3).</summary>
public enum DvcidStyle
{
    /// <summary>T10 vendor-ID designator: vendor[8] + product[16] + serial[10] = 34 bytes.</summary>
    T10VendorId,
    /// <summary>Serial number only, blank-filled to the personality's length; reported even without DVCID.</summary>
    SerialOnly,
}

/// <summary>
/// A library personality: element address ranges, DVCID style and INQUIRY flavour, chosen from the INQUIRY
/// vendor/product as in mhVTL's vtllibrary.c:customise_lu (docs/reference/mhvtl.md §3).
/// </summary>
public sealed record Personality(
    string Name,
    ushort TransportStart,
    ushort ImportExportStart,
    ushort DataTransferStart,
    ushort StorageStart,
    DvcidStyle Dvcid,
    int DvcidLength,
    bool AlwaysDvcid,
    /// <summary>STK: VPD 80h is the 12-char serial in an 18-byte page and there is no VPD 83h (docs/reference/mhvtl.md §4).</summary>
    bool StkInquiry,
    /// <summary>Vendor mode page 2Dh (STK L20/40/80). Reported as present only in the 3Fh list.</summary>
    bool HasPage2D)
{
    public static Personality Select(string vendor, string product)
    {
        vendor = vendor.Trim();
        product = product.Trim();
        if (vendor == "STK")
        {
            if (product.StartsWith("L20", StringComparison.Ordinal) || product.StartsWith("L40", StringComparison.Ordinal) || product.StartsWith("L80", StringComparison.Ordinal))
                return new("STK L20/40/80", 1, 10, 500, 1000, DvcidStyle.T10VendorId, 34, false, true, true);
            if (product.StartsWith("SL500", StringComparison.Ordinal))
                return new("STK SL", 1, 10, 500, 1000, DvcidStyle.T10VendorId, 34, false, true, false);
            return new("STK L-series", 1, 10, 500, 1000, DvcidStyle.T10VendorId, 34, false, true, false);
        }
        if (vendor == "HP")
        {
            if (product.StartsWith("MSL", StringComparison.Ordinal))
                return new("HP MSL", 1, 0x1C0, 0x1E0, 0x20, DvcidStyle.SerialOnly, 20, true, false, false);
            return new("HP EML", 1, 10, 500, 1000, DvcidStyle.T10VendorId, 34, false, false, false);
        }
        if (vendor == "IBM" && product.StartsWith("3573-TL", StringComparison.Ordinal))
            return new("IBM TS3100", 1, 0x10, 0x100, 0x1000, DvcidStyle.T10VendorId, 34, false, false, false);
        if (vendor == "IBM" && product.StartsWith("03584", StringComparison.Ordinal))
            return new("IBM 3584", 1, 0x300, 0x101, 0x400, DvcidStyle.T10VendorId, 34, false, false, false);
        if (product.Contains("ADIC", StringComparison.Ordinal) || product.Contains("QUANTUM", StringComparison.Ordinal))
            return new("Scalar", 1, 0x10, 0x100, 0x1000, DvcidStyle.T10VendorId, 34, false, false, false);
        if (vendor == "SPECTRA")
            return new("Spectra T-series", 1, 0x10, 0x100, 0x1000, DvcidStyle.SerialOnly, 32, false, false, false);
        // Default personality. mhVTL declares 32 but writes 34 bytes (docs/reference/mhvtl.md §3); we write a consistent 34.
        return new("default", 0x2F0, 0x300, 0x001, 0x400, DvcidStyle.T10VendorId, 34, false, false, false);
    }
}
