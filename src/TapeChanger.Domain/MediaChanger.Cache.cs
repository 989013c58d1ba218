using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

// The identity and element map kept between sessions (ChangerSettings.Cache): used instead of INQUIRY, VPD 80h and
// MODE SENSE 1Dh, checked against every READ ELEMENT STATUS reply, and forgotten when the library disagrees or reports
// a unit attention that changes its definition (2Ah, 3Fh).
public sealed partial class MediaChanger
{
    private CachedLibrary? _kept;
    private bool _keptLoaded;
    private bool _mapKept;
    private int _definitionChanges;
    private (StandardInquiry Inquiry, string? Serial)? _asked;
    private ElementAddressAssignment? _readAssignment;

    /// <summary>The kept entry while it still holds (no 2Ah/3Fh unit attention since it was loaded), else null.</summary>
    private CachedLibrary? Kept()
    {
        if (_settings.Cache is not { } cache) return null;
        if (!_keptLoaded)
        {
            _keptLoaded = true;
            _kept = cache.Load();
            _definitionChanges = _client.DefinitionChangesSeen;
        }
        if (_kept is not null && _client.DefinitionChangesSeen != _definitionChanges) Forget();
        return _kept;
    }

    /// <summary>Drops the kept entry here and in the store; the session asks the library from now on.</summary>
    private void Forget()
    {
        _kept = null;
        _keptLoaded = true;
        if (_mapKept)
        {
            _map = null;
            _mapKept = false;
        }
        _settings.Cache?.Forget();
    }

    /// <summary>Stores what this session asked the library (identity and page 1Dh) when the store lacks it.</summary>
    private void Keep()
    {
        if (_settings.Cache is not { } cache || _asked is not { } asked) return;
        var map = _readAssignment ?? (_mapKept ? _kept?.Map : null);
        if (map is null) return;
        var inq = asked.Inquiry;
        var entry = new CachedLibrary(inq.Vendor, inq.Product, inq.Revision, inq.VendorSpecific, inq.PeripheralDeviceType, asked.Serial ?? _kept?.SerialNumber, map);
        if (entry == _kept) return;
        cache.Save(entry);
        _kept = entry;
        _keptLoaded = true;
        _definitionChanges = _client.DefinitionChangesSeen;
    }

    /// <summary>Each element type's reply has the kept count of elements, starting at the kept first address.</summary>
    private static bool Matches(ElementMap map, IReadOnlyList<ElementDescriptor> descriptors)
    {
        // One pass over the reply, counted per element type (1 to 4, SMC-3 §6.11.2 table 49): a large library's
        // status no longer walks its descriptors once per range through the list's boxed enumerator.
        Span<int> count = stackalloc int[5];
        Span<int> first = stackalloc int[5];
        for (int i = 0; i < descriptors.Count; i++)
        {
            var d = descriptors[i];
            int t = (int)d.Type;
            if ((uint)t >= 5) continue;         // not a type of the map: the per-range walk skipped it too
            if (count[t]++ == 0) first[t] = d.Address;
        }
        foreach (var range in map.Ranges)
        {
            int t = (int)range.Type;
            if (count[t] != range.Count || (count[t] > 0 && first[t] != range.First)) return false;
        }
        return true;
    }
}
