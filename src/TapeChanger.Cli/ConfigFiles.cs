using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace TapeChanger.Cli;

/// <summary>
/// Where settings come from, lowest precedence first: <c>/etc/tapechanger/appsettings.json</c> (the host),
/// <c>$XDG_CONFIG_HOME/tapechanger/appsettings.json</c> (else <c>~/.config/tapechanger</c>; the user), <c>appsettings.json</c>
/// next to the binary (a build run from its output folder; tools/install.sh installs none there), then
/// <c>TAPECHANGER_*</c> environment variables, then the command line.
/// A file that is not valid JSON is an error naming its path, line and column; an unknown setting a warning naming it.
/// </summary>
internal static partial class ConfigFiles
{
    /// <summary>Every setting of <see cref="TapeChangerOptions"/> (a test holds this list to the class).</summary>
    public static readonly string[] CliSettings =
    [
        "Device", "CleanerPrefix", "StateDirectory", "UnitAttentionRetries", "CleanerPollMilliseconds", "CleaningSeconds",
        "ProfilesDirectory", "BecomingReadySeconds", "OperatorWaitSeconds", "SptBufferedOnly", "ScsiLog",
    ];

    /// <summary>
    /// The library service's settings, read from the same files: its libraries and their automatic cleaning
    /// (LibraryServiceOptions), `Service` and `Kestrel` (tapechangerd), and the CLI's `Server` and `Token` (--server).
    /// </summary>
    public static readonly string[] ServiceSettings =
        ["Libraries", "AutoCleaning", "OperatorRequestTimeoutSeconds", "HistoryLimit", "Service", "Kestrel", "Logging", "Server", "Token"];

    /// <summary>Every top-level key a configuration file may hold; anything else is warned about.</summary>
    public static readonly string[] Known = [.. CliSettings, .. ServiceSettings];

    public static IReadOnlyList<string> Paths(string binaryDirectory, string etc, string? xdgConfigHome, string? home)
    {
        var list = new List<string>();
        if (!OperatingSystem.IsWindows()) list.Add(Path.Combine(etc, "appsettings.json"));
        string? user = !string.IsNullOrEmpty(xdgConfigHome) && Path.IsPathRooted(xdgConfigHome) ? Path.Combine(xdgConfigHome, "tapechanger")
            : !string.IsNullOrEmpty(home) && Path.IsPathRooted(home) ? Path.Combine(home, ".config", "tapechanger")
            : null;
        if (user is not null) list.Add(Path.Combine(user, "appsettings.json"));
        list.Add(Path.Combine(binaryDirectory, "appsettings.json"));
        return list;
    }

    public static IReadOnlyList<string> DefaultPaths() => Paths(AppContext.BaseDirectory, "/etc/tapechanger",
        CliEnvironment.Get("XDG_CONFIG_HOME"), CliEnvironment.Get("HOME"));

    /// <summary>The configuration: each existing file checked (malformed: exit 78 with path, line, column; unknown keys warned), then the environment.</summary>
    public static IConfigurationRoot Build(IReadOnlyList<string> paths, TextWriter warnings)
    {
        var builder = new ConfigurationBuilder();
        foreach (string path in paths)
        {
            if (!File.Exists(path)) continue;
            builder.AddInMemoryCollection(Read(path, warnings));
        }
        // The process's TAPECHANGER_* variables, then those a run inside another process lays over them (CliEnvironment).
        return builder.AddEnvironmentVariables(CliEnvironment.SettingsPrefix).AddInMemoryCollection(CliEnvironment.OverlaySettings()).Build();
    }

