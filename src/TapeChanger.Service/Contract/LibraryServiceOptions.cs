using Microsoft.Extensions.Configuration;

namespace TapeChanger.Service;

/// <summary>One entry of the <c>Libraries</c> section of appsettings.json: <c>"NAME": { "Device": URI, "AutoCleaning": bool }</c>.</summary>
public sealed class LibraryConfiguration
{
    /// <summary>The library's device URI (as --device takes it).</summary>
    public string Device { get; set; } = "";

    /// <summary>RSM's LibrarySupportsDriveCleaning: clean drives that ask for it when they are next empty. Off by default.</summary>
    public bool AutoCleaning { get; set; }
}

/// <summary>
/// The engine's settings, read from the same configuration as the CLI's (appsettings.json root, TAPECHANGER_*):
/// the libraries, plus the default device as the library <c>default</c>.
/// </summary>
public sealed class LibraryServiceOptions
{
    /// <summary>Name → library. A configured <c>default</c> entry replaces the default device's.</summary>
    public Dictionary<string, LibraryConfiguration> Libraries { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The default device (root <c>Device</c>), served as the library <c>default</c>; null or empty: none.</summary>
    public string? Device { get; set; }

    /// <summary>Automatic cleaning for the <c>default</c> library (root <c>AutoCleaning</c>).</summary>
    public bool AutoCleaning { get; set; }

    /// <summary>How long a request waits on an operator request before it fails with ERROR_TIMEOUT (root <c>OperatorRequestTimeoutSeconds</c>).</summary>
    public int OperatorRequestTimeoutSeconds { get; set; } = 600;

    /// <summary>How many final requests the history keeps per library (older ones are deleted).</summary>
    public int HistoryLimit { get; set; } = 10_000;

    /// <summary>The libraries by name, <c>default</c> first when there is one. Names are letters, digits, '-', '_' and '.' only.</summary>
    public IReadOnlyList<LibraryInfo> Resolve()
    {
        var list = new List<LibraryInfo>();
        if (!Libraries.ContainsKey(DefaultName) && !string.IsNullOrWhiteSpace(Device)) list.Add(new LibraryInfo(DefaultName, Device, AutoCleaning, IsDefault: true));
        foreach (var (name, lib) in Libraries.OrderBy(p => p.Key == DefaultName ? 0 : 1).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!ValidName(name)) throw new ArgumentException($"Libraries: '{name}' is not a valid library name (letters, digits, '-', '_', '.'; at most 64)");
            if (string.IsNullOrWhiteSpace(lib.Device)) throw new ArgumentException($"Libraries:{name}:Device is missing");
            list.Add(new LibraryInfo(name, lib.Device, lib.AutoCleaning, name == DefaultName));
        }
        return list;
    }

    public const string DefaultName = "default";

    public static bool ValidName(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && name is not "." and not "..";

    /// <summary>Binds the root of a configuration (source-generated binder: NativeAOT clean).</summary>
    public static LibraryServiceOptions From(IConfiguration configuration)
    {
        var options = new LibraryServiceOptions();
        configuration.Bind(options);
        return options;
    }
}
