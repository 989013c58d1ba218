using Microsoft.Playwright;

namespace TapeChanger.Console.Tests;

/// <summary>
/// One browser context and page on the console, collecting every console error, failed page script and failed request
/// (the test ends by asserting there were none), with screenshots into the artifacts folder.
/// </summary>
public sealed class ConsolePage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    public IPage Page { get; }
    public List<string> Errors { get; } = [];
    public Uri Url { get; }

    private ConsolePage(IBrowserContext context, IPage page, Uri url)
    {
        _context = context;
        Page = page;
        Url = url;
        page.Console += (_, m) => { if (m.Type is "error" or "assert") lock (Errors) Errors.Add($"console {m.Type}: {m.Text}"); };
        page.PageError += (_, e) => { lock (Errors) Errors.Add("page error: " + e); };
        page.RequestFailed += (_, r) =>
        {
            // The event stream is cut when the page closes or reloads: not a failure of the console.
            if (r.Url.Contains("/api/v1/events", StringComparison.Ordinal)) return;
            // A reload the test asked for aborts what the old page still had in flight: not a failure either.
            if (Volatile.Read(ref _reloading) && r.Failure is { } f && f.Contains("ERR_ABORTED", StringComparison.Ordinal)) return;
            lock (Errors) Errors.Add($"request failed: {r.Method} {r.Url} {r.Failure}");
        };
    }

    private bool _reloading;

    /// <summary>Reloads the page (requests of the old page cut by it are not counted as failures).</summary>
    public async Task ReloadAsync()
    {
        Volatile.Write(ref _reloading, true);
        try { await Page.ReloadAsync(); }
        finally { Volatile.Write(ref _reloading, false); }
    }

    public static async Task<ConsolePage> OpenAsync(IBrowser browser, Uri url)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(20_000);
        var p = new ConsolePage(context, page, url);
        await page.GotoAsync(url.ToString());
        return p;
    }

    /// <summary>Logs in with <paramref name="token"/> and waits for the library to be drawn and the event stream to be live.</summary>
    public async Task LoginAsync(string token)
    {
        await Page.GetByLabel("API token").FillAsync(token);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await Page.WaitForSelectorAsync("body[data-ready='true'][data-live='true']");
    }

    public async Task ScreenshotAsync(string name)
    {
        Directory.CreateDirectory(Artifacts.Directory);
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Artifacts.Directory, name + ".png"), FullPage = true });
    }

    public void AssertNoErrors()
    {
        lock (Errors) Assert.True(Errors.Count == 0, "the browser reported:\n" + string.Join('\n', Errors));
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}

/// <summary>Where screenshots go: $TAPECHANGER_ARTIFACTS/console, else artifacts/console in the repository.</summary>
public static class Artifacts
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        if (Environment.GetEnvironmentVariable("TAPECHANGER_ARTIFACTS") is { Length: > 0 } a) return Path.Combine(a, "console");
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "TapeChanger.sln"))) return Path.Combine(d.FullName, "artifacts", "console");
        }
        return Path.Combine(Path.GetTempPath(), "tapechanger-console");
    }
}
