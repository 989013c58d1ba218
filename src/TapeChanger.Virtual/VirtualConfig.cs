using System.Globalization;

namespace TapeChanger.Virtual;

/// <summary>A malformed mhVTL configuration file. The message names the file, the line and the problem.</summary>
public sealed class VirtualConfigException : Exception
{
    public VirtualConfigException(string file, int line, string problem)
        : base(line > 0 ? $"{file}:{line}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    public string File { get; }
    public int Line { get; }
    public string Problem { get; }
}

/// <summary>The Library stanza of device.conf (docs/reference/mhvtl.md §2) plus TapeChanger's extension keys.</summary>
public sealed record LibraryStanza(
    int Id,
    string Vendor,
    string Product,
    string Revision,
    string Serial,
    byte[]? Naa,
    bool Exchange,
    int MagazineSize,
    int CleaningSeconds);

/// <summary>A Drive stanza of device.conf (docs/reference/mhvtl.md §2).</summary>
public sealed record DriveStanza(
    int Id,
    int LibraryId,
    int Slot,
    string Vendor,
    string Product,
    string Revision,
    string Serial,
    byte[]? Naa);

/// <summary>One line of library_contents.NN: element number (1-based) and optional barcode.</summary>
public sealed record ContentsEntry(int Number, string? Barcode, int Line);

/// <summary>Parsed library_contents.NN (VERSION 2). Gaps are filled with empty elements.</summary>
public sealed record LibraryContents(
    IReadOnlyList<ContentsEntry> Drives,
    IReadOnlyList<ContentsEntry> Pickers,
    IReadOnlyList<ContentsEntry> Maps,
    IReadOnlyList<ContentsEntry> Slots);

/// <summary>Everything needed to build a virtual library: device.conf, library_contents and the personality.</summary>
public sealed record VirtualLibraryConfig(
    LibraryStanza Library,
    IReadOnlyList<DriveStanza?> DriveElements,
    LibraryContents Contents,
    Personality Personality,
    /// <summary>Full path of the config directory, or null for the built-in library 10.</summary>
    string? Directory)
{
    public const int DefaultMagazineSize = 13;
    public const int DefaultCleaningSeconds = 30;

    /// <summary>Loads DIR/device.conf and DIR/library_contents.&lt;id of the first Library stanza&gt;; null = built-in library 10.</summary>
    public static VirtualLibraryConfig Load(string? directory)
    {
        if (directory is null) return LoadBuiltIn();
        string dir = Path.GetFullPath(directory);
        string devicePath = Path.Combine(dir, "device.conf");
        if (!System.IO.File.Exists(devicePath))
            throw new VirtualConfigException(devicePath, 0, "file not found (a virtual:DIR device needs DIR/device.conf and DIR/library_contents.<library id>)");
        var (lib, drives) = DeviceConfParser.Parse(devicePath, System.IO.File.ReadAllText(devicePath));
        string contentsPath = Path.Combine(dir, "library_contents." + lib.Id.ToString(CultureInfo.InvariantCulture));
        if (!System.IO.File.Exists(contentsPath))
            throw new VirtualConfigException(contentsPath, 0, $"file not found (library {lib.Id} is the first Library stanza of {devicePath})");
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
        var cfg = Parse(ReadResource("mhvtl.library10.device.conf"), ReadResource("mhvtl.library10.library_contents.10"),
            "built-in device.conf", "built-in library_contents.10");
        return cfg;
    }

    private static string ReadResource(string name)
    {
        using var s = typeof(VirtualLibraryConfig).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from {typeof(VirtualLibraryConfig).Assembly.GetName().Name}");
        using var r = new StreamReader(s);
        return r.ReadToEnd();
    }

    private static VirtualLibraryConfig Build(LibraryStanza lib, IReadOnlyList<DriveStanza> drives, LibraryContents contents, string? dir, string deviceFile)
    {
        // Drive element k is bound to the drive stanza with "Library ID: <lib> Slot: k" (docs/reference/mhvtl.md §2).
        var bound = drives.Where(d => d.LibraryId == lib.Id).ToList();
        int count = Math.Max(contents.Drives.Count, bound.Count == 0 ? 0 : bound.Max(d => d.Slot));
        var elements = new DriveStanza?[count];
        foreach (var d in bound)
        {
            if (elements[d.Slot - 1] is { } other)
                throw new VirtualConfigException(deviceFile, 0, $"drives {other.Id} and {d.Id} are both bound to library {lib.Id} slot {d.Slot}");
            elements[d.Slot - 1] = d;
        }
        return new VirtualLibraryConfig(lib, elements, contents, Personality.Select(lib.Vendor, lib.Product), dir);
    }
}

/// <summary>Parser for mhVTL device.conf (docs/reference/mhvtl.md §2). Unknown keys are ignored, as mhVTL does.</summary>
public static class DeviceConfParser
{
    public static (LibraryStanza Library, IReadOnlyList<DriveStanza> Drives) Parse(string file, string text)
    {
        var libs = new List<LibraryStanza>();
        var drives = new List<DriveStanza>();
        Dictionary<string, (string Value, int Line)>? keys = null;
        string? kind = null;
        int id = 0, headerLine = 0;

        void Finish()
        {
            if (kind is null || keys is null) return;
            if (kind == "Library") libs.Add(BuildLibrary(file, id, headerLine, keys));
            else drives.Add(BuildDrive(file, id, headerLine, keys));
            kind = null;
            keys = null;
        }

        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string raw = lines[i].TrimEnd('\r');
            string trimmed = raw.Trim();
            if (trimmed.Length == 0) { Finish(); continue; }     // a blank line ends a stanza
            if (trimmed.StartsWith('#')) continue;
            bool indented = raw[0] is ' ' or '\t';
            if (!indented)
            {
                Finish();
                if (trimmed.StartsWith("VERSION:", StringComparison.Ordinal))
                {
                    if (!int.TryParse(trimmed[8..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        throw new VirtualConfigException(file, lineNo, $"VERSION '{trimmed[8..].Trim()}' is not a number");
                    continue;
                }
                string word = trimmed.Split(':', 2)[0];
                if (word is "Library" or "Drive")
                {
                    // "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00"
                    var parts = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out id) || id <= 0)
                        throw new VirtualConfigException(file, lineNo, $"{word} stanza needs a positive numeric id, e.g. '{word}: 10 CHANNEL: 00 TARGET: 00 LUN: 00'");
                    kind = word;
                    headerLine = lineNo;
                    keys = new Dictionary<string, (string, int)>(StringComparer.OrdinalIgnoreCase);
                    continue;
                }
                throw new VirtualConfigException(file, lineNo, $"unexpected line '{trimmed}': expected VERSION:, Library: or Drive: in column 1");
            }
            if (keys is null)
                throw new VirtualConfigException(file, lineNo, $"indented line '{trimmed}' is outside a Library or Drive stanza");
            int colon = trimmed.IndexOf(':');
            if (colon <= 0) throw new VirtualConfigException(file, lineNo, $"line '{trimmed}' is not 'Key: value'");
            string key = trimmed[..colon].Trim();
            string value = trimmed[(colon + 1)..].Trim();
            keys[key] = (value, lineNo);
        }
        Finish();
        if (libs.Count == 0) throw new VirtualConfigException(file, 0, "no 'Library:' stanza found");
        var first = libs[0];
        foreach (var d in drives.Where(d => d.LibraryId == first.Id).GroupBy(d => d.Slot).Where(g => g.Count() > 1))
            throw new VirtualConfigException(file, 0, $"drives {string.Join(", ", d.Select(x => x.Id))} are all bound to library {first.Id} slot {d.Key}");
        return (first, drives);
    }

