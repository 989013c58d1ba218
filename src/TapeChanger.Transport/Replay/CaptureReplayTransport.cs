using System.Globalization;
using System.Text;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Replay;

/// <summary>One recorded reply: status, data-in bytes and sense, or a transport failure.</summary>
public sealed record ReplayReply(ScsiStatus Status, byte[] Data, byte[] Sense, string? TransportError = null, int Line = 0);

/// <summary>A CDB pattern (null bytes match anything) and the replies recorded for it, answered in order; the last repeats.</summary>
public sealed class ReplayEntry
{
    public ReplayEntry(byte?[] pattern, int line)
    {
        Pattern = pattern;
        Line = line;
    }

    public byte?[] Pattern { get; }
    public int Line { get; }
    public List<ReplayReply> Replies { get; } = [];

    public bool Matches(ReadOnlySpan<byte> cdb)
    {
        if (cdb.Length != Pattern.Length) return false;
        for (int i = 0; i < cdb.Length; i++)
        {
            if (Pattern[i] is byte b && b != cdb[i]) return false;
        }
        return true;
    }

    public string PatternText => string.Join(' ', Pattern.Select(b => b is byte x ? x.ToString("x2", CultureInfo.InvariantCulture) : "??"));
}

/// <summary>A replay script file has a syntax error; the message names the file and line.</summary>
public sealed class ReplayFormatException(string message) : FormatException(message);

