using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

/// <summary>How the client retries transient conditions (a subset of the sense policy; see facts.md §4.6).</summary>
public sealed record RetryPolicy
{
    /// <summary>UNIT ATTENTION is reported once per event; the command is simply re-sent.</summary>
    public int UnitAttentionRetries { get; init; } = 5;

    /// <summary>How long to keep retrying NOT READY 04/01 "becoming ready" (PBS waits up to 5 minutes).</summary>
    public TimeSpan BecomingReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan BecomingReadyInterval { get; init; } = TimeSpan.FromSeconds(1);

    public static RetryPolicy Default { get; } = new();
}

/// <summary>
/// Typed SMC/SPC commands over a transport: builds the CDB, executes, checks, and decodes into records,
/// so the domain above never handles bytes. Retries unit attentions and "becoming ready".
/// </summary>
public sealed class SmcClient : IAsyncDisposable
{
    /// <summary>Largest allocation length used: some changers honour only the low 16 bits of the 3-byte field (PBS).</summary>
    public const int MaxAllocation = 0xFFFF;
    /// <summary>Elements per READ ELEMENT STATUS chunk (PBS: "some changers limit the query").</summary>
    public const int MaxElementsPerRead = 1000;
    /// <summary>Upper bound of one descriptor: 12 fixed + 2×36 volume tags + 4 + 255 identifier, rounded.</summary>
    private const int DescriptorBudget = 100;

    private readonly ScsiChannel _channel;
    private readonly RetryPolicy _retry;
    private readonly TimeProvider _time;
    private bool _dvcidRejected;

    public SmcClient(IScsiTransport transport, RetryPolicy? retry = null, TimeProvider? time = null, ChangerQuirks? quirks = null)
    {
        _channel = new ScsiChannel(transport);
        _retry = retry ?? RetryPolicy.Default;
        _time = time ?? TimeProvider.System;
        Quirks = quirks ?? ChangerQuirks.Generic;
    }

    /// <summary>The library's quirks (from its hardware profile).</summary>
    public ChangerQuirks Quirks { get; }

    public string Device => _channel.Device;

    /// <summary>Commands sent so far, retries included (for round-trip budgets).</summary>
    public int CommandCount => _channel.CommandCount;

    /// <summary>Unit attentions absorbed by retries; the caller should treat cached state as stale when this grows.</summary>
    public int UnitAttentionsSeen { get; private set; }

