using System.Globalization;

namespace TapeChanger.MhvtlConfig;

/// <summary>A malformed mhVTL configuration file. The message names the file, the line and the problem.</summary>
public sealed class MhvtlConfigException : Exception
{
    public MhvtlConfigException(string file, int line, string problem)
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

/// <summary>The Library stanza of device.conf (as markh794/mhvtl@fada6b85 etc/generate_device_conf.in writes it) plus TapeChanger's extension keys.</summary>
public sealed record LibraryStanza(
    int Id,
    string Vendor,
    string Product,
    string Revision,
    string Serial,
    byte[]? Naa,
    bool Exchange,
    int MagazineSize,
    int CleaningSeconds,
    int MoveMilliseconds = 0);

/// <summary>A Drive stanza of device.conf. <c>Library ID: N Slot: K</c> binds it to data transfer element K of library N
/// (markh794/mhvtl@fada6b85 usr/cmd/vtllibrary.c reads the same key).</summary>
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

/// <summary>All stanzas of one device.conf: every Library and every Drive, in file order.</summary>
public sealed record DeviceConf(IReadOnlyList<LibraryStanza> Libraries, IReadOnlyList<DriveStanza> Drives)
{
    /// <summary>The Library stanza with this id, or null.</summary>
    public LibraryStanza? Library(int id) => Libraries.FirstOrDefault(l => l.Id == id);

    /// <summary>The drives bound to library <paramref name="libraryId"/>, in slot (drive element) order.</summary>
    public IReadOnlyList<DriveStanza> DrivesOf(int libraryId) => Drives.Where(d => d.LibraryId == libraryId).OrderBy(d => d.Slot).ToList();
}

/// <summary>
/// The one parser for mhVTL device.conf (the format markh794/mhvtl@fada6b85 etc/generate_device_conf.in writes and
/// usr/vtllib.c reads). Unknown keys are ignored, as mhVTL does. Used by the virtual library and by the mhvtl:
/// transport's drive map.
/// </summary>
public static class DeviceConfParser
{
    /// <summary>Default for the TapeChanger extension key <c>Magazine size</c>.</summary>
    public const int DefaultMagazineSize = 13;
    /// <summary>Default for the TapeChanger extension key <c>Cleaning time</c> (seconds).</summary>
    public const int DefaultCleaningSeconds = 30;

    /// <summary>Reads and parses FILE; a missing file is a one-line <see cref="MhvtlConfigException"/>.</summary>
    public static DeviceConf Load(string path)
    {
        if (!File.Exists(path)) throw new MhvtlConfigException(path, 0, "file not found");
        return ParseAll(path, File.ReadAllText(path));
    }

    /// <summary>The first Library stanza and all drives (what a single-library tool needs).</summary>
    public static (LibraryStanza Library, IReadOnlyList<DriveStanza> Drives) Parse(string file, string text)
    {
        var all = ParseAll(file, text);
        return (all.Libraries[0], all.Drives);
    }

