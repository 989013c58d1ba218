using System.Text.Json;
using TapeChanger.Cleaning;

namespace TapeChanger.Cli.Output;

/// <summary>
/// Progress of a cleaner operation run in this process (--wait, clean --if-needed, operations recover), shaped by where
/// it goes: on a terminal one line rewritten in place; on a pipe or log a line per state change and at most one more
/// every <see cref="QuietInterval"/> (a cron log gets a handful of lines per drive, not one per poll); with --json one
/// <see cref="ProgressEvent"/> per line on stderr, under the same limits, so stdout stays one document.
/// </summary>
internal sealed class CleanerProgress : IProgress<OperationRecord>
{
    public static readonly TimeSpan QuietInterval = TimeSpan.FromSeconds(30);

    /// <summary>The CLI's source-generated context, unindented: one event per line.</summary>
    private static readonly CliJsonContext Compact = new(new JsonSerializerOptions(CliJsonContext.Default.Options) { WriteIndented = false });

    private readonly TextWriter _err;
    private readonly ProgressStyle _style;
    private readonly Func<DateTimeOffset> _now;
    private OperationState? _lastState;
    private string? _lastText;
    private DateTimeOffset _lastWritten;
    private int _inPlaceWidth;

    public CleanerProgress(TextWriter err, ProgressStyle style, Func<DateTimeOffset>? now = null)
    {
        _err = err;
        _style = style;
        _now = now ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>The style for this process: JSON lines with --json, in place when stderr is the console and a terminal, else lines.</summary>
    public static CleanerProgress For(CliContext ctx) => new(ctx.Err,
        ctx.Json ? ProgressStyle.JsonLines
        : ProcessConsole.IsTerminalStderr(ctx.Err) ? ProgressStyle.InPlace
        : ProgressStyle.Lines);

    public void Report(OperationRecord o)
    {
        string text = o.Progress ?? o.Message ?? o.State.Name();
        var now = _now();
        bool stateChanged = o.State != _lastState;
        if (!stateChanged && text == _lastText) return;
        if (_style != ProgressStyle.InPlace && !stateChanged && now - _lastWritten < QuietInterval) return;
        _lastState = o.State;
        _lastText = text;
        _lastWritten = now;
        switch (_style)
        {
            case ProgressStyle.JsonLines:
                var (result, code) = o.Outcome();
                _err.WriteLine(JsonSerializer.Serialize(new ProgressEvent(o.Id, o.Kind.Name(), o.State.Name(), result, code, o.Drive, text, now),
                    Compact.ProgressEvent));
                break;
            case ProgressStyle.InPlace:
                string line = $"[{o.State.Name()}] {text}";
                // \r and spaces over a longer previous line; the final state ends the line.
                _err.Write("\r" + line.PadRight(_inPlaceWidth));
                _inPlaceWidth = line.Length;
                if (o.State.IsFinal() || o.State == OperationState.Interrupted)
                {
                    _err.WriteLine();
                    _inPlaceWidth = 0;
                }
                _err.Flush();
                break;
            default:
                _err.WriteLine($"{now:u} [{o.State.Name()}] {text}");
                break;
        }
    }
}

internal enum ProgressStyle
{
    Lines,
    InPlace,
    JsonLines,
}
