using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>
/// How the client carries out the sense policy (<see cref="SensePolicy"/>): how many unit attentions it absorbs, how
/// long it waits out "becoming ready", and how long it waits for the operator.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>UNIT ATTENTION is reported once per event; the command is simply re-sent (RetrySoon rows).</summary>
    public int UnitAttentionRetries { get; init; } = 5;

    /// <summary>
    /// How long WaitAndRetry rows (NOT READY 04/00, 04/01, 04/07, 3E/00; BUSY) are waited out. Null: the library
    /// profile's <see cref="ChangerQuirks.BecomingReadyLimit"/> (generic: 5 minutes, as PBS). The CLI sets it only when
    /// the user gives <c>BecomingReadySeconds</c>.
    /// </summary>
    public TimeSpan? BecomingReadyTimeout { get; init; }

    /// <summary>First backoff delay; it doubles up to <see cref="BecomingReadyMaxInterval"/>.</summary>
    public TimeSpan BecomingReadyInterval { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BecomingReadyMaxInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long WaitForOperator rows (door open 04/18, pause 04/83/04/85, mail slot open 3A/02, magazine out) are waited
    /// for. Zero (the default): fail at once with the rule's message.
    /// </summary>
    public TimeSpan OperatorWaitLimit { get; init; } = TimeSpan.Zero;

    /// <summary>How often the command is re-sent while waiting for the operator.</summary>
    public TimeSpan OperatorPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called once per wait with "waiting up to N s: meaning; what to do [02/04/18]" (the CLI writes it to stderr).</summary>
    public Action<string>? OnWaiting { get; init; }

    public static RetryPolicy Default { get; } = new();
}

/// <summary>A sense the policy marks rather than only fails on: drive needs cleaning, or cleaner spent.</summary>
public sealed record SenseMark(SenseRule Rule, SenseData Sense, string Command);

/// <summary>
/// Typed SMC/SPC commands over a transport: builds the CDB, executes, checks, and decodes into records,
/// so the domain above never handles bytes. Retries unit attentions and "becoming ready".
/// </summary>
public sealed class SmcClient : IAsyncDisposable
{
    /// <summary>Upper bound of one descriptor: 12 fixed + 2×36 volume tags + 4 + 255 identifier, rounded.</summary>
    private const int DescriptorBudget = 100;

    private readonly ScsiChannel _channel;
    private readonly RetryPolicy _retry;
    private readonly TimeProvider _time;
    private readonly List<string> _learned = [];
    private ChangerQuirks _quirks;

    public SmcClient(IScsiTransport transport, RetryPolicy? retry = null, TimeProvider? time = null, ChangerQuirks? quirks = null)
    {
        _channel = new ScsiChannel(transport);
        _retry = retry ?? RetryPolicy.Default;
        _time = time ?? TimeProvider.System;
        _quirks = quirks ?? ChangerQuirks.Generic;
    }

    /// <summary>The knobs in force: the profile's, changed by what this session learned.</summary>
    public ChangerQuirks Quirks => _quirks;

    /// <summary>
    /// What this session learned that its quirks did not say (a combined READ ELEMENT STATUS or DVCID rejected),
    /// one operator-language line each; the caller persists <see cref="Quirks"/> for the library when non-empty.
    /// </summary>
    public IReadOnlyList<string> Learned => _learned;

    private void Learn(ChangerQuirks changed, string why)
    {
        _quirks = changed;
        _learned.Add(why);
    }

    public string Device => _channel.Device;

    /// <summary>Commands sent so far, retries included (for round-trip budgets).</summary>
    public int CommandCount => _channel.CommandCount;

    /// <summary>Unit attentions absorbed by retries; the caller should treat cached state as stale when this grows.</summary>
    public int UnitAttentionsSeen { get; private set; }

    /// <summary>
    /// Unit attentions absorbed after which the element address map may be stale (28/xx, 29/xx, 2A/01, 3F/xx, 3B/1A,
    /// 3B/1B, 3B/20: <see cref="SensePolicy.InvalidatesElementMap"/>). MediaChanger re-reads page 1Dh when it grows.
    /// </summary>
    public int MapChangesSeen { get; private set; }

    private readonly List<SenseMark> _marks = [];

    /// <summary>Senses seen on this client that mark the drive as needing cleaning or the cleaner as spent, oldest first.</summary>
    public IReadOnlyList<SenseMark> Marks => _marks;

