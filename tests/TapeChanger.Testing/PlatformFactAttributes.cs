// Compiled into TapeChanger.Testing and linked into the test projects that do not reference it (Storage, State).

namespace TapeChanger.Testing;

/// <summary>A fact about Linux (sg devices, /proc, flock semantics): reported as skipped elsewhere, never as passed.</summary>
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux()) Skip = "Linux only";
    }
}

/// <summary>A fact about Unix behaviour (file modes, errno mapping): reported as skipped on Windows, never as passed.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "not on Windows (Unix file modes and errno)";
    }
}

/// <summary>
/// A fact that needs file modes to bind this process (a directory without write permission refuses it): skipped on
/// Windows and for root, who writes anywhere.
/// </summary>
public sealed class UnprivilegedUnixFactAttribute : FactAttribute
{
    public UnprivilegedUnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "not on Windows (Unix file modes)";
        else if (Environment.UserName == "root") Skip = "root writes anywhere: file modes cannot refuse it";
    }
}
