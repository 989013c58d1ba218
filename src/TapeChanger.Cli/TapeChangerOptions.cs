namespace TapeChanger.Cli;

/// <summary>
/// Settings from appsettings.json (root level) and TAPECHANGER_* environment variables. Their limits are checked by
/// <see cref="Validate"/>, by hand: the data-annotation attributes and their generated validator built a Regex and the
/// attributes' type conversion at every start, about 1 % of a `status` (perf, docs/performance.md).
/// </summary>
public sealed class TapeChangerOptions
{
    /// <summary>Default device URI when --device is not given. Required: not empty or blank.</summary>
    public string Device { get; set; } = "virtual:";

    /// <summary>Barcode prefix of cleaning cartridges, 0 to 8 letters or digits; null uses the library's hw-profile value (cleaning.labelPrefix).</summary>
    public string? CleanerPrefix { get; set; }

    /// <summary>State directory; TAPECHANGER_STATE_DIR and --state-dir override it.</summary>
    public string? StateDirectory { get; set; }

    /// <summary>How many times a command is re-sent after a UNIT ATTENTION (0 to 20).</summary>
    public int UnitAttentionRetries { get; set; } = 5;

    /// <summary>How often waiting cleaner operations poll the library, in milliseconds (10 to 60,000).</summary>
    public int CleanerPollMilliseconds { get; set; } = 1000;

    /// <summary>Cleaning time assumed when a drive cannot be polled (1 to 7,200 s); null uses the library's hw-profile value.</summary>
    public int? CleaningSeconds { get; set; }

    /// <summary>
    /// Directory of hardware-profile overrides (*.json; a file replaces the shipped profile of the same name).
    /// Default: $XDG_CONFIG_HOME/tapechanger/hw-profiles (~/.config/...), %APPDATA%\TapeChanger\hw-profiles on Windows.
    /// </summary>
    public string? ProfilesDirectory { get; set; }

    /// <summary>
    /// How long to wait for a library that reports "not ready, becoming ready" (02/04/00, 04/01, 04/07, 3E/00) or BUSY,
    /// with backoff (0 to 3,600 s). Null: the library profile's limit (generic: 300 s).
    /// </summary>
    public int? BecomingReadySeconds { get; set; }

    /// <summary>
    /// How long to wait for the operator when the library reports a door open (02/04/18), pause mode (04/83, 04/85),
    /// the mail slot open (3A/02), a magazine removed or manual intervention (04/03), 0 to 86,400 s. 0 fails at once.
    /// --operator-wait overrides it.
    /// </summary>
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

    /// <summary>What is wrong with these settings, one line each, naming the setting; empty when nothing is.</summary>
    public List<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(Device)) failures.Add("Device is empty; give a device URI");
        if (CleanerPrefix is { } prefix && (prefix.Length > 8 || !prefix.All(char.IsAsciiLetterOrDigit)))
            failures.Add("CleanerPrefix must be 0 to 8 letters or digits");
        Range(failures, nameof(UnitAttentionRetries), UnitAttentionRetries, 0, 20);
        Range(failures, nameof(CleanerPollMilliseconds), CleanerPollMilliseconds, 10, 60000);
        Range(failures, nameof(CleaningSeconds), CleaningSeconds, 1, 7200);
        Range(failures, nameof(BecomingReadySeconds), BecomingReadySeconds, 0, 3600);
        Range(failures, nameof(OperatorWaitSeconds), OperatorWaitSeconds, 0, 86400);
        return failures;
    }

    private static void Range(List<string> failures, string name, int? value, int min, int max)
    {
        if (value is int v && (v < min || v > max)) failures.Add($"{name} is {v}; it must be {min} to {max}");
    }
}
