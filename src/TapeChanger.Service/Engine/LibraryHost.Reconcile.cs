using TapeChanger.Cleaning;
using TapeChanger.Domain;

namespace TapeChanger.Service.Engine;

/// <summary>
/// After a restart: queued requests go back in the queue (each runs once), and a request that was in process is
/// reconciled, never re-sent: a move from its journal and a targeted READ ELEMENT STATUS of its source and
/// destination; a cleaner request by the cleaner service's own journal (which resumes without cleaning twice).
/// </summary>
internal sealed partial class LibraryHost
{
    /// <summary>What the last run left unfinished, read when the host is made (before any new submission).</summary>
    private List<RequestRecord> _leftOver = [];

    /// <summary>Queued requests of the last run go back in the queue at once (in their order); the rest waits for the picker.</summary>
    private void TakeLeftOver()
    {
        foreach (var r in _ctx.Store.Unfinished(Info.Name))
        {
            if (r.State != RequestState.Queued) _leftOver.Add(r);
            else if (r.Kind == RequestKind.Command) Interrupted(r, "a command is not kept across restarts");
            else Enqueue(r, null);
        }
    }

    private async Task ReconcileAsync(CancellationToken ct)
    {
        var leftOver = Interlocked.Exchange(ref _leftOver, []);
        foreach (var r in leftOver)
        {
            var journal = _ctx.Store.Journal(r.Id);
            switch (r.Kind)
            {
                case RequestKind.Clean or RequestKind.CleanerInject or RequestKind.CleanerEject when journal?.CleanerOperation is not null:
                    lock (_lock) _running = r.Id;
                    try { await RunAsync(r, null, ct).ConfigureAwait(false); }
                    finally { lock (_lock) _running = null; }
                    break;
                case RequestKind.Load or RequestKind.Unload or RequestKind.Transfer or RequestKind.Import or RequestKind.Export:
                    await ReconcileMoveAsync(r, journal, ct).ConfigureAwait(false);
                    break;
                default:
                    Interrupted(r, "it was in process when the service stopped");
                    break;
            }
        }
    }

    private void Interrupted(RequestRecord r, string why) =>
        Finish(r.Id, new Outcome(NtmsResult.ERROR_CANCELLED, InFleet
            ? $"interrupted: the service moving the library stopped or lost it, the next owner reconciled it ({why}); not re-sent"
            : $"interrupted by a restart of the service ({why}); not re-sent"));

    private async Task ReconcileMoveAsync(RequestRecord r, RequestJournal? journal, CancellationToken ct)
    {
        if (journal is null)
        {
            Interrupted(r, "before its move was sent");
            return;
        }
        if (journal.Step == JournalStep.Moved)
        {
            Finish(r.Id, new Outcome(NtmsResult.ERROR_SUCCESS, "the library acknowledged the move before the service stopped" + (journal.Barcode is { } b ? $" ({b})" : "")));
            return;
        }
        await _device.WaitAsync(ct).ConfigureAwait(false);
        bool fresh = false;
        try
        {
            await using var changer = await _opener.OpenChangerAsync(ct, _map).ConfigureAwait(false);
            var map = await changer.GetMapAsync(ct).ConfigureAwait(false);
            Element? source = journal.Source is ushort s ? await changer.ReadElementAsync(s, ct).ConfigureAwait(false) : null;
            Element? destination = journal.Destination is ushort d ? await changer.ReadElementAsync(d, ct).ConfigureAwait(false) : null;
            string what = journal.Barcode ?? "the cartridge";
            bool Holds(Element? e) => e is { Full: true } && (journal.Barcode is null || e.Barcode == journal.Barcode);
            if (Holds(destination) && !Holds(source))
            {
                Finish(r.Id, new Outcome(NtmsResult.ERROR_SUCCESS, $"reconciled after a restart: {what} arrived in {map.Describe(destination!.Address)}"));
            }
            else if (Holds(source))
            {
                Interrupted(r, $"{what} is still in {map.Describe(source!.Address)}");
            }
            else
            {
                string where = destination is null ? "its destination is unknown" : $"{map.Describe(destination.Address)} does not hold it";
                string from = source is null ? "its source is unknown" : $"{map.Describe(source.Address)} is empty";
                Interrupted(r, $"{from} and {where}; run an inventory");
            }
            await KeepStatusAsync(changer, ct).ConfigureAwait(false);
            fresh = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interrupted(r, $"the library could not be read to reconcile it: {EngineContext.Classify(e).Message}");
        }
        finally
        {
            AfterSession(statusReadLast: fresh);
            _device.Release();
        }
    }
}
