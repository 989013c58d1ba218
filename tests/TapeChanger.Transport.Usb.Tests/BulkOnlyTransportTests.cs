using System.Buffers.Binary;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport.Usb.Tests;

public class BulkOnlyTransportTests
{
    private readonly FakeBotDevice _device = new();

    private BulkOnlyTransport Transport(BulkOnlyOptions? options = null) => new(_device, "usb:0a1b:0c2d", options);

    private static ScsiCommand ReadElementStatus(int alloc = 1024) => new("READ ELEMENT STATUS",
        [0xB8, 0x02, 0x10, 0x00, 0x00, 0x01, 0x00, (byte)(alloc >> 16), (byte)(alloc >> 8), (byte)alloc, 0x00, 0x00],
        DataDirection.In, alloc, CommandTimeouts.Default);

    [Fact]
    public async Task Inquiry_returns_the_data_and_good_status()
    {
        await using var t = Transport();
        var buffer = new byte[96];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(), buffer);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(36, r.DataTransferred);
        Assert.Equal("FAKEVEND", System.Text.Encoding.ASCII.GetString(buffer, 8, 8));
        var cbw = _device.Cbws.Single();
        Assert.Equal(96u, BinaryPrimitives.ReadUInt32LittleEndian(cbw.AsSpan(8)));
        Assert.Equal(0x80, cbw[12]);
        Assert.Equal(0, _device.Resets);
    }

    [Fact]
    public async Task Tags_increment_per_command()
    {
        await using var t = Transport();
        await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal([1u, 2u], _device.Cbws.Select(c => BinaryPrimitives.ReadUInt32LittleEndian(c.AsSpan(4))));
    }

    [Fact]
    public async Task Test_unit_ready_has_no_data_phase()
    {
        await using var t = Transport();
        var r = await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal(ScsiResult.Good(0), r with { Sense = [] });
        Assert.Equal(["cbw 00 lun 0 len 0", "csw 0"], _device.Log);
    }

    [Fact]
    public async Task Read_element_status_returns_the_fixed_bytes_and_the_residue_shortens_the_count()
    {
        await using var t = Transport();
        var buffer = new byte[1024];
        var r = await t.ExecuteAsync(ReadElementStatus(), buffer);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(FakeBotDevice.ElementStatusReply.Length, r.DataTransferred);
        Assert.Equal(FakeBotDevice.ElementStatusReply, buffer[..r.DataTransferred]);
    }

    [Fact]
    public async Task Check_condition_fetches_sense_with_request_sense()
    {
        _device.SetPendingSense(0, 0x02, 0x04, 0x01);
        await using var t = Transport();
        var r = await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(18, r.Sense.Length);
        Assert.Equal(0x03, _device.Cbws[1][15]);                   // second CBW is REQUEST SENSE
        Assert.Equal(18, _device.Cbws[1][15 + 4]);                 // allocation length 18
        var e = Assert.Throws<ScsiCheckConditionException>(() => ScsiResultChecker.ThrowIfFailed(SpcCommands.TestUnitReady(), r));
        Assert.Equal(SenseKey.NotReady, e.Key);
        Assert.Equal((0x04, 0x01), (e.Asc, e.Ascq));
        Assert.Equal(0, _device.Resets);
    }

    [Fact]
    public async Task Sense_length_is_configurable_up_to_96()
    {
        _device.SetPendingSense(0, 0x06, 0x28, 0x00);
        await using var t = Transport(new BulkOnlyOptions { SenseLength = 96 });
        var r = await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty);
        Assert.Equal(96, _device.Cbws[1][15 + 4]);
        Assert.Equal(18, r.Sense.Length);                           // the device sent what it had
        Assert.Throws<ArgumentOutOfRangeException>(() => new BulkOnlyTransport(_device, "x", new BulkOnlyOptions { SenseLength = 10 }));
    }

    [Fact]
    public async Task Unknown_opcode_with_data_in_stalls_then_reports_invalid_opcode()
    {
        await using var t = Transport();
        var r = await t.ExecuteAsync(SpcCommands.ReportLuns(), new byte[4096]);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(0, r.DataTransferred);
        Assert.Contains("stall data-in", _device.Log);
        Assert.Contains("clear-halt 81", _device.Log);
        var sense = SenseDecoder.Decode(r.Sense);
        Assert.Equal((SenseKey.IllegalRequest, (byte)0x20), (sense.Key, sense.Asc));
        Assert.Equal(0, _device.Resets);
    }

    [Fact]
    public async Task Stall_in_data_phase_clears_the_halt_and_reads_the_csw()
    {
        _device.Faults.Enqueue(BotFault.StallDataIn);
        await using var t = Transport();
        var r = await t.ExecuteAsync(ReadElementStatus(), new byte[1024]);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(0, r.DataTransferred);
        Assert.Equal(["cbw b8 lun 0 len 1024", "stall data-in", "clear-halt 81", "csw 0"], _device.Log);
        Assert.Equal(0, t.ResetRecoveries);
    }

    [Fact]
    public async Task Stall_on_csw_clears_the_halt_and_retries_once()
    {
        _device.Faults.Enqueue(BotFault.StallCsw);
        await using var t = Transport();
        var buffer = new byte[96];
        var r = await t.ExecuteAsync(SpcCommands.Inquiry(), buffer);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(36, r.DataTransferred);
        Assert.Equal(["cbw 12 lun 0 len 96", "data-in 36", "stall csw", "clear-halt 81", "csw 0"], _device.Log);
    }

    [Fact]
    public async Task Phase_error_does_reset_recovery_and_throws_io()
    {
        _device.Faults.Enqueue(BotFault.PhaseError);
        await using var t = Transport();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("phase error", e.Message);
        Assert.Contains("usb:0a1b:0c2d", e.Message);
        Assert.Equal(1, _device.Resets);
        Assert.Equal(["reset", "clear-halt 81", "clear-halt 02"], _device.Log[^3..]);
        // The session still works after recovery.
        Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty)).Status);
    }

    [Fact]
    public async Task A_csw_that_stalls_again_after_the_retry_ends_in_one_line_and_reset_recovery()
    {
        _device.Faults.Enqueue(BotFault.StallCswAlways);
        await using var t = Transport();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Equal("TEST UNIT READY", e.Command);
        Assert.Contains("endpoint stalled reading the CSW; device reset", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(["stall csw", "clear-halt 81", "stall csw", "reset", "clear-halt 81", "clear-halt 02"], _device.Log[^6..]);
        Assert.Equal(1, t.ResetRecoveries);
        Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty)).Status);
    }

    [Fact]
    public async Task A_short_cbw_write_ends_in_one_line_and_reset_recovery()
    {
        _device.Faults.Enqueue(BotFault.ShortCbw);
        await using var t = Transport();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.Inquiry(), new byte[96]));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("short transfer (13 bytes) sending the CBW; device reset", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(["short cbw", "reset", "clear-halt 81", "clear-halt 02"], _device.Log[^4..]);
        Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty)).Status);
    }

    [Theory]
    [InlineData(BotFault.WrongTag, CswError.TagMismatch)]
    [InlineData(BotFault.ShortCsw, CswError.Length)]
    [InlineData(BotFault.BadSignature, CswError.Signature)]
    public async Task Invalid_csw_does_reset_recovery(BotFault fault, CswError expected)
    {
        _device.Faults.Enqueue(fault);
        await using var t = Transport();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.Inquiry(), new byte[96]));
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Equal(expected, Assert.IsType<InvalidCswException>(e.InnerException).Error);
        Assert.Equal(1, _device.Resets);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty)).Status);
    }

    [Theory]
    [InlineData(BotFault.TimeoutDataIn)]
    [InlineData(BotFault.TimeoutCsw)]
    public async Task Timeouts_reset_and_report_timeout(BotFault fault)
    {
        _device.Faults.Enqueue(fault);
        await using var t = Transport();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(ReadElementStatus(), new byte[1024]));
        Assert.Equal(TransportFailure.Timeout, e.Failure);
        Assert.Equal("READ ELEMENT STATUS", e.Command);
        Assert.Equal(1, _device.Resets);
        Assert.Equal(ScsiStatus.Good, (await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty)).Status);
    }

    [Fact]
    public async Task Csw_sent_in_the_data_phase_is_recognised()
    {
        _device.Faults.Enqueue(BotFault.SkipDataPhase);
        await using var t = Transport();
        var buffer = new byte[1024];
        var r = await t.ExecuteAsync(ReadElementStatus(), buffer);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(0, r.DataTransferred);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(0, _device.Resets);
    }

    [Fact]
    public async Task Disconnected_device_is_not_found()
    {
        _device.Faults.Enqueue(BotFault.Disconnect);
        await using var t = Transport();
        var e = await Assert.ThrowsAsync<ScsiTransportException>(async () => await t.ExecuteAsync(SpcCommands.TestUnitReady(), Memory<byte>.Empty));
        Assert.Equal(TransportFailure.NotFound, e.Failure);
    }

    [Fact]
    public async Task Data_out_is_sent_after_the_cbw()
    {
        await using var t = Transport();
        byte[] parameters = [0, 0, 0, 0, 0x1D, 2, 0, 0];
        var cmd = new ScsiCommand("MODE SELECT(6)", [0x15, 0x10, 0, 0, 8, 0], DataDirection.Out, 8, CommandTimeouts.Default, parameters);
        var r = await t.ExecuteAsync(cmd, Memory<byte>.Empty);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(8, r.DataTransferred);
        Assert.Equal(parameters, _device.LastDataOut);
        Assert.Equal(0, _device.Cbws[0][12]);
    }

    [Fact]
    public async Task Lun_goes_into_the_cbw()
    {
        _device.PeripheralTypes = [0x01, 0x08];
        await using var t = Transport(new BulkOnlyOptions { Lun = 1 });
        var buffer = new byte[36];
        await t.ExecuteAsync(SpcCommands.Inquiry(36), buffer);
        Assert.Equal(1, _device.Cbws[0][13]);
        Assert.Equal(0x08, buffer[0]);
    }

    [Fact]
    public async Task Smc_client_works_over_the_bulk_only_transport()
    {
        await using var client = new SmcClient(Transport());
        var inquiry = await client.InquiryAsync();
        Assert.Equal("FAKEVEND", inquiry.Vendor.Trim());
    }

    [Theory]
    [InlineData(3, false, 3)]
    [InlineData(16, false, 0)]
    [InlineData(1, true, 0)]
    public void Get_max_lun(byte reported, bool stall, byte expected)
    {
        _device.MaxLun = reported;
        _device.StallGetMaxLun = stall;
        Assert.Equal(expected, BulkOnlyTransport.GetMaxLun(_device));
    }

    [Fact]
    public async Task Finds_the_changer_on_lun_1_of_an_autoloader()
    {
        _device.MaxLun = 1;
        _device.PeripheralTypes = [0x01, 0x08];
        Assert.Equal(1, await BulkOnlyTransport.FindChangerLunAsync(_device, "usb:x"));
        Assert.False(_device.Disposed);
    }

    [Fact]
    public async Task Single_lun_device_uses_lun_0_without_probing()
    {
        _device.StallGetMaxLun = true;
        Assert.Equal(0, await BulkOnlyTransport.FindChangerLunAsync(_device, "usb:x"));
        Assert.Empty(_device.Cbws);
    }

    [Fact]
    public async Task Dispose_disposes_an_owned_device()
    {
        await using (Transport()) { }
        Assert.True(_device.Disposed);
    }
}

