using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Testing;
using TapeChanger.Transport.Replay;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>
/// Behaviours the first mutation run of TapeChanger.Transport showed untested: exact messages, boundaries of the element
/// limit, the replay script's keyword and trace rules, and which MODE SENSE form a reply is decoded as.
/// </summary>
public class SurvivorTests
{
    [Fact]
    public void Uri_messages_for_a_replay_without_a_file_and_credentials_without_a_user()
    {
        Assert.Equal("replay device 'replay:' needs a file: replay:PATH", Assert.Throws<DeviceUriException>(() => DeviceUri.Parse("replay:")).Message);
        // '%' first: the user is empty (the password alone is not a login).
        Assert.Equal("iscsi device 'iscsi://%secret@h/iqn/0': empty user name before '@'",
            Assert.Throws<DeviceUriException>(() => DeviceUri.Parse("iscsi://%secret@h/iqn/0")).Message);
        // ':' first: the port is read (and refused) before the missing host is noticed.
        Assert.Equal("iscsi device 'iscsi://:abc/iqn/0': port 'abc' is not a number from 1 to 65535",
            Assert.Throws<DeviceUriException>(() => DeviceUri.Parse("iscsi://:abc/iqn/0")).Message);
    }

    [Fact]
    public async Task The_replay_factory_names_a_device_without_a_file()
    {
        var e = await Assert.ThrowsAsync<DeviceUriException>(async () =>
            await new CaptureReplayTransportFactory().OpenAsync(new DeviceAddress(DeviceScheme.Replay, "replay:"), new TransportOpenContext(".")));
        Assert.Equal("replay device 'replay:' needs a file: replay:PATH", e.Message);
    }

    private static IReadOnlyList<ReplayEntry> Parse(string script) => ReplayScript.Parse(script, "t.replay", ".");

    [Fact]
    public void A_native_script_mentioning_a_cdb_in_a_comment_is_not_a_trace()
    {
        var e = Assert.Single(Parse("# copied from a trace: cdb 12 00 00 00 60 00\ncdb 12 00 00 00 60 00\ndata 01"));
        Assert.Equal([1], e.Replies[0].Data);
    }

    [Fact]
    public void Sixteen_byte_cdbs_are_accepted()
    {
        var e = Assert.Single(Parse("cdb 88 00 00 00 00 00 00 00 00 00 00 00 00 08 00 00\nstatus 00"));
        Assert.Equal(16, e.Pattern.Length);
    }

    [Theory]
    [InlineData("sense 70 00 05")]
    [InlineData("check 05 24 00")]
    [InlineData("transport-error gone")]
    public void Only_data_continues_on_bare_hex_lines(string keyword)
    {
        var e = Assert.Throws<ReplayFormatException>(() => Parse($"cdb 00 00 00 00 00 00\ndata 01\n{keyword}\n02 03"));
        Assert.Equal("replay script t.replay line 4: unknown keyword '02' (expected cdb, data, sense, check, status or transport-error)", e.Message);
    }

    [Fact]
    public void A_trace_note_in_parentheses_is_never_read_as_cdb_bytes()
    {
        var e = Assert.Single(Parse("> ODD: cdb (alloc 8)\n< status Good (00h), 0 byte(s), 0.1 ms\n"));
        Assert.Empty(e.Pattern);
        Assert.False(e.Matches(SpcCommands.TestUnitReady().Cdb));
    }

    [Fact]
    public void A_trace_line_whose_offset_is_not_hex_is_not_data()
    {
        var e = Assert.Single(Parse("> INQUIRY: cdb 12 00 00 00 60 00 (alloc 96)\n< status Good (00h), 2 byte(s), 0.1 ms\n  0000  01 02\n  z000  03 04\n"));
        Assert.Equal([1, 2], e.Replies[0].Data);
    }

