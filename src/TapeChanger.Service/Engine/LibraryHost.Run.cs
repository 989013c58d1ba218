using TapeChanger.Cleaning;
using TapeChanger.Domain;

namespace TapeChanger.Service.Engine;

/// <summary>Carrying one request out, on the domain (MediaChanger, CleanerService), with the picker holding the device.</summary>
internal sealed partial class LibraryHost
{
    /// <summary>How a request ended: ERROR_SUCCESS passes; <see cref="Deferred"/> ends it Cancelled (automatic cleaning only).</summary>
    private sealed record Outcome(NtmsResult Result, string? Message, int? ExitCode = null, bool Deferred = false);

    private async Task RunAsync(RequestRecord r, LibraryCommand? command, CancellationToken ct)
    {
        Outcome? outcome;
        await _device.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            outcome = r.Kind switch
            {
                RequestKind.Load or RequestKind.Unload or RequestKind.Transfer or RequestKind.Import or RequestKind.Export
                    => await MoveAsync(r, ct).ConfigureAwait(false),
                RequestKind.Inventory => await OnChangerAsync(async c =>
                {
                    await c.InventoryAsync(null, null, ct).ConfigureAwait(false);
                    return "inventory done";
                }, ct).ConfigureAwait(false),
                RequestKind.IePortLock or RequestKind.IePortUnlock => await OnChangerAsync(async c =>
                {
                    bool locked = r.Kind == RequestKind.IePortLock;
                    await c.LockImportExportAsync(locked, ct).ConfigureAwait(false);
                    return locked ? "import/export elements locked" : "import/export elements unlocked";
                }, ct).ConfigureAwait(false),
                RequestKind.Clean => await CleanAsync(r, ct).ConfigureAwait(false),
                RequestKind.CleanerReserve => await CleanerStepAsync(async () =>
                {
                    var res = await _cleaner.ReserveAsync(r.Arguments.Slot!.Value, ct).ConfigureAwait(false);
                    return $"slot {res.Slot} is reserved for the cleaner";
                }, ct).ConfigureAwait(false),
                RequestKind.CleanerRelease => await CleanerStepAsync(async () =>
                {
                    await _cleaner.ReleaseAsync(ct).ConfigureAwait(false);
                    return "the cleaner slot is released";
                }, ct).ConfigureAwait(false),
                RequestKind.CleanerInject or RequestKind.CleanerEject => await StartWaitingAsync(r, ct).ConfigureAwait(false),
                RequestKind.Command => await CommandAsync(r, command, ct).ConfigureAwait(false),
                _ => new Outcome(NtmsResult.ERROR_INVALID_OPERATION, $"unknown request kind {r.Kind}"),
            };
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;                                              // the engine is stopping: reconciled at the next start
        }
        catch (Exception e) when (e is not Fleet.LeaseLostException && !(InFleet && e is TapeChanger.State.StateDatabaseException))
        {
            var (code, message) = EngineContext.Classify(e);
            outcome = new Outcome(code, message);
        }
        finally
        {
            _device.Release();
        }
        if (outcome is not null) Finish(r.Id, outcome);
        await AfterRequestAsync(r, outcome, ct).ConfigureAwait(false);
    }

    private void Finish(Guid id, Outcome o) => _ctx.Change(id, x => x.IsFinal ? null : x with
    {
        State = o.Deferred ? RequestState.Cancelled : o.Result == NtmsResult.ERROR_SUCCESS ? RequestState.Passed : RequestState.Failed,
        Result = o.Result,
        Message = o.Message,
        ExitCode = o.ExitCode,
        Completed = Now,
    }, Fence);

    /// <summary>Opens the library, runs <paramref name="work"/> under the robot lock, then re-reads and keeps the whole status.</summary>
    private async Task<Outcome> OnChangerAsync(Func<MediaChanger, Task<string>> work, CancellationToken ct)
    {
        bool fresh = false;
        try
        {
            await using var changer = await _opener.OpenChangerAsync(ct, _map).ConfigureAwait(false);
            string message;
            using (await RobotAsync(changer, ct).ConfigureAwait(false))
            {
                message = await work(changer).ConfigureAwait(false);
            }
            await KeepStatusAsync(changer, ct).ConfigureAwait(false);
            fresh = true;
            return new Outcome(NtmsResult.ERROR_SUCCESS, message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            DropStatus("element status dropped after a failed operation");   // it may have left things half done: read again
            throw;
        }
        finally
        {
            AfterSession(statusReadLast: fresh);
        }
    }

    /// <summary>The robot lock other processes (the CLI, cleaner steps) take too.</summary>
    private async Task<IDisposable> RobotAsync(MediaChanger changer, CancellationToken ct)
    {
        if (_robotDirectory is null)
        {
            var id = await changer.GetIdentityAsync(withSerial: true, ct).ConfigureAwait(false);
            _robotDirectory = _opener.RobotLockDirectory(id);
            LibraryKey = CleanerStateStore.KeyOf(id.Vendor, id.Product, id.SerialNumber);
        }
        return _opener.Logged(await RobotLock.AcquireAsync(_robotDirectory, TimeSpan.FromMinutes(5), ct).ConfigureAwait(false));
    }

    private Task<Outcome> MoveAsync(RequestRecord r, CancellationToken ct) => OnChangerAsync(async changer =>
    {
        var a = r.Arguments;
        var map = await changer.GetMapAsync(ct).ConfigureAwait(false);
        var (source, destination) = Plan(r.Kind, a, map, _status);
        string? barcode = source is ushort s ? _status?.At(s)?.Barcode : null;
        // Written before the MOVE MEDIUM: after a crash, this and a targeted READ ELEMENT STATUS tell whether it happened.
        _ctx.Store.SetJournal(r.Id, new RequestJournal(JournalStep.Moving, source, destination, barcode), Fence);
        var moved = r.Kind switch
        {
            RequestKind.Load => await changer.LoadAsync(a.Slot!.Value, a.Drive!.Value, ct).ConfigureAwait(false),
            RequestKind.Unload => await changer.UnloadAsync(a.Slot, a.Drive!.Value, ct).ConfigureAwait(false),
            RequestKind.Transfer => await changer.TransferAsync(a.Slot!.Value, a.ToSlot!.Value, ct).ConfigureAwait(false),
            RequestKind.Import => await changer.ImportAsync(a.Slot, a.Element, ct).ConfigureAwait(false),
            _ => await changer.ExportAsync(a.Slot!.Value, a.Element, ct).ConfigureAwait(false),
        };
        _ctx.Store.SetJournal(r.Id, new RequestJournal(JournalStep.Moved, moved.Source, moved.Destination, moved.Barcode ?? barcode), Fence);
        return $"{map.Describe(moved.Source)} -> {map.Describe(moved.Destination)}" + (moved.Barcode is { } b ? $" ({b})" : "");
    }, ct);

    /// <summary>The addresses a move will use, as far as the kept status tells (null where the domain decides: a free slot, a free port).</summary>
    private static (ushort? Source, ushort? Destination) Plan(RequestKind kind, RequestArguments a, ElementMap map, LibraryStatus? status)
    {
        ushort? Slot(int? n) => n is int v && v >= 1 && v <= map.SlotCount ? map.SlotAddress(v) : null;
        ushort? Drive(int? n) => n is int v && v >= 0 && v < map.Drives.Count ? map.DriveAddress(v) : null;
        return kind switch
        {
            RequestKind.Load => (Slot(a.Slot), Drive(a.Drive)),
            RequestKind.Unload when Drive(a.Drive) is ushort d => (d, Slot(a.Slot) ?? status?.At(d)?.Source),
            RequestKind.Transfer => (Slot(a.Slot), Slot(a.ToSlot)),
            RequestKind.Import => (a.Element, Slot(a.Slot)),
            RequestKind.Export => (Slot(a.Slot), a.Element),
            _ => (null, null),
        };
    }

    /// <summary>A cleaner function that opens its own sessions; the kept status is read again afterwards (the cleaner may have moved).</summary>
    private async Task<Outcome> CleanerStepAsync(Func<Task<string>> step, CancellationToken ct)
    {
        try
        {
            return new Outcome(NtmsResult.ERROR_SUCCESS, await step().ConfigureAwait(false));
        }
        finally
        {
            AfterSession(statusReadLast: false);
        }
    }

    /// <summary>
    /// CleanNtmsDrive through the cleaner service (its journal resumes an interrupted cleaning without cleaning twice).
    /// The picker only starts it: the cleaning is carried out beside the queue (<see cref="CleanBesideQueueAsync"/>), so
    /// while the drive cleans (minutes on real drives) the picker goes on with the next requests. The cleaner's own
    /// moves take the robot lock like every other move, and one cleaner cleans one drive at a time (the cleaner
    /// service's cleaner-busy lock); the wait for the drive holds neither the robot nor the queue.
    /// </summary>
    private async Task<Outcome?> CleanAsync(RequestRecord r, CancellationToken ct)
    {
        int drive = r.Arguments.Drive!.Value;
        Guid op;
        if (_ctx.Store.Journal(r.Id)?.CleanerOperation is Guid started) op = started;
        else
        {
            try
            {
                op = await _cleaner.StartCleanAsync(drive, r.Arguments.UnloadFirst, ct).ConfigureAwait(false);
            }
            catch (CleanerException e) when (r.Arguments.Automatic && e.Result == NtmsResult.ERROR_UNABLE_TO_CLEAN)
            {
                return new Outcome(e.Result, $"deferred: {e.Message}; cleaned when the drive is next empty", Deferred: true);
            }
            finally
            {
                AfterSession(statusReadLast: false);
            }
            _ctx.Store.SetJournal(r.Id, new RequestJournal(JournalStep.Moving, null, null, null) { CleanerOperation = op }, Fence);
        }
        lock (_lock)
        {
            _cleaningBeside.Add(r.Id, drive);
            _detached.RemoveAll(t => t.IsCompleted);
            _detached.Add(Task.Run(() => CleanBesideQueueAsync(r, drive, op, Stopping)));
        }
        await UntilCleanerInDriveAsync(op, ct).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// The picker lets the cleaning's first move go before the next request's: it waits until the cleaner is in the
    /// drive (or the operation ended), unless another cleaning has the cleaner (then this one waits for it, and the
    /// queue goes on). Without this the next requests' moves take the robot first and every cleaning starts late.
    /// </summary>
    private async Task UntilCleanerInDriveAsync(Guid op, CancellationToken ct)
    {
        var until = Now + TimeSpan.FromMinutes(2);
        while (Now < until)
        {
            var state = await _cleaner.GetStateAsync(ct).ConfigureAwait(false);
            var mine = state.Find(op);
            if (mine is null || mine.State.IsFinal() || mine.Step is CleanStep.InDrive or CleanStep.Done) return;
            if (state.Operations.Any(o => o.Id != op && o.Kind == OperationKind.Clean && !o.State.IsFinal() && o.Step is CleanStep.ToDrive or CleanStep.InDrive)) return;
            await Task.Delay(TimeSpan.FromMilliseconds(10), _ctx.Time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Carries a started cleaning out to its end and closes its request (off the picker).</summary>
    private async Task CleanBesideQueueAsync(RequestRecord r, int drive, Guid op, CancellationToken ct)
    {
        Outcome? outcome = null;
        try
        {
            var final = await _cleaner.RunAsync(op, null, ct).ConfigureAwait(false);
            DropStatus("element status dropped after a cleaning");
            AfterSession(statusReadLast: false);
            outcome = FromOperation(final);
            if (outcome.Result == NtmsResult.ERROR_SUCCESS) DriveCleaned(drive);
            await CheckCleanerSpentAsync(outcome, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return;                                             // the engine is stopping: reconciled at the next start
        }
        catch (Exception e) when (e is Fleet.LeaseLostException || (InFleet && e is TapeChanger.State.StateDatabaseException))
        {
            SetProblem(e.Message);                              // fleet mode: the next owner reconciles it from its journal
            return;
        }
        catch (Exception e)
        {
            var (code, message) = EngineContext.Classify(e);
            outcome = new Outcome(code, message);
        }
        finally
        {
            lock (_lock) _cleaningBeside.Remove(r.Id);
        }
        try
        {
            Finish(r.Id, outcome);
            await AfterRequestAsync(r, outcome, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is Fleet.LeaseLostException || (InFleet && e is TapeChanger.State.StateDatabaseException))
        {
            SetProblem(e.Message);
        }
    }

    private static Outcome FromOperation(OperationRecord op) =>
        op.State == OperationState.Passed ? new Outcome(NtmsResult.ERROR_SUCCESS, op.Message)
        : op.State == OperationState.Interrupted ? new Outcome(NtmsResult.ERROR_DEVICE_NOT_AVAILABLE, $"interrupted: {op.Message}")
        : new Outcome(op.Code == 0 ? NtmsResult.ERROR_INVALID_OPERATION : (NtmsResult)op.Code, op.Message);

    /// <summary>
    /// A <see cref="RequestKind.Command"/>: the delegate has the library to itself (the picker holds it); what it moved
    /// is not known here, so the kept status is dropped and read again when asked.
    /// </summary>
    private async Task<Outcome> CommandAsync(RequestRecord r, LibraryCommand? command, CancellationToken ct)
    {
        if (command is null)
        {
            return new Outcome(NtmsResult.ERROR_CANCELLED, "interrupted by a restart of the service: a command is not kept across restarts, not re-sent");
        }
        try
        {
            var result = await command(new LibraryCommandContext(Info, _opener.Settings.StateDirectory, r), ct).ConfigureAwait(false);
            return new Outcome(result.ExitCode == 0 ? NtmsResult.ERROR_SUCCESS : NtmsResult.ERROR_INVALID_OPERATION, result.Message, result.ExitCode);
        }
        finally
        {
            DropStatus("element status dropped after a command");
        }
    }
}