/// <summary>
/// Parses replay scripts. Two forms are accepted:
/// <list type="bullet">
/// <item>the native form, one block per command:
/// <code>
/// # comment (anywhere; also after data)
/// cdb 12 00 00 00 ?? 00          # the CDB; ?? matches any byte
/// data 08 80 05 02 ...           # data-in; more hex lines may follow; "data @file.hex" reads a capture file
/// sense 70 00 06 00 ...          # sense bytes (or "sense @file.hex"); implies status 02 unless a status line says otherwise
/// check 05 24 00                 # shorthand: CHECK CONDITION with fixed sense KEY/ASC/ASCQ
/// status 08                      # status byte (default 00, or 02 with sense)
/// transport-error text           # the transport fails (device gone, timeout)
/// </code>
/// Blocks with the same pattern are answered in file order, the last one repeats.</item>
/// <item>a <c>tapechanger --trace</c> log (stderr of any command): "&gt; NAME: cdb ..." lines with the
/// "&lt; status ...", "sense ..." and offset-hex lines that follow. Replayed with exact CDBs, in order.</item>
/// </list>
/// </summary>
public static class ReplayScript
{
    public static IReadOnlyList<ReplayEntry> Load(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ScsiTransportException(TransportFailure.NotFound, $"replay script {path} cannot be read: {e.Message}", null, e);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".");
    }

    public static IReadOnlyList<ReplayEntry> Parse(string text, string name, string baseDirectory)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        bool trace = lines.Any(l => l.StartsWith("> ", StringComparison.Ordinal) && l.Contains(": cdb ", StringComparison.Ordinal));
        var entries = trace ? ParseTrace(lines, name) : ParseNative(lines, name, baseDirectory);
        // Merge blocks with identical patterns, keeping file order of replies.
        var merged = new List<ReplayEntry>();
        foreach (var e in entries)
        {
            var same = merged.FirstOrDefault(m => m.Pattern.SequenceEqual(e.Pattern));
            if (same is null) merged.Add(e);
            else same.Replies.AddRange(e.Replies);
        }
        return merged;
    }

    private sealed class Block(ReplayEntry entry)
    {
        public ReplayEntry Entry { get; } = entry;
        public ScsiStatus? Status { get; set; }
        public List<byte> Data { get; } = [];
        public byte[] Sense { get; set; } = [];
        public string? TransportError { get; set; }
        public bool InData { get; set; }
    }

    private static List<ReplayEntry> ParseNative(string[] lines, string name, string baseDirectory)
    {
        var entries = new List<ReplayEntry>();
        Block? block = null;
        void Finish()
        {
            if (block is null) return;
            var status = block.Status ?? (block.Sense.Length > 0 ? ScsiStatus.CheckCondition : ScsiStatus.Good);
            block.Entry.Replies.Add(new ReplayReply(status, [.. block.Data], block.Sense, block.TransportError, block.Entry.Line));
            entries.Add(block.Entry);
            block = null;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            int lineNo = i + 1;
            string line = StripComment(lines[i]).Trim();
            if (line.Length == 0) continue;
            int sp = line.IndexOf(' ');
            string word = (sp < 0 ? line : line[..sp]).ToLowerInvariant();
            string rest = sp < 0 ? "" : line[(sp + 1)..].Trim();
            try
            {
                switch (word)
                {
                    case "cdb":
                        Finish();
                        var pattern = ParsePattern(rest);
                        if (pattern.Length is < 6 or > 16) throw new FormatException($"a CDB has 6 to 16 bytes, not {pattern.Length}");
                        block = new Block(new ReplayEntry(pattern, lineNo));
                        break;
                    case "data":
                        Need(block).InData = true;
                        if (rest.StartsWith('@'))
                        {
                            block!.Data.AddRange(ReadCapture(baseDirectory, rest));
                            block.InData = false;
                        }
                        else
                        {
                            block!.Data.AddRange(ParseHex(rest));
                        }
                        break;
                    case "sense":
                        Need(block).InData = false;
                        block!.Sense = rest.StartsWith('@') ? ReadCapture(baseDirectory, rest) : ParseHex(rest);
                        break;
                    case "check":
                        Need(block).InData = false;
                        var t = ParseHex(rest);
                        if (t.Length != 3) throw new FormatException("check needs KEY ASC ASCQ");
                        block!.Sense = FixedSense(t[0], t[1], t[2]);
                        break;
                    case "status":
                        Need(block).InData = false;
                        var s = ParseHex(rest);
                        if (s.Length != 1) throw new FormatException("status needs one hex byte");
                        block!.Status = (ScsiStatus)s[0];
                        break;
                    case "transport-error":
                        Need(block).InData = false;
                        block!.TransportError = rest.Length > 0 ? rest : "transport error";
                        break;
                    default:
                        if (block is { InData: true }) block.Data.AddRange(ParseHex(line));
                        else throw new FormatException($"unknown keyword '{word}' (expected cdb, data, sense, check, status or transport-error)");
                        break;
                }
            }
            catch (FormatException e) when (e is not ReplayFormatException)
            {
                throw new ReplayFormatException($"replay script {name} line {lineNo}: {e.Message}");
            }
        }
        Finish();
        return entries;
    }

    /// <summary>"@FILE": a capture file (any form <see cref="Scsi.Capture.CaptureParser"/> reads), relative to the script.</summary>
    private static byte[] ReadCapture(string baseDirectory, string reference)
    {
        string file = Path.Combine(baseDirectory, reference[1..].Trim());
        try { return Scsi.Capture.CaptureParser.ParseBytesOrText(File.ReadAllBytes(file)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Scsi.Capture.CaptureFormatException)
        {
            throw new FormatException($"capture file {file}: {e.Message}");
        }
    }

    private static Block Need(Block? block) => block ?? throw new FormatException("a 'cdb' line must come first");

    /// <summary>Reads a --trace log: "&gt; NAME: cdb HEX (alloc N)", "&lt; status Good (00h), N byte(s)...", "  sense HEX", "  0000  HEX".</summary>
    private static List<ReplayEntry> ParseTrace(string[] lines, string name)
    {
        var entries = new List<ReplayEntry>();
        ReplayEntry? current = null;
        ScsiStatus status = ScsiStatus.Good;
        var data = new List<byte>();
        byte[] sense = [];
        string? error = null;
        bool answered = false;
        void Finish()
        {
            if (current is null) return;
            if (answered) current.Replies.Add(new ReplayReply(status, [.. data], sense, error, current.Line));
            if (current.Replies.Count > 0) entries.Add(current);
            current = null;
        }
        for (int i = 0; i < lines.Length; i++)
        {
            string raw = lines[i];
            string line = raw.Trim();
            try
            {
                if (raw.StartsWith("> ", StringComparison.Ordinal))
                {
                    Finish();
                    int at = raw.IndexOf(": cdb ", StringComparison.Ordinal);
                    if (at < 0) continue;
                    string hex = raw[(at + 6)..];
                    int paren = hex.IndexOf('(');
                    if (paren >= 0) hex = hex[..paren];
                    current = new ReplayEntry(ParseHex(hex).Select(b => (byte?)b).ToArray(), i + 1);
                    status = ScsiStatus.Good;
                    data.Clear();
                    sense = [];
                    error = null;
                    answered = false;
                }
                else if (current is null)
                {
                    continue;
                }
                else if (raw.StartsWith("< status ", StringComparison.Ordinal))
                {
                    int open = raw.IndexOf('(');
                    status = (ScsiStatus)byte.Parse(raw.AsSpan(open + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    answered = true;
                }
                else if (raw.StartsWith("< transport error:", StringComparison.Ordinal))
                {
                    error = raw["< transport error:".Length..].Trim();
                    answered = true;
                }
                else if (line.StartsWith("sense ", StringComparison.Ordinal))
                {
                    sense = ParseHex(line[6..]);
                }
                else if (line.StartsWith("data-out ", StringComparison.Ordinal))
                {
                    // data the host sent; not part of the reply
                }
                else if (line.Length > 6 && IsOffsetLine(line))
                {
                    data.AddRange(ParseHex(line[4..]));
                }
            }
            catch (FormatException e)
            {
                throw new ReplayFormatException($"replay trace {name} line {i + 1}: {e.Message}");
            }
        }
        Finish();
        return entries;
    }

    private static bool IsOffsetLine(string line) =>
        line.Length > 6 && line[4] == ' ' && line[5] == ' ' && line.AsSpan(0, 4).IndexOfAnyExcept("0123456789abcdef") < 0;

    private static string StripComment(string line)
    {
        int hash = line.IndexOf('#');
        return hash >= 0 ? line[..hash] : line;
    }

    private static byte?[] ParsePattern(string text) =>
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(tok => tok is "??" or "xx" or "XX" ? [null] : ParseHex(tok).Select(b => (byte?)b))
            .ToArray();

    private static byte[] ParseHex(string text)
    {
        var bytes = new List<byte>();
        foreach (var tok in text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var t = tok.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? tok[2..] : tok;
            if (t.Length == 0 || t.Length % 2 != 0) throw new FormatException($"'{tok}' is not an even number of hex digits");
            for (int i = 0; i < t.Length; i += 2)
            {
                if (!byte.TryParse(t.AsSpan(i, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b))
                    throw new FormatException($"'{tok}' is not hex");
                bytes.Add(b);
            }
        }
        return [.. bytes];
    }

    /// <summary>Fixed-format sense (response code 70h), 18 bytes, as most changers send it.</summary>
    public static byte[] FixedSense(byte key, byte asc, byte ascq)
    {
        var s = new byte[18];
        s[0] = 0x70;            // current error, fixed format
        s[2] = (byte)(key & 0x0F);
        s[7] = 10;              // additional sense length
        s[12] = asc;
        s[13] = ascq;
        return s;
    }
}

/// <summary>
/// Answers each CDB from a replay script (see <see cref="ReplayScript"/>) — a user's library reproduced from its
/// capture. A CDB the script does not know gets CHECK CONDITION: 05/20/00 INVALID COMMAND OPERATION CODE when
/// no entry has that operation code (the device never showed it implements the command), 05/24/00 INVALID FIELD
/// IN CDB when the operation code is known but these fields were never recorded. Both are what SPC-4 prescribes
/// for the two cases, and both let the client's fallbacks run (MODE SENSE 6 → 10, DVCID dropped) as on hardware.
/// </summary>
public sealed class CaptureReplayTransport : IScsiTransport
{
    private readonly IReadOnlyList<ReplayEntry> _entries;
    private readonly Dictionary<ReplayEntry, int> _next = [];
    private readonly object _gate = new();

    public CaptureReplayTransport(IReadOnlyList<ReplayEntry> entries, string device)
    {
        _entries = entries;
        Device = device;
    }

    public static CaptureReplayTransport FromFile(string path) => new(ReplayScript.Load(path), "replay:" + path);

    public string Device { get; }

    /// <summary>Commands answered, and those answered with the "unknown CDB" sense (for tests and diagnostics).</summary>
    public int Commands { get; private set; }
    public List<string> Unmatched { get; } = [];

    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ReplayReply reply;
        lock (_gate)
        {
            Commands++;
            var entry = _entries.FirstOrDefault(e => e.Matches(command.Cdb));
            if (entry is null)
            {
                bool knownOpcode = _entries.Any(e => e.Pattern[0] is null || e.Pattern[0] == command.OperationCode);
                Unmatched.Add(Convert.ToHexString(command.Cdb).ToLowerInvariant());
                var sense = knownOpcode ? ReplayScript.FixedSense(0x05, 0x24, 0x00) : ReplayScript.FixedSense(0x05, 0x20, 0x00);
                return ValueTask.FromResult(ScsiResult.CheckCondition(sense));
            }
            int n = _next.GetValueOrDefault(entry);
            reply = entry.Replies[Math.Min(n, entry.Replies.Count - 1)];
            _next[entry] = n + 1;
        }
        if (reply.TransportError is not null)
            throw new ScsiTransportException(TransportFailure.Io, $"{Device}: recorded transport error (line {reply.Line}): {reply.TransportError}", command.Name);
        int count = 0;
        if (command.Direction == DataDirection.In && reply.Data.Length > 0)
        {
            // A device transfers at most the allocation length.
            count = Math.Min(Math.Min(reply.Data.Length, command.TransferLength), dataIn.Length);
            reply.Data.AsSpan(0, count).CopyTo(dataIn.Span);
        }
        return ValueTask.FromResult(new ScsiResult(reply.Status, count, reply.Sense));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Opens <c>replay:PATH</c> device URIs.</summary>
public sealed class CaptureReplayTransportFactory : IScsiTransportFactory
{
    public bool CanOpen(DeviceAddress address) => address.Scheme == DeviceScheme.Replay;

    public ValueTask<IScsiTransport> OpenAsync(DeviceAddress address, TransportOpenContext context, CancellationToken cancellationToken = default)
    {
        string path = address.Path ?? throw new DeviceUriException($"replay device '{address}' needs a file: replay:PATH");
        if (!File.Exists(path)) throw new ScsiTransportException(TransportFailure.NotFound, $"replay script {path} does not exist");
        try
        {
            return ValueTask.FromResult<IScsiTransport>(CaptureReplayTransport.FromFile(path));
        }
        catch (ReplayFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }
}
