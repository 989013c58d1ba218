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
            Check(path, warnings);
            builder.AddJsonFile(path, optional: true);
        }
        // The process's TAPECHANGER_* variables, then those a run inside another process lays over them (CliEnvironment).
        return builder.AddEnvironmentVariables(CliEnvironment.SettingsPrefix).AddInMemoryCollection(CliEnvironment.OverlaySettings()).Build();
    }

    private static void Check(string path, TextWriter warnings)
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
        try
        {
            using var doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"{path}: line 1, column 1: the configuration must be a JSON object ({{ \"Device\": ... }})") { ExitCode = ExitCodes.ConfigError };
            }
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!Known.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
                {
                    warnings.WriteLine($"tapechanger: warning: {path}: unknown setting '{p.Name}' (ignored; known: {string.Join(", ", Known)})");
                }
            }
        }
        catch (JsonException e)
        {
            // LineNumber and BytePositionInLine count from 0.
            throw new UsageException($"{path}: line {(e.LineNumber ?? 0) + 1}, column {(e.BytePositionInLine ?? 0) + 1}: not valid JSON ({FirstSentence(e.Message)})")
                { ExitCode = ExitCodes.ConfigError };
        }
    }

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.');
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
