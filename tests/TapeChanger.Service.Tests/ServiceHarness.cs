using TapeChanger.Domain;
using TapeChanger.Service.Opening;
using TapeChanger.State;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Service.Tests;

/// <summary>
/// mhVTL's library 10 (4 drives, 4 mail slots, 39 slots; a 1 s cleaning stage) in a temp folder, opened once and
/// shared by every session the engine opens (as one physical library is), each observed by a <see cref="RobotRecorder"/>;
/// engines on the state database of the same folder.
/// </summary>
public sealed class ServiceHarness : IAsyncDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("tc-svc-").FullName;
    public string Config => Path.Combine(Root, "cfg");
    public string State => Path.Combine(Root, "state");
    public string Device => "virtual:" + Config;
    public RobotRecorder Recorder { get; } = new();
    private readonly VirtualTransport _library;

    /// <param name="libraryTime">The virtual library's clock (its cleaning cycles, move times); null: the system clock.</param>
    /// <param name="moveMilliseconds">device.conf <c>Move time</c>: how long each simulated move takes (0: instant).</param>
    public ServiceHarness(TimeProvider? libraryTime = null, int moveMilliseconds = 0)
    {
        Directory.CreateDirectory(Config);
        Directory.CreateDirectory(State);
        string src = Path.Combine(AppContext.BaseDirectory, "mhvtl", "library10");
        foreach (var f in Directory.GetFiles(src)) File.Copy(f, Path.Combine(Config, Path.GetFileName(f)));
        string conf = Path.Combine(Config, "device.conf");
        File.WriteAllText(conf, File.ReadAllText(conf).Replace("# Cleaning time: 30", " Cleaning time: 1")
            .Replace("# Move time: 0", $" Move time: {moveMilliseconds}"));
        _library = (VirtualTransport)new VirtualTransportFactory(libraryTime).OpenAsync(DeviceUri.Parse(Device), new TransportOpenContext(State)).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The virtual library itself (the operator's hands: mail slot, door, TapeAlert flags).</summary>
    public VirtualLibrary Library => _library.Library;

    public LibraryOpenSettings OpenSettings => new()
    {
        DeviceUri = Device,
        StateDirectory = State,
        ProfilesDirectory = Path.Combine(Root, "profiles"),
        CleanerPrefix = "CLN",
        Observe = Recorder.Wrap,
        OpenTransport = (_, _, _) => ValueTask.FromResult<IScsiTransport>(_library.OpenLun(0)),
    };

    public LibraryService Engine(TimeProvider? time = null, bool autoCleaning = false, LibraryServiceTuning? tuning = null, int operatorTimeoutSeconds = 600) =>
        new(new LibraryServiceOptions { Device = Device, AutoCleaning = autoCleaning, OperatorRequestTimeoutSeconds = operatorTimeoutSeconds },
            OpenSettings, StateDatabase.Open(State), time,
            tuning ?? new LibraryServiceTuning { CleanerPollInterval = TimeSpan.FromMilliseconds(20), AutoCleaningInterval = TimeSpan.FromMilliseconds(200) });

    /// <summary>The library as the device reports it now (a session of its own, not the engine's kept status).</summary>
    public async Task<LibraryStatus> ReadAsync()
    {
        await using var changer = new MediaChanger(new SmcClient(_library.OpenLun(0)));
        return await changer.GetStatusAsync();
    }

    public static Dictionary<ushort, string> Cartridges(LibraryStatus s) =>
        s.Elements.Where(e => e.Full).ToDictionary(e => e.Address, e => e.Barcode ?? $"(no label at {e.Address})");

    public async ValueTask DisposeAsync()
    {
        await _library.DisposeAsync();
        StateDatabase.ReleaseConnections();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class Wait
{
    /// <summary>Polls until <paramref name="condition"/> holds (real time), or fails the test.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) Assert.Fail($"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    public static Task<RequestRecord> FinalAsync(this ILibraryService s, Guid id, int seconds = 60) =>
        s.WaitAsync(id, new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token);
}
