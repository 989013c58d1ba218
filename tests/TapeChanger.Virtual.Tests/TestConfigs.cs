
namespace TapeChanger.Virtual.Tests;

public static class TestConfigs
{
    /// <summary>A file of hw-profiles/mhvtl/library10 as compiled into TapeChanger.Virtual.</summary>
    public static string Resource(string name) =>
        System.Text.Encoding.UTF8.GetString(BuiltInLibraryFiles.Content(Array.IndexOf(BuiltInLibraryFiles.Names, name)));

    public static string DeviceConf => Resource("device.conf");
    public static string Contents => Resource("library_contents.10");

    /// <summary>Library 10 with extension keys added to the Library stanza.</summary>
    public static VirtualLibraryConfig Library10(bool exchange = false, int? cleaningSeconds = null, int? magazineSize = null)
    {
        string extra = $" Exchange: {(exchange ? "yes" : "no")}\n";
        if (cleaningSeconds is int c) extra += $" Cleaning time: {c}\n";
        if (magazineSize is int m) extra += $" Magazine size: {m}\n";
        string conf = DeviceConf.Replace(" Backoff: 400\n# fifo: /var/tmp/mhvtl\n# Exchange", " Backoff: 400\n" + extra + "# Exchange");
        Assert.Contains(extra, conf);
        return VirtualLibraryConfig.Parse(conf, Contents);
    }
}
