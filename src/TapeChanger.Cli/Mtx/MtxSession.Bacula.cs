using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Cdb;
using TapeChanger.Transport;
using TapeChanger.Virtual;

namespace TapeChanger.Cli.Mtx;

/// <summary>What the native Bacula/Bareos changer command needs from an mtx session beyond mtx's own commands.</summary>
internal sealed partial class MtxSession
{
    /// <summary>The element status as mtx sees it (read on first use).</summary>
    public async ValueTask<MtxView> ViewAsync()
    {
        await EnsureStatusAsync().ConfigureAwait(false);
        return View;
    }

    /// <summary>mtx slot indexes (0-based) Bacula must not use: cleaners, and the cleaner slot reserved with 'cleaner reserve'.</summary>
    public Func<int, bool> CleanerSlots(MtxView view)
    {
        ushort? reserved = TapeChanger.Cleaning.ReservationIndex.ReservedAddress(_ctx!.StateDirectory, _ctx.DeviceUri);
        return i => i < 0 || view.Slots[i].Cleaner || view.Slots[i].Address == reserved;
    }

    /// <summary>
    /// Waits until drive <paramref name="drive"/> answers TEST UNIT READY with GOOD, up to <paramref name="limit"/>.
    /// The drive is found as for eject-before-unload (the virtual library's LUN, a Linux tape or an iSCSI LUN with the
    /// drive element's serial). Returns false, at once, when this host cannot reach the drive.
    /// </summary>
    public async ValueTask<bool> WaitForDriveReadyAsync(int drive, TimeSpan limit)
    {
        var view = View;
        if (drive < 0 || drive >= view.Drives.Count) return false;
        var element = await Changer.ReadElementAsync(view.Drives[drive].Address, ct).ConfigureAwait(false);
        IScsiTransport? transport = _ctx!.ChangerTransport is VirtualTransport v ? v.OpenLun(drive + 1)   // virtual drives are LUNs 1..N
            : await DriveEjector.FindAsync(_ctx.Address, element, ct).ConfigureAwait(false);
        if (transport is null) return false;
        await using var client = new SmcClient(transport);
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            try
            {
                await client.ExecuteOnceAsync(SpcCommands.TestUnitReady(), ct).ConfigureAwait(false);
                return true;
            }
            catch (ScsiCheckConditionException) when (DateTime.UtcNow < deadline)
            {
                // Not ready yet (becoming ready, medium not yet threaded) or a unit attention from the load.
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
            }
            catch (ScsiCheckConditionException e)
            {
                throw Fatal($"drive {drive} did not become ready within {limit.TotalSeconds:0} s: {e.Sense.Describe()}\n");
            }
        }
    }
}
