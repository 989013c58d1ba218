using System.Text.Json;

namespace TapeChanger.Cli.Output;

/// <summary>
/// `status --json`: the same bytes the serializer writes for <see cref="StatusDocument"/> (a test compares them), without
/// its per-property converter machinery, which cost about 10,000 instructions per element (a 2,080-element library: 22
/// million, callgrind). The document's own members are written here as UTF-8 and each element's object is made by
/// <see cref="ElementJsonBytes"/>; no <see cref="Utf8JsonWriter"/> is involved unless a drive has cleaning members
/// (a request for cleaning, a cleaning not ended), which go through the generated serializer as before. The writer checks
/// every name and string it is given with the default encoder, whose tables cost a million instructions to build at
/// first use, and its per-call checks another 5,800 per element. The elements go out in chunks of about 32 KiB, so a
/// 50,000-element document never exists whole in memory.
/// </summary>
internal static class StatusJsonWriter
{
    // No static field is read on the way of a plain element: the class's static members (below) encode their names
    // with the default encoder when first touched.
    private static JsonWriterOptions Options => new() { Indented = true };

    public static void Write(Stream stream, StatusDocument doc)
    {
        // Indented two spaces a level, as the writer does; nl is its new line (Environment.NewLine unless set).
        string nl = Options.NewLine;
        var o = new JsonByteBuffer();
        o.Raw(Utf8($"{{{nl}  \"ok\": {(doc.Ok ? "true" : "false")},{nl}  \"device\": "));
        o.String(doc.Device);
        o.Raw(Utf8($",{nl}  \"library\": {{{nl}    \"vendor\": "));
        o.String(doc.Library.Vendor);
        o.Raw(Utf8($",{nl}    \"product\": "));
        o.String(doc.Library.Product);
        o.Raw(Utf8($",{nl}    \"revision\": "));
        o.String(doc.Library.Revision);
        o.Raw(Utf8($",{nl}    \"serial\": "));
        o.String(doc.Library.Serial);
        o.Raw(Utf8($"{nl}  }},{nl}  \"elementMap\": {{"));
        Range(o, nl, "transport", doc.ElementMap.Transport, last: false);
        Range(o, nl, "storage", doc.ElementMap.Storage, last: false);
        Range(o, nl, "importExport", doc.ElementMap.ImportExport, last: false);
        Range(o, nl, "dataTransfer", doc.ElementMap.DataTransfer, last: true);
        o.Raw(Utf8($"{nl}  }},{nl}  \"elements\": ["));
        var bytes = new ElementJsonBytes(nl);
        var domain = doc.Elements as StatusElements;
        for (int i = 0; i < doc.Elements.Count; i++)
        {
            // Each element starts with its new line and indentation ("\n    {") and ends with "\n    }"; the comma before
            // all but the first is written with it. A status document's elements are written from the domain's, with no
            // record made, unless they have cleaning members.
            bool written = domain is not null && domain.TryView(i, out var view)
                ? bytes.TryWrite(view, o, comma: i > 0)
                : bytes.TryWrite(doc.Elements[i], o, comma: i > 0);
            if (!written)
            {
                if (i > 0) o.Raw(","u8);
                o.Raw(ByWriter(doc.Elements[i], nl));
            }
            if (o.Length >= JsonByteBuffer.FlushAt) o.FlushTo(stream);
        }
        // An empty array closes on its line ("[]"), as the writer closes it.
        o.Raw(Utf8(doc.Elements.Count > 0 ? $"{nl}  ]{nl}}}" : $"]{nl}}}"));
        o.FlushTo(stream);
    }

    private static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

    private static void Range(JsonByteBuffer o, string nl, string name, RangeJson range, bool last)
    {
        o.Raw(Utf8($"{nl}    \"{name}\": {{{nl}      \"first\": "));
        o.Number(range.First);
        o.Raw(Utf8($",{nl}      \"count\": "));
        o.Number(range.Count);
        o.Raw(Utf8(last ? $"{nl}    }}" : $"{nl}    }},"));
    }

    /// <summary>
    /// An element with cleaning members, written by the writer inside two arrays so that it stands at the depth it has in
    /// the document (the root object, then "elements"); the bytes after the two opening brackets, "\n    {" to "}".
    /// </summary>
    private static ReadOnlySpan<byte> ByWriter(ElementJson e, string nl)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartArray();
            w.WriteStartArray();
            Element(w, e, CliJsonContext.Default);
        }
        return buffer.WrittenSpan[(1 + Utf8(nl).Length + 3)..];     // "[" nl "  ["
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
}