    private static string Text(string file, Dictionary<string, (string Value, int Line)> keys, string key, int max, string fallback)
    {
        if (!keys.TryGetValue(key, out var v)) return fallback;
        if (v.Value.Length > max) throw new VirtualConfigException(file, v.Line, $"{key} '{v.Value}' is longer than {max} characters");
        foreach (char c in v.Value)
        {
            if (c < 0x20 || c > 0x7E) throw new VirtualConfigException(file, v.Line, $"{key} contains a non-printable or non-ASCII character");
        }
        return v.Value;
    }

    private static byte[]? Naa(string file, Dictionary<string, (string Value, int Line)> keys)
    {
        if (!keys.TryGetValue("NAA", out var v)) return null;
        var parts = v.Value.Split(':');
        if (parts.Length != 8) throw new VirtualConfigException(file, v.Line, $"NAA '{v.Value}' must be 8 hex bytes separated by ':'");
        var bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
                throw new VirtualConfigException(file, v.Line, $"NAA byte '{parts[i]}' is not hex");
        }
        return bytes;
    }

    private static int Int(string file, Dictionary<string, (string Value, int Line)> keys, string key, int fallback, int min, int max)
    {
        if (!keys.TryGetValue(key, out var v)) return fallback;
        if (!int.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new VirtualConfigException(file, v.Line, $"{key} '{v.Value}' must be a whole number from {min} to {max}");
        return n;
    }

    private static LibraryStanza BuildLibrary(string file, int id, int line, Dictionary<string, (string Value, int Line)> keys)
    {
        bool exchange = false;
        if (keys.TryGetValue("Exchange", out var ex))
        {
            exchange = ex.Value.ToLowerInvariant() switch
            {
                "yes" or "true" or "1" => true,
                "no" or "false" or "0" => false,
                _ => throw new VirtualConfigException(file, ex.Line, $"Exchange '{ex.Value}' must be yes or no"),
            };
        }
        return new LibraryStanza(
            id,
            Text(file, keys, "Vendor identification", 8, "STK"),
            Text(file, keys, "Product identification", 16, "L700"),
            // The generator writes no revision for libraries, so mhVTL 1.8 reports "0108" (docs/reference/mhvtl.md §2).
            Text(file, keys, "Product revision level", 4, "0108"),
            Text(file, keys, "Unit serial number", 16, "XYZZY_A"),
            Naa(file, keys),
            exchange,
            Int(file, keys, "Magazine size", VirtualLibraryConfig.DefaultMagazineSize, 1, 1000),
            Int(file, keys, "Cleaning time", VirtualLibraryConfig.DefaultCleaningSeconds, 0, 86400));
    }

    private static DriveStanza BuildDrive(string file, int id, int line, Dictionary<string, (string Value, int Line)> keys)
    {
        int libId = 0, slot = 0;
        if (keys.TryGetValue("Library ID", out var b))
        {
            // " Library ID: 10 Slot: 01" -> key "Library ID", value "10 Slot: 01"
            var parts = b.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || parts[1] != "Slot:"
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out libId)
                || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out slot) || slot <= 0)
                throw new VirtualConfigException(file, b.Line, $"'Library ID: {b.Value}' must be 'Library ID: <library> Slot: <drive number from 1>'");
        }
        return new DriveStanza(
            id, libId, slot,
            Text(file, keys, "Vendor identification", 8, "IBM"),
            Text(file, keys, "Product identification", 16, "ULT3580-TD8"),
            Text(file, keys, "Product revision level", 4, "0108"),
            Text(file, keys, "Unit serial number", 16, "SN" + id.ToString(CultureInfo.InvariantCulture)),
            Naa(file, keys));
    }
}

