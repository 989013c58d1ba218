using System.Text;
using System.Text.Json;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Storage;

namespace TapeChanger.Domain;

/// <summary>
/// What a session learned about a library that does not change while it runs: its INQUIRY identity, its unit serial
/// number once read (VPD 80h), and its element address assignment (page 1Dh). A later session trusts it instead of
/// asking again and checks it against what the library reports (<see cref="MediaChanger"/>: the element counts and
/// first addresses in the READ ELEMENT STATUS replies, the elements a targeted read returns, and unit attentions that
/// change the operating definition, 2Ah and 3Fh).
/// </summary>
public sealed record CachedLibrary(string Vendor, string Product, string Revision, string? VendorSpecific, byte DeviceType,
    string? SerialNumber, ElementAddressAssignment Map);

/// <summary>Where one library's <see cref="CachedLibrary"/> is kept between sessions. Never throws: a cache only saves commands.</summary>
public interface ILibraryCache
{
    CachedLibrary? Load();

    void Save(CachedLibrary library);

    /// <summary>The library no longer matches what was kept (or changed its definition): forget it.</summary>
    void Forget();
}

/// <summary>
/// The cache as one small JSON file per device under <c>STATE/library-cache/</c> (named by a hash of the device URI),
/// replaced with <see cref="AtomicFile"/>. Read and written with Utf8JsonReader/Writer (no serializer metadata at
/// start-up). A file that cannot be read or parsed counts as no cache.
/// </summary>
public sealed class FileLibraryCache(string stateDirectory, string device) : ILibraryCache
{
    private const int Format = 1;

    public string Path { get; } = System.IO.Path.Combine(stateDirectory, "library-cache",
        Convert.ToHexString(StateKeyHash.HashData(Encoding.UTF8.GetBytes(device)), 0, 8).ToLowerInvariant() + ".json");

    public string Device { get; } = device;

    private (bool Loaded, CachedLibrary? Entry) _last;

    /// <summary>The entry (read once per process; <see cref="Save"/> and <see cref="Forget"/> keep it current).</summary>
    public CachedLibrary? Load()
    {
        if (_last.Loaded) return _last.Entry;
        CachedLibrary? entry = null;
        try
        {
            if (File.Exists(Path)) entry = Parse(File.ReadAllBytes(Path), Device);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or FormatException)
        {
        }
        _last = (true, entry);
        return entry;
    }

    public void Save(CachedLibrary library)
    {
        _last = (true, library);
        try
        {
            System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            AtomicFile.Write(Path, Serialize(library, Device));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only state directory: the next session asks the library again.
        }
    }

    public void Forget()
    {
        _last = (true, null);
        try { File.Delete(Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    internal static byte[] Serialize(CachedLibrary c, string device)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("format", Format);
            w.WriteString("device", device);
            w.WriteString("vendor", c.Vendor);
            w.WriteString("product", c.Product);
            w.WriteString("revision", c.Revision);
            if (c.VendorSpecific is not null) w.WriteString("vendorSpecific", c.VendorSpecific);
            w.WriteNumber("deviceType", c.DeviceType);
            if (c.SerialNumber is not null) w.WriteString("serialNumber", c.SerialNumber);
            var m = c.Map;
            w.WriteStartArray("map");   // first and count of MT, ST, IE, DT (page 1Dh order)
            foreach (int v in new int[] { m.FirstTransport, m.TransportCount, m.FirstStorage, m.StorageCount, m.FirstImportExport, m.ImportExportCount, m.FirstDataTransfer, m.DataTransferCount })
                w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The entry, or null when the file is of another format or another device.</summary>
    internal static CachedLibrary? Parse(ReadOnlySpan<byte> utf8, string device)
    {
        var r = new Utf8JsonReader(utf8);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
        int format = 0;
        string? dev = null, vendor = null, product = null, revision = null, vendorSpecific = null, serial = null;
        byte type = 0xFF;
        var map = new List<ushort>();
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            string name = r.GetString()!;
            r.Read();
            switch (name)
            {
                case "format": format = r.GetInt32(); break;
                case "device": dev = r.GetString(); break;
                case "vendor": vendor = r.GetString(); break;
                case "product": product = r.GetString(); break;
                case "revision": revision = r.GetString(); break;
                case "vendorSpecific": vendorSpecific = r.GetString(); break;
                case "deviceType": type = r.GetByte(); break;
                case "serialNumber": serial = r.GetString(); break;
                case "map":
                    if (r.TokenType != JsonTokenType.StartArray) return null;
                    while (r.Read() && r.TokenType == JsonTokenType.Number) map.Add(r.GetUInt16());
                    break;
                default: r.Skip(); break;
            }
        }
        if (format != Format || dev != device || vendor is null || product is null || revision is null || type == 0xFF || map.Count != 8) return null;
        return new CachedLibrary(vendor, product, revision, vendorSpecific, type, serial,
            new ElementAddressAssignment(map[0], map[1], map[2], map[3], map[4], map[5], map[6], map[7]));
    }
}
