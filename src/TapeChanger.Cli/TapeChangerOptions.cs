using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TapeChanger.Cli;

/// <summary>Settings from appsettings.json (root level) and TAPECHANGER_* environment variables.</summary>
public sealed class TapeChangerOptions
{
    /// <summary>Default device URI when --device is not given.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Device { get; set; } = "virtual:";

    /// <summary>Barcode prefix of cleaning cartridges (used when the library does not report medium type 2).</summary>
    [RegularExpression("^[A-Za-z0-9]{0,8}$", ErrorMessage = "CleanerPrefix must be 0 to 8 letters or digits")]
    public string CleanerPrefix { get; set; } = "CLN";

    /// <summary>State directory; TAPECHANGER_STATE_DIR and --state-dir override it.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>How many times a command is re-sent after a UNIT ATTENTION.</summary>
    [Range(0, 20)]
    public int UnitAttentionRetries { get; set; } = 5;

    /// <summary>How often waiting cleaner operations poll the library, in milliseconds.</summary>
    [Range(10, 60000)]
    public int CleanerPollMilliseconds { get; set; } = 1000;

    /// <summary>Cleaning time assumed when a drive cannot be polled; null uses the library's hw-profile value.</summary>
    [Range(1, 7200)]
    public int? CleaningSeconds { get; set; }

    /// <summary>
    /// Directory of hardware-profile overrides (*.json; a file replaces the shipped profile of the same name).
    /// Default: $XDG_CONFIG_HOME/tapechanger/hw-profiles (~/.config/...), %APPDATA%\TapeChanger\hw-profiles on Windows.
    /// </summary>
    public string? ProfilesDirectory { get; set; }

    /// <summary>How long to wait for a library that reports "becoming ready" (04/01).</summary>
    [Range(0, 3600)]
    public int BecomingReadySeconds { get; set; } = 60;
}

[OptionsValidator]
public sealed partial class TapeChangerOptionsValidator : IValidateOptions<TapeChangerOptions>;
