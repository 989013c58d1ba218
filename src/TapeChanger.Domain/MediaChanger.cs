using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

/// <summary>Settings for the domain layer.</summary>
public sealed record ChangerSettings
{
    /// <summary>How cleaners are recognised (label prefix, medium type 2); a profile's comes from <see cref="CleanerRecognition.For"/>.</summary>
    public CleanerRecognition Cleaners { get; init; } = CleanerRecognition.Default;

    /// <summary>Barcode prefix that marks a cleaning cartridge (shorthand for <see cref="Cleaners"/> with medium type 2 trusted).</summary>
    public string CleanerPrefix
    {
        get => Cleaners.Prefix;
        init => Cleaners = Cleaners with { Prefix = value };
    }

    /// <summary>
    /// Element addresses reserved for other purposes (the RSM cleaner slot). Data operations never move to or from
    /// them and never choose them as a free slot.
    /// </summary>
    public IReadOnlySet<ushort> ReservedAddresses { get; init; } = new HashSet<ushort>();

    /// <summary>
    /// The drives next to the library this session can reach (a drive locator for the changer's transport). Used to
    /// unload a drive (SSC LOAD UNLOAD) before a MOVE out of it when the profile says so, and once after 05/53/03;
    /// and by the cleaner to watch a drive clean. Null: drives are not reachable from here.
    /// </summary>
    public DriveAccess? Drives { get; init; }
}

/// <summary>
/// Typed changer operations over an <see cref="SmcClient"/>. Each operation checks its preconditions with a
/// targeted READ ELEMENT STATUS of just the elements involved, moves, then re-reads those elements to verify.
/// </summary>
public sealed class MediaChanger : IAsyncDisposable
{
    private readonly SmcClient _client;
    private readonly ChangerSettings _settings;
    private ElementMap? _map;
    private readonly List<string> _warnings = [];
    private int _mapChanges;

    public MediaChanger(SmcClient client, ChangerSettings? settings = null, ElementMap? knownMap = null)
    {
        _client = client;
        _settings = settings ?? new ChangerSettings();
        _map = knownMap;
    }

    /// <summary>The SCSI client underneath (the domain's own; tests read its command count and quirks).</summary>
    internal SmcClient Client => _client;

    /// <summary>The knobs in force for this library: its profile's, changed by what this session learned.</summary>
    public ChangerQuirks Quirks => _client.Quirks;

    /// <summary>What this session learned that the profile did not say, one operator-language line each.</summary>
    public IReadOnlyList<string> Learned => _client.Learned;

    /// <summary>The device this changer was opened on.</summary>
    public string Device => _client.Device;

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

    /// <summary><paramref name="count"/> elements of one type from <paramref name="first"/> (READ ELEMENT STATUS of the range).</summary>
    public async ValueTask<IReadOnlyList<Element>> ReadElementsAsync(ElementType type, ushort first, int count, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        var all = await Run("read element status", () => _client.ReadElementStatusAsync(type, first, count, ct)).ConfigureAwait(false);
        return all.Select(d => Element.From(d, map, _settings.Cleaners)).ToList();
    }

    /// <summary>The sense policy row for an element's Except ASC/ASCQ (no sense key), profile rows first.</summary>
    public SenseRule ElementRule(Element e) => SensePolicy.Lookup(null, e.Asc, e.Ascq, null, _client.Quirks.SenseRules);

    /// <summary>Things the operator should know that did not stop the operation (profile defaults used, quirks learned).</summary>
    public IReadOnlyList<string> Warnings => [.. _warnings, .. _client.Learned];

