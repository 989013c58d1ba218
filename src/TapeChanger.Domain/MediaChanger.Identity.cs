using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

// What the library is and whether it is ready: TEST UNIT READY (with the policy, or once for a caller that polls),
// INQUIRY, the unit serial number, device capabilities.
public sealed partial class MediaChanger
{
    /// <summary>TEST UNIT READY with the sense policy (unit attentions re-sent, becoming ready waited out); fails classified.</summary>
    public ValueTask TestUnitReadyAsync(CancellationToken ct = default) => Run("TEST UNIT READY", () => _client.TestUnitReadyAsync(ct));

    /// <summary>One TEST UNIT READY of the library, never retried (the caller polls: the cleaner's door wait).</summary>
    public async ValueTask<DriveReadiness> PollReadyAsync(CancellationToken ct = default)
    {
        try
        {
            await _client.TestUnitReadyOnceAsync(ct).ConfigureAwait(false);
            return DriveReadiness.Good;
        }
        catch (ScsiCheckConditionException e)
        {
            return new DriveReadiness(e.Sense, e.Rule ?? _client.RuleFor(e.Sense, e.Command));
        }
    }

    /// <summary>Standard INQUIRY, unclassified (mtx mode prints its own text for a failure); cached per session by the client.</summary>
    public ValueTask<StandardInquiry> InquiryAsync(CancellationToken ct = default) => _client.InquiryAsync(ct);

    /// <summary>Device capabilities page 1Fh, or null when the library does not support it.</summary>
    public ValueTask<DeviceCapabilities?> DeviceCapabilitiesAsync(CancellationToken ct = default) =>
        Run("read the device capabilities", () => _client.DeviceCapabilitiesAsync(ct));

    public async ValueTask<LibraryIdentity> GetIdentityAsync(bool withSerial, CancellationToken ct = default)
    {
        var inq = await Run("INQUIRY", () => _client.InquiryAsync(ct)).ConfigureAwait(false);
        string? serial = withSerial ? await Run("read the serial number", () => _client.UnitSerialNumberAsync(ct)).ConfigureAwait(false) : null;
        return new LibraryIdentity(inq.Vendor, inq.Product, inq.Revision, serial ?? inq.VendorSpecific, inq.PeripheralDeviceType);
    }
}
