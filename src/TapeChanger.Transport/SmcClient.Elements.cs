using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;

namespace TapeChanger.Transport;

// READ ELEMENT STATUS: all types at once or per type, chunked within the quirks' and transport's limits, drive
// identifiers with or without volume tags, and what a rejection teaches (Learned).
public sealed partial class SmcClient
{
    /// <summary>Upper bound of one descriptor: 12 fixed + 2×36 volume tags + 4 + 255 identifier, rounded.</summary>
    private const int DescriptorBudget = 100;

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
                var report = ElementStatusDecoder.Decode((await ExecuteAsync(Timed(SmcCommands.ReadElementStatus(
                    ElementType.All, start, (ushort)Math.Min(span, ushort.MaxValue), alloc, volumeTag: true, deviceId: dvcid, currentData: _quirks.CurrentData)), ct).ConfigureAwait(false)).Span);
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
        var result = new List<ElementDescriptor>(total);      // grown by AddRange, it would double to 4,002 for 2,081
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
        var result = new List<ElementDescriptor>(Math.Max(count, 0));
        if (count <= 0) return result;
        int next = start;
        int end = start + count;                    // exclusive
        var (maxAlloc, maxElements) = Limits();
        int? declaredAlloc = null;                  // the allocation a reply that came back unusable asked for
        while (next < end)
        {
            int chunk = Math.Min(end - next, maxElements);
            // Header + page header + descriptors + 8 spare bytes for tgt's short reply.
            // Capped by maxAlloc again: a fall-back to 16 bits below may have lowered it after declaredAlloc was taken.
            int alloc = Math.Min(maxAlloc, declaredAlloc ?? 8 + 8 + chunk * DescriptorBudget + 8);
            bool dvcid = deviceId();
            ElementStatusReport report;
            try
            {
                report = ElementStatusDecoder.Decode((await ExecuteAsync(Timed(
                    SmcCommands.ReadElementStatus(type, (ushort)next, (ushort)chunk, alloc, volumeTag, dvcid, _quirks.CurrentData)), ct).ConfigureAwait(false)).Span);
            }
            catch (ScsiCheckConditionException e) when (alloc > Alloc16 && e.Key == SenseKey.IllegalRequest && e.Asc == 0x24)
            {
                // A profile allowed a 24-bit allocation the library refuses: fall back to the 16-bit cap.
                (maxAlloc, maxElements) = LearnSixteenBitAllocation(alloc, e.Sense.Describe());
                continue;
            }
            catch (ScsiCheckConditionException e) when (dvcid && volumeTag && e.Key == SenseKey.IllegalRequest && e.Asc == 0x24)
            {
                // "Some changers cannot get voltag + dvcid at the same time" (PBS 6c053ffc).
                Learn(_quirks with { DeviceId = DeviceIdSupport.WithoutVolumeTag },
                    $"the library rejected drive identifiers together with barcodes ({e.Sense.Describe()}); asking for them separately");
                continue;
            }
            catch (ScsiDecodeException e) when (alloc > Alloc16)
            {
                (maxAlloc, maxElements) = LearnSixteenBitAllocation(alloc, e.Message);
                continue;
            }
            // The descriptors asked for go straight into the result (a plain loop: Where/ToList/Max over the reply cost
            // 0.7 million instructions for 2,000 slots, callgrind); a reply the branches below read again adds none.
            int before = result.Count, last = -1;
            var received = report.Elements;
            for (int i = 0; i < received.Count; i++)
            {
                var d = received[i];
                if (d.Type != type || d.Address < next || d.Address >= end) continue;
                result.Add(d);
                if (d.Address > last) last = d.Address;
            }
            int wanted = result.Count - before;
            if (report.Elements.Count == 0 && declaredAlloc is null && report.DeclaredByteCount > report.BytesReceived
                && Math.Min(maxAlloc, 8 + report.DeclaredByteCount + 8) > alloc)
            {
                // No whole descriptor came back although the device declared more (BYTE COUNT OF REPORT AVAILABLE, SMC-3
                // §6.11.2): a device that ignores NUMBER OF ELEMENTS (tgt) answers a one-element read with every element
                // after it, and through Linux sg an iSCSI residual overflow is reported as data not received, so the
                // reply looks cut before its first descriptor (docs/reference/tgt.md §4). Ask once more with the
                // allocation the device named.
                declaredAlloc = Math.Min(maxAlloc, 8 + report.DeclaredByteCount + 8);
                continue;
            }
            declaredAlloc = null;
            if (wanted == 0 && alloc > Alloc16)
            {
                // No element from a read above 64 KiB: a library that takes only the low 16 bits of the allocation
                // (docs/reference/library-behaviour.md §9) may have sent less than one descriptor. Read again within 16 bits.
                (maxAlloc, maxElements) = LearnSixteenBitAllocation(alloc, "no element in the reply");
                continue;
            }
            if (wanted == 0) break;             // nothing more at or after 'next'
            // Continue after the last element received: a short allocation or a cut reply leaves the rest for the next read.
            next = last + 1;
        }
        return LastPerAddressInOrder(result);
    }

    /// <summary>
    /// One descriptor per address (the last read wins), in address order. Chunks arrive in ascending, non-overlapping
    /// order almost always, and then the list is already that: it is checked in one pass instead of grouped and sorted.
    /// </summary>
    internal static List<ElementDescriptor> LastPerAddressInOrder(List<ElementDescriptor> read)
    {
        for (int i = 1; i < read.Count; i++)
        {
            if (read[i].Address <= read[i - 1].Address) return read.GroupBy(d => d.Address).Select(g => g.Last()).OrderBy(d => d.Address).ToList();
        }
        return read;
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

    /// <summary>The largest allocation every changer takes: some read only the low two bytes of the three-byte field.</summary>
    private const int Alloc16 = 0xFFFF;

    private (int MaxAlloc, int MaxElements) LearnSixteenBitAllocation(int alloc, string what)
    {
        Learn(_quirks with { MaxAllocation = Alloc16 },
            $"a READ ELEMENT STATUS with an allocation length of {alloc} failed ({what}); reading at most {Alloc16} bytes per command");
        return Limits();
    }

    /// <summary>The allocation and element limits: the quirks', within the transport's per-command maximum (e.g. sg max_sectors_bytes).</summary>
    private (int MaxAlloc, int MaxElements) Limits()
    {
        int maxAlloc = Math.Clamp(Math.Min(_channel.Transport.MaxTransferLength, _quirks.MaxAllocation), 8 + 8 + DescriptorBudget + 8, SmcCommands.MaxAllocationLength);
        int maxElements = Math.Clamp((maxAlloc - 8 - 8 - 8) / DescriptorBudget, 1, Math.Max(1, _quirks.MaxElementsPerRead));
        return (maxAlloc, maxElements);
    }

    /// <summary>Status of one element (a targeted read, used to verify moves), or null if the library did not report it.</summary>
    public async ValueTask<ElementDescriptor?> ReadElementAsync(ElementType type, ushort address, CancellationToken ct = default) =>
        (await ReadElementStatusAsync(type, address, 1, ct).ConfigureAwait(false)).FirstOrDefault(d => d.Address == address);
}
