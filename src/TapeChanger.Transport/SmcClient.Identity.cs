using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

// What the device is: TEST UNIT READY, INQUIRY (cached), the unit serial number, mode pages 1Dh and 1Fh.
public sealed partial class SmcClient
{
    public async ValueTask TestUnitReadyAsync(CancellationToken ct = default) =>
        await ExecuteAsync(SpcCommands.TestUnitReady(), ct).ConfigureAwait(false);

    /// <summary>
    /// One TEST UNIT READY, never retried or waited out (for callers that poll on their own: the cleaner watching a
    /// drive clean, the door wait). A CHECK CONDITION throws with its rule attached.
    /// </summary>
    public async ValueTask TestUnitReadyOnceAsync(CancellationToken ct = default) =>
        await ExecuteOnceAsync(SpcCommands.TestUnitReady(), ct).ConfigureAwait(false);

    private (StandardInquiry Data, int MapChanges)? _inquiry;

    /// <summary>
    /// Standard INQUIRY, sent once per client: the answer is static until a unit attention that changes the device
    /// (3F/03 "inquiry data has changed" and the other map-changing ones), after which it is asked again.
    /// </summary>
    public async ValueTask<StandardInquiry> InquiryAsync(CancellationToken ct = default)
    {
        if (_inquiry is { } cached && cached.MapChanges == MapChangesSeen) return cached.Data;
        var data = InquiryDecoder.DecodeStandard((await ExecuteAsync(SpcCommands.Inquiry(), ct).ConfigureAwait(false)).Span);
        _inquiry = (data, MapChangesSeen);
        return data;
    }

    /// <summary>VPD 80h unit serial number, or null when the device does not support the page.</summary>
    public async ValueTask<string?> UnitSerialNumberAsync(CancellationToken ct = default)
    {
        try
        {
            return InquiryDecoder.DecodeUnitSerialNumber((await ExecuteAsync(SpcCommands.InquiryVpd(0x80), ct).ConfigureAwait(false)).Span);
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest)
        {
            return null;
        }
    }

    /// <summary>
    /// What a drive locator asks of a LUN or device next to a changer: whether it is a connected tape drive (standard
    /// INQUIRY peripheral qualifier 000b and device type 01h, SPC-4 §6.6.2; a device that refuses INQUIRY is none) and,
    /// if so, its VPD 80h serial (null when it has no such page). The one probe of every locator that lists drives.
    /// </summary>
    public async ValueTask<(bool IsTapeDrive, string? Serial)> ProbeTapeDriveAsync(CancellationToken ct = default)
    {
        StandardInquiry inquiry;
        try
        {
            inquiry = await InquiryAsync(ct).ConfigureAwait(false);
        }
        catch (ScsiCheckConditionException)
        {
            return (false, null);
        }
        if (inquiry.PeripheralQualifier != 0 || !inquiry.IsTapeDrive) return (false, null);
        return (true, await UnitSerialNumberAsync(ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Reads a mode page. MODE SENSE(6) with DBD first; some devices reject DBD or the 6-byte form, so it
    /// retries without DBD and then with MODE SENSE(10) (the Linux ch / FreeBSD fallback).
    /// </summary>
    public async ValueTask<ModePage> ModePageAsync(byte pageCode, CancellationToken ct = default)
    {
        ScsiCheckConditionException? last = null;
        foreach (var (command, tenByte) in new[]
        {
            (SpcCommands.ModeSense6(pageCode, disableBlockDescriptors: true), false),
            (SpcCommands.ModeSense6(pageCode, disableBlockDescriptors: false), false),
            (SpcCommands.ModeSense10(pageCode, disableBlockDescriptors: true), true),
        })
        {
            try
            {
                var data = await ExecuteAsync(command, ct).ConfigureAwait(false);
                var page = ModeSenseDecoder.Decode(data.Span, tenByte).Find(pageCode);
                if (page is not null) return page;
                throw new ScsiDecodeException("MODE SENSE data", "PAGE CODE", 0, $"page {pageCode:X2}h missing from the reply");
            }
            catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest && e.Asc is 0x24 or 0x20)
            {
                last = e;
            }
        }
        throw last!;
    }

    public async ValueTask<ElementAddressAssignment> ElementAddressAssignmentAsync(CancellationToken ct = default) =>
        ChangerModePages.ElementAddressAssignment(await ModePageAsync(0x1D, ct).ConfigureAwait(false));

    public async ValueTask<DeviceCapabilities?> DeviceCapabilitiesAsync(CancellationToken ct = default)
    {
        try
        {
            return ChangerModePages.DeviceCapabilities(await ModePageAsync(0x1F, ct).ConfigureAwait(false));
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest)
        {
            return null;
        }
    }
}
