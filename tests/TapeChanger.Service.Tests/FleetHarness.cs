using TapeChanger.Testing;
using TapeChanger.Service.Opening;
using TapeChanger.State;

namespace TapeChanger.Service.Tests;

/// <summary>A fact that needs a PostgreSQL server: skipped, with the reason, where TAPECHANGER_TEST_POSTGRES is not set.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = ScratchPostgresDatabase.Variable;

    public PostgresFactAttribute() => Skip = ScratchPostgresDatabase.SkipReason;
}

/// <summary>
/// Services of one fleet in this process: each its own engine on one fresh PostgreSQL database (created on the
/// TAPECHANGER_TEST_POSTGRES server, dropped afterwards), all on the one virtual library of <see cref="ServiceHarness"/>,
/// with leases shortened so a takeover takes about two seconds.
/// </summary>
public sealed class FleetHarness : IAsyncDisposable
{
    private readonly ScratchPostgresDatabase _database = new("tc_fleet");

    public ServiceHarness Library { get; } = new();
    public string Uri => _database.Uri;
    public StateDatabase Database => StateDatabase.OpenShared(Uri);

    public static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(1500);

    public LibraryService Engine(string name, bool autoCleaning = false, TimeProvider? time = null, Func<LibraryServiceTuning, LibraryServiceTuning>? tune = null,
        Func<LibraryOpenSettings, LibraryOpenSettings>? open = null) => new(
        new LibraryServiceOptions { Device = Library.Device, AutoCleaning = autoCleaning },
        (open ?? (o => o))(Library.OpenSettings), Database, time,
        (tune ?? (t => t))(new LibraryServiceTuning
        {
            CleanerPollInterval = TimeSpan.FromMilliseconds(20),
            AutoCleaningInterval = TimeSpan.FromMilliseconds(200),
            LeaseTime = Lease,
            FleetTick = TimeSpan.FromMilliseconds(100),
            FleetPollInterval = TimeSpan.FromMilliseconds(300),
            FenceMargin = TimeSpan.FromMilliseconds(500),
            FleetName = name,
            FleetUrl = $"http://{name}.example",
        }));

    /// <summary>The owner of the default library now, or null.</summary>
    public string? Owner(LibraryService any) => any.FleetLibraries().SingleOrDefault(l => l.Library == "default" && l.Held)?.Owner;

    /// <summary>The fencing tokens of the journal entries, in journal order.</summary>
    public List<(long Token, string Owner, string Step)> Journal() => Database.Read(tx => tx.Query(
        "SELECT token, owner, step FROM move_journal WHERE library = 'default' ORDER BY seq",
        r => (Convert.ToInt64(r.GetValue(0), System.Globalization.CultureInfo.InvariantCulture), r.GetString(1), r.GetString(2))));

    public void Sql(string sql) => Database.Write(tx => tx.Execute(sql));

    public async ValueTask DisposeAsync()
    {
        await Library.DisposeAsync();
        _database.Dispose();
    }
}