    /// <summary>
    /// The policy rule for a sense on this device: the profile's rows first, then (for a tape drive client) the drive
    /// rows, then the built-in rows. Every <see cref="ScsiCheckConditionException"/> leaving this client carries it
    /// (<see cref="ScsiCheckConditionException.Rule"/>), so nothing above looks the sense up again.
    /// </summary>
    public SenseRule RuleFor(SenseData sense, string? command) =>
        SensePolicy.Lookup(sense.Key, sense.Asc, sense.Ascq, command, Quirks.SenseRules, IsDrive ? SensePolicy.DriveRules : null);

    /// <summary>True for a client of a tape drive (SSC): the drive rows of the sense policy apply.</summary>
    public bool IsDrive { get; init; }

    /// <summary>
    /// Executes with the sense policy (<see cref="SensePolicy"/>): RetrySoon rows are re-sent up to
    /// <see cref="RetryPolicy.UnitAttentionRetries"/>; WaitAndRetry rows and BUSY back off (1 s doubling to 30 s) up to
    /// the becoming-ready limit; WaitForOperator rows tell <see cref="RetryPolicy.OnWaiting"/> once and re-send every
    /// few seconds up to <see cref="RetryPolicy.OperatorWaitLimit"/>; everything else throws. Returns the data-in bytes.
    /// </summary>
    internal async ValueTask<byte[]> ExecuteAsync(ScsiCommand command, CancellationToken ct = default)
    {
        int ua = 0;
        long? notReadySince = null, operatorSince = null;
        TimeSpan backoff = _retry.BecomingReadyInterval;
        SenseRule? announced = null;
        while (true)
        {
            try
            {
                return await ExecuteOnceAsync(command, ct).ConfigureAwait(false);
            }
            catch (ScsiCheckConditionException e)
            {
                var rule = e.Rule ?? RuleFor(e.Sense, command.Name);
                switch (rule.Action)
                {
                    case SenseAction.RetrySoon when ua < _retry.UnitAttentionRetries:
                        ua++;
                        UnitAttentionsSeen++;
                        if (e.Key == SenseKey.UnitAttention && SensePolicy.InvalidatesElementMap(e.Asc, e.Ascq)) MapChangesSeen++;
                        continue;
                    case SenseAction.WaitAndRetry or SenseAction.CleaningInProgress:
                        notReadySince ??= _time.GetTimestamp();
                        if (!await BackOffAsync(notReadySince.Value, ref backoff, rule, e.Sense.Triplet, ref announced, ct).ConfigureAwait(false)) throw;
                        continue;
                    case SenseAction.WaitForOperator when _retry.OperatorWaitLimit > TimeSpan.Zero:
                        operatorSince ??= _time.GetTimestamp();
                        var left = _retry.OperatorWaitLimit - _time.GetElapsedTime(operatorSince.Value);
                        if (left <= TimeSpan.Zero) throw;
                        Announce(rule, e.Sense.Triplet, _retry.OperatorWaitLimit, ref announced);
                        await Task.Delay(Min(_retry.OperatorPollInterval, left), _time, ct).ConfigureAwait(false);
                        continue;
                    case SenseAction.MarkDriveNeedsCleaning or SenseAction.MarkCleanerSpent:
                        // Recorded by ExecuteOnceAsync; the command itself failed.
                        throw;
                    default:
                        throw;
                }
            }
            catch (ScsiStatusException e) when (e.Status == ScsiStatus.Busy)
            {
                // BUSY is a WaitAndRetry condition without sense (SAM-5 status BUSY, 08h).
                notReadySince ??= _time.GetTimestamp();
                var busy = new SenseRule(null, 0, null, SenseAction.WaitAndRetry, SenseFailure.NotReady, "the library is busy", "SAM-5 status codes (BUSY)");
                if (!await BackOffAsync(notReadySince.Value, ref backoff, busy, "BUSY", ref announced, ct).ConfigureAwait(false)) throw;
            }
        }
    }

    private TimeSpan BecomingReadyLimit => _retry.BecomingReadyTimeout ?? Quirks.BecomingReadyLimit;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Waits the next backoff step; false when the becoming-ready limit is used up.</summary>
    private ValueTask<bool> BackOffAsync(long since, ref TimeSpan backoff, SenseRule rule, string triplet, ref SenseRule? announced, CancellationToken ct)
    {
        var left = BecomingReadyLimit - _time.GetElapsedTime(since);
        if (left <= TimeSpan.Zero) return ValueTask.FromResult(false);
        Announce(rule, triplet, BecomingReadyLimit, ref announced);
        var delay = Min(backoff, left);
        backoff = Min(backoff * 2, _retry.BecomingReadyMaxInterval);
        return DelayAsync(delay, ct);
    }

