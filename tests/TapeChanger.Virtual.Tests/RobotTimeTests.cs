using Microsoft.Extensions.Time.Testing;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;

namespace TapeChanger.Virtual.Tests;

/// <summary>
/// device.conf <c>Move time</c>: each MOVE MEDIUM takes that long on the library's clock, one at a time, while every
/// other command is answered at once; cleanings (the drives' <c>Cleaning time</c>) of different drives run at the same
/// time. The clock is moved by hand: nothing here depends on the machine's speed.
/// </summary>
public sealed class RobotTimeTests
{
    private static readonly TimeSpan Move = TimeSpan.FromSeconds(10);

    private static VirtualTransport Open(TempDir cfg, TempDir state, TimeProvider clock, int moveMilliseconds)
    {
        string conf = TestConfigs.DeviceConf.Replace("# Move time: 0", $" Move time: {moveMilliseconds}");
        Assert.Contains($" Move time: {moveMilliseconds}", conf);
        File.WriteAllText(Path.Combine(cfg.Path, "device.conf"), conf);
        // Two LTO-8 cleaners (slots 22 and 23) for two LTO-8 drives.
        File.WriteAllText(Path.Combine(cfg.Path, "library_contents.10"), TestConfigs.Contents.Replace("Slot 23: CLN102L6", "Slot 23: CLN103L8"));
        return new VirtualTransport(VirtualLibraryStore.Open(cfg.Path, state.Path, clock));
    }

    private static async Task<string> SenseOf(VirtualTransport t, ScsiCommand c)
    {
        var r = await t.ExecuteAsync(c, new byte[Math.Max(c.TransferLength, 0)]);
        return r.Status == ScsiStatus.Good ? "good" : SenseDecoder.Decode(r.Sense).Triplet;
    }

    [Fact]
    public async Task Moves_are_instant_by_default()
    {
        using var cfg = new TempDir();
        using var state = new TempDir();
        File.WriteAllText(Path.Combine(cfg.Path, "device.conf"), TestConfigs.DeviceConf);
        File.WriteAllText(Path.Combine(cfg.Path, "library_contents.10"), TestConfigs.Contents);
        using var store = VirtualLibraryStore.Open(cfg.Path, state.Path, new FakeTimeProvider(SteppingTime.Epoch));
        Assert.Equal(TimeSpan.Zero, store.Library.MoveTime);
        var t = new VirtualTransport(store);
        Assert.Equal("06/29/00", await SenseOf(t, SpcCommands.TestUnitReady()));   // the power-on unit attention
        var move = t.ExecuteAsync(SmcCommands.MoveMedium(0, 1021, 500), Memory<byte>.Empty);
        Assert.True(move.IsCompleted);                                                          // no clock involved
        Assert.Equal(ScsiStatus.Good, (await move).Status);
        Assert.Empty(store.Library.RobotMoves);
    }

    [Fact]
    public async Task Moves_take_the_move_time_one_at_a_time_and_cleanings_of_two_drives_overlap()
    {
        using var cfg = new TempDir();
        using var state = new TempDir();
        var clock = new FakeTimeProvider(SteppingTime.Epoch);
        await using var t = Open(cfg, state, clock, (int)Move.TotalMilliseconds);
        var lib = t.Library;
        Assert.Equal(Move, lib.MoveTime);
        await using var other = t.OpenLun(0);                                                   // a second connection to the changer
        await using var drive1 = t.OpenLun(1);
        await using var drive2 = t.OpenLun(2);
        Assert.Equal("06/29/00", await SenseOf(t, SpcCommands.TestUnitReady()));

        var first = t.ExecuteAsync(SmcCommands.MoveMedium(0, 1021, 500), Memory<byte>.Empty).AsTask();
        var second = other.ExecuteAsync(SmcCommands.MoveMedium(0, 1022, 501), Memory<byte>.Empty).AsTask();
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        // Meanwhile the library answers everything else at once: a status, the drives.
        var status = t.ExecuteAsync(SmcCommands.ReadElementStatus(ElementType.All, 0, 100, 65535), new byte[65535]);
        Assert.True(status.IsCompleted);
        Assert.Equal(ScsiStatus.Good, (await status).Status);
        Assert.Equal("02/3A/00", await SenseOf(drive1, SpcCommands.TestUnitReady()));          // still empty: the move has not ended
        Assert.Null(lib.Element(500).Barcode);

        clock.Advance(Move);
        Assert.Equal(ScsiStatus.Good, (await first).Status);
        Assert.Equal("CLN101L8", lib.Element(500).Barcode);
        Assert.False(second.IsCompleted);                                                       // it waited for the robot: its time starts now
        for (int i = 0; i < 200 && !second.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(1);
        }
        Assert.Equal(ScsiStatus.Good, (await second).Status);

        var moves = lib.RobotMoves;
        Assert.Equal(2, moves.Count);
        Assert.Equal(((ushort)1021, (ushort)500), (moves[0].Source, moves[0].Destination));
        Assert.Equal(((ushort)1022, (ushort)501), (moves[1].Source, moves[1].Destination));
        Assert.All(moves, m => Assert.Equal(Move, m.End - m.Start));
        Assert.True(moves[1].Start >= moves[0].End, $"the moves overlap: {moves[0]} and {moves[1]}");

        // Both drives clean at once (Cleaning time 30 s: 02/30/03 for 30 s, 02/04/00 for 90 s more, then done).
        var cleaning = TimeSpan.FromSeconds(30);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("02/30/03", await SenseOf(drive1, SpcCommands.TestUnitReady()));
        Assert.Equal("02/30/03", await SenseOf(drive2, SpcCommands.TestUnitReady()));
        clock.Advance(moves[0].End + cleaning * 4 - clock.GetUtcNow());
        Assert.Equal("02/04/02", await SenseOf(drive1, SpcCommands.TestUnitReady()));           // drive 1 done
        Assert.Equal("02/04/00", await SenseOf(drive2, SpcCommands.TestUnitReady()));           // drive 2 not yet
        clock.Advance(moves[1].End + cleaning * 4 - clock.GetUtcNow());
        Assert.Equal("02/04/02", await SenseOf(drive2, SpcCommands.TestUnitReady()));
    }
}