    /// <summary>Executes with the retry policy; returns the data-in bytes.</summary>
    public async ValueTask<byte[]> ExecuteAsync(ScsiCommand command, CancellationToken ct = default)
    {
        int ua = 0;
        long started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                return await _channel.ExecuteAsync(command, ct).ConfigureAwait(false);
            }
            catch (ScsiCheckConditionException e) when (e.Key == SenseKey.UnitAttention && ua < _retry.UnitAttentionRetries)
            {
                ua++;
                UnitAttentionsSeen++;
            }
            catch (ScsiCheckConditionException e) when (e.Key == SenseKey.NotReady && e.Asc == 0x04 && e.Ascq == 0x01
                && _time.GetElapsedTime(started) < _retry.BecomingReadyTimeout)
            {
                await Task.Delay(_retry.BecomingReadyInterval, _time, ct).ConfigureAwait(false);
            }
            catch (ScsiStatusException e) when (e.Status == ScsiStatus.Busy && _time.GetElapsedTime(started) < _retry.BecomingReadyTimeout)
            {
                await Task.Delay(_retry.BecomingReadyInterval, _time, ct).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask TestUnitReadyAsync(CancellationToken ct = default) =>
        await ExecuteAsync(SpcCommands.TestUnitReady(), ct).ConfigureAwait(false);

    public async ValueTask<StandardInquiry> InquiryAsync(CancellationToken ct = default) =>
        InquiryDecoder.DecodeStandard(await ExecuteAsync(SpcCommands.Inquiry(), ct).ConfigureAwait(false));

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
    /// Reads the status of <paramref name="count"/> elements of one type from <paramref name="start"/>, in chunks,
    /// one element type per command (tgt mis-builds type-0 replies). DVCID is asked for on drives and dropped
    /// for the rest of the session if the library rejects it with 05/24/00.
    /// </summary>
    public async ValueTask<IReadOnlyList<ElementDescriptor>> ReadElementStatusAsync(ElementType type, ushort start, int count, CancellationToken ct = default)
    {
        var result = new List<ElementDescriptor>();
        if (count <= 0) return result;
        int next = start;
        int end = start + count;                    // exclusive
        // The transport's per-command limit (e.g. sg max_sectors_bytes) bounds the allocation and so the chunk size.
        int maxAlloc = Math.Clamp(_channel.Transport.MaxTransferLength, 8 + 8 + DescriptorBudget + 8, MaxAllocation);
        int maxElements = Math.Clamp((maxAlloc - 8 - 8 - 8) / DescriptorBudget, 1, MaxElementsPerRead);
        while (next < end)
        {
            int chunk = Math.Min(end - next, maxElements);
            // Header + page header + descriptors + 8 spare bytes for tgt's short reply.
            int alloc = Math.Min(maxAlloc, 8 + 8 + chunk * DescriptorBudget + 8);
            bool dvcid = type == ElementType.DataTransfer && !_dvcidRejected;
            ElementStatusReport report;
            try
            {
                report = ElementStatusDecoder.Decode(await ExecuteAsync(
                    SmcCommands.ReadElementStatus(type, (ushort)next, (ushort)chunk, alloc, volumeTag: true, deviceId: dvcid), ct).ConfigureAwait(false));
            }
            catch (ScsiCheckConditionException e) when (dvcid && e.Key == SenseKey.IllegalRequest && e.Asc == 0x24)
            {
                _dvcidRejected = true;          // "some changers cannot get voltag + dvcid at the same time" (PBS)
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

    /// <summary>Status of one element (a targeted read, used to verify moves), or null if the library did not report it.</summary>
    public async ValueTask<ElementDescriptor?> ReadElementAsync(ElementType type, ushort address, CancellationToken ct = default) =>
        (await ReadElementStatusAsync(type, address, 1, ct).ConfigureAwait(false)).FirstOrDefault(d => d.Address == address);

    public async ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.MoveMedium(transport, source, destination), ct).ConfigureAwait(false);

    public async ValueTask ExchangeMediumAsync(ushort transport, ushort source, ushort first, ushort second, CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.ExchangeMedium(transport, source, first, second), ct).ConfigureAwait(false);

    public async ValueTask PositionToElementAsync(ushort transport, ushort destination, CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.PositionToElement(transport, destination), ct).ConfigureAwait(false);

    public async ValueTask InitializeElementStatusAsync(CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.InitializeElementStatus(), ct).ConfigureAwait(false);

    /// <summary>INITIALIZE ELEMENT STATUS WITH RANGE: 37h, falling back to mhVTL's legacy E7h on 05/20/00.</summary>
    public async ValueTask InitializeElementStatusWithRangeAsync(ushort start, ushort count, CancellationToken ct = default)
    {
        try
        {
            await ExecuteAsync(SmcCommands.InitializeElementStatusWithRange(start, count), ct).ConfigureAwait(false);
        }
        catch (ScsiCheckConditionException e) when (e.Key == SenseKey.IllegalRequest && e.Asc == 0x20)
        {
            await ExecuteAsync(SmcCommands.InitializeElementStatusWithRange(start, count, legacyOpcode: true), ct).ConfigureAwait(false);
        }
    }

    public async ValueTask PreventAllowMediumRemovalAsync(bool prevent, CancellationToken ct = default) =>
        await ExecuteAsync(SmcCommands.PreventAllowMediumRemoval(prevent), ct).ConfigureAwait(false);

    public ValueTask DisposeAsync() => _channel.DisposeAsync();
}
