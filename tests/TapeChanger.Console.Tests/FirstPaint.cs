using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace TapeChanger.Console.Tests;

/// <summary>
/// First paint measured in the page by the Performance API: a reload (the token already in the tab), then the
/// console's marks, all relative to the navigation's start (time 0): <c>tapechanger:library-rendered</c> (the picture
/// in the DOM) and <c>tapechanger:library-painted</c> (two animation frames later: the frame holding it produced);
/// with the navigation timing and the API calls before it, to see where the time goes. Recorded as an artifact
/// (first-paint.json) that the console tier prints; not asserted against a time (the figure depends on the machine).
/// </summary>
public static class FirstPaint
{
    public sealed record Measurement(string Library, double PaintedMs, double RenderedMs, double DomContentLoadedMs,
        double LoadEventMs, IReadOnlyList<string> Calls, int Slots)
    {
        public string Line => string.Create(CultureInfo.InvariantCulture,
            $"first paint ({Library}, {Slots} slots): {PaintedMs:F0} ms from navigation to the library painted (rendered at {RenderedMs:F0} ms; DOMContentLoaded {DomContentLoadedMs:F0} ms; calls: {string.Join(", ", Calls)})");
    }

    public static async Task<Measurement> MeasureAsync(ConsolePage console, string library = "default")
    {
        var page = console.Page;
        await console.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-first-paint-ms]");
        var json = await page.EvaluateAsync<JsonElement>("""
            () => {
              const at = name => performance.getEntriesByName(name)[0]?.startTime ?? -1;
              const nav = performance.getEntriesByType('navigation')[0];
              const painted = at('tapechanger:library-painted');
              const calls = performance.getEntriesByType('resource')
                .filter(r => r.name.includes('/api/v1/') && !r.name.includes('/events') && r.startTime <= painted)
                .map(r => `${new URL(r.name).pathname.replace('/api/v1/', '')} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`);
              return { painted, rendered: at('tapechanger:library-rendered'), measure: performance.getEntriesByName('tapechanger:first-paint')[0]?.duration ?? -1,
                       dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, calls, slots: document.querySelectorAll('#storage .slot').length };
            }
            """);
        double painted = json.GetProperty("painted").GetDouble();
        double rendered = json.GetProperty("rendered").GetDouble();
        Assert.True(rendered > 0 && rendered <= painted, $"marks out of order: rendered {rendered}, painted {painted}");
        Assert.Equal(painted, json.GetProperty("measure").GetDouble(), 1);      // the measure runs from navigation (0) to painted
        return new Measurement(library, painted, rendered, json.GetProperty("dcl").GetDouble(), json.GetProperty("load").GetDouble(),
            json.GetProperty("calls").EnumerateArray().Select(c => c.GetString()!).ToList(), json.GetProperty("slots").GetInt32());
    }

    /// <summary>Appends the measurement to $artifacts/console/first-paint.json (one JSON object per line).</summary>
    public static void Record(Measurement m, string name)
    {
        Directory.CreateDirectory(Artifacts.Directory);
        string line = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["name"] = name, ["slots"] = m.Slots, ["paintedMs"] = Math.Round(m.PaintedMs), ["renderedMs"] = Math.Round(m.RenderedMs),
            ["domContentLoadedMs"] = Math.Round(m.DomContentLoadedMs), ["calls"] = m.Calls, ["line"] = m.Line,
        });
        File.AppendAllText(Path.Combine(Artifacts.Directory, "first-paint.json"), line + Environment.NewLine);
    }
}
