using System.Security.Cryptography;
using System.Text;
using TapeChanger.Transport.Iscsi.Pdu;

namespace TapeChanger.Transport.Iscsi.Tests;

/// <summary>Exact wire bytes for the PDUs (RFC 7143 §11), decode of hand-written PDUs, and malformed input.</summary>
public sealed class PduCodecTests
{
    /// <summary>Commented hex: '#' starts a comment to the end of the line.</summary>
    private static byte[] Hex(string s) =>
        Convert.FromHexString(string.Concat(s.Split('\n').Select(l => l.Split('#')[0]).SelectMany(l => l.Where(char.IsAsciiHexDigit))));

    [Fact]
    public void Scsi_command_inquiry_lun3_exact_bytes()
    {
        var pdu = new ScsiCommandPdu(false, true, true, false, 1, IscsiLun.Encode(3), 0x10, 96, 5, 7, [0x12, 0, 0, 0, 0x60, 0]);
        Assert.Equal(Hex("""
            01 c1 00 00  00 000000              # opcode 01, F R ATTR=simple, TotalAHS 0, DSL 0
            00 03 00 00 00 00 00 00             # LUN 3, peripheral addressing
            00000010 00000060                   # ITT, expected data transfer length 96
            00000005 00000007                   # CmdSN, ExpStatSN
            12 00 00 00 60 00 00 00 00 00 00 00 00 00 00 00   # CDB, zero padded to 16
            """), pdu.Encode());
    }

    [Fact]
    public void Login_request_exact_bytes_with_padded_text()
    {
        var pdu = new LoginRequestPdu(true, false, LoginStage.OperationalNegotiation, LoginStage.FullFeaturePhase, 0, 0,
            [0x80, 0x12, 0x34, 0x56, 0, 0], 0, 1, 0, 10, 0) { Data = TextParameters.Encode(("Ab", "c")) };
        Assert.Equal(Hex("""
            43 87 00 00  00 000005              # immediate Login, T CSG=1 NSG=3, version 0/0, DSL 5
            80 12 34 56 00 00  0000             # random ISID, TSIH 0
            00000001 0000 0000                  # ITT 1, CID 0, reserved
            0000000a 00000000                   # CmdSN 10, ExpStatSN 0
            00000000 00000000 00000000 00000000 # reserved
            41 62 3d 63 00 00 00 00             # "Ab=c\0" + 3 pad bytes
            """), pdu.Encode());
    }

    [Fact]
    public void Scsi_response_with_sense_decodes_status_and_sense()
    {
        var bytes = Hex("""
            21 80 00 02  00 000014              # SCSI Response, CHECK CONDITION, DSL 20
            0000000000000000
            0000002a 00000000                   # ITT 42, SNACK tag
            00000065 00000006 00000015          # StatSN 101, ExpCmdSN 6, MaxCmdSN 21
            00000000 00000000 00000000          # ExpDataSN, bidi residual, residual
            0012 70 00 05 00 00 00 00 0a 00 00 00 00 3b 0d 00 00 00 00   # SenseLength 18 + fixed sense 05/3B/0D
            """);
        var r = Assert.IsType<ScsiResponsePdu>(IscsiPdu.Decode(bytes));
        Assert.Equal((0x2Au, (byte)0, (byte)2, 101u, 6u, 21u), (r.Itt, r.Response, r.Status, r.StatSN, r.ExpCmdSN, r.MaxCmdSN));
        var sense = r.Sense();
        Assert.Equal(18, sense.Length);
        Assert.Equal((0x05, 0x3B, 0x0D), (sense[2] & 0x0F, (int)sense[12], (int)sense[13]));
    }

    [Fact]
    public void Data_in_with_status_and_underflow()
    {
        var bytes = Hex("""
            25 83 00 00  00 000004              # Data-In, F U S, status GOOD, DSL 4
            00 03 00 00 00 00 00 00             # LUN 3
            00000010 ffffffff                   # ITT, TTT reserved
            00000007 00000002 00000011          # StatSN, ExpCmdSN, MaxCmdSN
            00000000 00000000 0000009b          # DataSN 0, offset 0, residual 155
            de ad be ef
            """);
        var d = Assert.IsType<DataInPdu>(IscsiPdu.Decode(bytes));
        Assert.True(d.Final && d.HasStatus && d.Underflow && !d.Overflow);
        Assert.Equal((3, 0x10u, 155u), (IscsiLun.Decode(d.Lun), d.Itt, d.Residual));
        Assert.Equal(Hex("deadbeef"), d.Data);
        Assert.Equal(bytes, d.Encode());
    }

    [Fact]
    public void R2t_fields()
    {
        var bytes = Hex("31 80 0000 00 000000 0001000000000000 00000010 00000077 00000005 00000006 00000015 00000000 00000200 000001e8");
        var r = Assert.IsType<R2TPdu>(IscsiPdu.Decode(bytes));
        Assert.Equal((1, 0x10u, 0x77u, 512u, 488u), (IscsiLun.Decode(r.Lun), r.Itt, r.Ttt, r.BufferOffset, r.DesiredDataTransferLength));
        Assert.Equal(bytes, r.Encode());
    }

