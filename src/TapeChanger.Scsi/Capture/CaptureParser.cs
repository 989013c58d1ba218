using System.Globalization;
using System.Text;

namespace TapeChanger.Scsi.Capture;

/// <summary>A capture file's text could not be read as hex; names the 1-based line and the problem.</summary>
public sealed class CaptureFormatException : FormatException
{
    public CaptureFormatException(int line, string problem)
        : base($"line {line}: {problem}")
    {
        Line = line;
        Problem = problem;
    }

    public int Line { get; }
    public string Problem { get; }
}

/// <summary>
/// Reads device replies saved as files (test fixtures, captures from users). Accepted forms:
/// <list type="bullet">
/// <item>raw binary (<see cref="ParseBytesOrText"/> only, when the file is not text);</item>
/// <item>plain hex: pairs or runs of an even number of hex digits separated by white space, optional <c>0x</c>
/// prefixes, <c>#</c> comments to the end of the line;</item>
/// <item><c>xxd</c>: <c>00000000: 0880 0502 ...  ascii</c> (the ascii column starts after two spaces);</item>
/// <item><c>hexdump -C</c>: <c>00000000  00 01 ...  |ascii|</c>, including <c>*</c> repeat lines and the final offset line;</item>
/// <item>sg3_utils dumps (<c>sg_raw</c>, <c>sg_modes</c>, <c>sg_logs -H</c>): <c> 00     00 00 00 2b ...    ascii</c>; after
/// "Received N bytes of data:" only the first N bytes are taken.</item>
/// </list>
/// When a text contains sg3_utils offset lines or a "Received N bytes" line, every other line is treated as
/// tool chatter and skipped. Otherwise every non-blank, non-comment line must be hex. Offsets in xxd,
/// hexdump and sg3_utils lines must follow on from the previous line (an offset of 0 starts a new block,
/// whose bytes are appended). Ascii columns are never read. A dump with fewer bytes than its "Received N" line
/// announces (a published excerpt) returns the bytes present. A line of only 7-8 hex digits is the final offset of
/// a <c>hexdump -C</c> dump when it follows one, plain hex otherwise.
/// </summary>
public static class CaptureParser
{
    /// <summary>Largest capture a <c>hexdump -C</c> "*" line may grow to (16 MiB, the largest SCSI allocation is 0xFFFFFF), to keep hostile input bounded.</summary>
    private const int MaxRepeatFill = 16 * 1024 * 1024;

    private enum LineKind { Blank, Plain, Xxd, HexdumpC, SgOffset, SgReceived, Star, Other }

    /// <summary>Returns the file's bytes: parsed as hex when the file is text, as-is when it is binary.</summary>
    public static byte[] ParseBytesOrText(byte[] fileBytes)
    {
        ArgumentNullException.ThrowIfNull(fileBytes);
        if (!LooksLikeText(fileBytes)) return (byte[])fileBytes.Clone();
        var text = new UTF8Encoding(false, true).GetString(fileBytes);
        return Parse(text);
    }

    /// <summary>Parses a hex capture (see the class remarks). Throws <see cref="CaptureFormatException"/> on malformed text.</summary>
    public static byte[] Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n');
        bool lenient = false;
        foreach (var raw in lines)
        {
            var k = Classify(Normalize(raw));
            if (k is LineKind.SgOffset or LineKind.SgReceived) { lenient = true; break; }
        }

        var output = new List<byte>();
        var lineBytes = new List<byte>(32);
        int blockStart = 0;              // output index where the current offset block began
        byte[] previousLine = [];        // for hexdump -C "*"
        bool pendingStar = false;
        int starLine = 0;
        var previousKind = LineKind.Blank;
        long limit = long.MaxValue;      // from "Received N bytes of data"

        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = Normalize(lines[i]);
            var kind = Classify(line);
            if (kind == LineKind.HexdumpC && !line.Contains('|', StringComparison.Ordinal) && previousKind is not (LineKind.HexdumpC or LineKind.Star))
            {
                kind = LineKind.Plain;                              // a lone "0000002b" is 4 bytes of plain hex, not a final offset
            }
            if (kind != LineKind.Blank) previousKind = kind;
            lineBytes.Clear();
            switch (kind)
            {
                case LineKind.Blank:
                    continue;
                case LineKind.SgReceived:
                    limit = output.Count + ReceivedCount(line);
                    blockStart = output.Count;
                    continue;
                case LineKind.Star:
                    if (lenient) continue;
                    pendingStar = true;
                    starLine = lineNo;
                    continue;
                case LineKind.Other:
                    if (lenient) continue;
                    throw new CaptureFormatException(lineNo, $"not hex data: \"{Shorten(line)}\"");
                case LineKind.Plain:
                    if (lenient) continue;
                    ParsePlain(line, lineNo, lineBytes);
                    Append(output, lineBytes, limit);
                    continue;
            }

