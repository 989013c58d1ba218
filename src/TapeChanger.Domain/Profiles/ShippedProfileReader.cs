using System.Text.Json;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Domain;

/// <summary>
/// Reads a shipped hw-profiles/*.json file straight from its UTF-8 bytes into a <see cref="HardwareProfile"/>, member by
/// member with <see cref="Utf8JsonReader"/>. The serializer's metadata for the profile types costs more to set up than
/// the rest of a `status` run (its first use configures every type and property, reflects over their attributes and
/// encodes every name: about 6 million instructions, callgrind); this reader needs none of it.
/// <para>
/// It reads the files the project ships, which the tests hold valid and equal to what the serializer makes of them.
/// Anything it does not know (a member outside the schema, a null where an object belongs, a number out of range, an
/// enum value it has no name for) throws <see cref="JsonException"/>, and the caller then parses the file with the
/// serializer, whose strict checks word the problem (file, member, line). Override files always go through the
/// serializer.
/// </para>
/// </summary>
internal static class ShippedProfileReader
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public static HardwareProfile Read(ReadOnlySpan<byte> utf8)
    {
        var r = new Utf8JsonReader(utf8, Options);
        Next(ref r);
        var p = Profile(ref r);
        if (r.Read()) throw Unknown();                      // more after the document
        return p;
    }

    private static HardwareProfile Profile(ref Utf8JsonReader r)
    {
        var p = new HardwareProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "name": p.Name = String(ref r); break;
                case "description": p.Description = NullableString(ref r); break;
                case "match": p.Match = Match(ref r); break;
                case "priority": p.Priority = Int(ref r); break;
                case "elements": p.Elements = r.TokenType == JsonTokenType.Null ? null : Elements(ref r); break;
                case "readElementStatus": p.ReadElementStatus = ReadElementStatus(ref r); break;
                case "timeouts": p.Timeouts = Timeouts(ref r); break;
                case "cleaning": p.Cleaning = Cleaning(ref r); break;
                case "importExport": p.ImportExport = new ImportExportProfile { PreventLocksMailSlot = OneBool(ref r, "preventLocksMailSlot") }; break;
                case "documented": p.Documented = Documented(ref r); break;
                case "magazines": p.Magazines = r.TokenType == JsonTokenType.Null ? null : Magazines(ref r); break;
                case "ejectBeforeUnload": p.EjectBeforeUnload = Bool(ref r); break;
                case "senseQuirks": p.SenseQuirks = List(ref r, SenseQuirk); break;
                case "sources": p.Sources = Sources(ref r); break;
                default: throw Unknown();
            }
        }
        return p;
    }

    private static ProfileMatch Match(ref Utf8JsonReader r)
    {
        var m = new ProfileMatch();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "vendor": m.Vendor = String(ref r); break;
                case "product": m.Product = String(ref r); break;
                case "revision": m.Revision = NullableString(ref r); break;
                default: throw Unknown();
            }
        }
        return m;
    }

    private static ElementDefaults Elements(ref Utf8JsonReader r)
    {
        var e = new ElementDefaults();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "transport": e.Transport = Range(ref r); break;
                case "storage": e.Storage = Range(ref r); break;
                case "importExport": e.ImportExport = Range(ref r); break;
                case "dataTransfer": e.DataTransfer = Range(ref r); break;
                default: throw Unknown();
            }
        }
        return e;
    }

    private static ElementRangeProfile Range(ref Utf8JsonReader r)
    {
        var e = new ElementRangeProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "first": e.First = Int(ref r); break;
                case "count": e.Count = r.TokenType == JsonTokenType.Null ? null : Int(ref r); break;
                default: throw Unknown();
            }
        }
        return e;
    }

    private static ReadElementStatusProfile ReadElementStatus(ref Utf8JsonReader r)
    {
        var s = new ReadElementStatusProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "strategy": s.Strategy = String(ref r) switch { "perType" => ProfileReadStrategy.PerType, "allTypes" => ProfileReadStrategy.AllTypes, _ => throw Unknown() }; break;
                case "maxElements": s.MaxElements = Int(ref r); break;
                case "maxAllocation": s.MaxAllocation = Int(ref r); break;
                case "deviceId":
                    s.DeviceId = String(ref r) switch
                    {
                        "withVolumeTag" => ProfileDeviceId.WithVolumeTag,
                        "withoutVolumeTag" => ProfileDeviceId.WithoutVolumeTag,
                        "unsupported" => ProfileDeviceId.Unsupported,
                        _ => throw Unknown(),
                    };
                    break;
                case "currentData": s.CurrentData = Bool(ref r); break;
                default: throw Unknown();
            }
        }
        return s;
    }

    private static MagazineProfile Magazines(ref Utf8JsonReader r)
    {
        var m = new MagazineProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "slots": m.Slots = r.TokenType == JsonTokenType.Null ? null : Int(ref r); break;
                case "ranges": m.Ranges = r.TokenType == JsonTokenType.Null ? null : List(ref r, MagazineRange); break;
                default: throw Unknown();
            }
        }
        return m;
    }

    private static MagazineRangeProfile MagazineRange(ref Utf8JsonReader r)
    {
        var m = new MagazineRangeProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "name": m.Name = NullableString(ref r); break;
                case "first": m.First = Int(ref r); break;
                case "count": m.Count = Int(ref r); break;
                default: throw Unknown();
            }
        }
        return m;
    }

    private static TimeoutProfile Timeouts(ref Utf8JsonReader r)
    {
        var t = new TimeoutProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "defaultSeconds": t.DefaultSeconds = Int(ref r); break;
                case "moveSeconds": t.MoveSeconds = Int(ref r); break;
                case "initializeSeconds": t.InitializeSeconds = Int(ref r); break;
                case "becomingReadySeconds": t.BecomingReadySeconds = Int(ref r); break;
                default: throw Unknown();
            }
        }
        return t;
    }

    private static CleaningProfile Cleaning(ref Utf8JsonReader r)
    {
        var c = new CleaningProfile();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "seconds": c.Seconds = Int(ref r); break;
                case "labelPrefix": c.LabelPrefix = String(ref r); break;
                case "cleanerMediumType2Trusted": c.CleanerMediumType2Trusted = Bool(ref r); break;
                default: throw Unknown();
            }
        }
        return c;
    }

    private static DocumentedFacts Documented(ref Utf8JsonReader r)
    {
        var d = new DocumentedFacts();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "cleaning": d.Cleaning = DocumentedCleaning(ref r); break;
                case "importExport": d.ImportExport = new DocumentedImportExport { ExposedAsElement = OneBool(ref r, "exposedAsElement", true) }; break;
                default: throw Unknown();
            }
        }
        return d;
    }

    private static DocumentedCleaning DocumentedCleaning(ref Utf8JsonReader r)
    {
        var c = new DocumentedCleaning();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "hiddenSlots": c.HiddenSlots = Availability(ref r); break;
                case "libraryManaged": c.LibraryManaged = Availability(ref r); break;
                case "libraryManagedDetection":
                    c.LibraryManagedDetection = String(ref r) switch
                    {
                        "unknown" => CleaningDetection.Unknown,
                        "page1fAce" => CleaningDetection.Page1FAce,
                        "vendorModePage" => CleaningDetection.VendorModePage,
                        "notDetectable" => CleaningDetection.NotDetectable,
                        _ => throw Unknown(),
                    };
                    break;
                default: throw Unknown();
            }
        }
        return c;
    }

    private static ProfileAvailability Availability(ref Utf8JsonReader r) => String(ref r) switch
    {
        "unknown" => ProfileAvailability.Unknown,
        "no" => ProfileAvailability.No,
        "optional" => ProfileAvailability.Optional,
        "always" => ProfileAvailability.Always,
        _ => throw Unknown(),
    };

    private static SenseQuirk SenseQuirk(ref Utf8JsonReader r)
    {
        var q = new SenseQuirk();
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            switch (name)
            {
                case "key": q.Key = NullableString(ref r); break;
                case "asc": q.Asc = String(ref r); break;
                case "ascq": q.Ascq = NullableString(ref r); break;
                case "action": q.Action = EnumByName(ref r, SenseActions); break;
                case "failure": q.Failure = EnumByName(ref r, SenseFailures); break;
                case "meaning": q.Meaning = String(ref r); break;
                case "source": q.Source = String(ref r); break;
                case "commands": q.Commands = r.TokenType == JsonTokenType.Null ? null : List(ref r, String); break;
                default: throw Unknown();
            }
        }
        return q;
    }

    private static Dictionary<string, string> Sources(ref Utf8JsonReader r)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        Expect(ref r, JsonTokenType.StartObject);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name) d[name] = String(ref r);
        return d;
    }

    private delegate T ReadOne<T>(ref Utf8JsonReader r);

    private static List<T> List<T>(ref Utf8JsonReader r, ReadOne<T> item)
    {
        Expect(ref r, JsonTokenType.StartArray);
        var list = new List<T>();
        while (true)
        {
            Next(ref r);
            if (r.TokenType == JsonTokenType.EndArray) return list;
            list.Add(item(ref r));
        }
    }

    /// <summary>An object with one known boolean member (or none: <paramref name="empty"/>).</summary>
    private static bool OneBool(ref Utf8JsonReader r, string member, bool empty = false)
    {
        Expect(ref r, JsonTokenType.StartObject);
        bool value = empty;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Member(ref r, seen) is { } name)
        {
            if (name != member) throw Unknown();
            value = Bool(ref r);
        }
        return value;
    }

    /// <summary>
    /// The enum member of that name, as the serializer's string enum converter reads it (names only, any case), from a
    /// table of the members: <c>Enum.TryParse</c> builds the enum's reflection data on first use, about 1.4 % of a
    /// `status` (perf, docs/performance.md). ShippedProfileReaderTests holds each table to the enum's members.
    /// </summary>
    private static T EnumByName<T>(ref Utf8JsonReader r, (string Name, T Value)[] members) where T : struct, Enum
    {
        string s = String(ref r);
        foreach (var (name, value) in members)
        {
            if (string.Equals(name, s, StringComparison.OrdinalIgnoreCase)) return value;
        }
        throw Unknown();
    }

    internal static readonly (string Name, SenseAction Value)[] SenseActions =
    [
        (nameof(SenseAction.RetrySoon), SenseAction.RetrySoon),
        (nameof(SenseAction.WaitAndRetry), SenseAction.WaitAndRetry),
        (nameof(SenseAction.WaitForOperator), SenseAction.WaitForOperator),
        (nameof(SenseAction.Fail), SenseAction.Fail),
        (nameof(SenseAction.MarkDriveNeedsCleaning), SenseAction.MarkDriveNeedsCleaning),
        (nameof(SenseAction.MarkCleanerSpent), SenseAction.MarkCleanerSpent),
        (nameof(SenseAction.Proceed), SenseAction.Proceed),
        (nameof(SenseAction.CleaningInProgress), SenseAction.CleaningInProgress),
        (nameof(SenseAction.CleaningDone), SenseAction.CleaningDone),
        (nameof(SenseAction.UnloadDriveAndRetry), SenseAction.UnloadDriveAndRetry),
    ];

    internal static readonly (string Name, SenseFailure Value)[] SenseFailures =
    [
        (nameof(SenseFailure.InvalidElement), SenseFailure.InvalidElement),
        (nameof(SenseFailure.SourceEmpty), SenseFailure.SourceEmpty),
        (nameof(SenseFailure.DestinationFull), SenseFailure.DestinationFull),
        (nameof(SenseFailure.NotSupported), SenseFailure.NotSupported),
        (nameof(SenseFailure.DriveRejectedMedium), SenseFailure.DriveRejectedMedium),
        (nameof(SenseFailure.RemovalPrevented), SenseFailure.RemovalPrevented),
        (nameof(SenseFailure.OperatorIntervention), SenseFailure.OperatorIntervention),
        (nameof(SenseFailure.NotReady), SenseFailure.NotReady),
        (nameof(SenseFailure.CleaningFailed), SenseFailure.CleaningFailed),
        (nameof(SenseFailure.DeviceError), SenseFailure.DeviceError),
    ];

    /// <summary>The next member's name with the reader on its value, or null at the end of the object; a repeated name is refused.</summary>
    private static string? Member(ref Utf8JsonReader r, HashSet<string> seen)
    {
        Next(ref r);
        if (r.TokenType == JsonTokenType.EndObject) return null;
        if (r.TokenType != JsonTokenType.PropertyName) throw Unknown();
        string name = r.GetString()!;
        if (!seen.Add(name)) throw Unknown();
        Next(ref r);
        return name;
    }

    private static string String(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw Unknown();

    private static string? NullableString(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : String(ref r);

    private static int Int(ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.Number && r.TryGetInt32(out int v) ? v : throw Unknown();

    private static bool Bool(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Unknown(),
    };

    private static void Expect(ref Utf8JsonReader r, JsonTokenType type)
    {
        if (r.TokenType != type) throw Unknown();
    }

    private static void Next(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw Unknown();
    }

    private static JsonException Unknown() => new("not a shipped profile's form; the serializer reads it");
}
