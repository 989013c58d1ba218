using System.Text.Json;

namespace TapeChanger.Virtual;

/// <summary>
/// state.json read and written with Utf8JsonReader/Utf8JsonWriter, without the serializer's metadata set-up at start-up
/// and without a UTF-16 copy of the file. Unknown members are skipped, as the serializer skips them.
/// <para>Format 2 (written since the 50,000-element libraries): no indentation, and each element one array
/// <c>[address, type, number, barcode or null, home, flags]</c> (flags: 1 ImpExp, 2 Access), about 30 bytes an element
/// instead of 150. Format 1 (what <see cref="VirtualStateJsonContext"/> describes: each element an object with named
/// members, indented) is still read, element by element as either shape, and the next change saves it as format 2.
/// A test holds format 1 to the serializer both ways and format 2 to the same state.</para>
/// </summary>
internal static class VirtualStateCodec
{
    /// <summary>The format <see cref="Write(LibraryState)"/> writes.</summary>
    public const int CurrentFormat = 2;

    private const int FlagImpExp = 1, FlagAccess = 2;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false, SkipValidation = true };
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The state as a format 2 document.</summary>
    public static byte[] Write(LibraryState s)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096 + s.Elements.Count * 32);
        Write(s, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The state as a format 2 document, appended to <paramref name="buffer"/> (a store reuses one buffer for every save).</summary>
    public static void Write(LibraryState s, System.Buffers.IBufferWriter<byte> buffer)
    {
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("FormatVersion", CurrentFormat);
            w.WriteString("Layout", s.Layout);
            w.WriteStartArray("Elements");
            foreach (var e in s.Elements)
            {
                w.WriteStartArray();
                w.WriteNumberValue(e.Address);
                w.WriteNumberValue(e.Type);
                w.WriteNumberValue(e.Number);
                if (e.Barcode is null) w.WriteNullValue(); else w.WriteStringValue(e.Barcode);
                w.WriteNumberValue(e.Home);
                w.WriteNumberValue((e.ImpExp ? FlagImpExp : 0) | (e.Access ? FlagAccess : 0));
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("Drives");
            foreach (var d in s.Drives)
            {
                w.WriteStartObject();
                w.WriteNumber("Lun", d.Lun);
                w.WriteNumber("TapeAlert", d.TapeAlert);
                w.WriteBoolean("LoadAttention", d.LoadAttention);
                w.WriteBoolean("Unloaded", d.Unloaded);
                if (d.CleaningStarted is { } cs) w.WriteString("CleaningStarted", cs);
                if (d.PendingSense is not null) w.WriteBase64String("PendingSense", d.PendingSense);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("ImportExportOpen", s.ImportExportOpen);
            w.WriteBoolean("DoorOpen", s.DoorOpen);
            w.WriteBoolean("RemovalPrevented", s.RemovalPrevented);
            w.WriteBoolean("Offline", s.Offline);
            w.WriteBoolean("ResetPending", s.ResetPending);
            w.WriteBoolean("DoorClosedPending", s.DoorClosedPending);
            w.WriteStartArray("RemovedMagazines");
            foreach (int m in s.RemovedMagazines) w.WriteNumberValue(m);
            w.WriteEndArray();
            w.WriteNumber("LibraryTapeAlert", s.LibraryTapeAlert);
            if (s.PendingSense is not null) w.WriteBase64String("PendingSense", s.PendingSense);
            w.WriteStartArray("Faults");
            foreach (var f in s.Faults)
            {
                w.WriteStartObject();
                w.WriteNumber("Id", f.Id);
                w.WriteString("Kind", f.Kind.ToString());
                if (f.Command is not null) w.WriteString("Command", f.Command);
                if (f.Element is ushort el) w.WriteNumber("Element", el);
                w.WriteNumber("Lun", f.Lun);
                if (f.Remaining is int r) w.WriteNumber("Remaining", r);
                if (f.Until is { } u) w.WriteString("Until", u);
                w.WriteNumber("Key", f.Key);
                w.WriteNumber("Asc", f.Asc);
                w.WriteNumber("Ascq", f.Ascq);
                w.WriteNumber("Magazine", f.Magazine);
                w.WriteBoolean("AfterExecute", f.AfterExecute);
                w.WriteNumber("Fired", f.Fired);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    /// <summary>The state in <paramref name="utf8"/>; <see cref="JsonException"/> when it is not a state document.</summary>
    public static LibraryState Read(ReadOnlySpan<byte> utf8)
    {
        try { return ReadState(utf8); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            // A member of the wrong kind (a string where a number belongs...): the reader's own words.
            throw new JsonException(e.Message, e);
        }
    }

    private static LibraryState ReadState(ReadOnlySpan<byte> utf8)
    {
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        var r = new Utf8JsonReader(utf8, ReaderOptions);
        if (!r.Read()) throw new JsonException("the file is empty");
        if (r.TokenType == JsonTokenType.Null) throw new JsonException("the file holds null");
        Expect(ref r, JsonTokenType.StartObject);
        var s = new LibraryState();
        while (Next(ref r, out string name))
        {
            switch (name)
            {
                case "FormatVersion":
                    s.FormatVersion = r.GetInt32();
                    if (s.FormatVersion > CurrentFormat) throw new JsonException($"format {s.FormatVersion} was written by a newer tapechanger (this one reads formats 1 and {CurrentFormat})");
                    break;
                case "Layout": s.Layout = r.GetString() ?? ""; break;
                case "Elements": s.Elements = ReadList(ref r, ReadElement); break;
                case "Drives": s.Drives = ReadList(ref r, ReadDrive); break;
                case "ImportExportOpen": s.ImportExportOpen = r.GetBoolean(); break;
                case "DoorOpen": s.DoorOpen = r.GetBoolean(); break;
                case "RemovalPrevented": s.RemovalPrevented = r.GetBoolean(); break;
                case "Offline": s.Offline = r.GetBoolean(); break;
                case "ResetPending": s.ResetPending = r.GetBoolean(); break;
                case "DoorClosedPending": s.DoorClosedPending = r.GetBoolean(); break;
                case "RemovedMagazines": s.RemovedMagazines = ReadList(ref r, static (ref Utf8JsonReader x) => x.GetInt32()); break;
                case "LibraryTapeAlert": s.LibraryTapeAlert = r.GetUInt64(); break;
                case "PendingSense": s.PendingSense = Bytes(ref r); break;
                case "Faults": s.Faults = ReadList(ref r, ReadFault); break;
                default: r.Skip(); break;
            }
        }
        return s;
    }

    private static ElementState ReadElement(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.StartArray) return ReadCompactElement(ref r);
        // Format 1: member names compared in UTF-8, no string per name.
        Expect(ref r, JsonTokenType.StartObject);
        var e = new ElementState();
        while (true)
        {
            if (!r.Read()) throw new JsonException("the document ends early");
            if (r.TokenType == JsonTokenType.EndObject) return e;
            bool type = r.ValueTextEquals("Type"u8), address = r.ValueTextEquals("Address"u8), number = r.ValueTextEquals("Number"u8),
                barcode = r.ValueTextEquals("Barcode"u8), home = r.ValueTextEquals("Home"u8), impExp = r.ValueTextEquals("ImpExp"u8),
                access = r.ValueTextEquals("Access"u8);
            if (!r.Read()) throw new JsonException("the document ends early");
            if (type) e.Type = r.GetByte();
            else if (address) e.Address = r.GetUInt16();
            else if (number) e.Number = r.GetInt32();
            else if (barcode) e.Barcode = r.TokenType == JsonTokenType.Null ? null : r.GetString();
            else if (home) e.Home = r.GetUInt16();
            else if (impExp) e.ImpExp = r.GetBoolean();
            else if (access) e.Access = r.GetBoolean();
            else r.Skip();
        }
    }

    /// <summary>Format 2: <c>[address, type, number, barcode or null, home, flags]</c>; members added later are skipped.</summary>
    private static ElementState ReadCompactElement(ref Utf8JsonReader r)
    {
        var e = new ElementState();
        for (int i = 0; ; i++)
        {
            if (!r.Read()) throw new JsonException("the document ends early");
            if (r.TokenType == JsonTokenType.EndArray)
            {
                if (i < 6) throw new JsonException($"an element has {i} of its 6 values at byte {r.TokenStartIndex}");
                return e;
            }
            switch (i)
            {
                case 0: e.Address = r.GetUInt16(); break;
                case 1: e.Type = r.GetByte(); break;
                case 2: e.Number = r.GetInt32(); break;
                case 3: e.Barcode = r.TokenType == JsonTokenType.Null ? null : r.GetString(); break;
                case 4: e.Home = r.GetUInt16(); break;
                case 5:
                    int flags = r.GetInt32();
                    e.ImpExp = (flags & FlagImpExp) != 0;
                    e.Access = (flags & FlagAccess) != 0;
                    break;
                default: r.Skip(); break;
            }
        }
    }

    private static DriveState ReadDrive(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var d = new DriveState();
        while (Next(ref r, out string name))
        {
            switch (name)
            {
                case "Lun": d.Lun = r.GetInt32(); break;
                case "TapeAlert": d.TapeAlert = r.GetUInt64(); break;
                case "LoadAttention": d.LoadAttention = r.GetBoolean(); break;
                case "Unloaded": d.Unloaded = r.GetBoolean(); break;
                case "CleaningStarted": d.CleaningStarted = r.TokenType == JsonTokenType.Null ? null : r.GetDateTimeOffset(); break;
                case "PendingSense": d.PendingSense = Bytes(ref r); break;
                default: r.Skip(); break;
            }
        }
        return d;
    }

    private static FaultSpec ReadFault(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var f = new FaultSpec();
        while (Next(ref r, out string name))
        {
            switch (name)
            {
                case "Id": f.Id = r.GetInt32(); break;
                case "Kind": f.Kind = Kind(ref r); break;
                case "Command": f.Command = r.TokenType == JsonTokenType.Null ? null : r.GetString(); break;
                case "Element": f.Element = r.TokenType == JsonTokenType.Null ? null : r.GetUInt16(); break;
                case "Lun": f.Lun = r.GetInt32(); break;
                case "Remaining": f.Remaining = r.TokenType == JsonTokenType.Null ? null : r.GetInt32(); break;
                case "Until": f.Until = r.TokenType == JsonTokenType.Null ? null : r.GetDateTimeOffset(); break;
                case "Key": f.Key = r.GetByte(); break;
                case "Asc": f.Asc = r.GetByte(); break;
                case "Ascq": f.Ascq = r.GetByte(); break;
                case "Magazine": f.Magazine = r.GetInt32(); break;
                case "AfterExecute": f.AfterExecute = r.GetBoolean(); break;
                case "Fired": f.Fired = r.GetInt32(); break;
                default: r.Skip(); break;
            }
        }
        return f;
    }

    private static FaultKind Kind(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return (FaultKind)r.GetInt32();
        string text = r.GetString() ?? "";
        return text.Length > 0 && !char.IsAsciiDigit(text[0]) && Enum.TryParse<FaultKind>(text, ignoreCase: true, out var k)
            ? k : throw new JsonException($"'{text}' is not a fault kind");
    }

    private delegate T ItemReader<T>(ref Utf8JsonReader r);

    private static List<T> ReadList<T>(ref Utf8JsonReader r, ItemReader<T> item)
    {
        var list = new List<T>();
        if (r.TokenType == JsonTokenType.Null) return list;
        Expect(ref r, JsonTokenType.StartArray);
        while (r.Read() && r.TokenType != JsonTokenType.EndArray) list.Add(item(ref r));
        return list;
    }

    private static byte[]? Bytes(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetBytesFromBase64();

    /// <summary>Moves to the next member's value; false at the end of the object.</summary>
    private static bool Next(ref Utf8JsonReader r, out string name)
    {
        name = "";
        if (!r.Read()) throw new JsonException("the document ends early");
        if (r.TokenType == JsonTokenType.EndObject) return false;
        name = r.GetString()!;
        if (!r.Read()) throw new JsonException("the document ends early");
        return true;
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (r.TokenType != type) throw new JsonException($"expected {type} but found {r.TokenType} at byte {r.TokenStartIndex}");
    }
}
