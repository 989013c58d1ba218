using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The paths of a move that a well-behaved library never takes: a move it accepts and does not do, EXCHANGE MEDIUM
/// with and without support (and without page 1Fh), an Except destination, and the eject-before-unload quirk with a
/// drive out of reach. Each test asserts the commands sent (CDB bytes) and where the cartridges are afterwards.
/// </summary>
public sealed class MoveEdgeTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-edge-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private Task<(MediaChanger Changer, InterceptingTransport Transport, VirtualLibrary Library, ElementMap Map)> OpenAsync(
        string device = "virtual:", ChangerSettings? settings = null, ChangerQuirks? quirks = null)
        => InterceptedVirtualLibrary.OpenAsync(_state, device, settings, quirks);

    private string ExchangeLibrary() => "virtual:" + VirtualLibraryFiles.CopyLibrary10(Path.Combine(_state, "conf"), VirtualLibraryFiles.ExchangeYes);

    private static ushort U16(ScsiCommand c, int offset) => BinaryPrimitives.ReadUInt16BigEndian(c.Cdb.AsSpan(offset));

    /// <summary>The starting element address of each READ ELEMENT STATUS sent from index <paramref name="from"/> on (SMC-3 §6.11, bytes 2-3).</summary>
    private static List<ushort> ReadsFrom(InterceptingTransport t, int from) =>
        t.Sent.Skip(from).Where(c => c.Cdb[0] == OpCode.ReadElementStatus).Select(c => U16(c, 2)).ToList();

    [Fact]
    public async Task A_move_the_library_accepts_and_does_not_do_fails_verification_with_both_ends_as_read()
    {
        var (c, t, library, map) = await OpenAsync();
        await using var _ = c;
        ushort from = map.SlotAddress(1), to = map.SlotAddress(21);
        string barcode = library.Element(from).Barcode!;
        t.Before = cmd => cmd.Cdb[0] == OpCode.MoveMedium ? Good : null;      // GOOD, and nothing moves

        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c.TransferAsync(1, 21));

        Assert.Equal(ChangerError.MoveNotVerified, e.Error);
        Assert.Equal($"transfer slot 1 to slot 21: the library accepted the move but reports {map.Describe(from)} full and {map.Describe(to)} empty; run 'inventory' and check the library", e.Message);
        int move = t.Sent.FindIndex(x => x.Cdb[0] == OpCode.MoveMedium);
        Assert.Equal((from, to), (U16(t.Sent[move], 4), U16(t.Sent[move], 6)));   // SMC-3 §6.6 bytes 4-5 SOURCE, 6-7 DESTINATION
        Assert.Equal([to, from], ReadsFrom(t, move));                           // destination first; the source only because it did not arrive
        Assert.Equal(barcode, library.Element(from).Barcode);
        Assert.Null(library.Element(to).Barcode);
    }

    [Fact]
    public async Task A_cartridge_lost_during_an_accepted_move_is_reported_with_both_ends_empty()
    {
        var (c, t, library, map) = await OpenAsync();
        await using var _ = c;
        ushort from = map.SlotAddress(1), to = map.SlotAddress(21);
        t.Before = cmd =>
        {
            if (cmd.Cdb[0] != OpCode.MoveMedium) return null;
            library.OpenDoor();                              // someone takes the cartridge while the library says GOOD
            library.RemoveFromSlot(from);
            library.CloseDoor();
            return Good;
        };

        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c.TransferAsync(1, 21));

        Assert.Equal(ChangerError.MoveNotVerified, e.Error);
        Assert.Equal($"transfer slot 1 to slot 21: the library accepted the move but reports {map.Describe(from)} empty and {map.Describe(to)} empty; run 'inventory' and check the library", e.Message);
        Assert.Null(library.Element(from).Barcode);
        Assert.Null(library.Element(to).Barcode);
    }

    [Fact]
    public async Task A_verified_move_reads_only_the_destination_afterwards()
    {
        var (c, t, library, map) = await OpenAsync();
        await using var _ = c;
        ushort from = map.SlotAddress(1), to = map.SlotAddress(21);
        string barcode = library.Element(from).Barcode!;

        var r = await c.TransferAsync(1, 21);

        int move = t.Sent.FindIndex(x => x.Cdb[0] == OpCode.MoveMedium);
        Assert.Equal([to], ReadsFrom(t, move));
        Assert.Equal((from, to, barcode), (r.Source, r.Destination, r.Barcode));
        Assert.True(r.DestinationAfter.Full);
        Assert.Equal(barcode, library.Element(to).Barcode);
    }

    [Fact]
    public async Task Exchange_on_a_library_without_it_is_refused_before_anything_moves()
    {
        var (c, t, library, map) = await OpenAsync();
        await using var _ = c;
        string a = library.Element(map.SlotAddress(1)).Barcode!, b = library.Element(map.SlotAddress(2)).Barcode!;

        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c.ExchangeAsync(1, 2, null));

        Assert.Equal(ChangerError.NotSupported, e.Error);
        Assert.Equal("exchange failed: this library does not support EXCHANGE MEDIUM (device capabilities page 1Fh); use two transfers instead", e.Message);
        Assert.Contains(t.Sent, x => x.Cdb[0] is OpCode.ModeSense6 or OpCode.ModeSense10 && (x.Cdb[2] & 0x3F) == 0x1F);
        Assert.DoesNotContain(t.Sent, x => x.Cdb[0] == OpCode.ExchangeMedium);
        Assert.Equal((a, b), (library.Element(map.SlotAddress(1)).Barcode, library.Element(map.SlotAddress(2)).Barcode));
    }

    [Fact]
    public async Task Exchange_without_a_third_slot_swaps_the_two_cartridges()
    {
        var (c, t, library, map) = await OpenAsync(ExchangeLibrary());
        await using var _ = c;
        ushort s1 = map.SlotAddress(1), s2 = map.SlotAddress(2);
        string a = library.Element(s1).Barcode!, b = library.Element(s2).Barcode!;

        await c.ExchangeAsync(1, 2, null);

        var x = Assert.Single(t.Sent, x => x.Cdb[0] == OpCode.ExchangeMedium);
        // SMC-3 §6.3: bytes 2-3 MEDIUM TRANSPORT, 4-5 SOURCE, 6-7 FIRST DESTINATION, 8-9 SECOND DESTINATION
        Assert.Equal((map.DefaultTransport, s1, s2, s1), (U16(x, 2), U16(x, 4), U16(x, 6), U16(x, 8)));
        Assert.Equal((b, a), (library.Element(s1).Barcode, library.Element(s2).Barcode));
    }

    [Fact]
    public async Task Exchange_with_a_third_slot_moves_the_second_cartridge_there()
    {
        var (c, t, library, map) = await OpenAsync(ExchangeLibrary());
        await using var _ = c;
        ushort s1 = map.SlotAddress(1), s2 = map.SlotAddress(2), s3 = map.SlotAddress(21);
        string a = library.Element(s1).Barcode!, b = library.Element(s2).Barcode!;
        Assert.Null(library.Element(s3).Barcode);

        await c.ExchangeAsync(1, 2, 21);

        var x = Assert.Single(t.Sent, x => x.Cdb[0] == OpCode.ExchangeMedium);
        Assert.Equal((map.DefaultTransport, s1, s2, s3), (U16(x, 2), U16(x, 4), U16(x, 6), U16(x, 8)));
        Assert.Equal(((string?)null, a, b), (library.Element(s1).Barcode, library.Element(s2).Barcode, library.Element(s3).Barcode));
    }

    [Fact]
    public async Task Exchange_on_a_library_without_page_1F_is_tried()
    {
        var (c, t, library, map) = await OpenAsync(ExchangeLibrary());
        await using var _ = c;
        ushort s1 = map.SlotAddress(1), s2 = map.SlotAddress(2);
        string a = library.Element(s1).Barcode!, b = library.Element(s2).Barcode!;
        t.Before = x => x.Cdb[0] is OpCode.ModeSense6 or OpCode.ModeSense10 && (x.Cdb[2] & 0x3F) == 0x1F ? Check(0x05, 0x24, 0x00) : null;

        await c.ExchangeAsync(1, 2, null);

        Assert.Single(t.Sent, x => x.Cdb[0] == OpCode.ExchangeMedium);
        Assert.Equal((b, a), (library.Element(s1).Barcode, library.Element(s2).Barcode));
    }

    [Fact]
    public async Task An_exception_on_the_destination_blocks_the_move_and_names_the_destination()
    {
        var (c, t, library, map) = await OpenAsync();
        await using var _ = c;
        ushort to = map.SlotAddress(21);                     // magazine 2 (13 slots a magazine)
        library.RemoveMagazine(2);

        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await c.TransferAsync(1, 21));

        Assert.Equal(ChangerError.OperatorIntervention, e.Error);
        Assert.StartsWith($"transfer slot 1 to slot 21 failed: {map.Describe(to)} reports an exception: a magazine is missing; insert it and retry [3B/12", e.Message);
        Assert.Equal([map.SlotAddress(1), to], ReadsFrom(t, 0).TakeLast(2));
        Assert.DoesNotContain(t.Sent, x => x.Cdb[0] == OpCode.MoveMedium);
    }

    [Fact]
    public async Task Eject_before_unload_with_the_drive_out_of_reach_warns_and_still_moves()
    {
        var elsewhere = new RecordingDriveLocator(new DriveCandidate("other", "NOT-THIS-LIBRARY"));      // no serial matches
        var inner = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(_state));
        var t = new InterceptingTransport(inner);
        await using var c = new MediaChanger(new SmcClient(t, quirks: ChangerQuirks.Generic with { EjectBeforeUnload = true }),
            new ChangerSettings { Drives = elsewhere.Access(t) });
        await c.TestUnitReadyAsync();
        var map = await c.GetMapAsync();
        await c.LoadAsync(1, 0);
        Assert.Empty(c.Warnings);

        var r = await c.UnloadAsync(null, 0);

        Assert.Equal(["this library wants drive 0 ejected before the robot takes the cartridge, but the drive cannot be reached from here; trying the move anyway"], c.Warnings);
        Assert.Empty(elsewhere.Sent);
        var unload = t.Sent.Last(x => x.Cdb[0] == OpCode.MoveMedium);
        Assert.Equal((map.DriveAddress(0), map.SlotAddress(1)), (U16(unload, 4), U16(unload, 6)));
        Assert.Equal(map.SlotAddress(1), r.Destination);
        Assert.NotNull(inner.Library.Element(map.SlotAddress(1)).Barcode);
    }
}
