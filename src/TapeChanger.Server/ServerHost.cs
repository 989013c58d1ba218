using System.Diagnostics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using TapeChanger.Access;
using TapeChanger.Server.Api;
using TapeChanger.Server.Observability;
using TapeChanger.Server.Security;
using TapeChanger.Service;

using TapeChanger.State;

namespace TapeChanger.Server;

/// <summary>Where the service keeps its state and where it listens.</summary>
public sealed record ServerState(string StateDirectory, IReadOnlyList<ListenAddress> Listen);

/// <summary>Builds tapechangerd: Kestrel on the configured listeners, the engine, the API, /metrics.</summary>
public static class ServerHost
{
    /// <param name="configure">Tests: extra configuration (settings, an engine of their own).</param>
    public static WebApplication Build(ServerCommandLine cmd, Func<IServiceProvider, ILibraryService> engineFactory, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        builder.Configuration.AddEnvironmentVariables("TAPECHANGER_");
        configure?.Invoke(builder);
        builder.Host.UseSystemd();
        // One line per request comes from the request log below; the framework's own per-request lines are not needed.
        builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ "; o.UseUtcTimestamp = true; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Information);
        builder.WebHost.UseKestrelHttpsConfiguration();

        var settings = new ServiceSettings();
        builder.Configuration.GetSection("Service").Bind(settings);
        string stateDir = Path.GetFullPath(cmd.StateDirectory
            ?? NonEmpty(Environment.GetEnvironmentVariable("TAPECHANGER_STATE_DIR"))
            ?? NonEmpty(builder.Configuration["StateDirectory"])
            ?? Cli.TapeChangerCli.DefaultStateDirectory());
        Directory.CreateDirectory(stateDir);
        // Fleet mode: the state lives in a shared PostgreSQL database. Set for this process and for the processes it
        // starts (cleaner workers), and opened now, so an unreachable server or a refused user stops the start with one line.
        string? database = NonEmpty(cmd.Database) ?? NonEmpty(builder.Configuration["Database"]);
        if (database is not null)
        {
            StateDatabase.UseSharedDatabase(database);
            Environment.SetEnvironmentVariable("TAPECHANGER_DATABASE", database);
            StateDatabase.OpenShared(database);
        }
        // Held shared for the service's life: `db restore` refuses to replace the database under a running service.
        var stateHold = TapeChanger.State.ServiceLock.HoldShared(stateDir, TimeSpan.FromSeconds(10));
        var listen = (cmd.Listen.Count > 0 ? cmd.Listen : settings.Listen).Select(ListenAddress.Parse).ToList();
        if (listen.Count == 0) listen.Add(ListenAddress.Parse("unix:" + Path.Combine(stateDir, "tapechangerd.sock")));
        HttpsCertificate.Check(builder.Configuration, listen, AppContext.BaseDirectory);

        builder.WebHost.ConfigureKestrel((ctx, k) =>
        {
            k.Configure(ctx.Configuration.GetSection("Kestrel"), reloadOnChange: false);
            k.Limits.MaxRequestBodySize = settings.MaxRequestBodyBytes;
            k.Limits.MaxConcurrentConnections = Math.Max(64, (settings.MaxConcurrentRequests + settings.RequestQueueLimit) * 2 + settings.MaxEventStreams);
            k.AddServerHeader = false;
            foreach (var l in listen) l.Apply(k);
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(new ServerState(stateDir, listen));
        builder.Services.AddSingleton(_ => AccessStore.Open(stateDir));
        builder.Services.AddSingleton(new UnixAccounts());
        builder.Services.AddSingleton<CallerResolver>();
        builder.Services.AddSingleton<Auditor>();
        builder.Services.AddSingleton<EventStreams>();
        builder.Services.AddSingleton<ServiceMetrics>();
        builder.Services.AddSingleton<ILibraryService>(engineFactory);
        builder.Services.AddHostedService<EngineLifetime>();
        builder.Services.AddHostedService<MetricsFeeder>();
        builder.Services.AddHostedService<SystemdWatchdog>();
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                http.Request.Path.StartsWithSegments("/api/v1/events") || http.Request.Path.StartsWithSegments("/healthz")
                    ? RateLimitPartition.GetNoLimiter("unbounded")
                    : RateLimitPartition.GetConcurrencyLimiter("all", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = Math.Max(1, settings.MaxConcurrentRequests),
                        QueueLimit = Math.Max(0, settings.RequestQueueLimit),
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    }));
            o.RejectionStatusCode = 429;
            o.OnRejected = (ctx, _) => new ValueTask(Http.WriteErrorAsync(ctx.HttpContext, 429, "too many requests: the service is at its limit; try again"));
        });

        var app = builder.Build();
        app.Lifetime.ApplicationStopped.Register(stateHold.Dispose);
        var metrics = app.Services.GetRequiredService<ServiceMetrics>();
        metrics.AddGauges(app.Services.GetRequiredService<ILibraryService>(), stateDir);
        var requestLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TapeChanger.Server.Requests");
        app.Use(async (http, next) =>
        {
            long start = Stopwatch.GetTimestamp();
            try
            {
                await next(http);
            }
            finally
            {
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                string route = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
                string caller = (http.Items[Http.CallerKey] as ApiCaller)?.Name ?? "-";
                metrics.HttpRequests.Inc(http.Request.Method, route, http.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
                metrics.HttpSeconds.Observe(seconds, route);
                requestLog.LogInformation("{Method} {Path} {Status} {ElapsedMs:0.0}ms caller={Caller}",
                    http.Request.Method, http.Request.Path.Value, http.Response.StatusCode, seconds * 1000, caller);
            }
        });
        app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            catch (Exception e) when (!http.Response.HasStarted && Refusal(e) is { } r)
            {
                await Http.WriteErrorAsync(http, r.Status, r.Message);
            }
            catch (Exception e) when (!http.Response.HasStarted && e is not OperationCanceledException)
            {
                app.Logger.LogError(e, "{Method} {Path} failed", http.Request.Method, http.Request.Path.Value);
                await Http.WriteErrorAsync(http, 500, "internal error (a bug; the service log has the details)");
            }
        });
        app.UseRateLimiter();
        var resolver = app.Services.GetRequiredService<CallerResolver>();
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments("/healthz") || http.Request.Path.StartsWithSegments("/api/v1/openapi.json")
                || WebConsole.ConsoleAssets.IsConsolePath(http.Request.Path))
            {
                await next(http);
                return;
            }
            var (caller, failure) = resolver.Resolve(http);
            if (caller is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                await Http.WriteErrorAsync(http, failure!.Status, failure.Message);
                return;
            }
            http.Items[Http.CallerKey] = caller;
            await next(http);
        });
        app.UseRouting();

        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/api/v1/openapi.json", () => Results.Text(OpenApiDocument.Text, "application/json"));
        app.MapGet("/metrics", async (HttpContext http) =>
        {
            Http.Require(http, AccessRole.Viewer);
            return Results.Text(await metrics.Registry.RenderAsync(), "text/plain; version=0.0.4; charset=utf-8");
        });
        LibraryEndpoints.Map(app);
        RequestEndpoints.Map(app);
        CliEndpoint.Map(app);
        FleetEndpoints.Map(app);
        WebConsole.ConsoleApi.Map(app);
        WebConsole.ConsoleAssets.Map(app);
        app.MapFallback((HttpContext http) => Http.Error(404, $"no such endpoint: {http.Request.Method} {http.Request.Path.Value}"));

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var l in listen.Where(l => l.IsUnix))
            {
                if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(l.Path!, (UnixFileMode)Convert.ToInt32(settings.SocketMode, 8));
            }
            app.Logger.LogInformation("tapechangerd listening on {Addresses}; state in {StateDirectory}", string.Join(", ", Addresses(app)), stateDir);
        });
        return app;
    }

    /// <summary>The addresses Kestrel bound (port 0 resolved).</summary>
    public static IReadOnlyList<string> Addresses(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    private static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    private static (int Status, string Message)? Refusal(Exception e) => e switch
    {
        ApiException a => (a.Status, a.Message),
        CommandRefusedException c => (c.Status, c.Message),
        LibraryServiceException s => (Http.StatusOf(s.Error), s.Message),
        BadHttpRequestException b => (b.StatusCode, b.StatusCode == 413 ? "request body too large" : b.Message),
        _ => null,
    };
}

/// <summary>Starts the engine with the host (before systemd hears READY=1) and disposes it at the end.</summary>
internal sealed class EngineLifetime(ILibraryService engine) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => engine.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
