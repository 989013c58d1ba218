using System.Diagnostics;
using System.Globalization;
using TapeChanger.Service;
using TapeChanger.Service.Engine;
using TapeChanger.Service.Opening;
using TapeChanger.State;
using TapeChanger.Transport;
using TapeChanger.Virtual;

// Cleanings through the service engine on mhVTL's library 10 (the virtual library) with simulated robot and cleaning
// times (device.conf "Move time" and "Cleaning time"), one cleaner, one picker:
//   1. N cleanings over M drives;
//   2. the same N cleanings with K transfers (slot to slot) submitted at the same time.
// The library has one cleaner cartridge (the cleaner service manages one per library), so cleanings follow one another:
// each is the cleaner's move in, the drive's cleaning cycle (Cleaning time T, then 3T becoming ready: 4T) and the move
// back, and the lower bound of N cleanings is N x (2m + 4T). The transfers need only the robot, which a cleaning leaves
// free while the drive cleans: with them the bound is max(N x (2m + 4T), (2N + K) x m).
//
//   dotnet run --project tools/TapeChanger.RobotBench -c Release -- [N cleanings] [M drives] [K transfers] [move ms] [cleaning s]
int n = Arg(0, 4), m = Arg(1, 2), k = Arg(2, 8), moveMs = Arg(3, 250), cleanS = Arg(4, 1);
if (m is < 1 or > 4 || k > 10) { Console.Error.WriteLine("robot-bench: M drives must be 1 to 4 (library 10 has 4), K transfers at most 10"); return 64; }
var move = TimeSpan.FromMilliseconds(moveMs);
var cycle = TimeSpan.FromSeconds(cleanS * 4);
var cleaningBound = n * (2 * move + cycle);
Console.WriteLine($"robot time: {n} cleanings over {m} drives, one picker, one cleaner; move {moveMs} ms, cleaning cycle {cycle.TotalSeconds:0.###} s (Cleaning time {cleanS} s x 4)");
Console.WriteLine("| workload | makespan s | lower bound s | ratio |");
Console.WriteLine("|---|---:|---:|---:|");
await RunAsync($"{n} cleanings", n, 0, cleaningBound);
var mixedBound = cleaningBound > (2 * n + k) * move ? cleaningBound : (2 * n + k) * move;
await RunAsync($"{n} cleanings + {k} transfers", n, k, mixedBound);
return 0;

int Arg(int i, int fallback) => args.Length > i ? int.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

async Task RunAsync(string what, int cleanings, int transfers, TimeSpan bound)
{
    string root = Directory.CreateTempSubdirectory("tc-robot-bench-").FullName;
    try
    {
        string cfg = Path.Combine(root, "cfg"), state = Path.Combine(root, "state");
        Directory.CreateDirectory(cfg);
        Directory.CreateDirectory(state);
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "library10"))) File.Copy(f, Path.Combine(cfg, Path.GetFileName(f)));
        string conf = Path.Combine(cfg, "device.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("# Cleaning time: 30", $" Cleaning time: {cleanS}").Replace("# Move time: 0", $" Move time: {moveMs}"));
        string device = "virtual:" + cfg;
        await using var library = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse(device), new TransportOpenContext(state));
        var settings = new LibraryOpenSettings
        {
            DeviceUri = device,
            StateDirectory = state,
            ProfilesDirectory = Path.Combine(root, "profiles"),
            CleanerPrefix = TapeChanger.Domain.CleanerRecognition.DefaultPrefix,
            OpenTransport = (_, _, _) => ValueTask.FromResult<IScsiTransport>(library.OpenLun(0)),
        };
        await using var engine = new LibraryService(new LibraryServiceOptions { Device = device, OperatorRequestTimeoutSeconds = 600 }, settings,
            StateDatabase.Open(state), null, new LibraryServiceTuning { CleanerPollInterval = TimeSpan.FromMilliseconds(20) });
        await engine.StartAsync();
        var op = new Caller("robot-bench", CallerRole.Operator, 0);
        // The cleaner: slot 21 reserved, CLN900L8 put in the mail slot by the "operator" while the inject waits.
        await FinalAsync(engine, (await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerReserve) { Arguments = new() { Slot = 21 } }, op)).Id);
        var inject = await engine.SubmitAsync("default", new RequestSpec(RequestKind.CleanerInject) { Arguments = new() { CleansLeft = 1000 } }, op);
        while ((await engine.GetRequestAsync(inject.Id)).State != RequestState.Waiting) await Task.Delay(10);
        library.Library.OpenImportExport();
        library.Library.InsertIntoImportExport("CLN900L8");
        library.Library.CloseImportExport();
        await FinalAsync(engine, inject.Id);

        // Transfers between slots 1-5 (full, E01001L8...) and 25-29 (empty in library 10): there, then back.
        var clock = Stopwatch.StartNew();
        var ids = new List<Guid>();
        for (int i = 0; i < Math.Max(cleanings, transfers); i++)
        {
            if (i < cleanings) ids.Add((await engine.SubmitAsync("default", new RequestSpec(RequestKind.Clean) { Arguments = new() { Drive = i % m } }, op)).Id);
            if (i < transfers)
            {
                int j = i / 2, from = i % 2 == 0 ? 1 + j : 25 + j, to = i % 2 == 0 ? 25 + j : 1 + j;   // there, then back
                ids.Add((await engine.SubmitAsync("default", new RequestSpec(RequestKind.Transfer) { Arguments = new() { Slot = from, ToSlot = to } }, op)).Id);
            }
        }
        var t0 = DateTimeOffset.UtcNow - clock.Elapsed;
        foreach (var id in ids) await FinalAsync(engine, id);
        var makespan = clock.Elapsed;
        if (Environment.GetEnvironmentVariable("ROBOT_BENCH_TRACE") is "1")
        {
            foreach (var id in ids)
            {
                var r = await engine.GetRequestAsync(id);
                Console.Error.WriteLine($"{r.Kind,-9} {r.Arguments.Drive?.ToString(CultureInfo.InvariantCulture) ?? $"{r.Arguments.Slot}->{r.Arguments.ToSlot}",-6} started {(r.Started - t0)?.TotalSeconds:0.000} ended {(r.Completed - t0)?.TotalSeconds:0.000}");
            }
        }
        Console.WriteLine($"| {what} | {makespan.TotalSeconds:0.000} | {bound.TotalSeconds:0.000} | {makespan / bound:0.000} |");
    }
    finally
    {
        try { Directory.Delete(root, true); } catch (IOException) { }
    }
}

static async Task FinalAsync(ILibraryService engine, Guid id)
{
    var r = await engine.WaitAsync(id, new CancellationTokenSource(TimeSpan.FromMinutes(10)).Token);
    if (r.State != RequestState.Passed) throw new InvalidOperationException($"{r.Kind} {r.Id} ended {r.State}: {r.Message}");
}
