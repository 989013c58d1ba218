using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

// The element map (page 1Dh, or the profile's defaults), element reads (all, a range, one), the policy row for an
// element's exception, and INITIALIZE ELEMENT STATUS.
public sealed partial class MediaChanger
{
    /// <summary><paramref name="count"/> elements of one type from <paramref name="first"/> (READ ELEMENT STATUS of the range).</summary>
    public async ValueTask<IReadOnlyList<Element>> ReadElementsAsync(ElementType type, ushort first, int count, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        var all = await Run("read element status", () => _client.ReadElementStatusAsync(type, first, count, ct)).ConfigureAwait(false);
        return all.Select(d => Element.From(d, map, _settings.Cleaners)).ToList();
    }

    /// <summary>The sense policy row for an element's Except ASC/ASCQ (no sense key), profile rows first.</summary>
    public SenseRule ElementRule(Element e) => SensePolicy.Lookup(null, e.Asc, e.Ascq, null, _client.Quirks.SenseRules);

    /// <summary>
    /// Element map from page 1Dh, read once per session (or given by the caller from a cache). When the page
    /// cannot be read and the profile has default addresses, those are used (mtx falls back to its compiled-in
    /// defaults the same way; docs/reference/library-behaviour.md §1) and a warning says so.
    /// </summary>
    public async ValueTask<ElementMap> GetMapAsync(CancellationToken ct = default)
    {
        if (_mapKept)
        {
            // A kept map survives the reset every new session reports (29h); the replies check it (ReadAllAsync).
            if (Kept() is not null) return _map!;
            _map = null;
        }
        if (_client.MapChangesSeen != _mapChanges) _map = null;      // UA 28/xx, 29/xx, 2A/01, 3F/xx since the map was read (SensePolicy)
        if (_map is not null) return _map;
        if (Kept() is { } kept)
        {
            _map = ElementMap.From(kept.Map);
            _mapKept = true;
            return _map;
        }
        try
        {
            var assignment = await Run("read the element address map", () => _client.ElementAddressAssignmentAsync(ct)).ConfigureAwait(false);
            _map = ElementMap.From(assignment);
            _readAssignment = assignment;
            Keep();
        }
        catch (Exception e) when (_client.Quirks.DefaultAddresses is { } defaults
            // Only when the page itself is the problem (rejected or garbled), not for transient conditions the policy gave up on.
            && (e is ScsiDecodeException || (e is ChangerOperationException { Sense.Key: SenseKey.IllegalRequest })))
        {
            _warnings.Add($"could not read the element address map ({e.Message}); using the profile's default addresses");
            _map = ElementMap.From(defaults);
        }
        _mapChanges = _client.MapChangesSeen;
        return _map;
    }

    /// <summary>Reads every element, one element type per command.</summary>
    public async ValueTask<LibraryStatus> GetStatusAsync(CancellationToken ct = default)
    {
        var identity = await GetIdentityAsync(withSerial: false, ct).ConfigureAwait(false);
        if (identity.DeviceType != 0x08)
        {
            throw new ChangerOperationException(ChangerError.NotSupported,
                $"{_client.Device} is a {PeripheralName(identity.DeviceType)} ({identity.Vendor} {identity.Product}, peripheral type {identity.DeviceType:X2}h), not a medium changer (08h); 'tapechanger list' shows the changers");
        }
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        var ranges = map.Ranges.Select(r => (r.Type, r.First, (int)r.Count)).ToList();
        bool kept = _mapKept;
        IReadOnlyList<ElementDescriptor> descriptors;
        try
        {
            descriptors = await Run("read element status", () => _client.ReadAllElementStatusAsync(ranges, ct)).ConfigureAwait(false);
        }
        catch (ChangerOperationException e) when (kept && e.Sense?.Key == SenseKey.IllegalRequest)
        {
            // The kept map names addresses the library refuses (05/21/01, 05/24/00): forget it and read it again.
            Forget();
            return await GetStatusAsync(ct).ConfigureAwait(false);
        }
        if (kept && (Kept() is null || !Matches(map, descriptors)))
        {
            // Other counts or first addresses than the kept map, or a 2Ah/3Fh unit attention while reading: read it again.
            Forget();
            return await GetStatusAsync(ct).ConfigureAwait(false);
        }
        // A plain loop into a list of the right size: ToList over a Select enumerates through interface calls (2,081
        // elements: 1 million instructions more, callgrind).
        var elements = new List<Element>(descriptors.Count);
        var cleaners = _settings.Cleaners;
        for (int i = 0; i < descriptors.Count; i++) elements.Add(Element.From(descriptors[i], map, cleaners));
        return new LibraryStatus(identity, map, elements);
    }

