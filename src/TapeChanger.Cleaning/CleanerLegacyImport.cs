using System.Text.Json;
using TapeChanger.State;

namespace TapeChanger.Cleaning;

/// <summary>
/// The one-time import of the JSON files that held cleaner state before the state database: a library's
/// <c>libraries/KEY/cleaner.json</c> (schema 1 or 2) and the device index <c>libraries/devices.json</c>. Each is
/// imported in one write transaction when first met and then renamed <c>*.imported</c> (kept as a backup). When the
/// database already holds the library (another process imported it first), the file is only renamed.
/// </summary>
internal static class CleanerLegacyImport
{
    public const string ImportedSuffix = ".imported";

    public static string JsonPath(string libraryDirectory) => Path.Combine(libraryDirectory, "cleaner.json");

    public static string IndexPath(string stateDirectory) => Path.Combine(Path.GetFullPath(stateDirectory), "libraries", "devices.json");

    /// <summary>Imports <c>cleaner.json</c> of the library <paramref name="key"/> if it is there. A file that cannot be read fails with its path and stays.</summary>
    public static void ImportLibrary(StateDatabase db, string libraryDirectory, string key)
    {
        string path = JsonPath(libraryDirectory);
        if (!File.Exists(path)) return;
        CleanerState state;
        try
        {
            state = JsonSerializer.Deserialize(File.ReadAllText(path), CleanerJsonContext.Default.CleanerState)
                ?? throw new JsonException("the file holds null");
        }
        catch (JsonException e)
        {
            throw new CleanerException(NtmsResult.ERROR_DATABASE_FAILURE, $"cleaner state {path} is corrupt, not imported into {db.Path}: {e.Message}", e);
        }
        if (state.SchemaVersion > CleanerState.CurrentSchema)
        {
            throw new CleanerException(NtmsResult.ERROR_DATABASE_FAILURE,
                $"cleaner state {path} has schema {state.SchemaVersion}, newer than this tapechanger understands ({CleanerState.CurrentSchema}); not imported");
        }
        state.LibraryKey = key;                           // the folder's key is the one the store asks for
        db.Write(tx =>
        {
            if (CleanerStateRows.Load(tx, key) is not null) return;
            CleanerStateRows.Write(tx, null, [.. CleanerStateRows.Images(state)]);
        });
        KeepAsBackup(path);
    }

    /// <summary>Imports <c>devices.json</c> (device URI → library key) if it is there; a damaged index is a cache and is only set aside.</summary>
    public static void ImportIndex(StateDatabase db, string stateDirectory)
    {
        string path = IndexPath(stateDirectory);
        if (!File.Exists(path)) return;
        Dictionary<string, string> map;
        try
        {
            map = JsonSerializer.Deserialize(File.ReadAllText(path), CleanerJsonContext.Default.DictionaryStringString) ?? [];
        }
        catch (JsonException)
        {
            map = [];
        }
        db.Write(tx =>
        {
            foreach (var (device, key) in map)
            {
                if (tx.Scalar("SELECT library_key FROM device_index WHERE device = @d", ("d", device)) is null)
                {
                    tx.Execute("INSERT INTO device_index (device, library_key) VALUES (@d, @k)", ("d", device), ("k", key));
                }
            }
        });
        KeepAsBackup(path);
    }

    private static void KeepAsBackup(string path)
    {
        try
        {
            File.Move(path, path + ImportedSuffix, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // another process imported and renamed it first
        }
    }
}
