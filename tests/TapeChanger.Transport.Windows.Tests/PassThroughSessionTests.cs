using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;

namespace TapeChanger.Transport.Windows.Tests;

/// <summary>The IOCTL choice, the fall-back and the reply handling, against a fake DeviceIoControl.</summary>
public class PassThroughSessionTests
{
    /// <summary>Records each request; answers with a scripted outcome per call (else GOOD with the whole transfer).</summary>
    private sealed class FakeDevice(params PassThroughOutcome[] script) : IPassThroughDevice
    {
        private readonly Queue<PassThroughOutcome> _script = new(script);
        public List<(PassThroughForm Form, PassThroughParameters P)> Calls { get; } = [];

        public PassThroughOutcome Send(PassThroughForm form, in PassThroughParameters p, ReadOnlySpan<byte> dataOut, Span<byte> dataIn)
        {
            Calls.Add((form, p));
            if (_script.Count > 0) return _script.Dequeue();
            for (int i = 0; i < (int)p.DataTransferLength && i < dataIn.Length; i++) dataIn[i] = (byte)(i + 1);
            return new PassThroughOutcome(true, 0, 0, (int)p.DataTransferLength, []);
        }
    }

    private static readonly SptAdapterLimits Limits64K = SptAdapterLimits.Fallback;

    private static PassThroughSession Session(FakeDevice device, bool bufferedOnly = false, SptAdapterLimits? limits = null) =>
        new(device, @"spt:\\.\Changer0", limits ?? Limits64K, 0, 0, 0, 0, bufferedOnly);

    private static PassThroughOutcome Refused(int error) => new(false, error, 0, 0, []);

    [Fact]
    public void Direct_form_is_used_first_and_kept_while_it_works()
    {
        var dev = new FakeDevice();
        var s = Session(dev);
        var buf = new byte[96];
        s.Execute(SpcCommands.Inquiry(), buf);
        s.Execute(SpcCommands.TestUnitReady(), []);
        Assert.Equal([PassThroughForm.Direct, PassThroughForm.Direct], dev.Calls.Select(c => c.Form));
        Assert.False(s.UsesBufferedPassThrough);
        Assert.Null(s.DirectRefusedWith);
    }

    [Theory]
    [InlineData(Win32Error.ERROR_INVALID_PARAMETER)]
    [InlineData(Win32Error.ERROR_INVALID_FUNCTION)]
    [InlineData(Win32Error.ERROR_NOT_SUPPORTED)]
    public void A_refused_direct_form_resends_the_same_command_buffered_and_stays_buffered(int error)
    {
        var dev = new FakeDevice(Refused(error));
        var s = Session(dev);
        var buf = new byte[96];
        var r = s.Execute(SpcCommands.Inquiry(), buf);
        Assert.Equal(ScsiStatus.Good, r.Status);
        Assert.Equal(96, r.DataTransferred);
        Assert.Equal(1, buf[0]);
        s.Execute(SpcCommands.TestUnitReady(), []);
        Assert.Equal([PassThroughForm.Direct, PassThroughForm.Buffered, PassThroughForm.Buffered], dev.Calls.Select(c => c.Form));
        Assert.Equal(dev.Calls[0].P.Cdb, dev.Calls[1].P.Cdb);
        Assert.True(s.UsesBufferedPassThrough);
        Assert.Equal(error, s.DirectRefusedWith);
    }