    [Fact]
    public void Nop_out_answer_to_a_target_ping_exact_bytes()
    {
        var pdu = new NopOutPdu(true, 0, IscsiConstants.ReservedTag, 0x1234, 9, 102);
        Assert.Equal(Hex("40 80 0000 00 000000 0000000000000000 ffffffff 00001234 00000009 00000066 00000000000000000000000000000000"), pdu.Encode());
    }

    [Fact]
    public void Logout_request_and_async_message_and_reject()
    {
        Assert.Equal(Hex("46 80 0000 00 000000 0000000000000000 00000003 0000 0000 00000009 00000066 00000000000000000000000000000000"),
            new LogoutRequestPdu(true, LogoutReason.CloseSession, 3, 0, 9, 102).Encode());
        var a = Assert.IsType<AsyncMessagePdu>(IscsiPdu.Decode(Hex("32 80 0000 00 000000 0000000000000000 ffffffff 00000000 00000010 00000003 00000012 01 00 0000 0000 0002 00000000")));
        Assert.Equal((AsyncEvent.LogoutRequested, (ushort)2), (a.Event, a.Parameter3));
        var rejected = new ScsiCommandPdu(false, true, false, false, 1, 0, 0x99, 0, 1, 1, new byte[6]).Encode();
        var rj = Assert.IsType<RejectPdu>(IscsiPdu.Decode(new RejectPdu(0x09, 1, 2, 3, 0) { Data = rejected }.Encode()));
        Assert.Equal((byte)0x09, rj.Reason);
        Assert.Equal(0x99u, rj.RejectedItt);
    }

    internal static readonly IscsiPdu[] SamplePdus =
    [
        new NopOutPdu(false, IscsiLun.Encode(1), 1, IscsiConstants.ReservedTag, 2, 3) { Data = [9] },
        new NopInPdu(IscsiLun.Encode(1), 1, 5, 2, 3, 4),
        new ScsiCommandPdu(true, false, false, true, 2, IscsiLun.Encode(300), 7, 1000, 8, 9, Enumerable.Range(1, 16).Select(i => (byte)i).ToArray()) { Data = [1, 2, 3, 4, 5] },
        new ScsiResponsePdu(true, true, true, true, 1, 0x28, 1, 2, 3, 4, 5, 6, 7, 8),
        new DataInPdu(true, true, true, true, true, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8) { Data = [1, 2] },
        new DataOutPdu(true, 0, 1, 2, 3, 4, 5) { Data = new byte[7] },
        new R2TPdu(0, 1, 2, 3, 4, 5, 6, 7, 8),
        new LoginRequestPdu(false, true, LoginStage.SecurityNegotiation, LoginStage.SecurityNegotiation, 0, 0, [0x80, 1, 2, 3, 0, 0], 0, 1, 0, 2, 3) { Data = TextParameters.Encode(("A", "b")) },
        new LoginResponsePdu(true, false, LoginStage.OperationalNegotiation, LoginStage.FullFeaturePhase, 0, 0, [0x80, 1, 2, 3, 0, 0], 9, 1, 2, 3, 4, 0, 0),
        new TextRequestPdu(false, true, false, 0, 1, IscsiConstants.ReservedTag, 2, 3) { Data = TextParameters.Encode(("SendTargets", "All")) },
        new TextResponsePdu(false, true, 0, 1, 2, 3, 4, 5),
        new LogoutRequestPdu(false, LogoutReason.CloseConnection, 1, 2, 3, 4),
        new LogoutResponsePdu(0, 1, 2, 3, 4, 5, 6),
        new AsyncMessagePdu(0, 1, 2, 3, AsyncEvent.ConnectionDrop, 0, 1, 2, 3),
        new RejectPdu(4, 1, 2, 3, 4),
    ];

    public static TheoryData<IscsiPdu> AllPdus() => new(SamplePdus);

    [Theory]
    [MemberData(nameof(AllPdus))]
    public void Every_pdu_round_trips(IscsiPdu pdu)
    {
        var bytes = pdu.Encode();
        Assert.Equal(0, bytes.Length % 4);
        var back = IscsiPdu.Decode(bytes);
        Assert.Equal(pdu.GetType(), back.GetType());
        Assert.Equal(bytes, back.Encode());
        Assert.Equal(pdu.Data, back.Data);
    }

    [Theory]
    [InlineData(0, "0000000000000000")]
    [InlineData(3, "0003000000000000")]
    [InlineData(255, "00ff000000000000")]
    [InlineData(256, "4100000000000000")]
    [InlineData(300, "412c000000000000")]
    [InlineData(16383, "7fff000000000000")]
    public void Lun_encoding_peripheral_and_flat(int lun, string hex)
    {
        ulong v = IscsiLun.Encode(lun);
        Assert.Equal(hex, v.ToString("x16"));
        Assert.Equal(lun, IscsiLun.Decode(v));
    }

