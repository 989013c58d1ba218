using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Virtual.Tests;

/// <summary>The fault engine on its own: matching, counts, fake-time windows, persistence, and each kind's effect.</summary>
public class FaultInjectionTests
{
    private static readonly ScsiCommand Tur = SpcCommands.TestUnitReady();

    [Fact]
    public void Unit_attention_storm_fires_count_times_then_stops_and_spares_inquiry()
    {
        var h = new Harness();
        h.Library.AddFault(new FaultSpec { Kind = FaultKind.UnitAttention, Remaining = 3, Key = 6, Asc = 0x28 });
        h.Ok(SpcCommands.Inquiry());                                   // INQUIRY never gets a UA (SPC-4 §5.10)
        h.Expect("06/28/00", Tur);
        // REQUEST SENSE is spared too, and returns the UA just reported (mhVTL keeps the last sense per LUN).
        Assert.Equal("06/28/00", SenseDecoder.Decode(h.Ok(SpcCommands.RequestSense())).Triplet);
        for (int i = 0; i < 2; i++) h.Expect("06/28/00", Tur);
        h.Ok(Tur);
        Assert.Empty(h.Library.Faults);
    }

    [Fact]
    public void Not_ready_window_follows_the_library_clock()
    {
        var h = new Harness();
        var f = h.Library.AddFault(new FaultSpec { Kind = FaultKind.NotReady }, TimeSpan.FromSeconds(30));
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromSeconds(30), f.Until);
        h.Expect("02/04/01", Tur);
        h.Time.Advance(TimeSpan.FromSeconds(29));
        h.Expect("02/04/01", Tur);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Ok(Tur);
        Assert.Empty(h.Library.Faults);
    }

    [Fact]
    public void Command_and_element_filters_select_what_fails()
    {
        var h = new Harness();
        h.Library.AddFault(new FaultSpec { Kind = FaultKind.Busy, Command = "move-medium", Element = 1002 });
        h.Ok(Tur);
        h.Move(1000, 1020);                                            // names neither 1002
        var (r, _) = h.Run(SmcCommands.MoveMedium(0, 1002, 1023));
        Assert.Equal(ScsiStatus.Busy, r.Status);
        Assert.Empty(r.Sense);
        Assert.Equal("E01003L8", h.Library.Element(1002).Barcode);    // nothing moved
        Assert.Equal(1, h.Library.Faults.Single().Fired);
        Assert.True(FaultNames.Matches("MODE SENSE", OpCode.ModeSense10) && FaultNames.Matches("0x1a", OpCode.ModeSense6));
        Assert.False(FaultNames.Matches("INITIALIZE ELEMENT STATUS", OpCode.InitializeElementStatusWithRange));
    }

    [Fact]
    public void Half_move_leaves_the_cartridge_in_the_picker_and_a_move_from_the_picker_recovers_it()
    {
        var h = new Harness();
        h.Library.AddFault(new FaultSpec { Kind = FaultKind.HalfMove, Remaining = 1 });
        h.Expect("04/3B/16", SmcCommands.MoveMedium(0, 1000, 500));
        Assert.Equal("E01001L8", h.Library.Element(1).Barcode);
        Assert.Null(h.Library.Element(1000).Barcode);
        Assert.Null(h.Library.Element(500).Barcode);
        h.Move(1, 1000);                                               // MT source allowed (page 1Fh byte 2)
        Assert.Equal("E01001L8", h.Library.Element(1000).Barcode);
        Assert.Null(h.Library.Element(1).Barcode);
    }

    [Fact]
    public void Magazine_removed_mid_move_hides_its_slots_and_refuse_unload_holds_until_cleared()
    {
        var h = new Harness();
        h.Library.AddFault(new FaultSpec { Kind = FaultKind.MagazineRemoved, Remaining = 1 });
        h.Expect("02/3B/12", SmcCommands.MoveMedium(0, 1015, 1020));   // slot 16: magazine 2
        Assert.Equal([2], h.Library.State.RemovedMagazines);
        Assert.True(h.Library.Element(1015).MagazineRemoved);
        Assert.Equal("E01016L8", h.Library.Element(1015).Barcode);     // still there, just out of reach

        h.Move(1000, 500);
        var refuse = h.Library.AddFault(new FaultSpec { Kind = FaultKind.RefuseUnload, Element = 500 });
        h.Expect("05/53/03", SmcCommands.MoveMedium(0, 500, 1000));
        h.Expect("05/53/03", SmcCommands.MoveMedium(0, 500, 1000));
        h.Library.ClearFaults(refuse.Id);
        h.Move(500, 1000);
    }

    [Fact]
    public void Timeout_and_drop_throw_transport_exceptions_and_a_lost_reply_still_moves()
    {
        var h = new Harness();
        h.Library.AddFault(new FaultSpec { Kind = FaultKind.Timeout, Remaining = 1 });
        var t = Assert.Throws<ScsiTransportException>(() => h.Run(Tur));
        Assert.Equal(TransportFailure.Timeout, t.Failure);
        h.Library.AddFault(new FaultSpec { Kind = FaultKind.Drop, Command = "MOVE MEDIUM", AfterExecute = true, Remaining = 1 });
        var d = Assert.Throws<ScsiTransportException>(() => h.Run(SmcCommands.MoveMedium(0, 1000, 1020)));
        Assert.Equal(TransportFailure.Io, d.Failure);
        Assert.Equal("E01001L8", h.Library.Element(1020).Barcode);     // the move happened; only the reply was lost
        h.Ok(Tur);
    }

    [Fact]
    public async Task Faults_persist_across_processes_and_fire_through_the_transport()
    {
        using var dir = new TempDir();
        using (var store = VirtualLibraryStore.Open(null, dir.Path))
        {
            store.Library.AddFault(new FaultSpec { Kind = FaultKind.Drop, Remaining = 2 });
            store.Save();
        }
        for (int i = 0; i < 2; i++)
        {
            await using var t = (VirtualTransport)await new VirtualTransportFactory().OpenAsync(DeviceUri.Parse("virtual:"), new TransportOpenContext(dir.Path));
            await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(Tur, Memory<byte>.Empty));
        }
        using var last = VirtualLibraryStore.Open(null, dir.Path);
        Assert.Empty(last.Library.Faults);                             // the count was saved after each firing
    }

    [Theory]
    [InlineData(FaultKind.RefuseUnload, null, null)]                   // needs a drive address
    [InlineData(FaultKind.RefuseUnload, (ushort)1000, null)]
    [InlineData(FaultKind.Busy, (ushort)4242, null)]
    [InlineData(FaultKind.Busy, null, "FROBNICATE")]
    public void Invalid_faults_are_refused_with_a_reason(FaultKind kind, ushort? element, string? command)
    {
        var h = new Harness();
        var e = Assert.Throws<VirtualOperatorException>(() => h.Library.AddFault(new FaultSpec { Kind = kind, Element = element, Command = command }));
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(h.Library.Faults);
    }
}