    private static string PeripheralName(byte type) => type switch
    {
        0x00 => "disk",
        0x01 => "tape drive",
        0x05 => "CD/DVD drive",
        0x0C => "storage array controller",
        _ => "non-changer device",
    };

    /// <summary>Reads one element (targeted READ ELEMENT STATUS).</summary>
    public async ValueTask<Element> ReadElementAsync(ushort address, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        var type = map.TypeOf(address) ?? throw new ChangerOperationException(ChangerError.InvalidElement, $"element address {address} is not in this library's element map");
        bool kept = _mapKept;
        ElementDescriptor? d;
        try
        {
            d = await Run("read element status", () => _client.ReadElementAsync(type, address, ct)).ConfigureAwait(false);
        }
        catch (ChangerOperationException e) when (kept && e.Sense?.Key == SenseKey.IllegalRequest)
        {
            Forget();
            return await ReadElementAsync(address, ct).ConfigureAwait(false);
        }
        if (kept && (Kept() is null || d is null || d.Type != type || d.Address != address))
        {
            // The kept map named an element the library does not report as such: forget it and read it again.
            Forget();
            return await ReadElementAsync(address, ct).ConfigureAwait(false);
        }
        if (d is null) throw new ChangerOperationException(ChangerError.InvalidElement, $"the library did not report {map.Describe(address)}");
        var element = Element.From(d, map, _settings.Cleaners);
        _lastRead[address] = (element, _moves, _client.MapChangesSeen);
        return element;
    }

    // Each address's latest targeted read in this session, with the move count and unit-attention count at the time:
    // a move given an element read since the last move (MoveAsync(Element, Element...)) checks that reading instead of
    // asking again.
    private readonly Dictionary<ushort, (Element Element, int Moves, int MapChanges)> _lastRead = [];
    private int _moves;

    /// <summary>True when <paramref name="e"/> is this session's latest read of its address and nothing moved or changed since.</summary>
    private bool StillCurrent(Element e) =>
        _lastRead.TryGetValue(e.Address, out var r) && ReferenceEquals(r.Element, e) && r.Moves == _moves && r.MapChanges == _client.MapChangesSeen;

    /// <summary>INITIALIZE ELEMENT STATUS, for all elements or a range.</summary>
    public async ValueTask InventoryAsync(ushort? first, ushort? count, CancellationToken ct = default)
    {
        // An inventory is what an operator runs after changing the library: ask it everything again next time.
        if (Kept() is not null) Forget();
        _moves++;       // earlier element reads no longer stand
        if (first is ushort f && count is ushort c)
        {
            var map = await GetMapAsync(ct).ConfigureAwait(false);
            if (map.TypeOf(f) is null) throw new ChangerOperationException(ChangerError.InvalidElement, $"inventory failed: element {f} is not in this library");
            await Run("inventory", () => _client.InitializeElementStatusWithRangeAsync(f, c, ct)).ConfigureAwait(false);
        }
        else
        {
            await Run("inventory", () => _client.InitializeElementStatusAsync(ct)).ConfigureAwait(false);
        }
    }
}
