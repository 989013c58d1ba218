using System.Globalization;

namespace TapeChanger.MhvtlConfig;

/// <summary>
/// Parser for mhVTL library_contents.NN (VERSION 2, as markh794/mhvtl@fada6b85 etc/generate_library_contents.in writes it).
/// Lines are read as spans of the text: the only strings made are the barcodes (and the words of an error), so a
/// 50,000-slot file costs its entries, not a string, an array and a tree node per line.
/// </summary>
public static class LibraryContentsParser
{
    public const int MaxBarcodeLength = 16;
    public const int MaxSlots = 60000;
    public const int MaxOtherElements = 4096;

    private const string Expected = "expected 'Drive N:', 'Picker N:', 'MAP N:' or 'Slot N: [barcode]'";

    public static LibraryContents Parse(string file, string text)
    {
        var drives = new Numbered();
        var pickers = new Numbered();
        var maps = new Numbered();
        var slots = new Numbered();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var barcodes = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        bool version = false;
        int lineNo = 0;
        ReadOnlySpan<char> remaining = text;
        while (true)
        {
            lineNo++;
            int nl = remaining.IndexOf('\n');
            var line = (nl < 0 ? remaining : remaining[..nl]).TrimEnd('\r').Trim();
            remaining = nl < 0 ? [] : remaining[(nl + 1)..];
            int hash = line.IndexOf('#');
            if (hash >= 0) line = line[..hash].Trim();
            if (line.Length > 0) Line(line);
            if (nl < 0) break;
        }
        if (!version) throw new MhvtlConfigException(file, 0, "missing 'VERSION: 2' line");
        if (pickers.Count == 0) pickers.Set(1, new ContentsEntry(1, null, 0));
        return new LibraryContents(drives.Fill(), pickers.Fill(), maps.Fill(), slots.Fill());

        void Line(ReadOnlySpan<char> line)
        {
            if (line.StartsWith("VERSION:", StringComparison.Ordinal))
            {
                var v = line[8..].Trim();
                if (!v.SequenceEqual("2")) throw new MhvtlConfigException(file, lineNo, $"VERSION {v} is not supported (expected VERSION: 2)");
                version = true;
                return;
            }
            int colon = line.IndexOf(':');
            if (colon < 0) throw new MhvtlConfigException(file, lineNo, $"unexpected line '{line}': {Expected}");
            // The head is two words separated by spaces ("Slot 12"), as String.Split(' ') with empty entries removed reads it.
            var head = line[..colon].Trim(' ');
            int space = head.IndexOf(' ');
            var kind = space < 0 ? head : head[..space];
            var number = space < 0 ? [] : head[(space + 1)..].TrimStart(' ');
            if (space < 0 || number.Contains(' ')) throw new MhvtlConfigException(file, lineNo, $"unexpected line '{line}': {Expected}");
            var rest = line[(colon + 1)..].Trim();
            var target = kind switch
            {
                "Drive" => drives,
                "Picker" => pickers,
                "MAP" => maps,
                "Slot" => slots,
                _ => throw new MhvtlConfigException(file, lineNo, $"unknown element kind '{kind}': expected Drive, Picker, MAP or Slot"),
            };
            // Element addresses are 16 bits (SMC-3 §6.11.3): slots start at 1000 or 1000h, so 60000 of them still fit.
            int max = target == slots ? MaxSlots : MaxOtherElements;
            if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1 || n > max)
                throw new MhvtlConfigException(file, lineNo, $"{kind} number '{number}' must be a whole number from 1 to {max}");
            if (target.Get(n) is { } first) throw new MhvtlConfigException(file, lineNo, $"{kind} {n} is listed twice (first on line {first.Line})");
            string? barcode = null;
            if (rest.Length > 0)
            {
                if (rest.Contains(' ') || rest.Contains('\t')) throw new MhvtlConfigException(file, lineNo, $"barcode '{rest}' contains white space");
                if (rest.Length > MaxBarcodeLength)
                    throw new MhvtlConfigException(file, lineNo, $"barcode '{rest}' is {rest.Length} characters; the maximum is {MaxBarcodeLength}");
                foreach (char c in rest)
                {
                    if (c < 0x21 || c > 0x7E) throw new MhvtlConfigException(file, lineNo, $"barcode '{rest}' contains a non-printable or non-ASCII character");
                }
                if (barcodes.TryGetValue(rest, out int firstLine))
                    throw new MhvtlConfigException(file, lineNo, $"duplicate barcode '{rest}' (already used on line {firstLine})");
                barcode = rest.ToString();
                seen[barcode] = lineNo;
            }
            target.Set(n, new ContentsEntry(n, barcode, lineNo));
        }
    }

    /// <summary>Entries by number (1-based), in an array grown as numbers come.</summary>
    private sealed class Numbered
    {
        private ContentsEntry?[] _byNumber = new ContentsEntry?[16];
        private int _max;

        public int Count { get; private set; }

        public ContentsEntry? Get(int n) => n < _byNumber.Length ? _byNumber[n] : null;

        public void Set(int n, ContentsEntry e)
        {
            if (n >= _byNumber.Length) Array.Resize(ref _byNumber, Math.Max(n + 1, _byNumber.Length * 2));
            _byNumber[n] = e;
            _max = Math.Max(_max, n);
            Count++;
        }

        /// <summary>Gaps in the numbering become empty elements (mhVTL does the same).</summary>
        public List<ContentsEntry> Fill()
        {
            var list = new List<ContentsEntry>(_max);
            for (int n = 1; n <= _max; n++) list.Add(_byNumber[n] ?? new ContentsEntry(n, null, 0));
            return list;
        }
    }
}
