using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TapeChanger.Access;
using TapeChanger.Cli;

namespace TapeChanger.Console.Tests;

/// <summary>
/// tapechangerd as a process on a loopback port (port 0: the kernel picks; the log line tells which) with a temporary
/// state directory, on the built-in virtual library or a virtual:DIR one. CONSOLE_SVC_BIN names a folder with another
/// tapechangerd (CI: the NativeAOT one); default: the one built beside these tests.
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public string StateDirectory { get; }
    public Uri Url { get; private set; } = null!;
    public string Device { get; }

    /// <summary>The shared PostgreSQL database (fleet mode), or null: the state database in <see cref="StateDirectory"/>.</summary>
    public string? Database { get; }

    private ServiceProcess(string stateDirectory, string device, FleetMember? fleet = null)
    {
        StateDirectory = stateDirectory;
        Device = device;
        Database = fleet?.Database;
        string dir = Environment.GetEnvironmentVariable("CONSOLE_SVC_BIN") is { Length: > 0 } d ? d : AppContext.BaseDirectory;
        var psi = new ProcessStartInfo(Path.Combine(dir, "tapechangerd"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string listen = fleet is null ? "http://127.0.0.1:0" : $"http://127.0.0.1:{fleet.Port}";
        foreach (var a in new[] { "--state-dir", stateDirectory, "--listen", listen }) psi.ArgumentList.Add(a);
        psi.Environment["TAPECHANGER_Device"] = device;
        if (fleet is not null)
        {
            psi.ArgumentList.Add("--database");
            psi.ArgumentList.Add(fleet.Database);
            psi.Environment["TAPECHANGER_Fleet__Name"] = fleet.Name;
            psi.Environment["TAPECHANGER_Fleet__Url"] = listen;
            foreach (var (name, dev) in fleet.Libraries) psi.Environment[$"TAPECHANGER_Libraries__{name}__Device"] = dev;
        }
        psi.Environment["TAPECHANGER_STATE_DIR"] = stateDirectory;
        _process = Process.Start(psi) ?? throw new InvalidOperationException("tapechangerd did not start");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Log { get { lock (_log) return _log.ToString(); } }

    /// <summary>A member of a fleet: its name, loopback port (its Fleet:Url), the shared database and the libraries besides the default one.</summary>
    public sealed record FleetMember(string Name, int Port, string Database, IReadOnlyList<(string Name, string Device)> Libraries);

    public static Task<ServiceProcess> StartAsync(string device = "virtual:") =>
        StartAsync(new ServiceProcess(Directory.CreateTempSubdirectory("tc-console-").FullName, device));

    /// <summary>A fleet member on <paramref name="stateDirectory"/> (the fleet's shared state folder, which it does not delete).</summary>
    public static Task<ServiceProcess> StartInFleetAsync(string stateDirectory, string device, FleetMember fleet) =>
        StartAsync(new ServiceProcess(stateDirectory, device, fleet));

    private static async Task<ServiceProcess> StartAsync(ServiceProcess s)
    {
        var until = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            if (ListeningOn().Match(s.Log) is { Success: true } m)
            {
                s.Url = new Uri(m.Groups[1].Value + "/");
                return s;
            }
            if (s._process.HasExited) break;
            await Task.Delay(100);
        }
        string log = s.Log;
        await s.DisposeAsync();
        throw new InvalidOperationException("tapechangerd did not start listening:\n" + log);
    }

    [GeneratedRegex(@"tapechangerd listening on (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningOn();

    /// <summary>A new API token (written into the state database, as `tapechanger token create` does).</summary>
    public string Token(AccessRole role, string name) =>
        (Database is null ? AccessStore.Open(StateDirectory) : new AccessStore(TapeChanger.State.StateDatabase.OpenShared(Database))).CreateToken(role, name).Token;

    public HttpClient Http(string token)
    {
        var c = new HttpClient { BaseAddress = Url };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>The CLI through this service (--server URL --token TOKEN ...), in this process.</summary>
    public (int ExitCode, string Stdout, string Stderr) Cli(string token, params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int rc = TapeChangerCli.RunAsync(["--server", Url.ToString().TrimEnd('/'), "--token", token, .. args], o, e).GetAwaiter().GetResult();
        return (rc, o.ToString(), e.ToString());
    }

    /// <summary>`status --json` through the CLI: the elements by type and slot/drive.</summary>
    public JsonElement Status(string token)
    {
        var (rc, stdout, stderr) = Cli(token, "status", "--json");
        Assert.True(rc == 0, $"status exited {rc}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    public static JsonElement Element(JsonElement status, string type, string key, int value) =>
        status.GetProperty("elements").EnumerateArray().Single(e => e.GetProperty("type").GetString() == type && e.TryGetProperty(key, out var v) && v.GetInt32() == value);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
        if (Database is not null) return;                  // a fleet's shared state folder: the test removes it
        try { Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
