namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// The journal's state names, which states are final, the result an operation reports while it has not ended, and the
/// key of a drive's history; the values a new record starts with.
/// </summary>
public class OperationStateTests
{
    [Fact]
    public void States_are_named_as_in_the_journal_and_four_are_final()
    {
        Assert.Equal(["queued", "waiting-for-operator", "in-process", "passed", "failed", "cancelled", "stopped", "interrupted"],
            Enum.GetValues<OperationState>().Select(s => s.Name()));
        Assert.Equal(Enum.GetValues<OperationState>().Select(s => s.Name()), OperationStates.AllNames);
        Assert.Equal([OperationState.Passed, OperationState.Failed, OperationState.Cancelled, OperationState.Stopped],
            Enum.GetValues<OperationState>().Where(s => s.IsFinal()));
    }

    [Theory]
    [InlineData(OperationState.Queued, "ERROR_IO_PENDING", 997u, "ERROR_IO_PENDING", 997u)]
    [InlineData(OperationState.Queued, "ERROR_SUCCESS", 0u, "ERROR_IO_PENDING", 997u)]          // a journal from before pending results
    [InlineData(OperationState.InProcess, "ERROR_SUCCESS", 0u, "ERROR_IO_PENDING", 997u)]
    [InlineData(OperationState.Interrupted, "ERROR_CANCELLED", 1223u, "ERROR_CANCELLED", 1223u)]   // interrupted keeps its own result
    [InlineData(OperationState.WaitingForOperator, "ERROR_IO_PENDING", 997u, "ERROR_IO_PENDING", 997u)]
    [InlineData(OperationState.Passed, "ERROR_SUCCESS", 0u, "ERROR_SUCCESS", 0u)]
    [InlineData(OperationState.Failed, "ERROR_SLOT_FULL", 1u, "ERROR_SLOT_FULL", 1u)]
    [InlineData(OperationState.Stopped, "ERROR_IO_PENDING", 997u, "ERROR_IO_PENDING", 997u)]
    public void An_operation_reports_its_own_result_once_it_ended_or_was_interrupted(OperationState state, string result, uint code, string reported, uint reportedCode)
    {
        var o = new OperationRecord { State = state, Result = result, Code = code };
        Assert.Equal((reported, reportedCode), o.Outcome());
    }

    [Fact]
    public void A_new_record_is_queued_and_pending()
    {
        var o = new OperationRecord();
        Assert.Equal((OperationState.Queued, "ERROR_IO_PENDING", 997u, CleanerPath.IePort), (o.State, o.Result, o.Code, o.Via));
        Assert.Equal(("ERROR_IO_PENDING", 997u), o.Outcome());
        Assert.Equal(("", "", ""), (new CleanerState().LibraryKey, new CleaningRequest().Reason, new CleaningRecord().Outcome));
        Assert.Equal(CleanerState.CurrentSchema, new CleanerState().SchemaVersion);
    }

    [Fact]
    public void A_new_library_state_is_schema_2_with_nothing_reserved_injected_or_journalled()
    {
        var state = new CleanerState();
        Assert.Equal((2, "", "", "", null), (state.SchemaVersion, state.LibraryKey, state.Vendor, state.Product, state.Serial));
        Assert.Null(state.Reservation);
        Assert.Null(state.Cleaner);
        Assert.Empty(state.DriveHistory);
        Assert.Empty(state.Operations);
        Assert.Empty(state.PendingCleaning);
        var o = new OperationRecord();
        Assert.Equal((null, null, null, null, false, false, false), (o.Step, o.Drive, o.Element, o.Message, o.UnloadFirst, o.StopRequested, o.Confirmed));
    }

    [Theory]
    [InlineData("HU1234", (ushort)500, "HU1234")]
    [InlineData("", (ushort)501, "element:501")]
    [InlineData(null, (ushort)502, "element:502")]
    [InlineData("X", (ushort)503, "X")]
    public void A_drive_is_keyed_by_its_serial_else_by_its_element(string? serial, ushort address, string key)
    {
        Assert.Equal(key, CleanerState.DriveKey(serial, address));
    }

    [Fact]
    public void An_operation_is_found_by_its_id()
    {
        var a = new OperationRecord { Id = Guid.NewGuid() };
        var state = new CleanerState { Operations = [new OperationRecord { Id = Guid.NewGuid() }, a] };
        Assert.Same(a, state.Find(a.Id));
        Assert.Null(state.Find(Guid.NewGuid()));
    }
}
