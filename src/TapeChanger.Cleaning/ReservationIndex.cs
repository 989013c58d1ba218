using System.Text.Json;

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
        for (int attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                using var lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                var map = Read(path);
                if (map.TryGetValue(device, out var existing) && existing == key) return;
                map[device] = key;
                string tmp = path + ".tmp";
                File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(map, CleanerJsonContext.Default.DictionaryStringString));
                File.Move(tmp, path, overwrite: true);
                return;
            }
            catch (IOException) when (attempt < 49)
            {
                Thread.Sleep(20);        // another process holds the index lock
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return;                  // a cache that cannot be written only costs the data commands their reservation check
            }
        }
    }

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
