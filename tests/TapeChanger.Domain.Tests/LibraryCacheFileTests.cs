using System.Text;
using TapeChanger.Scsi.Decoding;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The kept identity's file: where it lives, what it holds, that every member it needs is checked on reading (any
/// missing one makes it no cache), and that a store instance answers from what it last read, saved or forgot.
/// </summary>
public sealed class LibraryCacheFileTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-cachefile-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static readonly CachedLibrary Entry = new("STK", "L700", "0108", "VS01", 8, "XYZZY_A", new ElementAddressAssignment(1, 1, 1000, 39, 10, 4, 500, 4));

    private const string Whole = """
        {"format": 1, "device": "virtual:", "vendor": "STK", "product": "L700", "revision": "0108", "deviceType": 8, "map": [1, 1, 1000, 39, 10, 4, 500, 4]}
        """;

    [Fact]
    public void The_file_is_indented_json_under_library_cache_named_by_the_device_hash()
    {
        var cache = new FileLibraryCache(_state, "virtual:");
        Assert.Equal(Path.Combine(_state, "library-cache"), Path.GetDirectoryName(cache.Path));
        Assert.Matches("^[0-9a-f]{16}\\.json$", Path.GetFileName(cache.Path));
        Assert.NotEqual(cache.Path, new FileLibraryCache(_state, "virtual:/other").Path);
        cache.Save(Entry);
        string text = File.ReadAllText(cache.Path);
        Assert.Contains("\n  \"vendorSpecific\": \"VS01\",", text);
        Assert.Contains("\"serialNumber\": \"XYZZY_A\"", text);
        Assert.Equal(Entry, new FileLibraryCache(_state, "virtual:").Load());
    }

    [Fact]
    public void Optional_members_left_out_read_back_as_null()
    {
        var bare = Entry with { VendorSpecific = null, SerialNumber = null };
        string text = Encoding.UTF8.GetString(FileLibraryCache.Serialize(bare, "virtual:"));
        Assert.DoesNotContain("vendorSpecific", text);
        Assert.DoesNotContain("serialNumber", text);
        Assert.Equal(bare, FileLibraryCache.Parse(Encoding.UTF8.GetBytes(text), "virtual:"));
        Assert.Equal(Entry with { VendorSpecific = null, SerialNumber = null }, FileLibraryCache.Parse(Encoding.UTF8.GetBytes(Whole), "virtual:"));
    }

    [Theory]
    [InlineData("\"format\": 1, ", "\"format\": 2, ")]
    [InlineData("\"device\": \"virtual:\", ", "\"device\": \"virtual:/x\", ")]
    [InlineData("\"vendor\": \"STK\", ", "")]
    [InlineData("\"product\": \"L700\", ", "")]
    [InlineData("\"revision\": \"0108\", ", "")]
    [InlineData("\"deviceType\": 8, ", "")]
    [InlineData("[1, 1, 1000, 39, 10, 4, 500, 4]", "[1, 1, 1000, 39, 10, 4, 500]")]
    [InlineData("[1, 1, 1000, 39, 10, 4, 500, 4]", "\"none\"")]
    [InlineData("{\"format\"", "[{\"format\"")]
    public void A_file_missing_what_the_entry_needs_is_no_cache(string from, string to)
    {
        Assert.NotNull(FileLibraryCache.Parse(Encoding.UTF8.GetBytes(Whole), "virtual:"));
        string broken = Whole.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Whole, broken);
        Assert.Null(FileLibraryCache.Parse(Encoding.UTF8.GetBytes(broken), "virtual:"));
    }

    [Fact]
    public void Members_it_does_not_know_are_skipped()
    {
        string more = Whole.Replace("\"format\": 1, ", "\"format\": 1, \"note\": {\"a\": [1, 2]}, ", StringComparison.Ordinal);
        Assert.Equal(Entry with { VendorSpecific = null, SerialNumber = null }, FileLibraryCache.Parse(Encoding.UTF8.GetBytes(more), "virtual:"));
    }

    [Fact]
    public void An_instance_answers_from_what_it_last_read_saved_or_forgot()
    {
        var mine = new FileLibraryCache(_state, "virtual:");
        var other = new FileLibraryCache(_state, "virtual:");
        mine.Save(Entry);
        File.Delete(mine.Path);
        Assert.Equal(Entry, mine.Load());                   // saved: not read again

        Assert.Null(other.Load());                          // read once: no file
        mine.Save(Entry);
        Assert.Null(other.Load());                          // and not again

        mine.Forget();
        Assert.False(File.Exists(mine.Path));
        new FileLibraryCache(_state, "virtual:").Save(Entry);
        Assert.Null(mine.Load());                           // forgotten: not read again
    }
}