    private async ValueTask<bool> DelayAsync(TimeSpan delay, CancellationToken ct)
    {
        await Task.Delay(delay, _time, ct).ConfigureAwait(false);
        return true;
    }

    private void Announce(SenseRule rule, string triplet, TimeSpan limit, ref SenseRule? announced)
    {
        if (ReferenceEquals(announced, rule) || (announced is not null && announced == rule)) return;
        announced = rule;
        _retry.OnWaiting?.Invoke($"waiting up to {(int)Math.Ceiling(limit.TotalSeconds)} s: {rule.Meaning} [{triplet}]");
    }

    /// <summary>
    /// Executes once, without retries or waits (for callers that poll on their own, like the cleaner watching a
    /// drive clean). Senses that mark the drive or the cleaner are recorded in <see cref="Marks"/> either way.
    /// </summary>
    internal async ValueTask<byte[]> ExecuteOnceAsync(ScsiCommand command, CancellationToken ct = default)
    {
        try
        {
            var data = await _channel.ExecuteAsync(command, ct).ConfigureAwait(false);
            if (_channel.LastSense is { } note) Mark(note, command.Name);
            return data;
        }
        catch (ScsiCheckConditionException e)
        {
            e.WithRule(Mark(e.Sense, command.Name));
            throw;
        }
    }

    private SenseRule Mark(SenseData sense, string command)
    {
        var rule = RuleFor(sense, command);
        if (rule.Action is SenseAction.MarkDriveNeedsCleaning or SenseAction.MarkCleanerSpent) _marks.Add(new SenseMark(rule, sense, command));
        return rule;
    }

    public async ValueTask TestUnitReadyAsync(CancellationToken ct = default) =>
        await ExecuteAsync(SpcCommands.TestUnitReady(), ct).ConfigureAwait(false);

    /// <summary>
    /// One TEST UNIT READY, never retried or waited out (for callers that poll on their own: the cleaner watching a
    /// drive clean, the door wait). A CHECK CONDITION throws with its rule attached.
    /// </summary>
    public async ValueTask TestUnitReadyOnceAsync(CancellationToken ct = default) =>
        await ExecuteOnceAsync(SpcCommands.TestUnitReady(), ct).ConfigureAwait(false);

    /// <summary>REQUEST SENSE (SPC-4 §6.39): the device's pending sense, decoded.</summary>
    public async ValueTask<SenseData> RequestSenseAsync(CancellationToken ct = default) =>
        SenseDecoder.Decode(await ExecuteAsync(SpcCommands.RequestSense(), ct).ConfigureAwait(false));

    /// <summary>LOG SENSE of the TapeAlert page 2Eh (the SSC-3 and SMC-3 TapeAlert log pages), decoded.</summary>
    public async ValueTask<TapeAlertReport> TapeAlertsAsync(TapeAlertSource source, CancellationToken ct = default) =>
        TapeAlertDecoder.Decode(await ExecuteAsync(SpcCommands.LogSenseTapeAlert(), ct).ConfigureAwait(false), source);

    /// <summary>LOG SENSE page 00h: the log pages the device answers (SPC-4 §7.3.18).</summary>
    public async ValueTask<IReadOnlyList<byte>> SupportedLogPagesAsync(CancellationToken ct = default) =>
        SupportedLogPagesDecoder.Decode(await ExecuteAsync(SpcCommands.LogSenseSupportedPages(), ct).ConfigureAwait(false));

    /// <summary>LOG SENSE of the TapeAlert response page 12h (SSC-4), decoded; the read leaves the flags set.</summary>
    public async ValueTask<TapeAlertReport> TapeAlertResponseAsync(TapeAlertSource source, CancellationToken ct = default) =>
        TapeAlertDecoder.DecodeResponse(await ExecuteAsync(SscCommands.LogSenseTapeAlertResponse(), ct).ConfigureAwait(false), source);

    /// <summary>LOAD UNLOAD (SSC-3 §7.2): load, or unload and eject the cartridge of a tape drive.</summary>
    public async ValueTask LoadUnloadAsync(bool load, CancellationToken ct = default) =>
        await ExecuteAsync(SscCommands.LoadUnload(load), ct).ConfigureAwait(false);

