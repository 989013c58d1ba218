using System.Diagnostics;
using System.Text.Json;

namespace TapeChanger.Cli.Tests;

/// <summary>
/// Runs the built `tapechanger` as a separate process, the way an ops script would, or (with <see cref="InProcess"/>)
/// in this process through <see cref="TapeChangerCli.RunAsync"/> with --state-dir set to this runner's directory.
/// A run with environment variables is always a process: in-process runs share this process's environment.
/// </summary>
public sealed class CliRunner : IDisposable
{
    public string StateDirectory { get; } = Directory.CreateTempSubdirectory("tc-cli-").FullName;

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

    public Result RunWithEnv(IDictionary<string, string>? env, params string[] args) =>
        InProcess && env is not { Count: > 0 } ? RunInProcess(args) : RunProcessWithEnv(env, args);

    private Result RunInProcess(string[] args)
    {
        if (BinDirectory != AppContext.BaseDirectory) throw new InvalidOperationException("an in-process run reads this process's appsettings.json; use a process for another BinDirectory");
        string[] full = args.Contains("--state-dir") ? args : ["--state-dir", StateDirectory, .. args];
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
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
