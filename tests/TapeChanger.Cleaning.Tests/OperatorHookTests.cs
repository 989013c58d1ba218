namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The operator-wait hook on the virtual library (reserved slot 21 = element 1020): asked at every poll with what the
/// operation waits for; a refusal fails it with ERROR_CANCELLED and the operator's reason, a "done" confirms a door
/// operation, and the journal's deadline still applies.
/// </summary>
public sealed class OperatorHookTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private sealed class Hook(Func<int, OperatorReply> answer) : IOperatorWaitHook
    {
        public List<(OperationState State, string WaitingFor)> Asked { get; } = [];

        /// <summary>The operation's progress line at each poll.</summary>
        public List<string?> Progress { get; } = [];

        public ValueTask<OperatorReply> PollAsync(OperationRecord operation, string waitingFor, CancellationToken ct)
        {
            Asked.Add((operation.State, waitingFor));
            Progress.Add(operation.Progress);
            return ValueTask.FromResult(answer(Asked.Count));
        }
    }

    private CleanerService With(Hook hook) => new(_h, _h.State, new CleanerOptions
    {
        PollInterval = TimeSpan.FromMilliseconds(200),
        OperatorHook = hook,
    }, _h.Time);

    [Fact]
    public async Task A_refusal_with_a_reason_fails_the_wait_with_the_reason()
    {
        var hook = new Hook(n => n < 3 ? OperatorReply.None : new OperatorReply(OperatorAnswer.Refused, "no cleaner in stock"));
        var svc = With(hook);
        await svc.ReserveAsync(21);
        var final = await svc.RunAsync(await svc.StartInjectAsync(CleanerPath.IePort, 5));

        Assert.Equal((OperationState.Failed, "ERROR_CANCELLED", "the operator refused: insert the cleaner into an import/export slot (no cleaner in stock)"),
            (final.State, final.Result, final.Message));
        Assert.Equal(3, hook.Asked.Count);
        Assert.All(hook.Asked, a => Assert.Equal((OperationState.WaitingForOperator, "insert the cleaner into an import/export slot"), a));
    }

    [Fact]
    public async Task A_refusal_without_a_reason_says_only_what_was_refused()
    {
        var svc = With(new Hook(_ => new OperatorReply(OperatorAnswer.Refused)));
        await svc.ReserveAsync(21);
        var final = await svc.RunAsync(await svc.StartInjectAsync(CleanerPath.IePort, 5));
        Assert.Equal("the operator refused: insert the cleaner into an import/export slot", final.Message);
        Assert.Equal(OperationState.Failed, final.State);
    }

    [Fact]
    public async Task Done_confirms_a_door_operation_and_leaves_a_port_operation_waiting_until_its_deadline()
    {
        // At the first poll the operator places the cleaner through the door; at the second the hook says it is done.
        bool placed = false;
        var hook = new Hook(n =>
        {
            if (!placed)
            {
                placed = true;
                _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN301L8"); l.CloseDoor(); });
            }
            return n < 2 ? OperatorReply.None : new OperatorReply(OperatorAnswer.Satisfied);
        });
        var svc = With(hook);
        await svc.ReserveAsync(21);
        var door = await svc.StartInjectAsync(CleanerPath.Door, 7);
        var injected = await svc.RunAsync(door);
        Assert.Equal((OperationState.Passed, "cleaner CLN301L8 is in slot 21"), (injected.State, injected.Message));
        Assert.True(injected.Confirmed);
        Assert.Equal(2, hook.Asked.Count);
        Assert.StartsWith("open the library door, place the cleaner in slot 21, close the door (or run 'tapechanger operations confirm ", hook.Asked[0].WaitingFor);
        Assert.Equal(("CLN301L8", 7u), ((await svc.GetStateAsync()).Cleaner!.Barcode, (await svc.GetStateAsync()).Cleaner!.CleansLeft));
        // A door operation has no deadline: the progress line is the instruction alone, without a count of seconds left.
        Assert.All(hook.Progress.Zip(hook.Asked), p => Assert.Equal(p.Second.WaitingFor, p.First));

        // A port operation ends on what the library shows, not on a "done": it times out with nothing in the mail slot.
        hook.Asked.Clear();
        var eject = await svc.StartEjectAsync(CleanerPath.IePort, TimeSpan.FromSeconds(1));
        var final = await svc.RunAsync(eject);
        Assert.Equal((OperationState.Failed, "ERROR_TIMEOUT"), (final.State, final.Result));
        Assert.True(final.Confirmed);
        Assert.True(hook.Asked.Count > 2);
    }

    [Fact]
    public async Task A_refusal_ends_a_door_wait_too()
    {
        var svc = With(new Hook(_ => new OperatorReply(OperatorAnswer.Refused, "door jammed")));
        await svc.ReserveAsync(21);
        var inject = await svc.StartInjectAsync(CleanerPath.Door, 5);
        var final = await svc.RunAsync(inject);
        Assert.Equal((OperationState.Failed, "ERROR_CANCELLED"), (final.State, final.Result));
        Assert.Equal($"the operator refused: open the library door, place the cleaner in slot 21, close the door (or run 'tapechanger operations confirm {inject}') (door jammed)", final.Message);
        Assert.Null((await svc.GetStateAsync()).Cleaner);
    }
}