    /// <summary>REPORT LUNS (SPC-4 §6.33): the logical units of the target, in the order reported.</summary>
    public async ValueTask<IReadOnlyList<int>> ReportLunsAsync(CancellationToken ct = default) =>
        ReportLunsDecoder.Decode(await ExecuteAsync(SpcCommands.ReportLuns(), ct).ConfigureAwait(false));

    private (StandardInquiry Data, int MapChanges)? _inquiry;

    /// <summary>
    /// Standard INQUIRY, sent once per client: the answer is static until a unit attention that changes the device
    /// (3F/03 "inquiry data has changed" and the other map-changing ones), after which it is asked again.
    /// </summary>
    public async ValueTask<StandardInquiry> InquiryAsync(CancellationToken ct = default)
    {
        if (_inquiry is { } cached && cached.MapChanges == MapChangesSeen) return cached.Data;
        var data = InquiryDecoder.DecodeStandard(await ExecuteAsync(SpcCommands.Inquiry(), ct).ConfigureAwait(false));
        _inquiry = (data, MapChangesSeen);
        return data;
    }

    /// <summary>Sets the library's quirks once its profile is known (the profile is chosen from this client's INQUIRY).</summary>
    public void ApplyQuirks(ChangerQuirks quirks) => _quirks = quirks;

    /// <summary>VPD 80h unit serial number, or null when the device does not support the page.</summary>
    public async ValueTask<string?> UnitSerialNumberAsync(CancellationToken ct = default)
    {
        try
        {
            return InquiryDecoder.DecodeUnitSerialNumber(await ExecuteAsync(SpcCommands.InquiryVpd(0x80), ct).ConfigureAwait(false));
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest)
        {
            return null;
        }
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
                var page = ModeSenseDecoder.Decode(data, tenByte).Find(pageCode);
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

    /// <summary>
    /// Reads every element of the given ranges: in one command per chunk when the quirks say the library answers
    /// all element types at once (and the whole library fits one reply), else one element type per command
    /// (tgt mis-builds type-0 replies). A combined read rejected with 05/24/00 is retried split, and the split is
    /// learned (<see cref="Learned"/>), so the caller can remember it for the library.
    /// </summary>
    public async ValueTask<IReadOnlyList<ElementDescriptor>> ReadAllElementStatusAsync(
        IReadOnlyList<(ElementType Type, ushort First, int Count)> ranges, CancellationToken ct = default)
    {
        var present = ranges.Where(r => r.Count > 0).ToList();
        int total = present.Sum(r => r.Count);
        if (total == 0) return [];
        var (maxAlloc, maxElements) = Limits();
        int alloc = Math.Min(maxAlloc, 8 + present.Count * 8 + total * DescriptorBudget + 8);
        bool fits = total <= maxElements && 8 + present.Count * 8 + total * DescriptorBudget <= maxAlloc;
        if (_quirks.ReadStrategy == ReadElementStatusStrategy.AllTypes && fits)
        {
            ushort start = present.Min(r => r.First);
            int span = present.Max(r => r.First + r.Count) - start;
            bool dvcid = _quirks.DeviceId == DeviceIdSupport.WithVolumeTag;
            try
            {
                var report = ElementStatusDecoder.Decode(await ExecuteAsync(Timed(SmcCommands.ReadElementStatus(
                    ElementType.All, start, (ushort)Math.Min(span, ushort.MaxValue), alloc, volumeTag: true, deviceId: dvcid, currentData: _quirks.CurrentData)), ct).ConfigureAwait(false));
                var wanted = report.Elements
                    .Where(d => present.Any(r => r.Type == d.Type && d.Address >= r.First && d.Address < r.First + r.Count))
                    .GroupBy(d => (d.Type, d.Address)).Select(g => g.Last()).ToList();
                // A cut last descriptor (tgt's all-types replies run 8 bytes short) counts as incomplete.
                if (wanted.Count == total && !wanted.Any(d => d.Partial))
                {
                    if (_quirks.DeviceId == DeviceIdSupport.WithoutVolumeTag) await MergeIdentifiersAsync(wanted, ct).ConfigureAwait(false);
                    return wanted.OrderBy(d => d.Type).ThenBy(d => d.Address).ToList();
                }
                Learn(_quirks with { ReadStrategy = ReadElementStatusStrategy.PerType },
                    $"a READ ELEMENT STATUS of all element types returned {wanted.Count} of {total} elements; reading one element type at a time");
            }
            catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest && e.Asc == 0x24)
            {
                Learn(_quirks with { ReadStrategy = ReadElementStatusStrategy.PerType },
                    $"the library rejected a READ ELEMENT STATUS of all element types ({e.Sense.Describe()}); reading one element type at a time");
            }
            catch (ScsiDecodeException e)
            {
                // tgt builds all-types replies wrongly (a page with element type 00h): fall back the same way.
                Learn(_quirks with { ReadStrategy = ReadElementStatusStrategy.PerType },
                    $"the library's READ ELEMENT STATUS of all element types could not be decoded ({e.Message}); reading one element type at a time");
            }
        }
        var result = new List<ElementDescriptor>();
        foreach (var (type, first, count) in present)
        {
            result.AddRange(await ReadElementStatusAsync(type, first, count, ct).ConfigureAwait(false));
        }
        return result;
    }

