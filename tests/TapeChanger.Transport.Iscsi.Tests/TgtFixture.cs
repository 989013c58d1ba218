using System.Diagnostics;
using TapeChanger.Transport;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>A fact that runs only with TAPECHANGER_TGT=1 (xunit 2 has no dynamic skip, so Skip is set at discovery).</summary>
public sealed class TgtFactAttribute : FactAttribute
{
    public const string Variable = "TAPECHANGER_TGT";

    public TgtFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1") Skip = $"set {Variable}=1 to run against a tgt library (tools/tgt-library.sh)";
    }
}

/// <summary>
/// Starts one tgt library per test class through tools/tgt-library.sh (own state file, free loopback port) and stops it
/// afterwards. Does nothing when TAPECHANGER_TGT is not 1.
/// </summary>
public class TgtLibraryFixture : IDisposable
{
    public const string Iqn = "iqn.2026-11.dev.tapechanger:vtl";
    public const ushort Picker = 1, SlotStart = 1000, IeStart = 10, DriveStart = 500;
    public const int Slots = 10, Ies = 2, Drives = 2;
    /// <summary>Initial contents: slot address → barcode.</summary>
    public static readonly IReadOnlyDictionary<ushort, string> SlotMedia = new Dictionary<ushort, string>
    {
        [1000] = "A0000001", [1001] = "A0000002", [1002] = "A0000003", [1003] = "A0000004", [1009] = "CLN00001",
    };

    private readonly string _stateFile = Path.Combine(Path.GetTempPath(), $"tc-tgt-{Guid.NewGuid():N}.state");

    public TgtLibraryFixture()
    {
        if (Environment.GetEnvironmentVariable(TgtFactAttribute.Variable) != "1") return;
        Uri = Script(ExtraEnvironment(), "start").Trim();
        Address = DeviceUri.Parse(Uri);
    }

    /// <summary>Additional environment for the start script (CHAP account...).</summary>
    protected virtual IReadOnlyDictionary<string, string> ExtraEnvironment() => new Dictionary<string, string>();

    public string Uri { get; } = "";

    public DeviceAddress? Address { get; }

    /// <summary>Operator insertion into an IE element at runtime.</summary>
    public void Insert(ushort ie, string barcode) => Script(new Dictionary<string, string>(), "insert", ie.ToString(), barcode);

    public void Remove(ushort ie) => Script(new Dictionary<string, string>(), "remove", ie.ToString());

    public static string ScriptPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "tools", "tgt-library.sh"))) dir = dir.Parent;
            return dir is null ? throw new FileNotFoundException("tools/tgt-library.sh not found above " + AppContext.BaseDirectory)
                : Path.Combine(dir.FullName, "tools", "tgt-library.sh");
        }
    }

    private string Script(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(ScriptPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["TGT_STATE_FILE"] = _stateFile;
        psi.Environment["TGT_IQN"] = Iqn;
        psi.Environment["TGT_SLOT_MEDIA"] = string.Join(' ', SlotMedia.Select(kv => $"{kv.Key}:{kv.Value}"));
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(30_000))
        {
            p.Kill(true);
            throw new TimeoutException($"tgt-library.sh {string.Join(' ', args)} hung");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"tgt-library.sh {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable(TgtFactAttribute.Variable) == "1" && File.Exists(_stateFile)) Script(new Dictionary<string, string>(), "stop");
        GC.SuppressFinalize(this);
    }
}