            // Offset-carrying lines.
            int offset;
            try
            {
                offset = kind switch
                {
                    LineKind.Xxd => ParseXxd(line, lineNo, lineBytes),
                    LineKind.HexdumpC => ParseHexdumpC(line, lineNo, lineBytes),
                    _ => ParseSg(line, lineNo, lineBytes),
                };
            }
            catch (CaptureFormatException) when (lenient && kind != LineKind.SgOffset)
            {
                continue;
            }
            if (lenient && kind != LineKind.SgOffset) continue;

            if (output.Count >= limit) continue;                    // past "Received N bytes": tool chatter
            int blockLength = output.Count - blockStart;
            if (offset == 0 && blockLength > 0 && !pendingStar)
            {
                blockStart = output.Count;                          // a new dump block
                blockLength = 0;
            }
            if (offset != blockLength)
            {
                if (pendingStar && offset > blockLength && previousLine.Length > 0)
                {
                    if ((long)output.Count + offset - blockLength > MaxRepeatFill)
                    {
                        throw new CaptureFormatException(lineNo, $"offset {offset:x} repeats too much data");
                    }
                    int fill = offset - blockLength;
                    for (int f = 0; f < fill; f++) output.Add(previousLine[f % previousLine.Length]);
                }
                else
                {
                    throw new CaptureFormatException(lineNo, $"offset {offset:x} does not follow the previous data (expected {blockLength:x})");
                }
            }
            pendingStar = false;
            if (lineBytes.Count > 0) previousLine = lineBytes.ToArray();
            Append(output, lineBytes, limit);
        }
        if (pendingStar)
        {
            throw new CaptureFormatException(starLine, "\"*\" repeat line without a following offset");
        }
        return output.ToArray();
    }

    /// <summary>Drops the CR of CRLF endings and turns tabs and form feeds into spaces.</summary>
    private static string Normalize(string line) => line.TrimEnd('\r').Replace('\t', ' ').Replace('\f', ' ');

    private static void Append(List<byte> output, List<byte> bytes, long limit)
    {
        foreach (byte b in bytes)
        {
            if (output.Count >= limit) return;                      // "Received N bytes": stop at N
            output.Add(b);
        }
    }

    private static LineKind Classify(string line)
    {
        var t = line.AsSpan().Trim();
        if (t.IsEmpty || t[0] == '#') return LineKind.Blank;
        if (t.SequenceEqual("*")) return LineKind.Star;
        if (t.StartsWith("Received ", StringComparison.Ordinal) && t.Contains(" bytes of data", StringComparison.Ordinal)) return LineKind.SgReceived;

        int n = HexRun(t, 0);
        if (n > 0 && n < t.Length && t[n] == ':' ) return LineKind.Xxd;
        if (n is 7 or 8 && (n == t.Length || (t.Length > n + 1 && t[n] == ' ' && t[n + 1] == ' ' && line.Contains('|', StringComparison.Ordinal))))
        {
            return LineKind.HexdumpC;
        }
        if (n is >= 1 and <= 8)
        {
            int s = n;
            while (s < t.Length && t[s] == ' ') s++;
            if (s - n >= 3 && s < t.Length && HexRun(t, s) == 2 && (s + 2 == t.Length || t[s + 2] == ' ')) return LineKind.SgOffset;
        }
        // Plain hex: everything before a '#' is hex tokens.
        var body = t;
        int hash = body.IndexOf('#');
        if (hash >= 0) body = body[..hash];
        foreach (var range in body.Split(' '))
        {
            var tok = body[range].Trim('\t');
            if (tok.IsEmpty) continue;
            if (tok.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) tok = tok[2..];
            if (tok.IsEmpty || HexRun(tok, 0) != tok.Length) return LineKind.Other;
        }
        return LineKind.Plain;
    }

    private static void ParsePlain(string line, int lineNo, List<byte> bytes)
    {
        var body = line.AsSpan();
        int hash = body.IndexOf('#');
        if (hash >= 0) body = body[..hash];
        foreach (var range in body.Split(' '))
        {
            var tok = body[range].Trim("\t\r\f");
            if (tok.IsEmpty) continue;
            if (tok.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) tok = tok[2..];
            AddHex(tok, lineNo, bytes);
        }
    }

    /// <summary><c>00000010: 4d53 4c33 ...  MSL3</c>: hex groups until two spaces, then the ascii column.</summary>
    private static int ParseXxd(string line, int lineNo, List<byte> bytes)
    {
        var t = line.AsSpan().TrimStart();
        int colon = t.IndexOf(':');
        int offset = ParseOffset(t[..colon], lineNo);
        var rest = t[(colon + 1)..];
        if (rest.StartsWith(" ")) rest = rest[1..];
        int gap = rest.IndexOf("  ", StringComparison.Ordinal);
        var hex = gap >= 0 ? rest[..gap] : rest;
        foreach (var range in hex.Split(' '))
        {
            var tok = hex[range];
            if (tok.IsEmpty) continue;
            AddHex(tok, lineNo, bytes);
        }
        return offset;
    }

    /// <summary><c>00000000  00 01 02 ...  |...|</c>: byte pairs until the '|' ascii column.</summary>
    private static int ParseHexdumpC(string line, int lineNo, List<byte> bytes)
    {
        var t = line.AsSpan().TrimStart();
        int n = HexRun(t, 0);
        int offset = ParseOffset(t[..n], lineNo);
        var rest = t[n..];
        int bar = rest.IndexOf('|');
        var hex = bar >= 0 ? rest[..bar] : rest;
        foreach (var range in hex.Split(' '))
        {
            var tok = hex[range];
            if (tok.IsEmpty) continue;
            if (tok.Length != 2) throw new CaptureFormatException(lineNo, $"\"{Shorten(tok.ToString())}\" is not a hex byte");
            AddHex(tok, lineNo, bytes);
        }
        if (bytes.Count > 16) throw new CaptureFormatException(lineNo, $"{bytes.Count} bytes on a hexdump -C line (at most 16)");
        return offset;
    }

    /// <summary>sg3_utils dStrHex: offset, 3+ spaces, up to 16 pairs (one or two spaces apart), 3+ spaces, ascii.</summary>
    private static int ParseSg(string line, int lineNo, List<byte> bytes)
    {
        var t = line.AsSpan().TrimStart();
        int n = HexRun(t, 0);
        int offset = ParseOffset(t[..n], lineNo);
        int pos = n;
        while (pos < t.Length && t[pos] == ' ') pos++;
        while (pos < t.Length && bytes.Count < 16)
        {
            if (HexRun(t, pos) != 2 || (pos + 2 < t.Length && t[pos + 2] != ' '))
            {
                throw new CaptureFormatException(lineNo, $"expected a hex byte at column {pos + 1}");
            }
            AddHex(t.Slice(pos, 2), lineNo, bytes);
            pos += 2;
            int spaces = 0;
            while (pos < t.Length && t[pos] == ' ') { pos++; spaces++; }
            if (spaces >= 3) break;                                 // the ascii column follows
        }
        return offset;
    }

    private static void AddHex(ReadOnlySpan<char> tok, int lineNo, List<byte> bytes)
    {
        if (tok.Length % 2 != 0 || HexRun(tok, 0) != tok.Length)
        {
            throw new CaptureFormatException(lineNo, $"\"{Shorten(tok.ToString())}\" is not an even number of hex digits");
        }
        for (int i = 0; i < tok.Length; i += 2)
        {
            bytes.Add((byte)((HexValue(tok[i]) << 4) | HexValue(tok[i + 1])));
        }
    }

    private static int ParseOffset(ReadOnlySpan<char> s, int lineNo)
    {
        if (s.IsEmpty || s.Length > 8 || !int.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v) || v < 0)
        {
            throw new CaptureFormatException(lineNo, $"bad offset \"{Shorten(s.ToString())}\"");
        }
        return v;
    }

    private static long ReceivedCount(string line)
    {
        var t = line.AsSpan().Trim()["Received ".Length..];
        int sp = t.IndexOf(' ');
        return sp > 0 && long.TryParse(t[..sp], NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue;
    }

    private static int HexRun(ReadOnlySpan<char> s, int start)
    {
        int i = start;
        while (i < s.Length && char.IsAsciiHexDigit(s[i])) i++;
        return i - start;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "...";

    /// <summary>Text = valid UTF-8 with no control characters other than tab, CR, LF and form feed.</summary>
    private static bool LooksLikeText(byte[] bytes)
    {
        foreach (byte b in bytes)
        {
            if (b < 0x20 && b is not (0x09 or 0x0A or 0x0D or 0x0C)) return false;
            if (b == 0x7F) return false;
        }
        return System.Text.Unicode.Utf8.IsValid(bytes);
    }
}