    /// <summary>
    /// One configuration file, checked and flattened in one pass of <see cref="Utf8JsonReader"/> into the keys and
    /// values the JSON configuration provider gives (Microsoft.Extensions.Configuration.Json: "Parent:Child",
    /// "List:0", numbers as written, true and false as "True" and "False", null and an empty object as no value, an
    /// empty list as the empty string; ConfigJsonTests holds the two to each other). Malformed JSON, a root that is not an object or a
    /// setting given twice: exit 78 naming the path, line and column; an unknown top-level setting: a warning. The
    /// provider parsed each file with JsonDocument after a JsonDocument here checked it; the first of those returned
    /// its pooled arrays, where the runtime's first per-core pool use measures the processor-number instruction
    /// (ProcessorIdCache): about 5 % of a short command's time (perf, docs/performance.md).
    /// </summary>
    public static Dictionary<string, string?> Read(string path, TextWriter warnings)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot read the configuration file: {e.Message}") { ExitCode = ExitCodes.ConfigError };
        }
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                // Malformed text is reported as such first, as a parse of the whole file would.
                reader.Skip();
                while (reader.Read())
                {
                }
                throw new UsageException($"{path}: line 1, column 1: the configuration must be a JSON object ({{ \"Device\": ... }})") { ExitCode = ExitCodes.ConfigError };
            }
            Flatten(ref reader, null, data, bytes, path, warnings);
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine count from 0.
            throw new UsageException($"{path}: line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: not valid JSON ({FirstSentence(e.Message)})")
                { ExitCode = ExitCodes.ConfigError };
        }
        return data;
    }

    /// <summary>The object or list the reader is on, its members under <paramref name="prefix"/> (null: the root object).</summary>
    private static void Flatten(ref Utf8JsonReader reader, string? prefix, Dictionary<string, string?> data, byte[] bytes, string path, TextWriter warnings)
    {
        bool list = reader.TokenType == JsonTokenType.StartArray;
        int count = 0;
        while (reader.Read() && reader.TokenType is not (JsonTokenType.EndObject or JsonTokenType.EndArray))
        {
            string name;
            if (list)
            {
                name = count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                name = reader.GetString()!;
                if (prefix is null && !Known.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    warnings.WriteLine($"tapechanger: warning: {path}: unknown setting '{name}' (ignored; known: {string.Join(", ", Known)})");
                }
                reader.Read();
            }
            count++;
            string key = prefix is null ? name : prefix + ConfigurationPath.KeyDelimiter + name;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    Flatten(ref reader, key, data, bytes, path, warnings);
                    break;
                default:
                    if (data.ContainsKey(key))
                    {
                        throw new UsageException($"{path}: {Where(bytes, (int)reader.TokenStartIndex)}: the setting '{key}' is given twice") { ExitCode = ExitCodes.ConfigError };
                    }
                    data[key] = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString(),
                        JsonTokenType.True => bool.TrueString,
                        JsonTokenType.False => bool.FalseString,
                        JsonTokenType.Null => null,
                        _ => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),   // a number, as written
                    };
                    break;
            }
        }
        // An empty object has no value; an empty list has the empty string (what the provider gives, ConfigJsonTests).
        if (count == 0 && prefix is not null) data[prefix] = list ? "" : null;
    }

    /// <summary>"line L, column C" of a byte offset (both from 1; the column in bytes, as the parser's errors count it).</summary>
    private static string Where(byte[] bytes, int offset)
    {
        var before = bytes.AsSpan(0, offset);
        int line = before.Count((byte)'\n') + 1;
        int column = offset - (before.LastIndexOf((byte)'\n') + 1) + 1;
        return $"line {line}, column {column}";
    }

    /// <summary>
    /// The parser's words without the place it appends (" Path: $ | LineNumber: 2 | BytePositionInLine: 28.", counted
    /// from 0): the line and column in front of them already say where, counted from 1.
    /// </summary>
    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }

    /// <summary>"Failed to convert configuration value 'abc' at 'UnitAttentionRetries' to type 'System.Int32'." in words.</summary>
    public static string BadValue(string message)
    {
        var m = ConvertFailure().Match(message);
        if (!m.Success) return "invalid configuration: " + message;
        string type = m.Groups[3].Value switch
        {
            "System.Int32" or "System.Nullable`1[System.Int32]" => "a whole number",
            "System.Boolean" => "true or false",
            _ => "a " + m.Groups[3].Value,
        };
        return $"invalid configuration: {m.Groups[2].Value} is '{m.Groups[1].Value}', not {type}";
    }

    [GeneratedRegex(@"value '(.*)' at '(.*)' to type '(.*)'")]
    private static partial Regex ConvertFailure();
}
