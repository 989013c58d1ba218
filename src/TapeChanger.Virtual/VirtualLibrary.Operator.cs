using TapeChanger.Scsi;
using TapeChanger.MhvtlConfig;

namespace TapeChanger.Virtual;

/// <summary>Operator actions, the equivalent of mhVTL's vtlcmd (docs/reference/mhvtl.md §9).</summary>
public sealed partial class VirtualLibrary
{
    /// <summary>vtlcmd "open map". Fails while the host holds PREVENT MEDIUM REMOVAL (like the HPE MSL3040).</summary>
    public void OpenImportExport()
    {
        lock (_gate)
        {
            if (_state.RemovalPrevented)
                throw new VirtualOperatorException("the import/export port is locked: the host has sent PREVENT MEDIUM REMOVAL; the host must allow removal before the port can be opened");
            _state.ImportExportOpen = true;
        }
    }

    /// <summary>vtlcmd "close map": the robot may access the IE elements again.</summary>
    public void CloseImportExport()
    {
        lock (_gate) _state.ImportExportOpen = false;
    }

    /// <summary>
    /// vtlcmd "load map BARCODE": puts a cartridge into the first empty IE element (or <paramref name="element"/>),
    /// with ImpExp=1. Returns the element address used.
    /// </summary>
    public ushort InsertIntoImportExport(string barcode, ushort? element = null)
    {
        lock (_gate)
        {
            if (!_state.ImportExportOpen) throw new VirtualOperatorException("the import/export port is closed; open it first");
            ValidateNewBarcode(barcode);
            ElementState target;
            if (element is ushort a)
            {
                target = IeElement(a);
                if (target.Barcode is not null) throw new VirtualOperatorException($"import/export element {a} already holds {target.Barcode}");
            }
            else
            {
                target = OfType(ElementType.ImportExport).FirstOrDefault(e => e.Barcode is null)
                    ?? throw new VirtualOperatorException("the import/export port is full");
            }
            target.Barcode = barcode;
            target.Home = 0;
            target.ImpExp = true;
            return target.Address;
        }
    }

    /// <summary>vtlcmd "empty map" (all elements) or one element: the cartridges leave the library. Returns their barcodes.</summary>
    public IReadOnlyList<string> RemoveFromImportExport(ushort? element = null)
    {
        lock (_gate)
        {
            if (!_state.ImportExportOpen) throw new VirtualOperatorException("the import/export port is closed; open it first");
            var removed = new List<string>();
            if (element is ushort a)
            {
                var e = IeElement(a);
                if (e.Barcode is null) throw new VirtualOperatorException($"import/export element {a} is empty");
                removed.Add(e.Barcode);
                e.Barcode = null;
                e.Home = 0;
            }
            else
            {
                foreach (var e in OfType(ElementType.ImportExport).Where(e => e.Barcode is not null))
                {
                    removed.Add(e.Barcode!);
                    e.Barcode = null;   // Full cleared only; ImpExp stays (docs/reference/mhvtl.md §7, `empty map`)
                    e.Home = 0;
                }
            }
            return removed;
        }
    }

    /// <summary>vtlcmd "list map": barcodes of the full IE elements.</summary>
    public IReadOnlyList<string> ListImportExport()
    {
        lock (_gate) return OfType(ElementType.ImportExport).Where(e => e.Barcode is not null).Select(e => e.Barcode!).ToList();
    }

    /// <summary>Opens the front door: robot commands now fail with 02/04/18.</summary>
    public void OpenDoor()
    {
        lock (_gate) _state.DoorOpen = true;
    }

    /// <summary>Closes the door; the next command gets 06/28/00.</summary>
    public void CloseDoor()
    {
        lock (_gate)
        {
            if (!_state.DoorOpen) return;
            _state.DoorOpen = false;
            _state.DoorClosedPending = true;
        }
    }

    /// <summary>Puts a cartridge straight into a storage slot (door must be open).</summary>
    public void InsertIntoSlot(ushort slotAddress, string barcode)
    {
        lock (_gate)
        {
            var e = SlotForHands(slotAddress);
            ValidateNewBarcode(barcode);
            if (e.Barcode is not null) throw new VirtualOperatorException($"slot {slotAddress} already holds {e.Barcode}");
            e.Barcode = barcode;
            e.Home = 0;
        }
    }

