using TapeChanger.Domain;

namespace TapeChanger.Cli.Mtx;

/// <summary>The mtx 1.3.12 commands (mtx.c), with mtx's argument checks, messages and in-run bookkeeping.</summary>
internal sealed partial class MtxSession
{
    public ValueTask StatusAsync()
    {
        MtxText.WriteStatus(stdout, View, _device!);
        return ValueTask.CompletedTask;
    }

    /// <summary>mtx.c ReportInquiry.</summary>
    public async ValueTask InquiryAsync()
    {
        try
        {
            var inq = await Changer.InquiryAsync(ct).ConfigureAwait(false);
            stdout.Write(MtxText.Inquiry(inq.PeripheralDeviceType, inq.Vendor, inq.Product, inq.Revision, inq.MediumChangerAttached));
        }
        catch (TapeChanger.Scsi.ScsiCheckConditionException e)
        {
            throw Fatal(e.Sense, "INQUIRY Command Failed\n");
        }
    }

    /// <summary>mtx.c Load.</summary>
    public async ValueTask LoadAsync()
    {
        if (_arg1 < 1) throw Fatal("No source specified\n");
        if (_arg2 < 0) _arg2 = 0;
        int slot = _arg1 - 1, drive = _arg2;
        if (slot >= View.Slots.Count) throw Fatal($"Invalid <storage-element-number> argument '{slot + 1}' to 'load' command\n");
        if (drive >= View.Drives.Count) throw Fatal($"illegal <drive-number> argument '{drive}' to 'load' command\n");
        if (View.Drives[drive].Full) throw Fatal($"Drive {drive} Full (Storage Element {View.Drives[drive].Source + 1} loaded)\n");
        stdout.Write(MtxText.Loading(slot + 1, drive));
        stdout.Flush();
        await MoveAsync(View.Slots[slot].Address, View.Drives[drive].Address).ConfigureAwait(false);
        stdout.Write(MtxText.Done);
        View.Slots[slot].Full = false;
        View.Drives[drive].Full = true;
    }

    /// <summary>mtx.c Unload: to the given slot, else to the slot the drive's cartridge came from.</summary>
    public async ValueTask UnloadAsync()
    {
        if (_arg2 < 0) _arg2 = 0;
        int drive = _arg2, slot;
        if (_arg1 < 0)
        {
            if (drive >= View.Drives.Count) throw Fatal($"illegal <drive-number> argument '{drive}' to 'unload' command\n");
            slot = View.Drives[drive].Source;
            if (slot < 0) throw Fatal($"No Source for tape in drive {drive}!\n");
        }
        else
        {
            slot = _arg1 - 1;
        }
        if (slot >= View.Slots.Count || slot < 0) throw Fatal($"illegal <storage-element-number> argument '{slot + 1}' to 'unload' command\n");
        if (drive >= View.Drives.Count) throw Fatal($"illegal <drive-number> argument '{drive}' to 'unload' command\n");
        if (!View.Drives[drive].Full) throw Fatal($"Data Transfer Element {drive} is Empty\n");
        if (View.Slots[slot].Full) throw Fatal($"Storage Element {slot + 1} is Already Full\n");
        stdout.Write(MtxText.Unloading(drive, slot + 1));
        stdout.Flush();
        await MoveAsync(View.Drives[drive].Address, View.Slots[slot].Address).ConfigureAwait(false);
        stdout.Write(MtxText.Done);
        View.Slots[slot].Full = true;
        View.Drives[drive].Full = false;
    }

    /// <summary>mtx.c Transfer: slot to slot, no output on success; mtx does not update its memory after it.</summary>
    public async ValueTask TransferAsync()
    {
        if (_arg1 < 1) throw Fatal("No source specified\n");
        if (_arg2 < 1) throw Fatal("No destination specified\n");
        if (_arg1 > View.Slots.Count) throw Fatal("Invalid source\n");
        if (_arg2 > View.Slots.Count) throw Fatal("Invalid destination\n");
        await MoveAsync(View.Slots[_arg1 - 1].Address, View.Slots[_arg2 - 1].Address).ConfigureAwait(false);
    }

    /// <summary>mtx.c Exchange: SLOT1 to SLOT2 and SLOT2's cartridge to SLOT3 (default SLOT1), one EXCHANGE MEDIUM.</summary>
    public async ValueTask ExchangeAsync()
    {
        if (_arg1 < 1) throw Fatal("No source specified\n");
        if (_arg2 < 1) throw Fatal("No destination specified\n");
        if (_arg1 > View.Slots.Count) throw Fatal("Invalid source\n");
        if (_arg2 > View.Slots.Count) throw Fatal("Invalid destination\n");
        if (_arg3 == -1) _arg3 = _arg1;
        if (_arg3 < 1 || _arg3 > View.Slots.Count) throw Fatal("Invalid destination\n");
        ushort src = View.Slots[_arg1 - 1].Address, dst = View.Slots[_arg2 - 1].Address, dst2 = View.Slots[_arg3 - 1].Address;
        var map = await Changer.GetMapAsync(ct).ConfigureAwait(false);
        try
        {
            using var robot = await RobotLockAsync().ConfigureAwait(false);
            await Changer.ExchangeAsync(map.SlotNumber(src)!.Value, map.SlotNumber(dst)!.Value, map.SlotNumber(dst2), ct).ConfigureAwait(false);
        }
        catch (ChangerOperationException e)
        {
            throw MoveFailure(e, src, dst, "EXCHANGE MEDIUM");
        }
    }

    /// <summary>mtx.c do_Position: the picker to a storage element.</summary>
    public async ValueTask PositionAsync()
    {
        int index = _arg1 >= 1 && _arg1 <= View.Slots.Count ? _arg1 - 1 : 0;
        var map = await Changer.GetMapAsync(ct).ConfigureAwait(false);
        try
        {
            using var robot = await RobotLockAsync().ConfigureAwait(false);
            await Changer.PositionAsync(map.SlotNumber(View.Slots[index].Address)!.Value, ct).ConfigureAwait(false);
        }
        catch (ChangerOperationException)
        {
            throw Fatal("Could not position transport\n");
        }
    }

    /// <summary>mtx.c do_Inventory: INITIALIZE ELEMENT STATUS.</summary>
    public async ValueTask InventoryAsync()
    {
        try
        {
            await Changer.InventoryAsync(null, null, ct).ConfigureAwait(false);
        }
        catch (ChangerOperationException e)
        {
            string report = e.Sense is { } s ? MtxText.RequestSense(s) : e.Message + "\n";
            throw new MtxExit(report + "Initialize Element Status (0x07) failed\n" + "mtx:inventory failed\n");
        }
    }

    /// <summary>mtx.c do_Unload ("eject"): the changer ejects its magazine; a failure is reported but mtx still exits 0.</summary>
    public async ValueTask EjectAsync()
    {
        try
        {
            await Changer.EjectMagazineAsync(ct).ConfigureAwait(false);
        }
        catch (ChangerOperationException e)
        {
            string report = e.Sense is { } s ? MtxText.RequestSense(s) : e.Message + "\n";
            stderr.Write(report + "Eject (0x1B) failed\n" + "mtx:eject failed\n");
        }
    }
}