    /// <summary>
    /// Reads the status of <paramref name="count"/> elements of one type from <paramref name="start"/>, in chunks
    /// bounded by the quirks and the transport. Drive identifiers (DVCID) are asked for as the quirks say; a
    /// rejection (05/24/00) downgrades DVCID+VolTag to a separate DVCID read, and that to none, learning each step.
    /// </summary>
    public async ValueTask<IReadOnlyList<ElementDescriptor>> ReadElementStatusAsync(ElementType type, ushort start, int count, CancellationToken ct = default)
    {
        if (type == ElementType.All) throw new ArgumentOutOfRangeException(nameof(type), "use ReadAllElementStatusAsync for all element types");
        var result = await ReadChunkedAsync(type, start, count, volumeTag: true, deviceId: () => type == ElementType.DataTransfer && _quirks.DeviceId == DeviceIdSupport.WithVolumeTag, ct).ConfigureAwait(false);
        if (type == ElementType.DataTransfer && _quirks.DeviceId == DeviceIdSupport.WithoutVolumeTag) await MergeIdentifiersAsync(result, ct).ConfigureAwait(false);
        return result;
    }

    private async ValueTask<List<ElementDescriptor>> ReadChunkedAsync(ElementType type, ushort start, int count, bool volumeTag, Func<bool> deviceId, CancellationToken ct)
    {
        var result = new List<ElementDescriptor>();
        if (count <= 0) return result;
        int next = start;
        int end = start + count;                    // exclusive
        var (maxAlloc, maxElements) = Limits();
        while (next < end)
        {
            int chunk = Math.Min(end - next, maxElements);
            // Header + page header + descriptors + 8 spare bytes for tgt's short reply.
            int alloc = Math.Min(maxAlloc, 8 + 8 + chunk * DescriptorBudget + 8);
            bool dvcid = deviceId();
            ElementStatusReport report;
            try
            {
                report = ElementStatusDecoder.Decode(await ExecuteAsync(Timed(
                    SmcCommands.ReadElementStatus(type, (ushort)next, (ushort)chunk, alloc, volumeTag, dvcid, _quirks.CurrentData)), ct).ConfigureAwait(false));
            }
            catch (ScsiCheckConditionException e) when (dvcid && volumeTag && e.Key == SenseKey.IllegalRequest && e.Asc == 0x24)
            {
                // "Some changers cannot get voltag + dvcid at the same time" (PBS 6c053ffc).
                Learn(_quirks with { DeviceId = DeviceIdSupport.WithoutVolumeTag },
                    $"the library rejected drive identifiers together with barcodes ({e.Sense.Describe()}); asking for them separately");
                continue;
            }
            var wanted = report.Elements.Where(d => d.Type == type && d.Address >= next && d.Address < end).ToList();
            result.AddRange(wanted);
            if (wanted.Count == 0) break;       // nothing more at or after 'next'
            // Continue after the last element received: a short allocation or a cut reply leaves the rest for the next read.
            next = wanted.Max(d => d.Address) + 1;
        }
        return result.GroupBy(d => d.Address).Select(g => g.Last()).OrderBy(d => d.Address).ToList();
    }

    /// <summary>Fills drive identifiers from a DVCID read without VolTag (for libraries that cannot combine them).</summary>
    private async ValueTask MergeIdentifiersAsync(List<ElementDescriptor> elements, CancellationToken ct)
    {
        var drives = elements.Where(d => d.Type == ElementType.DataTransfer).ToList();
        if (drives.Count == 0) return;
        ushort first = drives.Min(d => d.Address);
        int count = drives.Max(d => d.Address) - first + 1;
        List<ElementDescriptor> ids;
        try
        {
            ids = await ReadChunkedAsync(ElementType.DataTransfer, first, count, volumeTag: false, deviceId: () => true, ct).ConfigureAwait(false);
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest && e.Asc == 0x24)
        {
            // Qualstar: DVCID unsupported entirely (PBS dc887e93).
            Learn(_quirks with { DeviceId = DeviceIdSupport.Unsupported },
                $"the library does not report drive identifiers ({e.Sense.Describe()}); drives are matched without them");
            return;
        }
        var byAddress = ids.Where(d => d.Identifier is not null).ToDictionary(d => d.Address, d => d.Identifier);
        for (int i = 0; i < elements.Count; i++)
        {
            var d = elements[i];
            if (d.Type == ElementType.DataTransfer && d.Identifier is null && byAddress.TryGetValue(d.Address, out var id)) elements[i] = d with { Identifier = id };
        }
    }

