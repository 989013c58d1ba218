using System.Text;
using System.Text.Json;

namespace TapeChanger.Virtual.Tests;

/// <summary>
/// state.json by hand (VirtualStateCodec): format 1 as the source-generated serializer describes it (each element an
/// object), read both ways; format 2 (each element an array) keeps every member of the state.
/// </summary>
public class StateCodecTests
{
    private static LibraryState Busy()
    {
        var s = VirtualLibrary.CreateInitialState(VirtualLibraryConfig.Load(null));
        s.ImportExportOpen = true;
        s.DoorClosedPending = true;
        s.Offline = true;
        s.RemovedMagazines = [2, 3];
        s.LibraryTapeAlert = ulong.MaxValue - 5;
        s.PendingSense = [0x70, 0, 6, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0];
        s.Elements[0].Barcode = "Ünïcode\"\\/<>&";
        s.Elements[1].Home = 1005;
        s.Elements[1].ImpExp = true;
        s.Elements[1].Access = false;
        s.Drives[0].CleaningStarted = new DateTimeOffset(2026, 12, 5, 3, 4, 5, 678, TimeSpan.FromHours(2));
        s.Drives[0].PendingSense = [1, 2, 3];
        s.Drives[0].TapeAlert = 1UL << 63;
        s.Drives[1].LoadAttention = true;
        s.Drives[1].Unloaded = true;
        s.Faults =
        [
            new FaultSpec { Id = 1, Kind = FaultKind.HalfMove, Command = "MOVE MEDIUM", Element = 1001, Lun = 0, Remaining = 2, Key = 4, Asc = 0x3B, Ascq = 0x16, Fired = 1 },
            new FaultSpec { Id = 2, Kind = FaultKind.MagazineRemoved, Until = DateTimeOffset.UnixEpoch.AddDays(20000), Magazine = 2, AfterExecute = true, Lun = 3 },
        ];
        return s;
    }

    private static string BySerializer(LibraryState s) => JsonSerializer.Serialize(s, VirtualStateJsonContext.Default.LibraryState);

    [Fact]
    public void The_codec_reads_format_1_as_the_serializer_writes_it()
    {
        var state = Busy();
        state.FormatVersion = 1;
        string expected = BySerializer(state);
        Assert.Contains("\"Address\":", expected);                  // elements as objects with named members
        Assert.Equal(expected, BySerializer(VirtualStateCodec.Read(Encoding.UTF8.GetBytes(expected))));
        // Indented, as format 1 files were written.
        string indented = JsonSerializer.Serialize(state, new VirtualStateJsonContext(new JsonSerializerOptions { WriteIndented = true }).LibraryState);
        Assert.Equal(expected, BySerializer(VirtualStateCodec.Read(Encoding.UTF8.GetBytes(indented))));
    }

    [Fact]
    public void Format_2_keeps_every_member_of_the_state()
    {
        var state = Busy();
        byte[] written = VirtualStateCodec.Write(state);
        var back = VirtualStateCodec.Read(written);
        Assert.Equal(BySerializer(state), BySerializer(back));
        Assert.Equal(VirtualStateCodec.CurrentFormat, back.FormatVersion);
        // And a format 1 state read back is written as format 2, with the same contents.
        state.FormatVersion = 1;
        var migrated = VirtualStateCodec.Read(VirtualStateCodec.Write(VirtualStateCodec.Read(Encoding.UTF8.GetBytes(BySerializer(state)))));
        state.FormatVersion = 2;
        Assert.Equal(BySerializer(state), BySerializer(migrated));
    }

    [Fact]
    public void Format_2_writes_each_element_as_one_short_array()
    {
        var state = Busy();
        string json = Encoding.UTF8.GetString(VirtualStateCodec.Write(state));
        Assert.StartsWith("{\"FormatVersion\":2,", json);
        Assert.DoesNotContain("\"Address\"", json);
        Assert.DoesNotContain("\n", json);
        // Element 1 of Busy(): slot 1000-something with Home 1005, ImpExp set and Access clear -> flags 1.
        var e = state.Elements[1];
        Assert.Contains($"[{e.Address},{e.Type},{e.Number},{(e.Barcode is null ? "null" : $"\"{e.Barcode}\"")},1005,1]", json);
        // A big library: about 30 bytes an element (format 1 took about 150).
        var big = new LibraryState { Layout = "x" };
        for (int i = 0; i < 50_000; i++)
            big.Elements.Add(new ElementState { Type = 2, Address = (ushort)(1000 + i), Number = i + 1, Barcode = i % 2 == 0 ? $"V{i:D5}L8" : null });
        int bytes = VirtualStateCodec.Write(big).Length;
        Assert.InRange(bytes / 50_000, 20, 40);
    }

    [Theory]
    [InlineData("{\"FormatVersion\": 3}")]
    [InlineData("{\"Elements\": [[1000, 2, 1, null, 0]]}")]
    [InlineData("{\"Elements\": [[1000, 2, 1, 7, 0, 2]]}")]
    [InlineData("{\"Elements\": [[70000, 2, 1, null, 0, 2]]}")]
    public void A_format_2_document_that_is_not_a_state_is_a_JsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => VirtualStateCodec.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"Elements\": 3}")]
    [InlineData("{\"Layout\": 3}")]
    [InlineData("{\"Faults\": [{\"Kind\": \"Nope\"}]}")]
    [InlineData("{\"Elements\": [{\"Type\": 300}]}")]
    [InlineData("{\"FormatVersion\": 1")]
    public void A_document_that_is_not_a_state_is_a_JsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => VirtualStateCodec.Read(Encoding.UTF8.GetBytes(json)));
    }

    [Fact]
    public void Unknown_members_are_skipped_as_the_serializer_skips_them()
    {
        var s = VirtualStateCodec.Read("""{"Future": {"a": [1, {"b": null}]}, "Layout": "x", "Elements": [{"Type": 2, "New": [1], "Address": 7}, [8, 3, 2, "A1", 0, 3, {"later": 1}]]}"""u8);
        Assert.Equal("x", s.Layout);
        Assert.Equal([7, 8], s.Elements.Select(e => (int)e.Address));
        Assert.True(s.Elements[1] is { Type: 3, Number: 2, Barcode: "A1", ImpExp: true, Access: true });
    }
}
