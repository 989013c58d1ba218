using System.Text.Json;

namespace TapeChanger.Cli.Output;

/// <summary>
/// `status --json` written member by member with <see cref="Utf8JsonWriter"/>: the same bytes the serializer writes
/// for <see cref="StatusDocument"/> (a test compares them), without its per-property converter machinery, which cost
/// about 10,000 instructions per element (a 2,080-element library: 22 million, callgrind). The elements go out in
/// chunks, so a 50,000-element document never exists whole in memory. The small objects (library, element map, a
/// drive's request for cleaning) still go through the generated serializer.
/// </summary>
internal static class StatusJsonWriter
{
    /// <summary>Elements written between flushes to the stream.</summary>
    private const int FlushEvery = 256;

    public static void Write(Stream stream, StatusDocument doc)
    {
        var ctx = CliJsonContext.Default;
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteBoolean("ok"u8, doc.Ok);
        w.WriteString("device"u8, doc.Device);
        w.WritePropertyName("library"u8);
        JsonSerializer.Serialize(w, doc.Library, ctx.LibraryJson);
        w.WritePropertyName("elementMap"u8);
        JsonSerializer.Serialize(w, doc.ElementMap, ctx.ElementMapJson);
        w.WriteStartArray("elements"u8);
        for (int i = 0; i < doc.Elements.Count; i++)
        {
            Element(w, doc.Elements[i], ctx);
            if (i % FlushEvery == FlushEvery - 1) w.Flush();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    private static void Element(Utf8JsonWriter w, ElementJson e, CliJsonContext ctx)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, e.Type);
        w.WriteNumber("address"u8, e.Address);
        w.WriteBoolean("full"u8, e.Full);
        StringOrNull(w, "barcode"u8, e.Barcode);
        StringOrNull(w, "alternateBarcode"u8, e.AlternateBarcode);
        if (e.Source is int source) w.WriteNumber("source"u8, source); else w.WriteNull("source"u8);
        w.WriteString("mediumType"u8, e.MediumType);
        w.WriteBoolean("except"u8, e.Except);
        w.WriteNumber("asc"u8, e.Asc);
        w.WriteNumber("ascq"u8, e.Ascq);
        w.WriteBoolean("access"u8, e.Access);
        w.WriteBoolean("impExp"u8, e.ImpExp);
        StringOrNull(w, "identifier"u8, e.Identifier);
        // The status-only members, left out when null (as their JsonIgnore says).
        if (e.Slot is int slot) w.WriteNumber("slot"u8, slot);
        if (e.Drive is int drive) w.WriteNumber("drive"u8, drive);
        if (e.SourceSlot is int sourceSlot) w.WriteNumber("sourceSlot"u8, sourceSlot);
        if (e.Cleaner is bool cleaner) w.WriteBoolean("cleaner"u8, cleaner);
        if (e.Serial is { } serial) w.WriteString("serial"u8, serial);
        if (e.InEnab is bool inEnab) w.WriteBoolean("inEnab"u8, inEnab);
        if (e.ExEnab is bool exEnab) w.WriteBoolean("exEnab"u8, exEnab);
        if (e.Partial is bool partial) w.WriteBoolean("partial"u8, partial);
        if (e.Model is { } model) w.WriteString("model"u8, model);
        if (e.ReservedCleanerSlot is bool reserved) w.WriteBoolean("reservedCleanerSlot"u8, reserved);
        if (e.NeedsCleaning is { } needs)
        {
            w.WritePropertyName("needsCleaning"u8);
            JsonSerializer.Serialize(w, needs, ctx.NeedsCleaningJson);
        }
        w.WriteEndObject();
    }

    private static void StringOrNull(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null) w.WriteNull(name);
        else w.WriteString(name, value);
    }
}
