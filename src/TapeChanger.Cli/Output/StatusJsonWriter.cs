using System.Text.Json;

namespace TapeChanger.Cli.Output;

/// <summary>
/// `status --json` written member by member with <see cref="Utf8JsonWriter"/>: the same bytes the serializer writes
/// for <see cref="StatusDocument"/> (a test compares them), without its per-property converter machinery, which cost
/// about 10,000 instructions per element (a 2,080-element library: 22 million, callgrind). Each element's object is
/// made by <see cref="ElementJsonBytes"/> and written as a raw value (the writer's own calls cost another 5,800). The elements go out in
/// chunks, so a 50,000-element document never exists whole in memory. A drive's request for cleaning and its cleaning
/// in progress still go through the generated serializer.
/// </summary>
internal static class StatusJsonWriter
{
    /// <summary>Elements written between flushes to the stream.</summary>
    private const int FlushEvery = 256;

    public static void Write(Stream stream, StatusDocument doc)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteBoolean("ok"u8, doc.Ok);
        w.WriteString("device"u8, doc.Device);
        // The library and the element map member by member too: the generated context is made only for a drive's
        // cleaning members (its options and the default encoder's tables cost 1.8 million instructions at first use).
        w.WriteStartObject("library"u8);
        w.WriteString("vendor"u8, doc.Library.Vendor);
        w.WriteString("product"u8, doc.Library.Product);
        w.WriteString("revision"u8, doc.Library.Revision);
        StringOrNull(w, "serial"u8, doc.Library.Serial);
        w.WriteEndObject();
        w.WriteStartObject("elementMap"u8);
        Range(w, "transport"u8, doc.ElementMap.Transport);
        Range(w, "storage"u8, doc.ElementMap.Storage);
        Range(w, "importExport"u8, doc.ElementMap.ImportExport);
        Range(w, "dataTransfer"u8, doc.ElementMap.DataTransfer);
        w.WriteEndObject();
        w.WriteStartArray("elements"u8);
        var bytes = new ElementJsonBytes(w.Options.NewLine);
        for (int i = 0; i < doc.Elements.Count; i++)
        {
            var e = doc.Elements[i];
            // The element's bytes made here and placed by the writer; a drive with cleaning members goes member by member.
            if (bytes.TryWrite(e)) w.WriteRawValue(bytes.Written, skipInputValidation: true);
            else Element(w, e, CliJsonContext.Default);
            if (i % FlushEvery == FlushEvery - 1) w.Flush();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    // Member names encoded once (a name given as bytes is checked for characters to escape at every write).
    private static readonly JsonEncodedText NType = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText NAddress = JsonEncodedText.Encode("address");
    private static readonly JsonEncodedText NFull = JsonEncodedText.Encode("full");
    private static readonly JsonEncodedText NBarcode = JsonEncodedText.Encode("barcode");
    private static readonly JsonEncodedText NAlternateBarcode = JsonEncodedText.Encode("alternateBarcode");
    private static readonly JsonEncodedText NSource = JsonEncodedText.Encode("source");
    private static readonly JsonEncodedText NMediumType = JsonEncodedText.Encode("mediumType");
    private static readonly JsonEncodedText NExcept = JsonEncodedText.Encode("except");
    private static readonly JsonEncodedText NAsc = JsonEncodedText.Encode("asc");
    private static readonly JsonEncodedText NAscq = JsonEncodedText.Encode("ascq");
    private static readonly JsonEncodedText NExceptText = JsonEncodedText.Encode("exceptText");
    private static readonly JsonEncodedText NAccess = JsonEncodedText.Encode("access");
    private static readonly JsonEncodedText NImpExp = JsonEncodedText.Encode("impExp");
    private static readonly JsonEncodedText NIdentifier = JsonEncodedText.Encode("identifier");
    private static readonly JsonEncodedText NSlot = JsonEncodedText.Encode("slot");
    private static readonly JsonEncodedText NDrive = JsonEncodedText.Encode("drive");
    private static readonly JsonEncodedText NSourceSlot = JsonEncodedText.Encode("sourceSlot");
    private static readonly JsonEncodedText NCleaner = JsonEncodedText.Encode("cleaner");
    private static readonly JsonEncodedText NSerial = JsonEncodedText.Encode("serial");
    private static readonly JsonEncodedText NInEnab = JsonEncodedText.Encode("inEnab");
    private static readonly JsonEncodedText NExEnab = JsonEncodedText.Encode("exEnab");
    private static readonly JsonEncodedText NPartial = JsonEncodedText.Encode("partial");
    private static readonly JsonEncodedText NModel = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText NReservedCleanerSlot = JsonEncodedText.Encode("reservedCleanerSlot");
    private static readonly JsonEncodedText NNeedsCleaning = JsonEncodedText.Encode("needsCleaning");
    private static readonly JsonEncodedText NCleaningNow = JsonEncodedText.Encode("cleaning");

    /// <summary>The values of "type" and "mediumType" (JsonMapper's names), encoded once.</summary>
    private static readonly Dictionary<string, JsonEncodedText> Words = new[]
    {
        "transport", "storage", "importExport", "dataTransfer", "all",
        "unspecified", "data", "cleaning", "diagnostic", "worm", "microcode", "reserved",
    }.ToDictionary(w => w, w => JsonEncodedText.Encode(w), StringComparer.Ordinal);

    private static void Element(Utf8JsonWriter w, ElementJson e, CliJsonContext ctx)
    {
        w.WriteStartObject();
        Word(w, NType, e.Type);
        w.WriteNumber(NAddress, e.Address);
        w.WriteBoolean(NFull, e.Full);
        StringOrNull(w, NBarcode, e.Barcode);
        StringOrNull(w, NAlternateBarcode, e.AlternateBarcode);
        if (e.Source is int source) w.WriteNumber(NSource, source); else w.WriteNull(NSource);
        Word(w, NMediumType, e.MediumType);
        w.WriteBoolean(NExcept, e.Except);
        w.WriteNumber(NAsc, e.Asc);
        w.WriteNumber(NAscq, e.Ascq);
        w.WriteBoolean(NAccess, e.Access);
        w.WriteBoolean(NImpExp, e.ImpExp);
        StringOrNull(w, NIdentifier, e.Identifier);
        // The status-only members, left out when null (as their JsonIgnore says).
        if (e.Slot is int slot) w.WriteNumber(NSlot, slot);
        if (e.Drive is int drive) w.WriteNumber(NDrive, drive);
        if (e.SourceSlot is int sourceSlot) w.WriteNumber(NSourceSlot, sourceSlot);
        if (e.Cleaner is bool cleaner) w.WriteBoolean(NCleaner, cleaner);
        if (e.Serial is { } serial) w.WriteString(NSerial, serial);
        if (e.InEnab is bool inEnab) w.WriteBoolean(NInEnab, inEnab);
        if (e.ExEnab is bool exEnab) w.WriteBoolean(NExEnab, exEnab);
        if (e.Partial is bool partial) w.WriteBoolean(NPartial, partial);
        if (e.Model is { } model) w.WriteString(NModel, model);
        if (e.ReservedCleanerSlot is bool reserved) w.WriteBoolean(NReservedCleanerSlot, reserved);
        if (e.NeedsCleaning is { } needs)
        {
            w.WritePropertyName(NNeedsCleaning);
            JsonSerializer.Serialize(w, needs, ctx.NeedsCleaningJson);
        }
        if (e.Cleaning is { } cleaning)
        {
            w.WritePropertyName(NCleaningNow);
            JsonSerializer.Serialize(w, cleaning, ctx.CleaningNowJson);
        }
        if (e.ExceptText is { } exceptText) w.WriteString(NExceptText, exceptText);
        w.WriteEndObject();
    }

    private static void Word(Utf8JsonWriter w, JsonEncodedText name, string value)
    {
        if (Words.TryGetValue(value, out var encoded)) w.WriteString(name, encoded);
        else w.WriteString(name, value);
    }

    private static void StringOrNull(Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void StringOrNull(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }

    private static void Range(Utf8JsonWriter w, ReadOnlySpan<byte> name, RangeJson range)
    {
        w.WriteStartObject(name);
        w.WriteNumber("first"u8, range.First);
        w.WriteNumber("count"u8, range.Count);
        w.WriteEndObject();
    }
}