    /// <summary>Every stanza. At least one Library is required; no two drives may share a library's slot.</summary>
    public static DeviceConf ParseAll(string file, string text)
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
                        throw new MhvtlConfigException(file, lineNo, $"VERSION '{trimmed[8..].Trim()}' is not a number");
                    continue;
                }
                string word = trimmed.Split(':', 2)[0];
                if (word is "Library" or "Drive")
                {
                    // "Library: 10 CHANNEL: 00 TARGET: 00 LUN: 00"
                    var parts = trimmed.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (parts.Length < 2 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out id) || id <= 0)
                        throw new MhvtlConfigException(file, lineNo, $"{word} stanza needs a positive numeric id, e.g. '{word}: 10 CHANNEL: 00 TARGET: 00 LUN: 00'");
                    kind = word;
                    headerLine = lineNo;
                    keys = new Dictionary<string, (string, int)>(StringComparer.OrdinalIgnoreCase);
                    continue;
                }
                throw new MhvtlConfigException(file, lineNo, $"unexpected line '{trimmed}': expected VERSION:, Library: or Drive: in column 1");
            }
            if (keys is null)
                throw new MhvtlConfigException(file, lineNo, $"indented line '{trimmed}' is outside a Library or Drive stanza");
            int colon = trimmed.IndexOf(':');
            if (colon <= 0) throw new MhvtlConfigException(file, lineNo, $"line '{trimmed}' is not 'Key: value'");
            string key = trimmed[..colon].Trim();
            string value = trimmed[(colon + 1)..].Trim();
            keys[key] = (value, lineNo);
        }
        Finish();
        if (libs.Count == 0) throw new MhvtlConfigException(file, 0, "no 'Library:' stanza found");
        foreach (var lib in libs)
        {
            foreach (var d in drives.Where(d => d.LibraryId == lib.Id).GroupBy(d => d.Slot).Where(g => g.Count() > 1))
                throw new MhvtlConfigException(file, 0, $"drives {string.Join(", ", d.Select(x => x.Id))} are all bound to library {lib.Id} slot {d.Key}");
        }
        return new DeviceConf(libs, drives);
    }

    private static string Text(string file, Dictionary<string, (string Value, int Line)> keys, string key, int max, string fallback)
    {
        if (!keys.TryGetValue(key, out var v)) return fallback;
        if (v.Value.Length > max) throw new MhvtlConfigException(file, v.Line, $"{key} '{v.Value}' is longer than {max} characters");
        foreach (char c in v.Value)
        {
            if (c < 0x20 || c > 0x7E) throw new MhvtlConfigException(file, v.Line, $"{key} contains a non-printable or non-ASCII character");
        }
        return v.Value;
    }

    private static byte[]? Naa(string file, Dictionary<string, (string Value, int Line)> keys)
    {
        if (!keys.TryGetValue("NAA", out var v)) return null;
        var parts = v.Value.Split(':');
        if (parts.Length != 8) throw new MhvtlConfigException(file, v.Line, $"NAA '{v.Value}' must be 8 hex bytes separated by ':'");
        var bytes = new byte[8];
        for (int i = 0; i < 8; i++)
        {
            if (!byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out bytes[i]))
                throw new MhvtlConfigException(file, v.Line, $"NAA byte '{parts[i]}' is not hex");
        }
        return bytes;
    }

    private static int Int(string file, Dictionary<string, (string Value, int Line)> keys, string key, int fallback, int min, int max)
    {
        if (!keys.TryGetValue(key, out var v)) return fallback;
        if (!int.TryParse(v.Value, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new MhvtlConfigException(file, v.Line, $"{key} '{v.Value}' must be a whole number from {min} to {max}");
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
                _ => throw new MhvtlConfigException(file, ex.Line, $"Exchange '{ex.Value}' must be yes or no"),
            };
        }
        return new LibraryStanza(
            id,
            Text(file, keys, "Vendor identification", 8, "STK"),
            Text(file, keys, "Product identification", 16, "L700"),
            // The generator writes no revision for libraries, so mhVTL 1.8 reports "0108", made from its version string (markh794/mhvtl@fada6b85 usr/vtllib.c).
            Text(file, keys, "Product revision level", 4, "0108"),
            Text(file, keys, "Unit serial number", 16, "XYZZY_A"),
            Naa(file, keys),
            exchange,
            Int(file, keys, "Magazine size", DeviceConfParser.DefaultMagazineSize, 1, 1000),
            Int(file, keys, "Cleaning time", DeviceConfParser.DefaultCleaningSeconds, 0, 86400),
            Int(file, keys, "Move time", 0, 0, 600_000));
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
                throw new MhvtlConfigException(file, b.Line, $"'Library ID: {b.Value}' must be 'Library ID: <library> Slot: <drive number from 1>'");
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
