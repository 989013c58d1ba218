
namespace TapeChanger.Virtual.Tests;

public static class TestConfigs
{
    public static string Resource(string name)
    {
        using var s = typeof(VirtualLibraryConfig).Assembly.GetManifestResourceStream(name)!;
        return new StreamReader(s).ReadToEnd();
    }

    public static string DeviceConf => Resource("mhvtl.library10.device.conf");
    public static string Contents => Resource("mhvtl.library10.library_contents.10");

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
