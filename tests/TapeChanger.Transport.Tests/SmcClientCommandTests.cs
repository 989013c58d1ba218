using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Testing;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Transport.Tests;

/// <summary>
/// The commands SmcClient sends (exact CDB bytes), the timeout each gets from the quirks, what it decodes from the
/// replies, and its fallbacks (INITIALIZE ELEMENT STATUS WITH RANGE 37h → E7h, MODE SENSE(6) DBD → no DBD → (10)).
/// </summary>
public class SmcClientCommandTests
{
    private static readonly ChangerQuirks Timeouts = new()
    {
        DefaultTimeout = TimeSpan.FromSeconds(11), MoveTimeout = TimeSpan.FromSeconds(22), InitializeTimeout = TimeSpan.FromSeconds(33),
    };

    private static string Hex(ScsiCommand c) => Convert.ToHexString(c.Cdb).ToLowerInvariant();

    /// <summary>A transport answering every data-in command with <paramref name="reply"/> (cut to the buffer).</summary>
    private static ScriptedTransport Replying(byte[] reply) => new()
    {
        Answer = (_, data) =>
        {
            int n = Math.Min(reply.Length, data.Length);
            reply.AsSpan(0, n).CopyTo(data.Span);
            return ScsiResult.Good(n);
        },
    };

    [Fact]
    public async Task Robot_commands_carry_their_bytes_and_the_move_timeout()
    {
        var t = new ScriptedTransport();
        await using var c = new SmcClient(t, quirks: Timeouts);
        await c.MoveMediumAsync(1, 1000, 500);
        await c.MoveMediumAsync(1, 1000, 500, invert: true, controlHighBits: 2);
        await c.ExchangeMediumAsync(1, 1000, 500, 1001);
        await c.PositionToElementAsync(1, 1002);
        Assert.Equal(["a5000001" + "03e801f4" + "00000000", "a5000001" + "03e801f4" + "00000180", "a6000001" + "03e801f4" + "03e90000", "2b00000103ea00000000"],
            t.Sent.Select(Hex));
        Assert.All(t.Sent, s => Assert.Equal(TimeSpan.FromSeconds(22), s.Timeout));
    }

    [Fact]
    public async Task Inventory_commands_take_the_initialize_timeout()
    {
        var t = new ScriptedTransport();
        await using var c = new SmcClient(t, quirks: Timeouts);
        await c.InitializeElementStatusAsync();
        await c.InitializeElementStatusWithRangeAsync(1000, 6);
        Assert.Equal(["070000000000", "370103e8000000060000"], t.Sent.Select(Hex));
        Assert.All(t.Sent, s => Assert.Equal(TimeSpan.FromSeconds(33), s.Timeout));
    }

    [Fact]
    public async Task Range_inventory_falls_back_to_the_legacy_opcode_on_invalid_operation_code()
    {
        var t = new ScriptedTransport(Check(5, 0x20, 0x00), Good);
        await using var c = new SmcClient(t, quirks: Timeouts);
        await c.InitializeElementStatusWithRangeAsync(1000, 6);
        Assert.Equal(["370103e8000000060000", "e70103e8000000060000"], t.Sent.Select(Hex));
        Assert.Equal(TimeSpan.FromSeconds(33), t.Sent[1].Timeout);
    }

