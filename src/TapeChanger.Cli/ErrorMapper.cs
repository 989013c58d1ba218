using Microsoft.Extensions.Options;
using TapeChanger.Cli.Output;
using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Capture;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using TapeChanger.MhvtlConfig;

namespace TapeChanger.Cli;

/// <summary>Turns any failure into one line of operator text, an exit code and the JSON error object.</summary>
internal static class ErrorMapper
{
    public static ErrorInfo Map(Exception e) => e switch
    {
        ChangerOperationException c => WithSense(new ErrorInfo(c.Error.ToString(), ExitFor(c.Error), c.Message), c.Sense),
        // Not classified by the domain: the rule the client attached decides, as it does for the domain.
        ScsiCheckConditionException s when SenseClassifier.Classify(s, s.Command ?? "the command") is var c =>
            WithSense(new ErrorInfo("CheckCondition", ExitFor(c.Error), c.Message), s.Sense),
        ScsiStatusException s => new ErrorInfo("Status", s.Status is ScsiStatus.Busy or ScsiStatus.ReservationConflict or ScsiStatus.TaskSetFull
            ? ExitCodes.Busy : ExitCodes.DeviceError, s.Message),
        ScsiTransportException t => new ErrorInfo("Transport" + t.Failure, t.Failure switch
        {
            TransportFailure.NotFound or TransportFailure.Unsupported => ExitCodes.DeviceUnavailable,
            TransportFailure.PermissionDenied => ExitCodes.PermissionDenied,
            TransportFailure.Busy => ExitCodes.Busy,
            _ => ExitCodes.TransportError,
        }, t.Message),
        ScsiDecodeException d => new ErrorInfo("Decode", ExitCodes.DataError, $"malformed device data: {d.Message}") { Offset = d.Offset },
        CaptureFormatException f => new ErrorInfo("InputFormat", ExitCodes.DataError, f.Message),
        DeviceUriException u => new ErrorInfo("Usage", ExitCodes.Usage, u.Message),
        UsageException u => new ErrorInfo(u.ExitCode switch
        {
            ExitCodes.DataError => "InputFormat",
            ExitCodes.NoInput => "NoInput",
            ExitCodes.ConfigError => "Config",
            ExitCodes.InvalidElement => "InvalidElement",
            _ => "Usage",
        }, u.ExitCode, u.Message),
        // virtual:DIR naming a directory that does not exist is a device that is not there, like sg:/dev/nonexistent
        MhvtlConfigException v when v.Line == 0 && Path.GetDirectoryName(v.File) is { } dir && !Directory.Exists(dir) =>
            new ErrorInfo("DeviceNotFound", ExitCodes.DeviceUnavailable, $"no virtual library at {dir}: the directory does not exist"),
        MhvtlConfigException v => new ErrorInfo("Config", ExitCodes.ConfigError, v.Message),
        VirtualStateException v => new ErrorInfo(v.InnerException is System.Text.Json.JsonException or InvalidDataException ? "Config" : "Busy",
            v.InnerException is System.Text.Json.JsonException or InvalidDataException ? ExitCodes.ConfigError : ExitCodes.Busy, v.Message),
        VirtualOperatorException v => new ErrorInfo("OperatorActionRefused", ExitCodes.OperationRefused, v.Message),
        // The state database (and an old cleaner.json that cannot be imported): RSM's words, the path, the table's exit code.
        TapeChanger.State.StateDatabaseException d => Rsm(d.Kind == TapeChanger.State.StateFailure.Full
            ? TapeChanger.Cleaning.NtmsResult.ERROR_DATABASE_FULL : TapeChanger.Cleaning.NtmsResult.ERROR_DATABASE_FAILURE, d.Message),
        TapeChanger.State.StateInUseException u => new ErrorInfo("Busy", ExitCodes.Busy, u.Message),
        TapeChanger.Cleaning.CleanerException c => Rsm(c.Result, c.Message),
        OptionsValidationException o => new ErrorInfo("Config", ExitCodes.ConfigError, "invalid configuration: " + string.Join("; ", o.Failures)),
        InvalidDataException i => new ErrorInfo("Config", ExitCodes.ConfigError, i.Message),
        FileNotFoundException f => new ErrorInfo("NoInput", ExitCodes.NoInput, $"file not found: {f.FileName ?? f.Message}"),
        DirectoryNotFoundException d => new ErrorInfo("NoInput", ExitCodes.NoInput, d.Message),
        UnauthorizedAccessException a => new ErrorInfo("PermissionDenied", ExitCodes.PermissionDenied, $"permission denied: {a.Message}"),
        TimeoutException t => new ErrorInfo("Busy", ExitCodes.Busy, t.Message),
        OperationCanceledException => new ErrorInfo("Cancelled", ExitCodes.Cancelled, "cancelled"),
        IOException io => new ErrorInfo("IO", ExitCodes.TransportError, io.Message),
        _ => new ErrorInfo("Internal", ExitCodes.Internal, $"internal error ({e.GetType().Name}): {e.Message}"),
    };

    public static int ExitFor(ChangerError error) => ExitCodes.For(error);

    private static ErrorInfo Rsm(TapeChanger.Cleaning.NtmsResult result, string message) =>
        new(result.ToString(), ExitCodes.For(result), $"{result} ({(uint)result}): {message}");

    private static ErrorInfo WithSense(ErrorInfo info, Scsi.Sense.SenseData? sense) => sense is null ? info : info with
    {
        SenseKey = sense.KeyName,
        Asc = sense.Asc,
        Ascq = sense.Ascq,
        Sense = sense.Describe(),
    };
}

/// <summary>A command-line mistake found after parsing (bad value combinations, out-of-range numbers).</summary>
internal sealed class UsageException(string message) : Exception(message)
{
    /// <summary>
    /// 64 for a command-line mistake; 65 when the named input's content is malformed, 66 when it is missing, 2 for a
    /// slot/drive/element the library does not have, 78 for a bad setting.
    /// </summary>
    public int ExitCode { get; init; } = ExitCodes.Usage;
}
