using TapeChanger.Service;

namespace TapeChanger.Server;

/// <summary>The engine tapechangerd serves: the libraries of the configuration, state in the service's state directory.</summary>
internal static class EngineFactory
{
    public static ILibraryService Create(IServiceProvider services) =>
        throw new NotSupportedException("the engine (TapeChanger.Service.LibraryService) is not merged into this branch yet");
}
