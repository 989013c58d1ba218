using System.Text.Json;
using TapeChanger.Storage;

namespace TapeChanger.Cleaning;

/// <summary>
/// Maps device URIs to library keys (<c>&lt;state&gt;/libraries/devices.json</c>), written whenever a cleaner command
/// identifies a library. Data commands (load, transfer, import...) use it to honour the cleaner-slot reservation
/// without extra SCSI round trips.
/// </summary>
public static class ReservationIndex
{
    private static string IndexPath(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), "libraries", "devices.json");

    /// <summary>Records that <paramref name="device"/> is the library <paramref name="key"/>. Best effort: the index is a cache.</summary>
    public static void Write(string stateDirectory, string device, string key)
    {
        string path = IndexPath(stateDirectory);
        try
        {
            AtomicFile.CreatePrivateDirectory(Path.GetDirectoryName(path)!);
            using var held = FileLock.Acquire(path + ".lock", LockTimeout);
            var map = Read(path);
            if (map.TryGetValue(device, out var existing) && existing == key) return;
            map[device] = key;
            AtomicFile.Write(path, JsonSerializer.SerializeToUtf8Bytes(map, CleanerJsonContext.Default.DictionaryStringString));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A cache that cannot be written (or stays locked) only costs the data commands their reservation check.
        }
    }

    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The reserved cleaner slot address of the library last seen at <paramref name="device"/>, if any.</summary>
    public static ushort? ReservedAddress(string stateDirectory, string device)
    {
        var map = Read(IndexPath(stateDirectory));
        if (!map.TryGetValue(device, out var key)) return null;
        string statePath = Path.Combine(Path.GetFullPath(stateDirectory), "libraries", key, "cleaner.json");
        if (!File.Exists(statePath)) return null;
        try
        {
            // Writers replace the file atomically, so an unlocked read sees a complete version.
            var state = JsonSerializer.Deserialize(File.ReadAllText(statePath), CleanerJsonContext.Default.CleanerState);
            return state?.Reservation?.Address;
        }
        catch (JsonException e)
        {
            throw new CleanerException(NtmsResult.ERROR_DATABASE_FAILURE, $"cleaner state {statePath} is corrupt: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> Read(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), CleanerJsonContext.Default.DictionaryStringString) ?? [];
        }
        catch (JsonException)
        {
            return [];        // an index is a cache; a damaged one is rebuilt by the next cleaner command
        }
    }
}