    [Fact]
    public void Lun_out_of_range_and_unsupported_methods()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IscsiLun.Encode(16384));
        Assert.Throws<IscsiPduException>(() => IscsiLun.Decode(0x8000_0000_0000_0000));   // extended addressing
        Assert.Throws<IscsiPduException>(() => IscsiLun.Decode(0x0102_0000_0000_0000));   // peripheral, bus 1
    }

    [Fact]
    public void Truncated_pdus_and_lying_lengths_throw_the_typed_exception()
    {
        var good = new DataInPdu(true, false, false, false, true, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8) { Data = [1, 2, 3, 4, 5] }.Encode();
        Assert.Throws<IscsiPduException>(() => IscsiPdu.Decode(good.AsSpan(0, 47)));
        Assert.Throws<IscsiPduException>(() => IscsiPdu.Decode(good.AsSpan(0, good.Length - 1)));
        var lying = (byte[])good.Clone();
        lying[7] = 0xFF;                                                 // DataSegmentLength beyond the buffer
        Assert.Throws<IscsiPduException>(() => IscsiPdu.Decode(lying));
        var ahs = (byte[])good.Clone();
        ahs[4] = 1;                                                      // claims 4 AHS bytes: its AHSLength (0x0102) overruns
        ahs[48] = 0x01; ahs[49] = 0x02;
        Assert.Throws<IscsiPduException>(() => IscsiPdu.Decode(ahs));
        var reservedBit = (byte[])good.Clone();
        reservedBit[0] |= 0x80;
        Assert.Throws<IscsiPduException>(() => IscsiPdu.Decode(reservedBit));
        Assert.Throws<IscsiPduException>(() => IscsiPdu.Decode([.. good, 0, 0, 0, 0]));   // trailing bytes
    }

    [Fact]
    public void Sense_length_larger_than_the_data_segment_throws()
    {
        var r = new ScsiResponsePdu(false, false, false, false, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0) { Data = [0x00, 0x12, 0x70] };
        var e = Assert.Throws<IscsiPduException>(() => r.Sense());
        Assert.Contains("SenseLength 18", e.Message);
        Assert.Empty((r with { Data = [] }).Sense());
    }

    [Fact]
    public void Text_parameters_keep_order_and_repeats_and_reject_garbage()
    {
        var data = Encoding.UTF8.GetBytes("TargetName=iqn.a\0TargetAddress=1.2.3.4:3260,1\0TargetAddress=[::1]:3260,1\0");
        var kv = TextParameters.Parse(data);
        Assert.Equal(["TargetName", "TargetAddress", "TargetAddress"], kv.Select(k => k.Key));
        Assert.Equal("[::1]:3260,1", kv.Get("TargetAddress"));
        Assert.Single(TextParameters.Parse("A=1"u8));                    // no final NUL: tolerated
        Assert.Throws<IscsiPduException>(() => TextParameters.Parse("novalue\0"u8));
        Assert.Throws<IscsiPduException>(() => TextParameters.Parse("=x\0"u8));
        Assert.Throws<IscsiPduException>(() => TextParameters.Parse([0x41, 0x3D, 0xFF, 0x00]));   // invalid UTF-8
    }

    [Fact]
    public void Chap_md5_response_is_md5_of_id_secret_challenge()
    {
        byte[] challenge = Hex("0102030405060708090a0b0c0d0e0f10");
        var expected = MD5.HashData([0x2A, .. "secret-secret"u8.ToArray(), .. challenge]);
        Assert.Equal(expected, Chap.Response(0x2A, "secret-secret", challenge));
        Assert.Equal("0x0102", Chap.ToHex([1, 2]));
        Assert.Equal(Hex("0102"), Chap.FromBinary("0x102"));
        Assert.Equal(Hex("0102"), Chap.FromBinary("0bAQI="));
        Assert.Null(Chap.FromBinary("0xzz"));
    }

    [Theory]
    [InlineData("10.0.0.1:3260,1", "10.0.0.1", 3260, 1)]
    [InlineData("[fe80::1]:3261,2", "fe80::1", 3261, 2)]
    [InlineData("host.example", "host.example", 3260, 1)]
    [InlineData("host:99", "host", 99, 1)]
    public void Portal_parsing(string text, string address, int port, int tpgt) =>
        Assert.Equal(new IscsiPortal(address, port, tpgt), IscsiDiscovery.ParsePortal(text));

    [Theory]
    [InlineData("1.2.3.4:x,1")]
    [InlineData("1.2.3.4:3260,x")]
    [InlineData("[::1:3260,1")]
    [InlineData(":3260,1")]
    public void Portal_parsing_rejects_garbage(string text) => Assert.Null(IscsiDiscovery.ParsePortal(text));
}
