using TapeChanger.Scsi.Capture;

namespace TapeChanger.Scsi.Tests;

/// <summary>Loads tests/Fixtures/*.hex (copied to the output directory) through the capture parser.</summary>
internal static class Fixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static byte[] Load(string name) => CaptureParser.ParseBytesOrText(File.ReadAllBytes(PathOf(name)));

    public static byte[] Hex(string hex) => CaptureParser.Parse(hex);

    public static IEnumerable<string> All() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "Fixtures"), "*.hex").Select(Path.GetFileName).OfType<string>().Order();
}

/// <summary>Case count for the property tests: modest by default, TAPECHANGER_FUZZ_CASES overrides it.</summary>
internal static class Fuzz
{
    public const int DefaultCases = 500;

    public static int Cases =>
        int.TryParse(Environment.GetEnvironmentVariable("TAPECHANGER_FUZZ_CASES"), out int n) && n > 0 ? n : DefaultCases;
}

/// <summary>An FsCheck <c>[Property]</c> whose MaxTest comes from <see cref="Fuzz.Cases"/>.</summary>
public sealed class FuzzPropertyAttribute : FsCheck.Xunit.PropertyAttribute
{
    public FuzzPropertyAttribute() => MaxTest = Fuzz.Cases;
}
