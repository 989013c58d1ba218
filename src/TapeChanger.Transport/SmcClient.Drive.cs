using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

// Commands a tape drive answers (SSC-3, SPC-4): its pending sense, TapeAlert, LOAD UNLOAD; and REPORT LUNS of a target.
public sealed partial class SmcClient
{
    /// <summary>REQUEST SENSE (SPC-4 §6.39): the device's pending sense, decoded.</summary>
    public async ValueTask<SenseData> RequestSenseAsync(CancellationToken ct = default) =>
        SenseDecoder.Decode((await ExecuteAsync(SpcCommands.RequestSense(), ct).ConfigureAwait(false)).Span);

    /// <summary>LOG SENSE of the TapeAlert page 2Eh (the SSC-3 and SMC-3 TapeAlert log pages), decoded.</summary>
    public async ValueTask<TapeAlertReport> TapeAlertsAsync(TapeAlertSource source, CancellationToken ct = default) =>
        TapeAlertDecoder.Decode((await ExecuteAsync(SpcCommands.LogSenseTapeAlert(), ct).ConfigureAwait(false)).Span, source);

    /// <summary>LOG SENSE page 00h: the log pages the device answers (SPC-4 §7.3.18).</summary>
    public async ValueTask<IReadOnlyList<byte>> SupportedLogPagesAsync(CancellationToken ct = default) =>
        SupportedLogPagesDecoder.Decode((await ExecuteAsync(SpcCommands.LogSenseSupportedPages(), ct).ConfigureAwait(false)).Span);

    /// <summary>LOG SENSE of the TapeAlert response page 12h (SSC-4), decoded; the read leaves the flags set.</summary>
    public async ValueTask<TapeAlertReport> TapeAlertResponseAsync(TapeAlertSource source, CancellationToken ct = default) =>
        TapeAlertDecoder.DecodeResponse((await ExecuteAsync(SscCommands.LogSenseTapeAlertResponse(), ct).ConfigureAwait(false)).Span, source);

    /// <summary>LOAD UNLOAD (SSC-3 §7.2): load, or unload and eject the cartridge of a tape drive.</summary>
    public async ValueTask LoadUnloadAsync(bool load, CancellationToken ct = default) =>
        await ExecuteAsync(SscCommands.LoadUnload(load), ct).ConfigureAwait(false);

    /// <summary>REPORT LUNS (SPC-4 §6.33): the logical units of the target, in the order reported.</summary>
    public async ValueTask<IReadOnlyList<int>> ReportLunsAsync(CancellationToken ct = default) =>
        ReportLunsDecoder.Decode((await ExecuteAsync(SpcCommands.ReportLuns(), ct).ConfigureAwait(false)).Span);
}
