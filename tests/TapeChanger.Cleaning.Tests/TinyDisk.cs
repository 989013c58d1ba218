using System.Diagnostics;
using TapeChanger.State;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// A 2 MiB tmpfs (needs root, as CI runs) that a test can fill to the last block: a real full disk under the state
/// database. <see cref="TryMount"/> returns null where mounting is not allowed; a test that needs one is a
/// <see cref="TinyDiskFactAttribute"/>, reported as skipped there (never as passed).
/// </summary>
internal sealed class TinyDisk : IDisposable
{
    private TinyDisk(string path) => Path = path;

    public string Path { get; }
    private string Filler => System.IO.Path.Combine(Path, "filler");

    public static TinyDisk? TryMount()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root") return null;
        string dir = Directory.CreateTempSubdirectory("tc-tiny-").FullName;
        if (Run("mount", "-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", dir) != 0)
        {
            Directory.Delete(dir);
            return null;
        }
        return new TinyDisk(dir);
    }

    /// <summary>Writes a file until the disk has no block left.</summary>
    public void Fill()
    {
        using var f = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough);
        var block = new byte[4096];
        try
        {
            while (true) f.Write(block);
        }
        catch (IOException)
        {
            // ENOSPC: full
        }
    }

    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        StateDatabase.ReleaseConnections();
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}

/// <summary>A fact that needs a <see cref="TinyDisk"/>: tried once per test run; skipped, with the reason, where it cannot be mounted.</summary>
internal sealed class TinyDiskFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Mountable = new(() =>
    {
        using var probe = TinyDisk.TryMount();
        return probe is not null;
    });

    public TinyDiskFactAttribute()
    {
        if (!Mountable.Value) Skip = "needs root on Linux to mount a 2 MiB tmpfs (a real full disk)";
    }
}

/// <summary>The mount a <see cref="TinyDiskFactAttribute"/> test uses (its attribute already found that mounting works).</summary>
internal static class TinyDisks
{
    public static TinyDisk Mount() => TinyDisk.TryMount() ?? throw new InvalidOperationException("the tmpfs could be mounted when the test was discovered, not now");
}
