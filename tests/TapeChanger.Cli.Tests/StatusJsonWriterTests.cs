using System.Text;
using System.Text.Json;
using TapeChanger.Cli.Output;
using ElementTypeAlias = TapeChanger.Scsi.ElementType;

namespace TapeChanger.Cli.Tests;

/// <summary>`status --json` written by StatusJsonWriter is, byte for byte, what the serializer writes for the document.</summary>
public class StatusJsonWriterTests
{
    private static ElementJson E(string type, int address, int i) => new()
    {
        Type = type,
        Address = address,
        Full = i % 2 == 0,
        Barcode = i % 3 == 0 ? null : $"B{i:D5}L8",
        AlternateBarcode = i % 7 == 0 ? "ALT<+>&'\"é\u0001" : null,
        Source = i % 4 == 0 ? 1000 + i : null,
        MediumType = i % 5 == 0 ? "cleaning" : "data",
        Except = i % 11 == 0,
        Asc = i % 11 == 0 ? 0x83 : 0,
        Ascq = i % 11 == 0 ? 2 : 0,
        Access = i % 2 == 1,
        ImpExp = i % 3 == 1,
        Identifier = type == "dataTransfer" ? "IBM     ULT3580-TD5     1013000" : null,
        Slot = type is "storage" or "importExport" ? i + 1 : null,
        Drive = type == "dataTransfer" ? i : null,
        SourceSlot = i % 4 == 0 ? i + 2 : null,
        Cleaner = i % 5 == 0 ? true : null,
        Serial = type == "dataTransfer" ? "1013000\\x" : null,
        InEnab = type == "importExport" ? i % 2 == 0 : null,
        ExEnab = type == "importExport" ? true : null,
        Partial = i == 9 ? true : null,
        Model = type == "dataTransfer" ? "IBM ULT3580-TD5" : null,
        ReservedCleanerSlot = i == 12 ? true : null,
        NeedsCleaning = type == "dataTransfer" && i % 2 == 0 ? new NeedsCleaningJson("TapeAlert 14h: clean now", new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero)) : null,
        Cleaning = type == "dataTransfer" && i % 3 == 0 ? new CleaningNowJson(new Guid(i, 0, 0, new byte[8]), "in-process", i % 2 == 0 ? "in-drive" : null, new DateTimeOffset(2026, 12, 5, 6, 1, 0, TimeSpan.Zero)) : null,
        ExceptText = i % 11 == 0 ? "vendor specific ASC 83h/02h \"<é>\"" : null,
    };

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(700)]        // more than one flush
    public void The_written_document_is_the_serializers(int storage)
    {
        var elements = new List<ElementJson> { E("transport", 1, 1) };
        for (int i = 0; i < 4; i++) elements.Add(E("dataTransfer", 500 + i, i));
        for (int i = 0; i < 2; i++) elements.Add(E("importExport", 10 + i, i));
        for (int i = 0; i < storage; i++) elements.Add(E("storage", 1000 + i, i));
        var doc = new StatusDocument("iscsi://127.0.0.1:3260/iqn.x:y/1 <é>", new LibraryJson("STK", "L700", "0108", storage == 3 ? null : "XYZZY_A"),
            new ElementMapJson(new RangeJson(1, 1), new RangeJson(1000, storage), new RangeJson(10, 2), new RangeJson(500, 4)), elements);
        string expected = JsonSerializer.Serialize(doc, CliJsonContext.Default.StatusDocument);
        using var stream = new MemoryStream();
        StatusJsonWriter.Write(stream, doc);
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>
    /// Elements of one shape share a template whose constant runs hold the type and medium type words, flags, nulls and
    /// a zero ASC/ASCQ: elements that differ in any of them, or carry those words as other string objects (equal or
    /// not to the mapper's), are still written as the serializer writes them.
    /// </summary>
    [Fact]
    public void Elements_of_one_shape_share_a_template_and_every_difference_shows()
    {
        static ElementJson Empty(int address) => new()
        {
            Type = "storage", Address = address, Full = false, MediumType = "unspecified", Except = false, Asc = 0, Ascq = 0,
            Access = true, ImpExp = false, Slot = address - 999, Cleaner = false,
        };
        var elements = new List<ElementJson>();
        for (int i = 0; i < 50; i++) elements.Add(Empty(1000 + i));
        int oneShape = elements.Count;
        elements.Add(Empty(2000) with { Type = new string("storage".AsSpan()), MediumType = new string("data".AsSpan()) });
        elements.Add(Empty(2001) with { Type = "robot<arm>", MediumType = "tape\u00e9\"" });
        elements.Add(Empty(2002) with { Asc = 0, Ascq = 7, Except = true, ExceptText = "x" });
        elements.Add(Empty(2003) with { Asc = 0x3A, Ascq = 0 });
        elements.Add(Empty(2004) with { Full = true, Barcode = "B1", Source = 1003, SourceSlot = 4 });
        elements.Add(Empty(2005) with { Full = true, Barcode = "B2", Source = 1004, SourceSlot = 5, Cleaner = true });
        elements.Add(Empty(2006) with { Slot = null, Drive = 3, Serial = "S\t1", Model = "IBM", Identifier = "ID", Cleaner = null });
        elements.Add(Empty(2007) with { InEnab = true, ExEnab = false, Partial = true, ReservedCleanerSlot = false, AlternateBarcode = "A" });
        elements.Add(Empty(2008) with { InEnab = false, ExEnab = true, Partial = false, ReservedCleanerSlot = true, Access = false, ImpExp = true });
        elements.Add(Empty(2009));
        var doc = new StatusDocument("virtual:", new LibraryJson("V", "P", "R", null),
            new ElementMapJson(new RangeJson(1, 0), new RangeJson(1000, elements.Count), new RangeJson(10, 0), new RangeJson(500, 0)), elements);
        string expected = JsonSerializer.Serialize(doc, CliJsonContext.Default.StatusDocument);
        using var stream = new MemoryStream();
        StatusJsonWriter.Write(stream, doc);
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));

        var bytes = new ElementJsonBytes("\n");
        var output = new JsonByteBuffer();
        for (int i = 0; i < oneShape; i++) Assert.True(bytes.TryWrite(elements[i], output));
        Assert.Equal(1, bytes.Shapes);
        for (int i = oneShape; i < elements.Count; i++) Assert.True(bytes.TryWrite(elements[i], output));
        // 2000 and 2001 have one shape (both words written as values); the last is the first shape again.
        Assert.Equal(1 + elements.Count - oneShape - 2, bytes.Shapes);
    }

    /// <summary>A string longer than the document's buffer (escaped: 6 bytes a char) grows it in the middle of an element.</summary>
    [Fact]
    public void A_string_larger_than_the_buffer_grows_it_within_its_element()
    {
        var elements = new List<ElementJson> { E("storage", 1000, 1), E("storage", 1001, 2) with { Barcode = new string('<', 20_000) + "x" }, E("storage", 1002, 3) };
        var doc = new StatusDocument("virtual:", new LibraryJson("V", "P", "R", null),
            new ElementMapJson(new RangeJson(1, 0), new RangeJson(1000, 3), new RangeJson(10, 0), new RangeJson(500, 0)), elements);
        string expected = JsonSerializer.Serialize(doc, CliJsonContext.Default.StatusDocument);
        using var stream = new MemoryStream();
        StatusJsonWriter.Write(stream, doc);
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>
    /// A status document's elements are written from the domain's elements (<see cref="StatusElementView"/>, no record
    /// made), except a drive with cleaning members; the bytes are the serializer's for the records the same list maps.
    /// </summary>
    [Fact]
    public void Domain_elements_are_written_as_the_serializer_writes_their_records()
    {
        static TapeChanger.Domain.Element D(ElementTypeAlias type, ushort address, bool full, int? slot = null, int? drive = null, string? barcode = null,
            ushort? source = null, bool cleaner = false, bool except = false, bool inEnab = false, bool exEnab = false, string? identifier = null,
            string? serial = null, string? model = null, bool access = true, bool impExp = false, string? alternate = null) =>
            new(type, address, full, barcode, alternate, source, full ? TapeChanger.Scsi.MediumType.Data : TapeChanger.Scsi.MediumType.Unspecified,
                except, (byte)(except ? 0x3B : 0), (byte)(except ? 0x12 : 0), access, impExp, inEnab, exEnab, identifier, serial, slot, drive, cleaner)
            { DriveModel = model };
        var map = new TapeChanger.Domain.ElementMap(new TapeChanger.Domain.ElementRange(ElementTypeAlias.MediumTransport, 1, 1),
            new TapeChanger.Domain.ElementRange(ElementTypeAlias.Storage, 1000, 6), new TapeChanger.Domain.ElementRange(ElementTypeAlias.ImportExport, 10, 2),
            new TapeChanger.Domain.ElementRange(ElementTypeAlias.DataTransfer, 500, 3));
        var elements = new List<TapeChanger.Domain.Element>
        {
            D(ElementTypeAlias.MediumTransport, 1, false),
            D(ElementTypeAlias.DataTransfer, 500, true, drive: 0, barcode: "B00001L8", source: 1002, identifier: "IBM     ULT3580-TD8     DRV1", serial: "DRV1", model: "IBM ULT3580-TD8"),
            D(ElementTypeAlias.DataTransfer, 501, false, drive: 1, identifier: "X", serial: "DRV2<&>", model: null),
            D(ElementTypeAlias.DataTransfer, 502, false, drive: 2, serial: "DRV3"),
            D(ElementTypeAlias.ImportExport, 10, true, slot: 7, barcode: "IE0001", inEnab: true, exEnab: true, impExp: true),
            D(ElementTypeAlias.ImportExport, 11, false, slot: 8, inEnab: false, exEnab: true),
            D(ElementTypeAlias.Storage, 1000, false, slot: 1),
            D(ElementTypeAlias.Storage, 1001, true, slot: 2, barcode: "CLN001L1", cleaner: true),
            D(ElementTypeAlias.Storage, 1002, false, slot: 3, access: false),
            D(ElementTypeAlias.Storage, 1003, true, slot: 4, barcode: "B\"é", alternate: "ALT", source: 500),
            D(ElementTypeAlias.Storage, 1004, false, slot: 5, except: true),
            D(ElementTypeAlias.Storage, 1005, true, slot: 6, barcode: null),
        };
        NeedsCleaningJson? Needs(TapeChanger.Domain.Element e) =>
            e.Address == 501 ? new NeedsCleaningJson("TapeAlert 14h", new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero)) : null;
        CleaningNowJson? Now(TapeChanger.Domain.Element e) =>
            e.Address == 502 ? new CleaningNowJson(Guid.Empty, "queued", null, new DateTimeOffset(2026, 12, 5, 6, 1, 0, TimeSpan.Zero)) : null;
        var list = new StatusElements(elements, map, Needs, Now, reservedCleanerSlot: 1001);
        Assert.True(list.TryView(1, out _));
        Assert.False(list.TryView(2, out _));
        Assert.False(list.TryView(3, out _));
        var doc = new StatusDocument("virtual:", new LibraryJson("V", "P", "R", "S"),
            JsonMapper.ToJson(map), list);
        string expected = JsonSerializer.Serialize(doc, CliJsonContext.Default.StatusDocument);
        // The writer and the serializer both see the list's mapping: which elements are the reserved cleaner slot is
        // checked on its own (the storage element at that address alone, not the drive or mail slots).
        Assert.Equal([1001], JsonDocument.Parse(expected).RootElement.GetProperty("elements").EnumerateArray()
            .Where(e => e.TryGetProperty("reservedCleanerSlot", out var r) && r.GetBoolean()).Select(e => e.GetProperty("address").GetInt32()));
        Assert.Equal(11, JsonDocument.Parse(expected).RootElement.GetProperty("elements").EnumerateArray().Count(e => !e.TryGetProperty("reservedCleanerSlot", out _)));
        Assert.Contains("\"sourceSlot\": 3", expected);
        using var stream = new MemoryStream();
        StatusJsonWriter.Write(stream, doc);
        Assert.Equal(expected, Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>
    /// Every member of ElementJson is set in the sample above, so the comparison covers it: a member added to the
    /// contract fails here until StatusJsonWriter writes it (and the sample sets it).
    /// </summary>
    [Fact]
    public void The_sample_sets_every_member_of_the_element_contract()
    {
        string json = JsonSerializer.Serialize(E("dataTransfer", 500, 0) with { AlternateBarcode = "A", Source = 1, Cleaner = true, Partial = true, ReservedCleanerSlot = true, ExceptText = "x" },
            CliJsonContext.Default.ElementJson);
        var written = JsonDocument.Parse(json).RootElement.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var members = typeof(ElementJson).GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));
        string[] missing = members.Where(m => !written.Contains(m) && m is not "slot" and not "inEnab" and not "exEnab").ToArray();   // those: storage / IE only
        Assert.True(missing.Length == 0, $"ElementJson members the sample does not set (and StatusJsonWriter may not write): {string.Join(", ", missing)}");
    }
}
