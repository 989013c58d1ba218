using Microsoft.Playwright;

namespace TapeChanger.Console.Tests;

/// <summary>
/// Debian's chromium (or CHROMIUM_PATH) driven by Microsoft.Playwright. Playwright's driver (node and its JS package)
/// ships inside the NuGet package; the browser is the system one, given as ExecutablePath, so nothing is downloaded
/// (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD is set and `playwright install` is never called).
/// </summary>
public static class Browser
{
    public const string RequireVariable = "TAPECHANGER_REQUIRE_BROWSER";

    public static string? ExecutablePath { get; } = Find();

    /// <summary>CI sets TAPECHANGER_REQUIRE_BROWSER=1 (or CI=true): then a missing chromium fails, it never skips.</summary>
    public static bool Required =>
        Environment.GetEnvironmentVariable(RequireVariable) == "1" || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string? Find()
    {
        foreach (var p in new[] { Environment.GetEnvironmentVariable("CHROMIUM_PATH"), "/usr/bin/chromium", "/usr/bin/chromium-browser" })
        {
            if (!string.IsNullOrEmpty(p) && File.Exists(p)) return p;
        }
        return null;
    }

    public static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        if (ExecutablePath is null)
            throw new InvalidOperationException($"chromium is not installed (apt-get install -y chromium, or set CHROMIUM_PATH); {RequireVariable}=1 or CI requires it");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            // Root in CI containers: chromium refuses to start sandboxed as root.
            Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
        });
        return (pw, browser);
    }
}

/// <summary>A fact that needs chromium: skipped (with the reason) only where chromium is absent and not required.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (Browser.ExecutablePath is null && !Browser.Required)
            Skip = $"chromium is not installed here (apt-get install -y chromium); CI sets {Browser.RequireVariable}=1 and fails instead";
    }
}

/// <summary>One browser for the test class (each test opens its own context and page).</summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _pw;
    public IBrowser? Browser { get; private set; }
    public Exception? LaunchError { get; private set; }

    public async Task InitializeAsync()
    {
        if (Tests.Browser.ExecutablePath is null && !Tests.Browser.Required) return;
        try
        {
            (_pw, Browser) = await Tests.Browser.LaunchAsync();
        }
        catch (Exception e)
        {
            LaunchError = e;
        }
    }

    public IBrowser Get() => Browser ?? throw new InvalidOperationException("the browser did not start: " + LaunchError?.Message, LaunchError);

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _pw?.Dispose();
    }
}