    [Theory]
    [InlineData(5, 0x24, 0x00)]
    [InlineData(4, 0x20, 0x00)]
    public async Task Range_inventory_refused_otherwise_is_not_retried(byte key, byte asc, byte ascq)
    {
        var t = new ScriptedTransport(Check(key, asc, ascq), Good);
        await using var c = new SmcClient(t, time: new SteppingTime());
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.InitializeElementStatusWithRangeAsync(1000, 6));
        Assert.Equal(["370103e8000000060000"], t.Sent.Select(Hex));
    }

    [Fact]
    public async Task Other_commands_take_the_default_timeout()
    {
        var t = new ScriptedTransport();
        await using var c = new SmcClient(t, quirks: Timeouts);
        await c.TestUnitReadyAsync();
        await c.PreventAllowMediumRemovalAsync(true);
        await c.PreventAllowMediumRemovalAsync(false);
        Assert.Equal(["000000000000", "1e0000000100", "1e0000000000"], t.Sent.Select(Hex));
        Assert.Equal(["TEST UNIT READY", "PREVENT MEDIUM REMOVAL", "ALLOW MEDIUM REMOVAL"], t.SentNames);
    }

    [Fact]
    public async Task Magazine_eject_and_drive_load_unload()
    {
        var t = new ScriptedTransport();
        await using var c = new SmcClient(t);
        await c.EjectMagazineAsync();
        await c.LoadUnloadAsync(load: true);
        await c.LoadUnloadAsync(load: false);
        await c.TestUnitReadyOnceAsync();
        Assert.Equal(["1b0000000200", "1b0000000100", "1b0000000000", "000000000000"], t.Sent.Select(Hex));
    }

    [Fact]
    public async Task Request_sense_decodes_the_pending_sense()
    {
        var t = Replying(Fixed(6, 0x28, 0x00));
        await using var c = new SmcClient(t);
        var s = await c.RequestSenseAsync();
        Assert.Equal("06/28/00", s.Triplet);
        Assert.Equal("030000006000", Hex(t.Sent[0]));
    }

    [Fact]
    public async Task Report_luns_lists_the_units()
    {
        byte[] reply = [0, 0, 0, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0];
        var t = Replying(reply);
        await using var c = new SmcClient(t);
        Assert.Equal([0, 1, 2], await c.ReportLunsAsync());
        Assert.Equal("a00000000000000010000000", Hex(t.Sent[0]));
    }

    [Fact]
    public async Task Log_pages_are_asked_and_decoded()
    {
        // Supported pages: 00h, 2Eh.
        var t = Replying([0x00, 0, 0, 2, 0x00, 0x2E]);
        await using var c = new SmcClient(t);
        Assert.Equal([0x00, 0x2E], await c.SupportedLogPagesAsync());
        Assert.Equal("4d004000000000010000", Hex(t.Sent[0]));
    }

    [Fact]
    public async Task TapeAlert_flags_set_are_reported()
    {
        // Page 2Eh with flags 01h (clear) and 14h (set).
        byte[] page = [0x2E, 0, 0, 10, 0x00, 0x01, 0x40, 1, 0x00, 0x00, 0x14, 0x40, 1, 0x01];
        var t = Replying(page);
        await using var c = new SmcClient(t);
        var report = await c.TapeAlertsAsync(TapeAlertSource.Drive);
        Assert.Equal([0x14], report.Active.Select(f => f.Number));
        Assert.Equal(2, report.ParametersDecoded);
        Assert.Equal("4d006e00000000040000", Hex(t.Sent[0]));
    }

    [Fact]
    public async Task TapeAlert_response_page_is_read_without_clearing()
    {
        // Page 12h, parameter 0000h, 8 bytes of flags: flag 14h is byte 6 bit 4 of the parameter.
        byte[] page = [0x12, 0, 0, 12, 0x00, 0x00, 0x40, 8, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0];
        var t = Replying(page);
        await using var c = new SmcClient(t);
        var report = await c.TapeAlertResponseAsync(TapeAlertSource.Drive);
        Assert.Equal([0x14], report.Active.Select(f => f.Number));
        Assert.Equal("4d005200000000004000", Hex(t.Sent[0]));
    }

    [Fact]
    public async Task Inquiry_is_asked_once_until_the_device_changes()
    {
        var inquiry = new byte[36];
        inquiry[0] = 0x08; inquiry[4] = 31;
        "STK     L700            0100"u8.ToArray().CopyTo(inquiry, 8);
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) =>
            {
                if (cmd.Cdb[0] == OpCode.TestUnitReady) return Check(6, 0x3F, 0x03);
                inquiry.CopyTo(data.Span);
                return ScsiResult.Good(36);
            },
        };
        await using var c = new SmcClient(t, new RetryPolicy { UnitAttentionRetries = 1 });
        var a = await c.InquiryAsync();
        var b = await c.InquiryAsync();
        Assert.Same(a, b);
        Assert.Equal(("STK", "L700"), (a.Vendor, a.Product));
        Assert.Equal(["INQUIRY"], t.SentNames);
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.TestUnitReadyAsync());   // 3F/03 absorbed once
        Assert.Equal(1, c.MapChangesSeen);
        var d = await c.InquiryAsync();
        Assert.NotSame(a, d);
        Assert.Equal(["INQUIRY", "TEST UNIT READY", "TEST UNIT READY", "INQUIRY"], t.SentNames);
    }

    [Fact]
    public async Task Unit_serial_number_is_vpd_80h_or_null_when_refused()
    {
        byte[] vpd = [0x08, 0x80, 0, 6, .. "ABC123"u8];
        var t = Replying(vpd);
        await using var c = new SmcClient(t);
        Assert.Equal("ABC123", await c.UnitSerialNumberAsync());
        Assert.Equal("120180" + "00ff00", Hex(t.Sent[0]));
        await using var refused = new SmcClient(new ScriptedTransport(Check(5, 0x24, 0x00)));
        Assert.Null(await refused.UnitSerialNumberAsync());
        await using var broken = new SmcClient(new ScriptedTransport(Check(4, 0x44, 0x00)));
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await broken.UnitSerialNumberAsync());
    }

    private static readonly byte[] Page1D = [0x1D, 0x12, 0x00, 0x00, 0x00, 0x01, 0x03, 0xE8, 0x00, 0x06, 0x00, 0x0A, 0x00, 0x02, 0x01, 0xF4, 0x00, 0x02, 0x00, 0x00];

    private static byte[] ModeSense6Reply(byte[] page) => [(byte)(3 + page.Length), 0, 0, 0, .. page];

    private static byte[] ModeSense10Reply(byte[] page) => [0, (byte)(6 + page.Length), 0, 0, 0, 0, 0, 0, .. page];

    [Fact]
    public async Task Element_address_assignment_is_read_with_mode_sense_6_without_block_descriptors()
    {
        var t = Replying(ModeSense6Reply(Page1D));
        await using var c = new SmcClient(t);
        var a = await c.ElementAddressAssignmentAsync();
        Assert.Equal(new ElementAddressAssignment(0, 1, 1000, 6, 10, 2, 500, 2), a);
        Assert.Equal(["1a081d00ff00"], t.Sent.Select(Hex));
    }

    [Fact]
    public async Task Mode_sense_falls_back_without_dbd_then_to_the_ten_byte_form()
    {
        var t = new ScriptedTransport
        {
            Answer = (cmd, data) =>
            {
                if (cmd.Cdb[0] == OpCode.ModeSense6 && (cmd.Cdb[1] & 0x08) != 0) return Check(5, 0x24, 0x00);
                if (cmd.Cdb[0] == OpCode.ModeSense6) return Check(5, 0x20, 0x00);
                var reply = ModeSense10Reply(Page1D);
                reply.CopyTo(data.Span);
                return ScsiResult.Good(reply.Length);
            },
        };
        await using var c = new SmcClient(t);
        var a = await c.ElementAddressAssignmentAsync();
        Assert.Equal((ushort)1000, a.FirstStorage);
        Assert.Equal(["1a081d00ff00", "1a001d00ff00", "5a081d00000000040000"], t.Sent.Select(Hex));
    }

    [Fact]
    public async Task Mode_sense_refused_in_every_form_throws_the_last_refusal()
    {
        var t = new ScriptedTransport(Check(5, 0x24, 0x00), Check(5, 0x24, 0x00), Check(5, 0x20, 0x00));
        await using var c = new SmcClient(t);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.ModePageAsync(0x1D));
        Assert.Equal("05/20/00", e.Sense.Triplet);
        Assert.Equal("MODE SENSE(10) page 1Dh", e.Command);
        Assert.Equal(3, t.Sent.Count);
    }

    [Fact]
    public async Task Mode_sense_refused_for_another_reason_is_not_retried()
    {
        var t = new ScriptedTransport(Check(5, 0x26, 0x00), Good);
        await using var c = new SmcClient(t);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.ModePageAsync(0x1D));
        Assert.Equal("05/26/00", e.Sense.Triplet);
        Assert.Single(t.Sent);
    }

    [Fact]
    public async Task Mode_sense_refused_with_the_same_code_under_another_key_is_not_retried()
    {
        var t = new ScriptedTransport(Check(4, 0x24, 0x00), Good);
        await using var c = new SmcClient(t);
        var e = await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await c.ModePageAsync(0x1D));
        Assert.Equal("04/24/00", e.Sense.Triplet);
        Assert.Single(t.Sent);
    }

    [Fact]
    public async Task Without_a_clock_the_system_clock_paces_the_waits()
    {
        var t = new ScriptedTransport(Check(2, 0x04, 0x01), Good);
        await using var c = new SmcClient(t, new RetryPolicy { BecomingReadyInterval = TimeSpan.FromMilliseconds(10) });
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await c.TestUnitReadyAsync();
        Assert.Equal(2, c.CommandCount);
        Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(9));
    }

    [Fact]
    public async Task A_reply_without_the_page_is_a_decode_error()
    {
        var t = Replying(ModeSense6Reply([0x1F, 0x02, 0, 0]));
        await using var c = new SmcClient(t);
        var e = await Assert.ThrowsAsync<ScsiDecodeException>(async () => await c.ModePageAsync(0x1D));
        Assert.Equal("MODE SENSE data: page 1Dh missing from the reply at offset 0 (PAGE CODE)", e.Message);
        Assert.Single(t.Sent);
    }

    [Fact]
    public async Task Device_capabilities_are_page_1fh_or_null_when_refused()
    {
        byte[] page = [0x1F, 0x12, 0x0E, 0x07, 0x0E, 0x0E, 0x0E, 0x0E, 0, 0, 0, 0, 0x00, 0x04, 0x00, 0x08, 0, 0, 0, 0];
        var t = Replying(ModeSense6Reply(page));
        await using var c = new SmcClient(t);
        var caps = await c.DeviceCapabilitiesAsync();
        Assert.Equal(new DeviceCapabilities(0x0E, 0x0E, 0x0E, 0x0E, 0x0E, 0x00, 0x04, 0x00, 0x08), caps);
        Assert.Equal("1a081f00ff00", Hex(t.Sent[0]));
        await using var refused = new SmcClient(new ScriptedTransport(Check(5, 0x24, 0x00)));
        Assert.Null(await refused.DeviceCapabilitiesAsync());
        await using var broken = new SmcClient(new ScriptedTransport(Check(4, 0x44, 0x00)));
        await Assert.ThrowsAsync<ScsiCheckConditionException>(async () => await broken.DeviceCapabilitiesAsync());
    }

    [Fact]
    public async Task Quirks_applied_later_replace_the_profile_without_learning()
    {
        var t = new ScriptedTransport();
        await using var c = new SmcClient(t);
        Assert.Same(ChangerQuirks.Generic, c.Quirks);
        c.ApplyQuirks(Timeouts);
        Assert.Same(Timeouts, c.Quirks);
        Assert.Empty(c.Learned);
        await c.MoveMediumAsync(0, 1, 2);
        Assert.Equal(TimeSpan.FromSeconds(22), t.Sent[0].Timeout);
    }

    [Fact]
    public async Task The_client_names_its_device_and_disposes_its_transport()
    {
        var t = new ScriptedTransport { Device = "scripted:lib" };
        var c = new SmcClient(t);
        Assert.Equal("scripted:lib", c.Device);
        await c.DisposeAsync();
        Assert.True(t.Disposed);
    }
}
