using TapeChanger.Cli;
using TapeChanger.Server.Observability;
using TapeChanger.Service;
using TapeChanger.Service.Engine;
using TapeChanger.Service.Opening;
using TapeChanger.State;

namespace TapeChanger.Server;

/// <summary>
/// The engine tapechangerd serves: the libraries of the configuration (root <c>Device</c> as <c>default</c>, plus
/// <c>Libraries</c>), opened with the same settings the CLI uses (appsettings.json root, TAPECHANGER_*), state in the
/// service's state directory, and every SCSI command counted for /metrics.
/// </summary>
internal static class EngineFactory
{
    public static ILibraryService Create(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var state = services.GetRequiredService<ServerState>();
        var metrics = services.GetRequiredService<ServiceMetrics>();
        var cli = new TapeChangerOptions();
        configuration.Bind(cli);
        var options = LibraryServiceOptions.From(configuration);
        var libraries = options.Resolve();
        var open = new LibraryOpenSettings
        {
            DeviceUri = cli.Device,
            StateDirectory = state.StateDirectory,
            ProfilesDirectory = Path.GetFullPath(string.IsNullOrEmpty(cli.ProfilesDirectory) ? TapeChangerCli.DefaultProfilesDirectory() : cli.ProfilesDirectory),
            CleanerPrefix = cli.CleanerPrefix,
            UnitAttentionRetries = cli.UnitAttentionRetries,
            BecomingReadySeconds = cli.BecomingReadySeconds,
            OperatorWaitSeconds = cli.OperatorWaitSeconds,
            SptBufferedOnly = cli.SptBufferedOnly,
            ScsiLog = cli.ScsiLog is { Length: > 0 } log ? Path.GetFullPath(log) : null,
            Observe = t => new ScsiCounter(t, libraries.FirstOrDefault(l => l.DeviceUri == t.Device)?.Name ?? t.Device, metrics),
        };
        // Fleet:LeaseSeconds (default 6): a dead owner's libraries are taken over within about this plus a second.
        double lease = double.TryParse(configuration["Fleet:LeaseSeconds"], System.Globalization.CultureInfo.InvariantCulture, out double l) && l >= 1 ? l : 6;
        // Fleet:MoveBudgetSeconds (default 60): the longest one robot move may take; a move is sent only with that much lease left.
        double budget = 60;
        if (configuration["Fleet:MoveBudgetSeconds"] is { Length: > 0 } given
            && !(double.TryParse(given, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out budget) && budget > 0 && budget <= 86400))
        {
            throw new InvalidOperationException($"Fleet:MoveBudgetSeconds is '{given}': give the seconds one robot move may take (more than 0, at most 86400)");
        }
        var tuning = new LibraryServiceTuning
        {
            CleanerPollInterval = TimeSpan.FromMilliseconds(cli.CleanerPollMilliseconds),
            CleaningTime = cli.CleaningSeconds is int s ? TimeSpan.FromSeconds(s) : null,
            LeaseTime = TimeSpan.FromSeconds(lease),
            FenceMargin = TimeSpan.FromSeconds(lease / 3),
            MoveBudget = TimeSpan.FromSeconds(budget),
            FleetName = configuration["Fleet:Name"] is { Length: > 0 } name ? name : null,
            FleetUrl = configuration["Fleet:Url"] is { Length: > 0 } url ? url : state.Listen.FirstOrDefault(l => !l.IsUnix)?.ToString(),
            FleetLog = line => Console.Error.WriteLine($"tapechangerd: {line}"),
        };
        return new LibraryService(options, open, StateDatabase.Open(state.StateDirectory), tuning: tuning);
    }
}
