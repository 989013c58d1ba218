using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Testing;
using TapeChanger.Transport;
using TapeChanger.Virtual;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>
/// The identity a session asks (INQUIRY, VPD 80h) and what it keeps of it: the serial number from VPD 80h, else the
/// INQUIRY vendor-specific field, else none at all (kept as asked, so it is not asked again); the commands sent each time.
/// </summary>
public sealed class KeptIdentityTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("tc-ident-").FullName;

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private FileLibraryCache Cache() => new(_state, "virtual:");

    private static bool IsVpd80(ScsiCommand c) => c.Cdb[0] == OpCode.Inquiry && (c.Cdb[1] & 0x01) != 0 && c.Cdb[2] == 0x80;

    private static bool IsStandardInquiry(ScsiCommand c) => c.Cdb[0] == OpCode.Inquiry && (c.Cdb[1] & 0x01) == 0;

    private async Task<(InterceptingTransport Transport, MediaChanger Changer)> OpenAsync(bool noSerialPage = false)
    {
        var (t, changer, _) = await InterceptedVirtualLibrary.OpenColdAsync(_state, settings: new ChangerSettings { Cache = Cache() });
        if (noSerialPage) t.Before = c => IsVpd80(c) ? Check(0x05, 0x24, 0x00) : null;     // INVALID FIELD IN CDB: no page 80h
        return (t, changer);
    }

    [Fact]
    public async Task The_serial_comes_from_vpd_80h_and_is_kept_with_the_inquiry_fields()
    {
        var (t, c) = await OpenAsync();
        LibraryIdentity id;
        StandardInquiry inq;
        await using (c)
        {
            inq = await c.InquiryAsync();
            id = await c.GetIdentityAsync(withSerial: true);
            await c.GetMapAsync();                          // the map completes what is kept
        }
        Assert.Single(t.Sent, IsVpd80);
        Assert.False(string.IsNullOrEmpty(id.SerialNumber));
        var kept = Cache().Load()!;
        Assert.Equal((inq.Vendor, inq.Product, inq.Revision, inq.VendorSpecific, inq.PeripheralDeviceType, id.SerialNumber),
            (kept.Vendor, kept.Product, kept.Revision, kept.VendorSpecific, kept.DeviceType, kept.SerialNumber));

        var (t2, c2) = await OpenAsync();
        await using (c2)
        {
            Assert.Equal(id, await c2.GetIdentityAsync(withSerial: true));
            Assert.Equal(id with { SerialNumber = inq.VendorSpecific }, await c2.GetIdentityAsync(withSerial: false));
        }
        Assert.Empty(t2.Sent);
    }

    [Fact]
    public async Task Without_the_serial_the_vendor_specific_field_stands_in_and_nothing_is_kept_as_the_serial()
    {
        var (t, c) = await OpenAsync();
        LibraryIdentity id;
        StandardInquiry inq;
        await using (c)
        {
            inq = await c.InquiryAsync();
            id = await c.GetIdentityAsync(withSerial: false);
            await c.GetMapAsync();
        }
        Assert.DoesNotContain(t.Sent, IsVpd80);
        Assert.Equal(inq.VendorSpecific, id.SerialNumber);
        var kept = Cache().Load()!;
        Assert.Null(kept.SerialNumber);                     // not asked: a later session asks VPD 80h once

        var (t2, c2) = await OpenAsync();
        LibraryIdentity later;
        await using (c2) later = await c2.GetIdentityAsync(withSerial: true);
        Assert.Equal([true], t2.Sent.Select(IsVpd80));      // VPD 80h alone, no standard INQUIRY
        Assert.False(string.IsNullOrEmpty(later.SerialNumber));
        Assert.Equal(later.SerialNumber, Cache().Load()!.SerialNumber);
    }

    [Fact]
    public async Task A_library_without_page_80h_gives_the_vendor_specific_field_as_its_serial()
    {
        var (t, c) = await OpenAsync(noSerialPage: true);
        LibraryIdentity id;
        StandardInquiry inq;
        await using (c)
        {
            inq = await c.InquiryAsync();
            id = await c.GetIdentityAsync(withSerial: true);
            await c.GetMapAsync();
        }
        Assert.Single(t.Sent, IsVpd80);
        Assert.Equal(inq.VendorSpecific, id.SerialNumber);
        Assert.Equal(inq.VendorSpecific ?? "", Cache().Load()!.SerialNumber);
    }

    [Fact]
    public async Task A_kept_identity_without_a_serial_asks_page_80h_once_and_keeps_the_answer_even_when_there_is_none()
    {
        var (_, c) = await OpenAsync();
        await using (c) { await c.GetIdentityAsync(withSerial: false); await c.GetMapAsync(); }
        var kept = Cache().Load()!;
        Cache().Save(kept with { VendorSpecific = null });

        var (t, c2) = await OpenAsync(noSerialPage: true);
        LibraryIdentity id;
        await using (c2) id = await c2.GetIdentityAsync(withSerial: true);
        Assert.Equal([true], t.Sent.Select(IsVpd80));
        Assert.Null(id.SerialNumber);                       // neither page 80h nor a vendor-specific field
        Assert.Equal("", Cache().Load()!.SerialNumber);     // kept as asked: "none"

        var (t3, c3) = await OpenAsync(noSerialPage: true);
        await using (c3) Assert.Null((await c3.GetIdentityAsync(withSerial: true)).SerialNumber);
        Assert.Empty(t3.Sent);                              // not asked again
        Assert.DoesNotContain(t3.Sent, IsStandardInquiry);
    }

    [Fact]
    public async Task A_kept_identity_without_a_serial_takes_the_vendor_specific_field_when_page_80h_is_refused()
    {
        var (_, c) = await OpenAsync();
        await using (c) { await c.GetIdentityAsync(withSerial: false); await c.GetMapAsync(); }
        var kept = Cache().Load()!;
        Cache().Save(kept with { VendorSpecific = "VS-SERIAL" });

        var (_, c2) = await OpenAsync(noSerialPage: true);
        await using (c2) Assert.Equal("VS-SERIAL", (await c2.GetIdentityAsync(withSerial: true)).SerialNumber);
        Assert.Equal("VS-SERIAL", Cache().Load()!.SerialNumber);
    }

    [Fact]
    public async Task Poll_ready_answers_once_with_the_sense_and_its_rule()
    {
        var (t, c) = await OpenAsync();
        await using (c)
        {
            var first = await c.PollReadyAsync();           // the power-on unit attention, not retried
            Assert.False(first.Ready);
            Assert.Equal((SenseKey.UnitAttention, (byte)0x29), (first.Sense!.Key, first.Sense.Asc));
            Assert.Equal(SenseAction.RetrySoon, first.Action);
            var second = await c.PollReadyAsync();
            Assert.True(second.Ready);
        }
        Assert.Equal(2, t.Sent.Count(x => x.Cdb[0] == OpCode.TestUnitReady));
    }
}
