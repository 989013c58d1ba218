using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Virtual;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The cleaner half of the fault matrix: every cleaner operation under every injected fault, through the
/// service on the harness's stepping clock (fake time moves only by the waits the service and its client ask for). Each case checks
/// the outcome, that the library still holds every cartridge once, that the cleaner state is untouched by a failure before
/// any move and not decremented for a cleaning that did not happen, and that an interrupted cleaning is listed as
/// orphaned and recovered with the cleaning counted exactly once.
/// Faults are chosen so the outcome is the same under any reasonable retry policy: 2 unit attentions vs 20, a 5 s vs
/// a 10 min "becoming ready", BUSY for 3 s.
/// </summary>
public sealed class CleanerFaultMatrixTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private CleanerService S => _h.Service;

    /// <summary>The operator took the ejected cleaner out of the mail slot (it left the library).</summary>
    private bool _takenOut;

    private const ushort CleanerSlot = 1020;   // slot 21, magazine 2
    private const ushort Picker = 1;
    private const string Cleaner = "CLN201L8";

    private static readonly Dictionary<string, Func<FaultSpec>> Faults = new()
    {
        ["ua-2"] = () => new() { Kind = FaultKind.UnitAttention, Remaining = 2, Key = 6, Asc = 0x29 },
        ["ua-20"] = () => new() { Kind = FaultKind.UnitAttention, Remaining = 20, Key = 6, Asc = 0x2A, Ascq = 0x01 },
        ["not-ready-5s"] = () => new() { Kind = FaultKind.NotReady },
        ["not-ready-10h"] = () => new() { Kind = FaultKind.NotReady },
        ["busy-3s"] = () => new() { Kind = FaultKind.Busy },
        ["timeout"] = () => new() { Kind = FaultKind.Timeout },
        ["drop"] = () => new() { Kind = FaultKind.Drop },
        ["reply-lost"] = () => new() { Kind = FaultKind.Drop, Command = "MOVE MEDIUM", AfterExecute = true, Remaining = 1 },
        ["half-move"] = () => new() { Kind = FaultKind.HalfMove, Remaining = 1 },
        ["magazine"] = () => new() { Kind = FaultKind.MagazineRemoved, Magazine = 2, Remaining = 1 },
        ["refuse-unload"] = () => new() { Kind = FaultKind.RefuseUnload, Element = 500 },
    };

    private static TimeSpan? Window(string fault) => fault switch
    {
        "not-ready-5s" => TimeSpan.FromSeconds(5),
        // Far past the 5-minute becoming-ready limit, so the client gives up whatever its backoff. The test clears the
        // fault afterwards, so the length costs nothing.
        "not-ready-10h" => TimeSpan.FromHours(10),
        "busy-3s" => TimeSpan.FromSeconds(3),
        _ => null,
    };

    private static readonly string[] Operations = ["reserve", "release", "inject", "eject", "clean", "recover"];

    /// <summary>
    /// Expected outcome: an RSM result name, or "Changer:ERROR" for a changer error the service passes through.
    /// "interrupted" = the cleaning stopped with the cleaner out of its slot and must be recoverable.
    /// </summary>
    private static string Expected(string op, string fault) => (op, fault) switch
    {
        (_, "ua-2" or "not-ready-5s" or "busy-3s") => "ERROR_SUCCESS",
        ("recover", _) => "interrupted",                                  // still resumable, whatever stopped it again
        (_, "ua-20") => "Changer:DeviceError",                          // the first command (MODE SENSE; inject's TEST UNIT READY) exhausts the retries
        (_, "not-ready-10h") => "ERROR_LIBRARY_OFFLINE",
        (_, "timeout" or "drop") => "ERROR_NOT_CONNECTED",
        // The rest fire on MOVE MEDIUM only: reserve and release never move.
        ("reserve" or "release", _) => "ERROR_SUCCESS",
        ("inject" or "eject", "refuse-unload") => "ERROR_SUCCESS",
        ("inject" or "eject", "reply-lost") => "ERROR_NOT_CONNECTED",
        ("inject" or "eject", "half-move") => "ERROR_UNABLE_TO_CLEAN",  // cleaner left in the picker, operation failed
        ("inject", "magazine") => "ERROR_TIMEOUT",                       // the inject keeps waiting for the operator
        ("eject", "magazine") => "ERROR_LIBRARY_OFFLINE",
        ("clean" or "recover", _) => "interrupted",
        _ => throw new ArgumentOutOfRangeException(nameof(op)),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in Operations) foreach (var f in Faults.Keys) data.Add(op, f);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Cleaner_operation_under_fault_ends_consistent_and_recoverable(string op, string fault)
    {
        // Setup, without faults.
        var before = Barcodes();
        if (op != "reserve") await S.ReserveAsync(21);
        if (op is "eject" or "clean" or "recover") await InjectAsync();
        if (op is "inject")
        {
            // The operator has placed the cleaner in a mail slot already (ImpExp=1 marks it as placed).
            _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport(Cleaner); l.CloseImportExport(); });
            before.Add(Cleaner);
        }
        if (op is "eject" or "clean" or "recover") before.Add(Cleaner);
        Guid? interrupted = null;
        if (op == "recover")
        {
            // An interrupted cleaning to recover: the drive refuses to give the cleaner back.
            var refuse = Add(Faults["refuse-unload"](), null);
            interrupted = await S.StartCleanAsync(0, false);
            Assert.Equal(OperationState.Interrupted, (await S.RunAsync(interrupted.Value)).State);
            Assert.Contains(interrupted.Value, await S.OrphanedOperationsAsync());
            _h.Operator(l => l.ClearFaults(refuse.Id));
            Assert.Equal(Cleaner, _h.BarcodeAt(500));
        }
        uint? cleansBefore = (await S.GetStateAsync()).Cleaner?.CleansLeft;
        string rowsBefore = await StateRowsAsync();

        Add(Faults[fault](), Window(fault));
        var (outcome, started, message) = await RunAsync(op, interrupted);
        if (_takenOut) before.Remove(Cleaner);

        Assert.True(outcome == Expected(op, fault), $"{op} under {fault}: expected {Expected(op, fault)}, got {outcome}: {message}");
        if (outcome != "ERROR_SUCCESS")
        {
            Assert.False(string.IsNullOrWhiteSpace(message));
            Assert.DoesNotContain('\n', message!);
            if (fault == "ua-20") Assert.Contains("06/2A/01", message);
            if (fault == "not-ready-10h") Assert.Contains("02/04/01", message);
        }
        var state = await S.GetStateAsync();
        // A failure before anything was queued or moved leaves every row of the state as it was.
        if (!started && outcome != "ERROR_SUCCESS") Assert.Equal(rowsBefore, await StateRowsAsync());
        // The count drops only for a cleaning that happened.
        bool cleaned = op is "clean" or "recover" && outcome == "ERROR_SUCCESS";
        if (cleansBefore is uint cb) Assert.Equal(cleaned ? cb - 1 : cb, state.Cleaner?.CleansLeft ?? cb);
        Assert.Equal(before.Order(), Barcodes().Order());

        // Recovery: the operator clears the fault and undoes what it did; `operations recover` finishes the rest.
        _h.Operator(l =>
        {
            l.ClearFaults();
            foreach (int m in l.State.RemovedMagazines.ToList()) l.InsertMagazine(m);
        });
        var orphans = await S.OrphanedOperationsAsync();
        if (outcome == "interrupted")
        {
            Assert.NotEmpty(orphans);
            Assert.All(state.Operations.Where(o => orphans.Contains(o.Id)), o => Assert.Equal(OperationState.Interrupted, o.State));
        }
        foreach (var id in orphans) Assert.Equal(OperationState.Passed, (await _h.NewService().RunAsync(id)).State);
        if (op is "clean" or "recover")
        {
            // Exactly one cleaning counted, whatever happened in between; the cleaner is home and the picker empty.
            uint cleanings = interrupted is null && outcome is not ("ERROR_SUCCESS" or "interrupted") ? 0u : 1u;
            Assert.Equal(cleansBefore!.Value - cleanings, (await S.GetStateAsync()).Cleaner!.CleansLeft);
            Assert.Equal((int)cleanings, (await S.GetStateAsync()).DriveHistory.Values.Sum(h => h.Count));
            Assert.Equal(Cleaner, _h.BarcodeAt(CleanerSlot));
            Assert.Null(_h.BarcodeAt(Picker));
        }
        Assert.Empty(await S.OrphanedOperationsAsync());
        Assert.Equal(before.Order(), Barcodes().Order());
    }

    private async Task<string> StateRowsAsync()
    {
        await S.StoreAsync();
        return StateRows.Dump(_h.State);
    }

    private FaultSpec Add(FaultSpec f, TimeSpan? window)
    {
        FaultSpec added = null!;
        _h.Operator(l => added = l.AddFault(f, window));
        return added;
    }

    /// <summary>Runs one cleaner operation; returns its outcome, whether it got past validation (queued), and the message.</summary>
    private async Task<(string Outcome, bool Started, string? Message)> RunAsync(string op, Guid? interrupted)
    {
        Guid id;
        try
        {
            switch (op)
            {
                case "reserve": await S.ReserveAsync(21); return ("ERROR_SUCCESS", true, null);
                case "release": await S.ReleaseAsync(); return ("ERROR_SUCCESS", true, null);
                // 30 s of fake time: far past every fault window but the 10 h one (which fails before the wait), and
                // only 150 polls where the time-out is the outcome (the removed magazine).
                case "inject": id = await S.StartInjectAsync(CleanerPath.IePort, 5, TimeSpan.FromSeconds(30)); break;
                case "eject": id = await S.StartEjectAsync(CleanerPath.IePort, TimeSpan.FromSeconds(300)); break;
                case "clean": id = await S.StartCleanAsync(0, false); break;
                case "recover":
                    Assert.Equal([interrupted!.Value], await S.OrphanedOperationsAsync());
                    id = interrupted.Value;
                    break;
                default: throw new ArgumentOutOfRangeException(nameof(op));
            }
        }
        catch (CleanerException e) { return (e.Result.ToString(), false, e.Message); }
        catch (ChangerOperationException e) { return ("Changer:" + e.Error, false, e.Message); }
        catch (ScsiException e) { return ("Scsi:" + e.GetType().Name, false, e.Message); }

        var run = S.RunAsync(id);
        while (op == "eject" && !run.IsCompleted)
        {
            // The operator takes the cleaner out of the mail slot when it shows up.
            if (_h.Look(l => l.Elements.Any(e => e.Type == ElementType.ImportExport && e.Barcode == Cleaner)))
            {
                _h.Operator(l => { l.OpenImportExport(); l.RemoveFromImportExport(); l.CloseImportExport(); });
                _takenOut = true;
            }
            await Task.WhenAny(run, Task.Delay(10));
        }
        var final = await run;
        return (final.State == OperationState.Interrupted ? "interrupted" : final.Result, true, final.Message);
    }

    private async Task InjectAsync()
    {
        var id = await S.StartInjectAsync(CleanerPath.IePort, 5);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport(Cleaner); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await S.RunAsync(id)).State);
    }

    /// <summary>Every barcode in the library; fails if one is in two elements.</summary>
    private List<string> Barcodes() => _h.Look(l =>
    {
        var all = l.Elements.Where(e => e.Barcode is not null).Select(e => e.Barcode!).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
        return all;
    });
}
