using System.Text;
using System.Text.Json;

namespace TapeChanger.Virtual.Tests;

/// <summary>state.json by hand (VirtualStateCodec) and by the source-generated serializer describe the same documents.</summary>
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
    public void The_codec_reads_what_the_serializer_writes()
    {
        var state = Busy();
        string expected = BySerializer(state);
        Assert.Equal(expected, BySerializer(VirtualStateCodec.Read(Encoding.UTF8.GetBytes(expected))));
    }

    [Fact]
    public void The_serializer_reads_what_the_codec_writes()
    {
        var state = Busy();
        var back = JsonSerializer.Deserialize(VirtualStateCodec.Write(state), VirtualStateJsonContext.Default.LibraryState)!;
        Assert.Equal(BySerializer(state), BySerializer(back));
        Assert.Equal(BySerializer(state), BySerializer(VirtualStateCodec.Read(VirtualStateCodec.Write(state))));
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
        var s = VirtualStateCodec.Read("""{"Future": {"a": [1, {"b": null}]}, "Layout": "x", "Elements": [{"Type": 2, "New": [1], "Address": 7}]}"""u8);
        Assert.Equal("x", s.Layout);
        Assert.Equal(7, s.Elements.Single().Address);
    }
}
