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
        SenseDecoder.Decode(await ExecuteAsync(SpcCommands.RequestSense(), ct).ConfigureAwait(false));

    /// <summary>LOG SENSE of the TapeAlert page 2Eh (the SSC-3 and SMC-3 TapeAlert log pages), decoded.</summary>
    public async ValueTask<TapeAlertReport> TapeAlertsAsync(TapeAlertSource source, CancellationToken ct = default) =>
        TapeAlertDecoder.Decode(await ExecuteAsync(SpcCommands.LogSenseTapeAlert(), ct).ConfigureAwait(false), source);

    /// <summary>LOAD UNLOAD (SSC-3 §7.2): load, or unload and eject the cartridge of a tape drive.</summary>
    public async ValueTask LoadUnloadAsync(bool load, CancellationToken ct = default) =>
        await ExecuteAsync(SscCommands.LoadUnload(load), ct).ConfigureAwait(false);

    /// <summary>REPORT LUNS (SPC-4 §6.33): the logical units of the target, in the order reported.</summary>
    public async ValueTask<IReadOnlyList<int>> ReportLunsAsync(CancellationToken ct = default) =>
        ReportLunsDecoder.Decode(await ExecuteAsync(SpcCommands.ReportLuns(), ct).ConfigureAwait(false));
}
