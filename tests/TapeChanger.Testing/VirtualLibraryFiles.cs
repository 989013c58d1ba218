namespace TapeChanger.Testing;

/// <summary>The mhVTL library 10 configuration the virtual library reads (hw-profiles/mhvtl/library10), copied for a test.</summary>
public static class VirtualLibraryFiles
{
    /// <summary>Where the build puts the files (beside the test assembly).</summary>
    public static string Library10 => Path.Combine(AppContext.BaseDirectory, "mhvtl", "library10");

    /// <summary>device.conf edit: the drives' cleaning cycle takes 1 s instead of 30 s.</summary>
    public static readonly (string From, string To) CleaningTime1s = ("# Cleaning time: 30", " Cleaning time: 1");

    /// <summary>device.conf edit: the library supports EXCHANGE MEDIUM.</summary>
    public static readonly (string From, string To) ExchangeYes = ("# Exchange: no", " Exchange: yes");

    /// <summary>
    /// Copies library 10's device.conf and library_contents into <paramref name="directory"/> (created if needed) and
    /// applies the device.conf edits; an edit whose text is not there fails (the profile changed under the test).
    /// </summary>
    public static string CopyLibrary10(string directory, params (string From, string To)[] deviceConfEdits)
    {
        Directory.CreateDirectory(directory);
        foreach (var f in Directory.GetFiles(Library10)) File.Copy(f, Path.Combine(directory, Path.GetFileName(f)), overwrite: true);
        if (deviceConfEdits.Length == 0) return directory;
        string conf = Path.Combine(directory, "device.conf");
        string text = File.ReadAllText(conf);
        foreach (var (from, to) in deviceConfEdits)
        {
            if (!text.Contains(from, StringComparison.Ordinal)) throw new InvalidOperationException($"{conf} has no '{from}' line to change");
            text = text.Replace(from, to, StringComparison.Ordinal);
        }
        File.WriteAllText(conf, text);
        return directory;
    }
}