    /// <summary>The allocation and element limits: the quirks', within the transport's per-command maximum (e.g. sg max_sectors_bytes).</summary>
    private (int MaxAlloc, int MaxElements) Limits()
    {
        int maxAlloc = Math.Clamp(Math.Min(_channel.Transport.MaxTransferLength, _quirks.MaxAllocation), 8 + 8 + DescriptorBudget + 8, SmcCommands.MaxAllocationLength);
        int maxElements = Math.Clamp((maxAlloc - 8 - 8 - 8) / DescriptorBudget, 1, Math.Max(1, _quirks.MaxElementsPerRead));
        return (maxAlloc, maxElements);
    }

    /// <summary>
    /// The command with the quirks' timeout: moves and inventories take their own; a READ ELEMENT STATUS without
    /// CURDATA may make the robot scan, so it gets the move timeout too.
    /// </summary>
    private ScsiCommand Timed(ScsiCommand command) => command.Cdb[0] switch
    {
        OpCode.MoveMedium or OpCode.ExchangeMedium or OpCode.PositionToElement => command.WithTimeout(_quirks.MoveTimeout),
        OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy => command.WithTimeout(_quirks.InitializeTimeout),
        OpCode.ReadElementStatus when (command.Cdb[6] & 0x02) == 0 => command.WithTimeout(_quirks.MoveTimeout),
        _ => command.WithTimeout(_quirks.DefaultTimeout),
    };

    /// <summary>Status of one element (a targeted read, used to verify moves), or null if the library did not report it.</summary>
    public async ValueTask<ElementDescriptor?> ReadElementAsync(ElementType type, ushort address, CancellationToken ct = default) =>
        (await ReadElementStatusAsync(type, address, 1, ct).ConfigureAwait(false)).FirstOrDefault(d => d.Address == address);

    public async ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.MoveMedium(transport, source, destination)), ct).ConfigureAwait(false);

    /// <summary>MOVE MEDIUM with INVERT and the CONTROL byte's vendor bits (mtx's invert and eepos).</summary>
    public async ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, bool invert, byte controlHighBits, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.MoveMedium(transport, source, destination, invert, controlHighBits)), ct).ConfigureAwait(false);

    /// <summary>Ejects the changer's own magazine or tray (1Bh with LOEJ=1, sent to the changer; mtx's "eject").</summary>
    public async ValueTask EjectMagazineAsync(CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.EjectMagazine(), ct).ConfigureAwait(false);

    public async ValueTask ExchangeMediumAsync(ushort transport, ushort source, ushort first, ushort second, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.ExchangeMedium(transport, source, first, second)), ct).ConfigureAwait(false);

    public async ValueTask PositionToElementAsync(ushort transport, ushort destination, CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.PositionToElement(transport, destination)), ct).ConfigureAwait(false);

    public async ValueTask InitializeElementStatusAsync(CancellationToken ct = default) =>
        await ExecuteAsync(Timed(SmcCommands.InitializeElementStatus()), ct).ConfigureAwait(false);

    /// <summary>INITIALIZE ELEMENT STATUS WITH RANGE: 37h, falling back to mhVTL's legacy E7h on 05/20/00.</summary>
    public async ValueTask InitializeElementStatusWithRangeAsync(ushort start, ushort count, CancellationToken ct = default)
    {
        try
        {
            await ExecuteAsync(Timed(SmcCommands.InitializeElementStatusWithRange(start, count)), ct).ConfigureAwait(false);
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest && e.Asc == 0x20)
        {
            await ExecuteAsync(Timed(SmcCommands.InitializeElementStatusWithRange(start, count, legacyOpcode: true)), ct).ConfigureAwait(false);
        }
    }

    public async ValueTask PreventAllowMediumRemovalAsync(bool prevent, CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.PreventAllowMediumRemoval(prevent), ct).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
