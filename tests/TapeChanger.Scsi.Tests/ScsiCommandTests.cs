using TapeChanger.Scsi.Sense;

namespace TapeChanger.Scsi.Tests;

/// <summary>The command record's checks and text, and what the exceptions carry and say.</summary>
public class ScsiCommandTests
{
    [Theory]
    [InlineData(6)]
    [InlineData(10)]
    [InlineData(12)]
    [InlineData(16)]
    public void Cdbs_of_6_to_16_bytes_are_accepted(int length)
    {
        var c = new ScsiCommand("X", new byte[length], DataDirection.None, 0, TimeSpan.FromSeconds(1));
        Assert.Equal(length, c.Cdb.Length);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(17)]
    [InlineData(0)]
    public void Other_cdb_lengths_are_refused(int length) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiCommand("X", new byte[length], DataDirection.None, 0, TimeSpan.FromSeconds(1)));

    [Fact]
    public void A_negative_transfer_length_is_refused_and_zero_is_not()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ScsiCommand("X", new byte[6], DataDirection.In, -1, TimeSpan.FromSeconds(1)));
        Assert.Equal(0, new ScsiCommand("X", new byte[6], DataDirection.In, 0, TimeSpan.FromSeconds(1)).TransferLength);
        Assert.Throws<ArgumentNullException>(() => new ScsiCommand("X", null!, DataDirection.In, 0, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void With_timeout_changes_only_the_timeout()
    {
        byte[] data = [1, 2];
        var c = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 2, 0], DataDirection.Out, 2, TimeSpan.FromSeconds(1), data);
        var t = c.WithTimeout(TimeSpan.FromMinutes(7));
        Assert.Equal(TimeSpan.FromMinutes(7), t.Timeout);
        Assert.Equal((c.Name, c.Direction, c.TransferLength), (t.Name, t.Direction, t.TransferLength));
        Assert.Same(c.Cdb, t.Cdb);
        Assert.Same(data, t.DataOut);
        Assert.Equal(TimeSpan.FromSeconds(1), c.Timeout);
        Assert.Equal((byte)0x15, t.OperationCode);
    }

    [Fact]
    public void Text_is_the_name_and_the_cdb_in_lower_case_hex()
    {
        var c = new ScsiCommand("MOVE MEDIUM", [0xA5, 0, 0, 0, 0x03, 0xE8, 0x01, 0xF4, 0, 0, 0, 0xAB], DataDirection.None, 0, TimeSpan.FromSeconds(1));
        Assert.Equal("MOVE MEDIUM [a500000003e801f4000000ab]", c.ToString());
    }

    [Fact]
    public void Default_timeouts()
    {
        Assert.Equal((TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(600), TimeSpan.FromSeconds(3600)),
            (CommandTimeouts.Default, CommandTimeouts.Move, CommandTimeouts.Initialize));
    }

    [Fact]
    public void Decode_errors_say_where_and_what()
    {
        var t = new ScsiDecodeException("sense data", "ASC", 12, 1, 0);
        Assert.Equal("sense data: truncated at offset 12 reading ASC (needs 1 byte(s), 0 left)", t.Message);
        Assert.Equal(("sense data", "ASC", 12), (t.Context, t.Field, t.Offset));
        var r = new ScsiDecodeException("MODE SENSE data", "PAGE CODE", 4, "page 1Dh missing");
        Assert.Equal("MODE SENSE data: page 1Dh missing at offset 4 (PAGE CODE)", r.Message);
        Assert.Null(r.Command);
    }

    [Fact]
    public void Check_condition_carries_sense_and_keeps_the_first_rule()
    {
        var sense = SenseDecoder.Decode([0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x3A, 0x00, 0, 0, 0, 0]);
        var e = new ScsiCheckConditionException("TEST UNIT READY", sense);
        Assert.Equal("TEST UNIT READY failed: " + sense.Describe(), e.Message);
        Assert.Equal(("TEST UNIT READY", SenseKey.NotReady, (byte)0x3A, (byte)0x00), (e.Command, e.Key, e.Asc, e.Ascq));
        Assert.Null(e.Rule);
        var first = SensePolicy.Lookup(SenseKey.NotReady, 0x3A, 0x00, null);
        var second = SensePolicy.Lookup(SenseKey.IllegalRequest, 0x24, 0x00, null);
        Assert.Same(e, e.WithRule(first));
        e.WithRule(second);
        Assert.Same(first, e.Rule);
    }

    [Fact]
    public void Status_and_transport_exceptions()
    {
        var s = new ScsiStatusException("INQUIRY", ScsiStatus.ReservationConflict);
        Assert.Equal("INQUIRY failed: device returned status ReservationConflict", s.Message);
        Assert.Equal((ScsiStatus.ReservationConflict, "INQUIRY"), (s.Status, s.Command));
        var inner = new IOException("gone");
        var t = new ScsiTransportException(TransportFailure.Busy, "busy", "MOVE MEDIUM", inner);
        Assert.Equal((TransportFailure.Busy, "busy", "MOVE MEDIUM"), (t.Failure, t.Message, t.Command));
        Assert.Same(inner, t.InnerException);
    }
}