    [Fact]
    public async Task A_data_out_command_gets_no_data_in_buffer()
    {
        int seen = -1;
        var t = new ScriptedTransport { Answer = (_, data) => { seen = data.Length; return ScsiResult.Good(4); } };
        var ch = new ScsiChannel(t);
        var select = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 4, 0], DataDirection.Out, 4, TimeSpan.FromSeconds(5), [0, 0, 0, 0]);
        Assert.Empty(await ch.ExecuteAsync(select));
        Assert.Equal(0, seen);
    }

    [Fact]
    public async Task All_types_in_a_single_type_read_is_refused_with_the_reason()
    {
        await using var c = new SmcClient(new ScriptedTransport());
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await c.ReadElementStatusAsync(ElementType.All, 0, 1));
        Assert.StartsWith("use ReadAllElementStatusAsync for all element types", e.Message);
    }

    private static ElementDescriptor D(ushort address, bool full) =>
        new(ElementType.Storage, address, full ? ElementFlags.Full : 0, 0, 0, null, MediumType.Unspecified, false, false, null, null, null, null, null, false);

    [Fact]
    public void The_same_address_read_twice_in_a_row_keeps_the_later_read()
    {
        var result = SmcClient.LastPerAddressInOrder([D(1000, false), D(1000, true), D(1001, false)]);
        Assert.Equal([1000, 1001], result.Select(d => (int)d.Address));
        Assert.True(result[0].Full);
    }

    [Theory]
    [InlineData(223, 1)]        // (223 - 24) / 100 = 1: 8 header, 8 page header and 8 spare bytes are kept free
    [InlineData(224, 2)]
    public async Task Elements_per_read_leave_room_for_headers_and_the_spare_bytes(int max, int perRead)
    {
        var t = new ScriptedTransport { MaxTransferLength = max, Answer = new ResLibrary().Add(ElementType.Storage, 1000, 4).Answer };
        await using var c = new SmcClient(t);
        await c.ReadElementStatusAsync(ElementType.Storage, 1000, 4);
        Assert.All(t.Sent, s => Assert.Equal(perRead, (s.Cdb[4] << 8) | s.Cdb[5]));
        Assert.Equal(4 / perRead, t.Sent.Count);
    }

    [Fact]
    public async Task Only_2A_and_3F_unit_attentions_count_as_definition_changes()
    {
        var t = new ScriptedTransport(Check(6, 0x2A, 0x01), Check(6, 0x3F, 0x0E), Check(6, 0x29, 0x00), Good);
        await using var c = new SmcClient(t);
        await c.TestUnitReadyAsync();
        Assert.Equal((3, 2), (c.UnitAttentionsSeen, c.DefinitionChangesSeen));
    }

    [Fact]
    public async Task Mode_sense_6_without_dbd_is_decoded_as_the_six_byte_form()
    {
        byte[] page1D = [0x1D, 0x12, 0x00, 0x00, 0x00, 0x01, 0x03, 0xE8, 0x00, 0x06, 0x00, 0x0A, 0x00, 0x02, 0x01, 0xF4, 0x00, 0x02, 0x00, 0x00];
        // A block descriptor (8 bytes, NUMBER OF BLOCKS 16) comes back when DBD is not set; read as the 10-byte form,
        // its bytes 2-3 would be a block descriptor length of 16 and the page would be missed.
        byte[] reply = [(byte)(3 + 8 + page1D.Length), 0, 0, 8, 0, 0x00, 0x00, 0x10, 0, 0, 0, 0, .. page1D];
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) =>
            {
                if ((cmd.Cdb[1] & 0x08) != 0) return Check(5, 0x24, 0x00);
                reply.CopyTo(data.Span);
                return ScsiResult.Good(reply.Length);
            },
        };
        await using var c = new SmcClient(t);
        var a = await c.ElementAddressAssignmentAsync();
        Assert.Equal(new ElementAddressAssignment(0, 1, 1000, 6, 10, 2, 500, 2), a);
        Assert.Equal(["MODE SENSE(6) page 1Dh", "MODE SENSE(6) page 1Dh"], t.SentNames);
    }

    [Fact]
    public async Task A_dump_of_exactly_16_bytes_is_one_line()
    {
        var inner = new ScriptedTransport { Answer = (_, data) => { data.Span[..16].Fill(0x22); return ScsiResult.Good(16); } };
        var log = new StringWriter();
        await new TracingTransport(inner, log, dumpData: true).ExecuteAsync(SpcCommands.Inquiry(96), new byte[96]);
        var lines = log.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("  0000  22 22 22 22 22 22 22 22 22 22 22 22 22 22 22 22", lines[2]);
    }
}
