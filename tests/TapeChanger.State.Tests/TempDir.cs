namespace TapeChanger.State.Tests;

internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("tc-state-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        StateDatabase.ReleaseConnections();
        try { Directory.Delete(Path, true); } catch (IOException) { }
    }
}