    /// <summary>Takes a cartridge out of a storage slot (door must be open). Returns its barcode.</summary>
    public string RemoveFromSlot(ushort slotAddress)
    {
        lock (_gate)
        {
            var e = SlotForHands(slotAddress);
            string bc = e.Barcode ?? throw new VirtualOperatorException($"slot {slotAddress} is empty");
            e.Barcode = null;
            e.Home = 0;
            return bc;
        }
    }

    /// <summary>Pulls magazine <paramref name="n"/> (1-based, <c>Magazine size</c> slots each); its slots report Except 3B/12.</summary>
    public void RemoveMagazine(int n)
    {
        lock (_gate)
        {
            CheckMagazine(n);
            if (_state.RemovedMagazines.Contains(n)) throw new VirtualOperatorException($"magazine {n} is already removed");
            _state.RemovedMagazines.Add(n);
        }
    }

    /// <summary>Reinserts magazine <paramref name="n"/>; its slots show their contents again.</summary>
    public void InsertMagazine(int n)
    {
        lock (_gate)
        {
            CheckMagazine(n);
            if (!_state.RemovedMagazines.Remove(n)) throw new VirtualOperatorException($"magazine {n} is already in the library");
        }
    }

    /// <summary>vtlcmd &lt;drive&gt; TapeAlert: sets drive <paramref name="driveIndex"/> (1-based drive number = LUN) flags; bit 0 = flag 1.</summary>
    public void SetDriveTapeAlert(int driveIndex, ulong flags)
    {
        lock (_gate)
        {
            if (driveIndex < 1 || driveIndex > DriveCount) throw new VirtualOperatorException($"there is no drive {driveIndex}; drives are numbered 1 to {DriveCount}");
            Drive(driveIndex).TapeAlert = flags;
        }
    }

    /// <summary>vtlcmd &lt;library&gt; TapeAlert: sets the changer's flags (never cleared by reading, docs/reference/mhvtl.md §4).</summary>
    public void SetLibraryTapeAlert(ulong flags)
    {
        lock (_gate) _state.LibraryTapeAlert = flags;
    }

    /// <summary>vtlcmd online/offline: offline makes every non-exempt command fail with 02/04/12.</summary>
    public void SetOnline(bool online)
    {
        lock (_gate) _state.Offline = !online;
    }

    /// <summary>Restores the configured contents and raises 06/29/00 (like restarting vtllibrary).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _state = CreateInitialState(Config);
            Index();
        }
    }

    private void CheckMagazine(int n)
    {
        if (n < 1 || n > MagazineCount)
            throw new VirtualOperatorException($"there is no magazine {n}; magazines are numbered 1 to {MagazineCount} ({Config.Library.MagazineSize} slots each)");
    }

    private ElementState IeElement(ushort a)
    {
        if (!TryAt(a, out var e) || e.Type != (byte)ElementType.ImportExport)
            throw new VirtualOperatorException($"{a} is not an import/export element address (they are {ImportExportStart} to {ImportExportStart + Config.Contents.Maps.Count - 1})");
        return e;
    }

    private ElementState SlotForHands(ushort a)
    {
        if (!_state.DoorOpen) throw new VirtualOperatorException("the library door is closed; open the door first");
        if (!TryAt(a, out var e) || e.Type != (byte)ElementType.Storage)
            throw new VirtualOperatorException($"{a} is not a storage slot address (slots are {StorageStart} to {StorageStart + Config.Contents.Slots.Count - 1})");
        if (MagazineRemoved(e)) throw new VirtualOperatorException($"slot {a} is in magazine {MagazineOf(e.Number)}, which is removed");
        return e;
    }

    private void ValidateNewBarcode(string barcode)
    {
        if (string.IsNullOrEmpty(barcode)) throw new VirtualOperatorException("the barcode is empty");
        if (barcode.Length > LibraryContentsParser.MaxBarcodeLength)
            throw new VirtualOperatorException($"barcode '{barcode}' is too long ({barcode.Length} characters; the maximum is {LibraryContentsParser.MaxBarcodeLength})");
        foreach (char c in barcode)
        {
            if (c <= 0x20 || c > 0x7E) throw new VirtualOperatorException("the barcode contains a space, a control character or a non-ASCII character");
        }
        var where = _state.Elements.FirstOrDefault(e => e.Barcode == barcode);
        if (where is not null) throw new VirtualOperatorException($"barcode {barcode} is already in the library (element {where.Address})");
    }
}
