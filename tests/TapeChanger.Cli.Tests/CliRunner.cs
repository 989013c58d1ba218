using System.Diagnostics;
using System.Text.Json;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// Runs the built `tapechanger` as a separate process, the way an ops script would, or (with <see cref="InProcess"/>)
/// in this process through <see cref="TapeChangerCli.RunAsync"/> with --state-dir set to this runner's directory.
/// An in-process run's environment variables are laid over this process's for that run only (CliEnvironment).
/// </summary>
public sealed class CliRunner : IDisposable
{
    private readonly Lock _stateDirectoryGate = new();
    private string? _stateDirectory;

    /// <summary>
    /// The runner's state directory (a new temp directory unless given; another runner's may be shared). Created on
    /// first use under a lock: tests start several processes from several threads at once, and each must get the
    /// same directory (an unguarded `??=` gave each racing thread its own, so their moves landed in different
    /// libraries).
    /// </summary>
    public string StateDirectory
    {
        get
        {
            lock (_stateDirectoryGate) return _stateDirectory ??= Directory.CreateTempSubdirectory("tc-cli-").FullName;
        }
        init => _stateDirectory = value;
    }

    /// <summary>Where tapechanger.dll (and the appsettings.json it reads) is run from; a copy lets a test change appsettings.json.</summary>
    public string BinDirectory { get; init; } = AppContext.BaseDirectory;

    public void Dispose()
    {
        try { Directory.Delete(StateDirectory, recursive: true); } catch (IOException) { }
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    /// <summary>Run in this process (exit code = RunAsync's result); for what does not depend on the process itself.</summary>
    public bool InProcess { get; init; }

    public Result Run(params string[] args) => RunWithEnv(null, args);

    /// <summary>Always a separate `dotnet exec` process, whatever <see cref="InProcess"/> says.</summary>
    public Result RunProcess(params string[] args) => RunProcessWithEnv(null, args);

    /// <summary>A separate process with these variables added to its environment.</summary>
    public Result RunProcess(IDictionary<string, string> env, params string[] args) => RunProcessWithEnv(env, args);

    public Result RunWithEnv(IDictionary<string, string>? env, params string[] args) =>
        InProcess ? RunInProcess(env, args) : RunProcessWithEnv(env, args);

    private Result RunInProcess(IDictionary<string, string>? env, string[] args)
    {
        if (BinDirectory != AppContext.BaseDirectory) throw new InvalidOperationException("an in-process run reads this process's appsettings.json; use a process for another BinDirectory");
        // The runner's state directory, unless the run chooses its own (the option, or the variable as a process would).
        bool ownState = args.Contains("--state-dir") || env?.ContainsKey("TAPECHANGER_STATE_DIR") == true;
        string[] full = ownState ? args : ["--state-dir", StateDirectory, .. args];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var overlay = CliEnvironment.Overlay(new Dictionary<string, string>(env ?? new Dictionary<string, string>()));
        int rc = TapeChangerCli.RunAsync(full, stdout, stderr, timeout.Token).GetAwaiter().GetResult();
        return new Result(rc, stdout.ToString(), stderr.ToString());
    }

    private Result RunProcessWithEnv(IDictionary<string, string>? env, string[] args)
    {
        string dll = Path.Combine(BinDirectory, "tapechanger.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("exec");
        psi.ArgumentList.Add(dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TAPECHANGER_STATE_DIR"] = StateDirectory;
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"tapechanger {string.Join(' ', args)} did not finish in 60 s");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);
}