    /// <summary>
    /// Element map from page 1Dh, read once per session (or given by the caller from a cache). When the page
    /// cannot be read and the profile has default addresses, those are used (mtx falls back to its compiled-in
    /// defaults the same way; docs/reference/library-behaviour.md §1) and a warning says so.
    /// </summary>
    public async ValueTask<ElementMap> GetMapAsync(CancellationToken ct = default)
    {
        if (_client.MapChangesSeen != _mapChanges) _map = null;      // UA 28/xx, 29/xx, 2A/01, 3F/xx since the map was read (SensePolicy)
        if (_map is not null) return _map;
        try
        {
            _map = ElementMap.From(await Run("read the element address map", () => _client.ElementAddressAssignmentAsync(ct)).ConfigureAwait(false));
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

    public async ValueTask<LibraryIdentity> GetIdentityAsync(bool withSerial, CancellationToken ct = default)
    {
        var inq = await Run("INQUIRY", () => _client.InquiryAsync(ct)).ConfigureAwait(false);
        string? serial = withSerial ? await Run("read the serial number", () => _client.UnitSerialNumberAsync(ct)).ConfigureAwait(false) : null;
        return new LibraryIdentity(inq.Vendor, inq.Product, inq.Revision, serial ?? inq.VendorSpecific, inq.PeripheralDeviceType);
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
        var descriptors = await Run("read element status", () => _client.ReadAllElementStatusAsync(ranges, ct)).ConfigureAwait(false);
        var elements = descriptors.Select(d => Element.From(d, map, _settings.Cleaners)).ToList();
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
        var d = await Run("read element status", () => _client.ReadElementAsync(type, address, ct)).ConfigureAwait(false)
            ?? throw new ChangerOperationException(ChangerError.InvalidElement, $"the library did not report {map.Describe(address)}");
        return Element.From(d, map, _settings.Cleaners);
    }

    /// <summary>mtx load: slot → drive.</summary>
    public async ValueTask<MoveResult> LoadAsync(int slot, int drive, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        return await MoveAsync(map.SlotAddress(slot), map.DriveAddress(drive), $"load slot {slot} into drive {drive}", ct).ConfigureAwait(false);
    }

    /// <summary>mtx unload: drive → given slot, or back to the slot it came from.</summary>
    public async ValueTask<MoveResult> UnloadAsync(int? slot, int drive, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        ushort driveAddress = map.DriveAddress(drive);
        ushort destination;
        if (slot is int s)
        {
            destination = map.SlotAddress(s);
        }
        else
        {
            var d = await ReadElementAsync(driveAddress, ct).ConfigureAwait(false);
            if (!d.Full) throw new ChangerOperationException(ChangerError.SourceEmpty, $"unload drive {drive} failed: drive {drive} is empty");
            if (d.Source is not ushort home || map.SlotNumber(home) is null)
            {
                throw new ChangerOperationException(ChangerError.SourceUnknown,
                    $"unload drive {drive} failed: the library does not report which slot the cartridge came from; give a slot: unload SLOT {drive}");
            }
            destination = home;
        }
        return await MoveAsync(driveAddress, destination, $"unload drive {drive} to slot {map.SlotNumber(destination)}", ct).ConfigureAwait(false);
    }

    /// <summary>mtx transfer: slot → slot.</summary>
    public async ValueTask<MoveResult> TransferAsync(int fromSlot, int toSlot, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        return await MoveAsync(map.SlotAddress(fromSlot), map.SlotAddress(toSlot), $"transfer slot {fromSlot} to slot {toSlot}", ct).ConfigureAwait(false);
    }

    /// <summary>export: storage slot → first free import/export element (or the given one).</summary>
    public async ValueTask<MoveResult> ExportAsync(int slot, ushort? ieElement, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        ushort source = map.SlotAddress(slot);
        if (map.ImportExport.Count == 0) throw new ChangerOperationException(ChangerError.NotSupported, "export failed: this library reports no import/export elements (mail slots)");
        ushort destination = ieElement ?? await FirstFreeAsync(map.ImportExport, "export failed: every import/export slot is full; empty the mail slot first", ct).ConfigureAwait(false);
        if (!map.ImportExport.Contains(destination)) throw new ChangerOperationException(ChangerError.InvalidElement, $"export failed: element {destination} is not an import/export element");
        return await MoveAsync(source, destination, $"export slot {slot}", ct).ConfigureAwait(false);
    }

    /// <summary>import: a full import/export element (or the given one) → the given slot or the first free storage slot.</summary>
    public async ValueTask<MoveResult> ImportAsync(int? slot, ushort? ieElement, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        if (map.ImportExport.Count == 0) throw new ChangerOperationException(ChangerError.NotSupported, "import failed: this library reports no import/export elements (mail slots)");
        ushort source;
        if (ieElement is ushort ie)
        {
            if (!map.ImportExport.Contains(ie)) throw new ChangerOperationException(ChangerError.InvalidElement, $"import failed: element {ie} is not an import/export element");
            source = ie;
        }
        else
        {
            var ies = await Run("read element status", () => _client.ReadElementStatusAsync(ElementType.ImportExport, map.ImportExport.First, map.ImportExport.Count, ct)).ConfigureAwait(false);
            // Prefer cartridges the operator placed (ImpExp=1) over ones the robot exported.
            var full = ies.Where(e => e.Full).OrderByDescending(e => e.ImpExp).ThenBy(e => e.Address).FirstOrDefault()
                ?? throw new ChangerOperationException(ChangerError.SourceEmpty, "import failed: no cartridge in any import/export slot");
            source = full.Address;
        }
        ushort destination = slot is int s ? map.SlotAddress(s)
            : await FirstFreeAsync(map.Storage, "import failed: no free storage slot", ct).ConfigureAwait(false);
        return await MoveAsync(source, destination, $"import from {map.Describe(source)}", ct).ConfigureAwait(false);
    }

    /// <summary>EXCHANGE MEDIUM: slot1 → slot2 and slot2's cartridge → slot3 (or slot1 when omitted).</summary>
    public async ValueTask ExchangeAsync(int slot1, int slot2, int? slot3, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        ushort a = map.SlotAddress(slot1), b = map.SlotAddress(slot2), c = slot3 is int s3 ? map.SlotAddress(s3) : a;
        var caps = await Run("read device capabilities", () => _client.DeviceCapabilitiesAsync(ct)).ConfigureAwait(false);
        if (caps is not null && !caps.SupportsExchange)
        {
            throw new ChangerOperationException(ChangerError.NotSupported,
                "exchange failed: this library does not support EXCHANGE MEDIUM (device capabilities page 1Fh); use two transfers instead");
        }
        await Run("exchange", () => _client.ExchangeMediumAsync(map.DefaultTransport, a, b, c, ct)).ConfigureAwait(false);
    }

    /// <summary>POSITION TO ELEMENT: moves the picker in front of a slot.</summary>
    public async ValueTask PositionAsync(int slot, CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        ushort a = map.SlotAddress(slot);
        await Run("position", () => _client.PositionToElementAsync(map.DefaultTransport, a, ct)).ConfigureAwait(false);
    }

    /// <summary>Moves between raw element addresses, checking both ends first and verifying afterwards.</summary>
    public async ValueTask<MoveResult> MoveAsync(ushort source, ushort destination, string? operation = null, CancellationToken ct = default, MoveOptions? options = null)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        operation ??= $"move element {source} to element {destination}";
        if (map.TypeOf(source) is null) throw new ChangerOperationException(ChangerError.InvalidElement, $"{operation} failed: element {source} is not in this library");
        if (map.TypeOf(destination) is null) throw new ChangerOperationException(ChangerError.InvalidElement, $"{operation} failed: element {destination} is not in this library");
        if (source == destination) throw new ChangerOperationException(ChangerError.InvalidElement, $"{operation} failed: source and destination are the same element");
        foreach (var a in new[] { source, destination })
        {
            if (_settings.ReservedAddresses.Contains(a))
            {
                throw new ChangerOperationException(ChangerError.Reserved,
                    $"{operation} failed: {map.Describe(a)} is the reserved cleaner slot; use the 'cleaner' commands for it");
            }
        }

        var before = await ReadElementAsync(source, ct).ConfigureAwait(false);
        ThrowIfException(before, map, operation);
        if (!before.Full) throw new ChangerOperationException(ChangerError.SourceEmpty, $"{operation} failed: {map.Describe(source)} is empty");
        var target = await ReadElementAsync(destination, ct).ConfigureAwait(false);
        ThrowIfException(target, map, operation);
        if (target.Full)
        {
            throw new ChangerOperationException(ChangerError.DestinationFull,
                $"{operation} failed: {map.Describe(destination)} is full{(target.Barcode is { } bc ? $" ({bc})" : "")}");
        }

        int? drive = map.Drives.Contains(source) ? map.Drives.Addresses.ToList().IndexOf(source) : null;
        bool ejected = false;
        if (drive is int dn && _client.Quirks.EjectBeforeUnload && _settings.Drives is not null)
        {
            // The drive must eject before the robot can take the cartridge (mtx 1.3.12 mtx.1, BUGS: 'mt offline' may be
            // needed before 'mtx unload' on the Exabyte EZ-17).
            ejected = await EjectAsync(dn, ct).ConfigureAwait(false);
            if (!ejected) _warnings.Add($"this library wants drive {dn} ejected before the robot takes the cartridge, but the drive cannot be reached from here; trying the move anyway");
        }
        if (map.ImportExport.Contains(destination) && _client.Quirks.PreventLocksMailSlot)
        {
            // PREVENT locks the mail slot here (and MVPRV refuses the move): allow removal so the operator can take it.
            await Run("unlock the import/export port", () => _client.PreventAllowMediumRemovalAsync(false, ct)).ConfigureAwait(false);
        }
        try
        {
            await Run(operation, () => MoveMediumAsync(map.DefaultTransport, source, destination, options, ct)).ConfigureAwait(false);
        }
        catch (ChangerOperationException e) when (drive is int held && !ejected && _settings.Drives is not null
            && e.Sense is { Asc: 0x53, Ascq: 0x03 })
        {
            // 05/53/03 MEDIUM REMOVAL PREVENTED BY DATA TRANSFER ELEMENT (SMC-3 §6.6 MOVE MEDIUM): the drive still holds the
            // cartridge. Eject it once and retry.
            if (!await EjectAsync(held, ct).ConfigureAwait(false)) throw;
            await Run(operation, () => MoveMediumAsync(map.DefaultTransport, source, destination, options, ct)).ConfigureAwait(false);
        }

        // Verify with a targeted read of just the two elements (pbs-tape re-reads after every move).
        var after = await ReadElementAsync(destination, ct).ConfigureAwait(false);
        var sourceAfter = await ReadElementAsync(source, ct).ConfigureAwait(false);
        if (!after.Full || sourceAfter.Full)
        {
            throw new ChangerOperationException(ChangerError.MoveNotVerified,
                $"{operation}: the library accepted the move but reports {map.Describe(source)} {(sourceAfter.Full ? "full" : "empty")} and {map.Describe(destination)} {(after.Full ? "full" : "empty")}; run 'inventory' and check the library");
        }
        return new MoveResult(source, destination, before.Barcode, after);
    }

    private ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, MoveOptions? options, CancellationToken ct) =>
        options is { } o ? _client.MoveMediumAsync(transport, source, destination, o.Invert, o.ControlHighBits, ct)
            : _client.MoveMediumAsync(transport, source, destination, ct);

