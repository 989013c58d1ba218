namespace TapeChanger.Cli;

/// <summary>
/// The environment variables the CLI reads (TAPECHANGER_*, XDG_CONFIG_HOME, XDG_STATE_HOME, CHANGER). A process reads
/// its own. A run inside another process (<see cref="TapeChangerCli.RunAsync"/> from the tests) may lay its own
/// variables over them for the current async flow, so runs with different settings can share one process.
/// </summary>
internal static class CliEnvironment
{
    /// <summary>The prefix of the variables that are settings (TAPECHANGER_UnitAttentionRetries = UnitAttentionRetries).</summary>
    public const string SettingsPrefix = "TAPECHANGER_";

    private static readonly AsyncLocal<IReadOnlyDictionary<string, string>?> s_overlay = new();

    /// <summary>A variable: the overlay's when it has it, else the process's.</summary>
    public static string? Get(string name) =>
        s_overlay.Value is { } overlay && overlay.TryGetValue(name, out var value) ? value : Environment.GetEnvironmentVariable(name);

    /// <summary>The overlay's settings as configuration keys (prefix removed, "__" as ":", as the environment provider maps them).</summary>
    public static IEnumerable<KeyValuePair<string, string?>> OverlaySettings() =>
        (s_overlay.Value ?? new Dictionary<string, string>())
            .Where(kv => kv.Key.StartsWith(SettingsPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(kv => new KeyValuePair<string, string?>(kv.Key[SettingsPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), kv.Value));

    /// <summary>Lays <paramref name="variables"/> over the process's environment for this async flow until disposed.</summary>
    public static IDisposable Overlay(IReadOnlyDictionary<string, string> variables)
    {
        var previous = s_overlay.Value;
        s_overlay.Value = variables;
        return new Restore(previous);
    }

    private sealed class Restore(IReadOnlyDictionary<string, string>? previous) : IDisposable
    {
        public void Dispose() => s_overlay.Value = previous;
    }
}
