namespace TapeChanger.Storage.Tests;

/// <summary>A fact about Unix behaviour (file modes, flock(1)): reported as skipped, not passed, on Windows.</summary>
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute()
    {
        if (OperatingSystem.IsWindows()) Skip = "Unix only";
    }
}
