using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport.Linux.Interop;

namespace TapeChanger.Transport.Linux.Tests;

public class SgReplyInterpreterTests
{
    private static readonly ScsiCommand Inquiry = SpcCommands.Inquiry();
    private static readonly ScsiCommand Move = SmcCommands.MoveMedium(1, 4, 10);
    private const string Dev = "sg:/dev/sg3";

    private static SgIoReply Reply(byte status = 0, byte masked = 0, byte sbLen = 0, ushort host = 0, ushort driver = 0, int resid = 0) =>
        new(status, masked, sbLen, host, driver, resid, 1, 0);

    [Fact]
    public void Good_with_resid_reports_bytes_transferred()
    {
        var r = SgReplyInterpreter.Interpret(Dev, Inquiry, Reply(resid: 30), Inquiry.TransferLength, new byte[96]);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(Inquiry.TransferLength - 30, r.DataTransferred);
        Assert.Empty(r.Sense);
    }

    [Fact]
    public void Resid_larger_than_the_buffer_is_an_overflow_so_the_buffer_is_full()
    {
        // Linux iSCSI initiator + tgt: READ ELEMENT STATUS alloc 124, the target had 400 bytes, resid reported 276.
        var r = SgReplyInterpreter.Interpret(Dev, Inquiry, Reply(resid: 100_000), Inquiry.TransferLength, new byte[96]);
        Assert.Equal(Inquiry.TransferLength, r.DataTransferred);
    }

    [Theory]
    [InlineData(124, 0, 124)]
    [InlineData(124, 76, 48)]
    [InlineData(124, 124, 0)]
    [InlineData(124, 276, 124)]
    [InlineData(124, -1, 124)]
    [InlineData(0, 0, 0)]
    public void Transferred_from_resid(int dxferLen, int resid, int expected) =>
        Assert.Equal(expected, SgReplyInterpreter.Transferred(dxferLen, resid));

    [Fact]
    public void No_data_command_transfers_nothing()
    {
        var r = SgReplyInterpreter.Interpret(Dev, Move, Reply(), 0, new byte[96]);
        Assert.Equal(0, r.DataTransferred);
    }

    [Fact]
    public void Check_condition_returns_exactly_sb_len_wr_sense_bytes()
    {
        var sense = new byte[96];
        byte[] fixedSense = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3B, 0x0E, 0, 0, 0, 0];
        fixedSense.CopyTo(sense, 0);
        sense[40] = 0xEE; // beyond sb_len_wr: must not leak
        var r = SgReplyInterpreter.Interpret(Dev, Move, Reply(status: 0x02, masked: 0x01, sbLen: 18, driver: 0x08), 0, sense);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(fixedSense, r.Sense);
        var ex = Assert.Throws<ScsiCheckConditionException>(() => ScsiResultChecker.ThrowIfFailed(Move, r));
        Assert.Equal((byte)0x3B, ex.Asc);
    }

    [Fact]
    public void Masked_status_is_used_when_status_is_zero()
    {
        var r = SgReplyInterpreter.Interpret(Dev, Move, Reply(masked: 0x04), 0, new byte[96]);
        Assert.Equal(ScsiStatus.Busy, r.Status);
    }

    [Fact]
    public void Reservation_conflict_status_passes_through()
    {
        var r = SgReplyInterpreter.Interpret(Dev, Move, Reply(status: 0x18), 0, new byte[96]);
        Assert.Equal(ScsiStatus.ReservationConflict, r.Status);
    }

    [Fact]
    public void Nexus_failure_is_a_reservation_conflict()
    {
        var r = SgReplyInterpreter.Interpret(Dev, Move, Reply(host: SgReplyInterpreter.DID_NEXUS_FAILURE), 0, new byte[96]);
        Assert.Equal(ScsiStatus.ReservationConflict, r.Status);
    }

    [Theory]
    [InlineData(SgReplyInterpreter.DID_TIME_OUT, TransportFailure.Timeout, "timed out after 600 s (DID_TIME_OUT (0x03))")]
    [InlineData(SgReplyInterpreter.DID_BUS_BUSY, TransportFailure.Busy, "DID_BUS_BUSY")]
    [InlineData(SgReplyInterpreter.DID_NO_CONNECT, TransportFailure.Io, "does not answer (DID_NO_CONNECT (0x01))")]
    [InlineData(SgReplyInterpreter.DID_ERROR, TransportFailure.Io, "host adapter error DID_ERROR (0x07)")]
    [InlineData(SgReplyInterpreter.DID_TRANSPORT_DISRUPTED, TransportFailure.Io, "DID_TRANSPORT_DISRUPTED")]
    [InlineData((ushort)0x77, TransportFailure.Io, "host_status 0x77")]
    public void Host_status_is_a_transport_failure(ushort host, TransportFailure failure, string text)
    {
        // host_status wins even when a status byte and sense are present: they are not trustworthy then.
        var e = Assert.Throws<ScsiTransportException>(() =>
            SgReplyInterpreter.Interpret(Dev, Move, Reply(status: 0x02, sbLen: 18, host: host, driver: 0x08), 0, new byte[96]));
        Assert.Equal(failure, e.Failure);
        Assert.Contains(text, e.Message);
        Assert.StartsWith("MOVE MEDIUM on sg:/dev/sg3", e.Message);
    }

    [Theory]
    [InlineData((ushort)0x06, TransportFailure.Timeout)]   // DRIVER_TIMEOUT (older kernels)
    [InlineData((ushort)0x01, TransportFailure.Busy)]      // DRIVER_BUSY
    [InlineData((ushort)0x04, TransportFailure.Io)]        // DRIVER_ERROR
    [InlineData((ushort)0x24, TransportFailure.Io)]        // SUGGEST_* high nibble + DRIVER_ERROR
    public void Driver_status_other_than_sense_is_a_transport_failure(ushort driver, TransportFailure failure)
    {
        var e = Assert.Throws<ScsiTransportException>(() => SgReplyInterpreter.Interpret(Dev, Move, Reply(driver: driver), 0, new byte[96]));
        Assert.Equal(failure, e.Failure);
    }

    [Fact]
    public void Driver_sense_with_good_status_is_success_with_sense()
    {
        var sense = new byte[96];
        byte[] recovered = [0x70, 0, 0x01, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x17, 0x01, 0, 0, 0, 0];
        recovered.CopyTo(sense, 0);
        var r = SgReplyInterpreter.Interpret(Dev, Inquiry, Reply(sbLen: 18, driver: 0x18), Inquiry.TransferLength, sense);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(18, r.Sense.Length);
        Assert.Equal(Inquiry.TransferLength, ScsiResultChecker.ThrowIfFailed(Inquiry, r));
    }
}
