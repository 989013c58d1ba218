using System.Text.Json;
using TapeChanger.Cleaning;
using TapeChanger.Cli.Output;

namespace TapeChanger.Cli.Tests;

/// <summary>Progress of a foreground operation: how many lines a log gets, in place on a terminal, JSON lines with --json; Ctrl-C.</summary>
public sealed class CleanerProgressTests
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static OperationRecord Op(OperationState state, string progress) =>
        new() { Id = Guid.Parse("00000000-0000-0000-0000-00000000000a"), Kind = OperationKind.Clean, State = state, Progress = progress, Drive = 1 };

    /// <summary>Two minutes of polls once a second, as a cleaning reports them.</summary>
    private void Feed(CleanerProgress p)
    {
        p.Report(Op(OperationState.InProcess, "loading cleaner into drive 1"));
        for (int s = 0; s < 120; s++)
        {
            _now = _now.AddSeconds(1);
            p.Report(Op(OperationState.InProcess, $"drive 1 is cleaning ({s} s so far)"));
        }
        _now = _now.AddSeconds(1);
        var passed = Op(OperationState.Passed, "cleaned");
        passed.Result = nameof(NtmsResult.ERROR_SUCCESS);
        passed.Code = 0;
        p.Report(passed);
    }

    [Fact]
    public void On_a_pipe_a_line_per_state_change_and_at_most_one_per_30_seconds()
    {
        var err = new StringWriter();
        Feed(new CleanerProgress(err, ProgressStyle.Lines, () => _now));
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // in-process (first), then one each 30 s of the 120 (4), then passed: 6, not 122.
        Assert.Equal(6, lines.Length);
        Assert.Contains("[in-process] loading cleaner", lines[0]);
        Assert.Contains("[passed] cleaned", lines[^1]);
    }

    [Fact]
    public void On_a_terminal_one_line_rewritten_in_place()
    {
        var err = new StringWriter();
        Feed(new CleanerProgress(err, ProgressStyle.InPlace, () => _now));
        string text = err.ToString();
        Assert.Equal(1, text.Count(c => c == '\n'));                  // only the final state ends the line
        Assert.Equal(122, text.Count(c => c == '\r'));
        Assert.EndsWith("[passed] cleaned" + new string(' ', text.Split('\r')[^2].Length - "[passed] cleaned".Length) + Environment.NewLine, text);
    }

    [Fact]
    public void With_json_progress_events_are_json_lines()
    {
        var err = new StringWriter();
        Feed(new CleanerProgress(err, ProgressStyle.JsonLines, () => _now));
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => Assert.StartsWith("{\"event\":\"progress\",", l));          // compact: one event per line
        var events = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(6, events.Count);
        Assert.All(events, e => Assert.Equal("progress", e.GetProperty("event").GetString()));
        Assert.Equal(("passed", "ERROR_SUCCESS"), (events[^1].GetProperty("state").GetString(), events[^1].GetProperty("result").GetString()));
        Assert.Equal(("in-process", "ERROR_IO_PENDING"), (events[0].GetProperty("state").GetString(), events[0].GetProperty("result").GetString()));
    }
}
