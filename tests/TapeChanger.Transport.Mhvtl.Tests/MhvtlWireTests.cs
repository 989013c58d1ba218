using FsCheck.Xunit;
using TapeChanger.Transport.Mhvtl.Wire;

namespace TapeChanger.Transport.Mhvtl.Tests;

/// <summary>Exact bytes of each message against the struct layouts of markh794/mhvtl@fada6b85 include/tcmu_proto.h.</summary>
public sealed class MhvtlWireTests
{
    [Fact]
    public void Cdb_message_is_40_bytes_little_endian_with_padding()
    {
        var m = new byte[40];
        MhvtlWire.WriteCdb(m, 0x0102030405060708, [0x12, 0x00, 0x00, 0x00, 0x60, 0x00], 96);
        Assert.Equal(Convert.FromHexString(
            "04000000" + "20000000" +                  // type 4, data_len 32
            "0807060504030201" +                       // cmd_id
            "120000006000" + "00000000000000000000" +  // cdb[16], zero-filled
            "60000000" + "00000000"),                  // data_len 96, padding
            m);
    }

    [Fact]
    public void Data_out_header_is_24_bytes_and_counts_the_data_in_its_length()
    {
        var m = new byte[24];
        MhvtlWire.WriteDataOut(m, 7, 12);
        Assert.Equal(Convert.FromHexString("07000000" + "1C000000" + "0700000000000000" + "0C000000" + "00000000"), m);
    }

    [Fact]
    public void Cdb_response_decodes_id_status_sense_and_data_length()
    {
        var body = new byte[112];
        body[0] = 9;                                   // cmd_id 9
        body[8] = 2;                                   // CHECK CONDITION
        body[9] = 0x70; body[11] = 0x05; body[16] = 0x0A; body[21] = 0x24;   // sense 70 00 05 ... add len 10, ASC 24
        body[108] = 0x40;                              // data_len 64
        var r = MhvtlWire.ReadCdbResponse(body, 112 + 64);
        Assert.Equal(9ul, r.CommandId);
        Assert.Equal(2, r.Status);
        Assert.Equal(96, r.Sense.Length);
        Assert.Equal(0x24, r.Sense[12]);
        Assert.Equal(64u, r.DataLength);
        Assert.Equal(18, MhvtlWire.TrimSense(r.Sense).Length);
    }

    [Fact]
    public void Data_request_decodes_id_and_length()
    {
        var r = MhvtlWire.ReadDataRequest(Convert.FromHexString("0500000000000000" + "00010000" + "00000000"));
        Assert.Equal(new MhvtlDataRequest(5, 256), r);
    }

    [Theory]
    [InlineData(9u, 112u, "type 9")]
    [InlineData(5u, 100u, "MSG_CDB_RESP with length 100")]
    [InlineData(6u, 20u, "MSG_DATA_REQ with length 20")]
    [InlineData(5u, 112u + 2 * 1024 * 1024 + 1, "MSG_CDB_RESP with length")]
    public void Reply_headers_of_the_wrong_type_or_length_are_refused(uint type, uint length, string message)
    {
        var e = Assert.Throws<MhvtlWireException>(() => MhvtlWire.CheckReplyHeader(type, length));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Response_whose_header_length_disagrees_with_its_data_length_is_refused()
    {
        var body = new byte[112];
        body[108] = 10;
        var e = Assert.Throws<MhvtlWireException>(() => MhvtlWire.ReadCdbResponse(body, 112));
        Assert.Contains("does not match its data_len 10", e.Message);
    }

    [Fact]
    public void Cdb_longer_than_16_bytes_is_refused() =>
        Assert.Throws<ArgumentException>(() => MhvtlWire.WriteCdb(new byte[40], 1, new byte[17], 0));

    /// <summary>The reply decoders are total: any bytes decode or throw <see cref="MhvtlWireException"/>, nothing else.</summary>
    [Property(MaxTest = 500)]
    public bool Reply_decoders_throw_only_their_own_exception(byte[] bytes, uint headerLength)
    {
        try
        {
            if (bytes.Length >= 8)
            {
                var (type, length) = MhvtlWire.ReadHeader(bytes);
                MhvtlWire.CheckReplyHeader(type, length);
            }
            _ = MhvtlWire.ReadDataRequest(bytes);
            var r = MhvtlWire.ReadCdbResponse(bytes, headerLength);
            _ = MhvtlWire.TrimSense(r.Sense);
            _ = MhvtlWire.TrimSense(bytes);
            return true;
        }
        catch (MhvtlWireException)
        {
            return true;
        }
    }
}