    /// <summary>Ejects the changer's own magazine or tray (1Bh with LOEJ, sent to the changer; what "mtx eject" does).</summary>
    public ValueTask EjectMagazineAsync(CancellationToken ct = default) =>
        Run("eject", () => _client.EjectMagazineAsync(ct));

    /// <summary>Unloads drive <paramref name="drive"/> through its locator; false when the drive cannot be reached from here.</summary>
    private async ValueTask<bool> EjectAsync(int drive, CancellationToken ct)
    {
        await using var tape = await OpenDriveAsync(drive, ct).ConfigureAwait(false);
        if (tape is null) return false;
        await tape.UnloadAsync(ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Every drive element paired with the drive this host can reach for it (empty pairs when none can be reached).
    /// The drives are read together, not one by one: a reply's last descriptor may arrive cut short (tgt's READ
    /// ELEMENT STATUS replies run 8 bytes short, tgt usr/smc.c), and with all drives in one read only the last one's
    /// identifier suffers, which the pairing's prefix pass still matches.
    /// </summary>
    public async ValueTask<IReadOnlyList<DrivePair>> PairDrivesAsync(CancellationToken ct = default)
    {
        var map = await GetMapAsync(ct).ConfigureAwait(false);
        var all = await Run("read element status", () => _client.ReadElementStatusAsync(ElementType.DataTransfer, map.Drives.First, map.Drives.Count, ct)).ConfigureAwait(false);
        var identities = all.Select(DriveElementIdentity.From).ToList();
        return _settings.Drives is { } drives
            ? await drives.PairAsync(identities, ct).ConfigureAwait(false)
            : DrivePairing.Pair(identities, Transport.DriveCandidates.None);
    }

    /// <summary>
    /// Opens drive <paramref name="drive"/> (0-based) as a <see cref="TapeDrive"/>: found by the session's drive locator
    /// and paired with its element. Null when drives are not reachable from here or none matched the element.
    /// </summary>
    public async ValueTask<TapeDrive?> OpenDriveAsync(int drive, CancellationToken ct = default)
    {
        if (_settings.Drives is not { CanReachDrives: true } drives) return null;
        var pairs = await PairDrivesAsync(ct).ConfigureAwait(false);
        return await drives.OpenAsync(drive, pairs, ct).ConfigureAwait(false);
    }

    /// <summary>INITIALIZE ELEMENT STATUS, for all elements or a range.</summary>
    public async ValueTask InventoryAsync(ushort? first, ushort? count, CancellationToken ct = default)
    {
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

    /// <summary>Locks or unlocks the import/export port and doors (PREVENT ALLOW MEDIUM REMOVAL).</summary>
    public ValueTask LockImportExportAsync(bool locked, CancellationToken ct = default) =>
        Run(locked ? "lock the import/export port" : "unlock the import/export port", () => _client.PreventAllowMediumRemovalAsync(locked, ct));

    /// <summary>
    /// An element with EXCEPT set (magazine out, element disabled...) cannot take part in a move; the sense policy
    /// (key null) decides. Informational ASCs (30/03 cleaning cartridge present) and a spent cleaner (5A/01) do not
    /// block a move: the cleaner must still be ejectable (docs/reference/library-behaviour.md §14).
    /// </summary>
    private void ThrowIfException(Element e, ElementMap map, string operation)
    {
        if (!e.Except) return;
        var rule = ElementRule(e);
        if (rule.Action is SenseAction.Proceed or SenseAction.MarkCleanerSpent or SenseAction.MarkDriveNeedsCleaning) return;
        throw new ChangerOperationException(SenseClassifier.ErrorFor(rule.Failure),
            $"{operation} failed: {map.Describe(e.Address)} reports an exception: {rule.Meaning} [{e.Asc:X2}/{e.Ascq:X2}: {TapeChanger.Scsi.Sense.AscAscqTable.Describe(e.Asc, e.Ascq)}]");
    }

    private async ValueTask<ushort> FirstFreeAsync(ElementRange range, string whenNone, CancellationToken ct)
    {
        var all = await Run("read element status", () => _client.ReadElementStatusAsync(range.Type, range.First, range.Count, ct)).ConfigureAwait(false);
        var free = all.FirstOrDefault(e => !e.Full && !e.Except && !_settings.ReservedAddresses.Contains(e.Address)) ?? throw new ChangerOperationException(ChangerError.NoFreeElement, whenNone);
        return free.Address;
    }

    private async ValueTask Run(string operation, Func<ValueTask> action)
    {
        try { await action().ConfigureAwait(false); }
        catch (ScsiCheckConditionException e) { throw SenseClassifier.Classify(e, operation); }
    }

    private async ValueTask<T> Run<T>(string operation, Func<ValueTask<T>> action)
    {
        try { return await action().ConfigureAwait(false); }
        catch (ScsiCheckConditionException e) { throw SenseClassifier.Classify(e, operation); }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}

/// <summary>MOVE MEDIUM options beyond source and destination: INVERT, and the CONTROL byte's vendor bits 7-6.</summary>
public sealed record MoveOptions(bool Invert, byte ControlHighBits);

/// <summary>What a move did, with the destination's verified state.</summary>
public sealed record MoveResult(ushort Source, ushort Destination, string? Barcode, Element DestinationAfter);