    [Fact]
    public void Other_errors_are_not_a_reason_to_resend_and_give_a_one_line_transport_error()
    {
        var dev = new FakeDevice(Refused(Win32Error.ERROR_IO_DEVICE));
        var s = Session(dev);
        var e = Assert.Throws<ScsiTransportException>(() => s.Execute(SmcCommands.MoveMedium(0, 1000, 500), []));
        Assert.Single(dev.Calls);
        Assert.Contains("1117", e.Message);
        Assert.Contains(@"spt:\\.\Changer0", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.False(s.UsesBufferedPassThrough);
    }

    [Fact]
    public void A_transfer_both_forms_refuse_names_its_length_in_one_line()
    {
        var dev = new FakeDevice(Refused(Win32Error.ERROR_INVALID_PARAMETER), Refused(Win32Error.ERROR_INVALID_PARAMETER));
        var e = Assert.Throws<ScsiTransportException>(() => Session(dev).Execute(SpcCommands.Inquiry(), new byte[96]));
        Assert.Equal([PassThroughForm.Direct, PassThroughForm.Buffered], dev.Calls.Select(c => c.Form));
        Assert.Contains("(Win32 error 87); the adapter may not take 96-byte transfers", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Buffered_only_never_tries_the_direct_form()
    {
        var dev = new FakeDevice();
        var s = Session(dev, bufferedOnly: true);
        s.Execute(SpcCommands.Inquiry(), new byte[96]);
        Assert.Equal([PassThroughForm.Buffered], dev.Calls.Select(c => c.Form));
        Assert.True(s.UsesBufferedPassThrough);
    }

    [Fact]
    public void Check_condition_sense_reaches_the_result_intact()
    {
        byte[] sense = [0x70, 0, 0x05, 0, 0, 0, 0, 0x0A, 0, 0, 0, 0, 0x3B, 0x0E, 0, 0, 0, 0];
        var dev = new FakeDevice(new PassThroughOutcome(true, 0, 0x02, 0, sense));
        var r = Session(dev).Execute(SmcCommands.MoveMedium(0, 1000, 1001), []);
        Assert.Equal(ScsiStatus.CheckCondition, r.Status);
        Assert.Equal(sense, r.Sense);
    }

    [Fact]
    public void Sense_bytes_with_good_status_are_dropped()
    {
        var dev = new FakeDevice(new PassThroughOutcome(true, 0, 0x00, 0, [0x70, 0, 0x06]));
        Assert.Empty(Session(dev).Execute(SpcCommands.TestUnitReady(), []).Sense);
    }

    [Fact]
    public void A_transfer_above_the_adapter_limit_is_refused_before_any_ioctl_with_one_line()
    {
        var dev = new FakeDevice();
        var s = Session(dev);
        var e = Assert.Throws<ScsiTransportException>(() => s.Execute(SmcCommands.ReadElementStatus(ElementType.All, 0, 0xFFFF, 0x20000, volumeTag: true), new byte[0x20000]));
        Assert.Empty(dev.Calls);
        Assert.Equal(TransportFailure.Io, e.Failure);
        Assert.Contains("131072 bytes exceed the adapter maximum transfer of 65536", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Data_direction_and_length_follow_the_command()
    {
        var dev = new FakeDevice();
        var s = Session(dev);
        s.Execute(SmcCommands.MoveMedium(0, 1000, 500), []);
        Assert.Equal(ScsiIoctlDirection.SCSI_IOCTL_DATA_UNSPECIFIED, dev.Calls[0].P.DataIn);
        Assert.Equal(0u, dev.Calls[0].P.DataTransferLength);
        s.Execute(SpcCommands.Inquiry(), new byte[40]);   // the buffer is shorter than the allocation length
        Assert.Equal(ScsiIoctlDirection.SCSI_IOCTL_DATA_IN, dev.Calls[1].P.DataIn);
        Assert.Equal(40u, dev.Calls[1].P.DataTransferLength);
    }
}

/// <summary>What the adapter query gives, including the empty "success" Wine 8 returns.</summary>
public class AdapterQueryTests
{
    private static StorageAdapterDescriptor Descriptor(uint max, uint pages, uint mask, byte srb) =>
        new() { Version = 32, Size = 32, MaximumTransferLength = max, MaximumPhysicalPages = pages, AlignmentMask = mask, SrbType = srb };

    [Fact]
    public void Success_with_no_bytes_is_not_an_unlimited_adapter()
    {
        var limits = SptAdapterLimits.FromQuery(0, 0, default);
        Assert.Equal(SptAdapterLimits.Fallback, limits);
        Assert.Equal(65536, limits.MaximumTransferLength);
    }

    [Fact]
    public void A_reply_cut_before_the_alignment_mask_falls_back() =>
        Assert.Equal(SptAdapterLimits.Fallback, SptAdapterLimits.FromQuery(0, 16, Descriptor(0x100000, 257, 3, 0)));

    [Fact]
    public void A_failed_query_falls_back() =>
        Assert.Equal(SptAdapterLimits.Fallback, SptAdapterLimits.FromQuery(Win32Error.ERROR_INVALID_FUNCTION, 32, Descriptor(0x100000, 257, 3, 1)));

    [Fact]
    public void A_full_reply_gives_the_adapter_limits_and_srb_type()
    {
        var l = SptAdapterLimits.FromQuery(0, 32, Descriptor(0x20000, 33, 3, 1));
        Assert.Equal((0x20000, 3, (byte)1), (l.MaximumTransferLength, l.AlignmentMask, l.SrbType));
    }

    [Fact]
    public void A_pre_windows_8_reply_of_30_bytes_has_no_srb_type() =>
        Assert.Equal(0, SptAdapterLimits.FromQuery(0, 30, Descriptor(0x20000, 33, 3, 1)).SrbType);
}

/// <summary>Where list gets vendor, product and serial when the storage descriptor names nothing.</summary>
public class ChangerIdentityTests
{
    [Fact]
    public void An_empty_descriptor_such_as_wines_needs_inquiry()
    {
        Assert.True(WindowsChangerEnumerator.NeedsInquiry(null));
        Assert.True(WindowsChangerEnumerator.NeedsInquiry(new StorageDeviceInfo(0x02, null, null, null, null, 0)));
        Assert.False(WindowsChangerEnumerator.NeedsInquiry(new StorageDeviceInfo(0x08, "HP", "MSL G3 Series", "E.10", null, 1)));
    }

    [Fact]
    public void Inquiry_fills_vendor_product_revision_serial_and_the_peripheral_type()
    {
        var id = WindowsChangerEnumerator.FromInquiry(new StorageDeviceInfo(0x02, null, null, null, null, 7), 0x08, "STK     ", "L700            ", "0108", "XYZZY_A ");
        Assert.Equal(new StorageDeviceInfo(0x08, "STK", "L700", "0108", "XYZZY_A", 7), id);
    }

    [Fact]
    public void A_blank_serial_page_stays_null() =>
        Assert.Null(WindowsChangerEnumerator.FromInquiry(null, 0x08, "STK", "L700", "0108", "   ").Serial);
}
