using TapeChanger.Domain;
using TapeChanger.Scsi;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// MoveAsync(Element, Element): the caller's reads of both ends, taken in this session with nothing moved since, are the
/// move's check; a read older than a move is asked again. Opcodes on the wire: B8h READ ELEMENT STATUS, A5h MOVE MEDIUM.
/// </summary>
public sealed class MoveWithReadEndsTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-moveread-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private static string Opcodes(TapeChanger.Testing.InterceptingTransport t)
    {
        lock (t.Sent) return Convert.ToHexString(t.Sent.Select(c => c.Cdb[0]).ToArray());
    }

    [Fact]
    public async Task Ends_just_read_are_not_read_again_and_the_move_is_still_verified()
    {
        var (changer, t, _, map) = await InterceptedVirtualLibrary.OpenAsync(_state);
        await using var _c = changer;
        var slot = await changer.ReadElementAsync(map.SlotAddress(1));
        var drive = await changer.ReadElementAsync(map.DriveAddress(0));
        lock (t.Sent) t.Sent.Clear();

        var r = await changer.MoveAsync(slot, drive, "load");

        Assert.Equal("A5B8", Opcodes(t));                          // the move, then the destination's verifying read
        Assert.Equal(("E01001L8", true), (r.Barcode, r.DestinationAfter.Full));
    }

    [Fact]
    public async Task Ends_read_before_another_move_are_read_again()
    {
        var (changer, t, _, map) = await InterceptedVirtualLibrary.OpenAsync(_state);
        await using var _c = changer;
        var slot = await changer.ReadElementAsync(map.SlotAddress(1));
        var drive = await changer.ReadElementAsync(map.DriveAddress(0));
        await changer.LoadAsync(2, 0);                              // the drive read above no longer holds
        lock (t.Sent) t.Sent.Clear();

        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.MoveAsync(slot, drive, "load"));

        Assert.Equal(ChangerError.DestinationFull, e.Error);
        Assert.Equal("B8B8", Opcodes(t));                          // both ends asked again; no MOVE MEDIUM
    }

    [Fact]
    public async Task A_full_destination_read_by_the_caller_refuses_the_move_without_a_command()
    {
        var (changer, t, _, map) = await InterceptedVirtualLibrary.OpenAsync(_state);
        await using var _c = changer;
        var one = await changer.ReadElementAsync(map.SlotAddress(1));
        var two = await changer.ReadElementAsync(map.SlotAddress(2));
        Assert.True(two.Full);
        lock (t.Sent) t.Sent.Clear();

        var e = await Assert.ThrowsAsync<ChangerOperationException>(async () => await changer.MoveAsync(one, two, "transfer"));

        Assert.Equal(ChangerError.DestinationFull, e.Error);
        Assert.Equal("", Opcodes(t));
    }
}
