using TapeChanger.Scsi;
using TapeChanger.Scsi.Decoding;
using TapeChanger.Scsi.Sense;
using TapeChanger.Transport;

namespace TapeChanger.Domain;

// Moves: each checks both ends with a targeted read (or the caller's reads of them in this session, when nothing moved
// since), moves (ejecting the drive first or after 05/53/03 where needed), then re-reads the destination to verify. load, unload, transfer, exchange, position and the magazine eject are built on it.
public sealed partial class MediaChanger
{
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
        _moves++;
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
    public ValueTask<MoveResult> MoveAsync(ushort source, ushort destination, string? operation = null, CancellationToken ct = default, MoveOptions? options = null) =>
        MoveAsync(source, destination, null, null, operation, options, ct);

    /// <summary>
    /// Moves between two elements the caller has just read in this session (<see cref="ReadElementAsync"/>): those
    /// reads are the move's check (the same exception, empty-source and full-destination checks), so the library is
    /// not asked again. An element that is not this session's latest read of its address, or read before a move or a
    /// unit attention since, is read again as in the plain move. The move is verified the same way.
    /// </summary>
    public ValueTask<MoveResult> MoveAsync(Element source, Element destination, string? operation = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        return MoveAsync(source.Address, destination.Address, source, destination, operation, null, ct);
    }

    private async ValueTask<MoveResult> MoveAsync(ushort source, ushort destination, Element? sourceRead, Element? destinationRead, string? operation, MoveOptions? options, CancellationToken ct)
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

        var before = sourceRead is not null && StillCurrent(sourceRead) ? sourceRead : await ReadElementAsync(source, ct).ConfigureAwait(false);
        ThrowIfException(before, map, operation);
        if (!before.Full) throw new ChangerOperationException(ChangerError.SourceEmpty, $"{operation} failed: {map.Describe(source)} is empty");
        var target = destinationRead is not null && StillCurrent(destinationRead) ? destinationRead : await ReadElementAsync(destination, ct).ConfigureAwait(false);
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
        _moves++;       // from here on, earlier reads no longer stand for the library's state (even when the move fails)
        try
        {
            await Run(operation, () => MoveMediumAsync(map.DefaultTransport, source, destination, options, ct)).ConfigureAwait(false);
        }
        catch (ChangerOperationException e) when (drive is int held && !ejected && _settings.Drives is not null
            && e.InnerException is ScsiCheckConditionException s && SenseClassifier.RuleOf(s).Action == SenseAction.UnloadDriveAndRetry)
        {
            // The sense table's UnloadDriveAndRetry row (05/53/03 MEDIUM REMOVAL PREVENTED BY DATA TRANSFER ELEMENT, or a
            // profile's row): the drive still holds the cartridge. Eject it once and retry.
            if (!await EjectAsync(held, ct).ConfigureAwait(false)) throw;
            await Run(operation, () => MoveMediumAsync(map.DefaultTransport, source, destination, options, ct)).ConfigureAwait(false);
        }

        // Verify with a targeted read of the destination (pbs-tape re-reads after every move): full where it was empty
        // before is the cartridge arriving. Only when it is not is the source read too, to say where the cartridge is.
        var after = await ReadElementAsync(destination, ct).ConfigureAwait(false);
        if (!after.Full)
        {
            var sourceAfter = await ReadElementAsync(source, ct).ConfigureAwait(false);
            throw new ChangerOperationException(ChangerError.MoveNotVerified,
                $"{operation}: the library accepted the move but reports {map.Describe(source)} {(sourceAfter.Full ? "full" : "empty")} and {map.Describe(destination)} {(after.Full ? "full" : "empty")}; run 'inventory' and check the library");
        }
        return new MoveResult(source, destination, before.Barcode, after);
    }

    private ValueTask MoveMediumAsync(ushort transport, ushort source, ushort destination, MoveOptions? options, CancellationToken ct) =>
        options is { } o ? _client.MoveMediumAsync(transport, source, destination, o.Invert, o.ControlHighBits, ct)
            : _client.MoveMediumAsync(transport, source, destination, ct);

    /// <summary>Ejects the changer's own magazine or tray (1Bh with LOEJ, sent to the changer; what "mtx eject" does).</summary>
    public ValueTask EjectMagazineAsync(CancellationToken ct = default)
    {
        _moves++;
        return Run("eject", () => _client.EjectMagazineAsync(ct));
    }

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
            $"{operation} failed: {map.Describe(e.Address)} reports an exception: {rule.Meaning} [{e.Asc:X2}/{e.Ascq:X2}: {e.ExceptionMeaning}]");
    }
}

/// <summary>MOVE MEDIUM options beyond source and destination: INVERT, and the CONTROL byte's vendor bits 7-6.</summary>
public sealed record MoveOptions(bool Invert, byte ControlHighBits);

/// <summary>What a move did, with the destination's verified state.</summary>
public sealed record MoveResult(ushort Source, ushort Destination, string? Barcode, Element DestinationAfter);