public class UsbTransportFactoryTests
{
    private static readonly TransportOpenContext Context = new(Path.GetTempPath());

    [Fact]
    public void Opens_only_usb_addresses()
    {
        var f = new UsbTransportFactory();
        Assert.True(f.CanOpen(DeviceUri.Parse("usb:0a1b:0c2d")));
        Assert.True(f.CanOpen(DeviceUri.Parse("usb:0a1b:0c2d:SN123")));
        Assert.False(f.CanOpen(DeviceUri.Parse(@"spt:\\.\Changer0")));
    }

    [Fact]
    public async Task Opens_the_changer_lun_through_the_device_opener()
    {
        var device = new FakeBotDevice { MaxLun = 1, PeripheralTypes = [0x01, 0x08] };
        DeviceAddress? seen = null;
        var f = new UsbTransportFactory(null, true, a => { seen = a; return device; });
        await using var t = await f.OpenAsync(DeviceUri.Parse("usb:0a1b:0c2d:SN1"), Context);
        var bot = Assert.IsType<BulkOnlyTransport>(t);
        Assert.Equal(1, bot.Lun);
        Assert.Equal("usb:0a1b:0c2d:SN1", bot.Device);
        Assert.Equal(("SN1", (ushort)0x0a1b, (ushort)0x0c2d), (seen!.Serial, seen.VendorId, seen.ProductId));
    }

    [Fact]
    public async Task Failure_while_probing_disposes_the_device()
    {
        var device = new FakeBotDevice { MaxLun = 1 };
        device.Faults.Enqueue(BotFault.PhaseError);
        var f = new UsbTransportFactory(null, true, _ => device);
        await Assert.ThrowsAsync<ScsiTransportException>(async () => await f.OpenAsync(DeviceUri.Parse("usb:0a1b:0c2d"), Context));
        Assert.True(device.Disposed);
    }
}