/// <summary>Parser for mhVTL library_contents.NN (VERSION 2; docs/reference/mhvtl.md §2).</summary>
public static class LibraryContentsParser
{
    public const int MaxBarcodeLength = 16;
    public const int MaxSlots = 60000;
    public const int MaxOtherElements = 4096;

    public static LibraryContents Parse(string file, string text)
    {
        var drives = new SortedDictionary<int, ContentsEntry>();
        var pickers = new SortedDictionary<int, ContentsEntry>();
        var maps = new SortedDictionary<int, ContentsEntry>();
        var slots = new SortedDictionary<int, ContentsEntry>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        bool version = false;
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = lines[i].TrimEnd('\r').Trim();
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash].Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith("VERSION:", StringComparison.Ordinal))
            {
                string v = line[8..].Trim();
                if (v != "2") throw new VirtualConfigException(file, lineNo, $"VERSION {v} is not supported (expected VERSION: 2)");
                version = true;
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon < 0) throw new VirtualConfigException(file, lineNo, $"unexpected line '{line}': expected 'Drive N:', 'Picker N:', 'MAP N:' or 'Slot N: [barcode]'");
            var head = line[..colon].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            string rest = line[(colon + 1)..].Trim();
            if (head.Length != 2) throw new VirtualConfigException(file, lineNo, $"unexpected line '{line}': expected 'Drive N:', 'Picker N:', 'MAP N:' or 'Slot N: [barcode]'");
            var target = head[0] switch
            {
                "Drive" => drives,
                "Picker" => pickers,
                "MAP" => maps,
                "Slot" => slots,
                _ => throw new VirtualConfigException(file, lineNo, $"unknown element kind '{head[0]}': expected Drive, Picker, MAP or Slot"),
            };
            // Element addresses are 16 bits (SMC-3 §6.11.3): slots start at 1000 or 1000h, so 60000 of them still fit.
            int max = head[0] == "Slot" ? MaxSlots : MaxOtherElements;
            if (!int.TryParse(head[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > max)
                throw new VirtualConfigException(file, lineNo, $"{head[0]} number '{head[1]}' must be a whole number from 1 to {max}");
            if (target.ContainsKey(n)) throw new VirtualConfigException(file, lineNo, $"{head[0]} {n} is listed twice (first on line {target[n].Line})");
            string? barcode = null;
            if (rest.Length > 0)
            {
                if (rest.Contains(' ') || rest.Contains('\t')) throw new VirtualConfigException(file, lineNo, $"barcode '{rest}' contains white space");
                if (rest.Length > MaxBarcodeLength)
                    throw new VirtualConfigException(file, lineNo, $"barcode '{rest}' is {rest.Length} characters; the maximum is {MaxBarcodeLength}");
                foreach (char c in rest)
                {
                    if (c < 0x21 || c > 0x7E) throw new VirtualConfigException(file, lineNo, $"barcode '{rest}' contains a non-printable or non-ASCII character");
                }
                if (seen.TryGetValue(rest, out int firstLine))
                    throw new VirtualConfigException(file, lineNo, $"duplicate barcode '{rest}' (already used on line {firstLine})");
                seen[rest] = lineNo;
                barcode = rest;
            }
            target[n] = new ContentsEntry(n, barcode, lineNo);
        }
        if (!version) throw new VirtualConfigException(file, 0, "missing 'VERSION: 2' line");
        if (pickers.Count == 0) pickers[1] = new ContentsEntry(1, null, 0);
        return new LibraryContents(Fill(drives), Fill(pickers), Fill(maps), Fill(slots));
    }

    /// <summary>Gaps in the numbering become empty elements (mhVTL does the same).</summary>
    private static List<ContentsEntry> Fill(SortedDictionary<int, ContentsEntry> entries)
    {
        int max = entries.Count == 0 ? 0 : entries.Keys.Max();
        var list = new List<ContentsEntry>(max);
        for (int n = 1; n <= max; n++) list.Add(entries.TryGetValue(n, out var e) ? e : new ContentsEntry(n, null, 0));
        return list;
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
    /// <summary>STK: VPD 80h is the 12-char serial in an 18-byte page and there is no VPD 83h (§1.4).</summary>
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
        // Default personality. mhVTL declares 32 but writes 34 bytes (§1.12); we write a consistent 34.
        return new("default", 0x2F0, 0x300, 0x001, 0x400, DvcidStyle.T10VendorId, 34, false, false, false);
    }
}
