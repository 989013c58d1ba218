using System.Diagnostics;
using System.Text.Json;

namespace TapeChanger.Cli.Tests;

/// <summary>Runs the built `tapechanger` as a separate process, the way an ops script would.</summary>
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

    public Result Run(params string[] args) => RunWithEnv(null, args);

    public Result RunWithEnv(IDictionary<string, string>? env, params string[] args)
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
