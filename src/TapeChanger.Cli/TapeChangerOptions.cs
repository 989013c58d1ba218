using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace TapeChanger.Cli;

/// <summary>Settings from appsettings.json (root level) and TAPECHANGER_* environment variables.</summary>
public sealed class TapeChangerOptions
{
    /// <summary>Default device URI when --device is not given.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Device { get; set; } = "virtual:";

    /// <summary>Barcode prefix of cleaning cartridges; null uses the library's hw-profile value (cleaning.labelPrefix).</summary>
    [RegularExpression("^[A-Za-z0-9]{0,8}$", ErrorMessage = "CleanerPrefix must be 0 to 8 letters or digits")]
    public string? CleanerPrefix { get; set; }

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

    /// <summary>
    /// How long to wait for a library that reports "not ready, becoming ready" (02/04/00, 04/01, 04/07, 3E/00) or BUSY,
    /// with backoff. Null: the library profile's limit (generic: 300 s).
    /// </summary>
    [Range(0, 3600)]
    public int? BecomingReadySeconds { get; set; }

    /// <summary>
    /// How long to wait for the operator when the library reports a door open (02/04/18), pause mode (04/83, 04/85),
    /// the mail slot open (3A/02), a magazine removed or manual intervention (04/03). 0 fails at once. --operator-wait overrides it.
    /// </summary>
    [Range(0, 86400)]
    public int OperatorWaitSeconds { get; set; }

    /// <summary>
    /// spt: devices only: send every command with the double-buffered IOCTL_SCSI_PASS_THROUGH instead of trying the
    /// direct form first (for storage drivers that mishandle it). Also TAPECHANGER_SptBufferedOnly=true.
    /// </summary>
    public bool SptBufferedOnly { get; set; }

    /// <summary>
    /// A file every session appends one line per SCSI command to (UTC start and end, pid, device, command, status),
    /// the CLI's and the service's alike: who drove the robot when. Also TAPECHANGER_ScsiLog. Null: none.
    /// </summary>
    public string? ScsiLog { get; set; }
}

[OptionsValidator]
public sealed partial class TapeChangerOptionsValidator : IValidateOptions<TapeChangerOptions>;
