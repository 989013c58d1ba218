using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Transport;

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
    /// The drive is found as for eject-before-unload and cleaning (the changer transport's drive locator, paired with
    /// the drive element by the domain). Returns false, at once, when this host cannot reach the drive.
    /// </summary>
    public async ValueTask<bool> WaitForDriveReadyAsync(int drive, TimeSpan limit)
    {
        var view = View;
        if (drive < 0 || drive >= view.Drives.Count) return false;
        await using var tape = await Changer.OpenDriveAsync(drive, ct).ConfigureAwait(false);
        if (tape is null) return false;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var ready = await tape.TestUnitReadyAsync(ct).ConfigureAwait(false);
            if (ready.Ready) return true;
            // Not ready yet (becoming ready, medium not yet threaded).
            if (DateTime.UtcNow >= deadline) throw Fatal($"drive {drive} did not become ready within {limit.TotalSeconds:0} s: {ready.Sense!.Describe()}\n");
            await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
        }
    }
}
