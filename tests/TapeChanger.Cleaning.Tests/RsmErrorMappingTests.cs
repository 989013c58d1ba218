using TapeChanger.Domain;
using TapeChanger.Scsi;
using TapeChanger.Scsi.Sense;
using TapeChanger.State;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Cleaning.Tests;

/// <summary>
/// Each device, state and domain failure becomes the RSM result the cleaner functions document, keeps its message and
/// carries the original as the inner exception; anything else is left alone.
/// </summary>
public class RsmErrorMappingTests
{
    private static ScsiCheckConditionException Check(string command, byte key, byte asc, byte ascq) =>
        new(command, SenseDecoder.Decode(Fixed(key, asc, ascq)));

    public static TheoryData<string, NtmsResult> Failures() => new()
    {
        { "state-full", NtmsResult.ERROR_DATABASE_FULL },
        { "state-failure", NtmsResult.ERROR_DATABASE_FAILURE },
        { "transport-permission", NtmsResult.ERROR_ACCESS_DENIED },
        { "transport-io", NtmsResult.ERROR_NOT_CONNECTED },
        { "transport-timeout", NtmsResult.ERROR_NOT_CONNECTED },
        { "transport-notfound", NtmsResult.ERROR_DEVICE_NOT_AVAILABLE },
        { "transport-busy", NtmsResult.ERROR_DEVICE_NOT_AVAILABLE },
        { "unauthorized", NtmsResult.ERROR_ACCESS_DENIED },
        { "changer-notready", NtmsResult.ERROR_LIBRARY_OFFLINE },
        { "changer-operator", NtmsResult.ERROR_LIBRARY_OFFLINE },
        { "changer-cleaning", NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT },
        { "sense-30-07", NtmsResult.ERROR_CLEANER_CARTRIDGE_SPENT },
        { "sense-02-04-01", NtmsResult.ERROR_LIBRARY_OFFLINE },
        { "sense-door-open", NtmsResult.ERROR_LIBRARY_OFFLINE },
        { "status-busy", NtmsResult.ERROR_DEVICE_NOT_AVAILABLE },
        { "io", NtmsResult.ERROR_DEVICE_NOT_AVAILABLE },
    };

    private static Exception Make(string name) => name switch
    {
        "state-full" => new StateDatabaseException(StateFailure.Full, "/s/tapechanger.db", "the disk is full"),
        "state-failure" => new StateDatabaseException(StateFailure.Failure, "/s/tapechanger.db", "not a database"),
        "transport-permission" => new ScsiTransportException(TransportFailure.PermissionDenied, "cannot open /dev/sg3: permission denied"),
        "transport-io" => new ScsiTransportException(TransportFailure.Io, "connection reset"),
        "transport-timeout" => new ScsiTransportException(TransportFailure.Timeout, "MOVE MEDIUM timed out"),
        "transport-notfound" => new ScsiTransportException(TransportFailure.NotFound, "no /dev/sg9"),
        "transport-busy" => new ScsiTransportException(TransportFailure.Busy, "in use"),
        "unauthorized" => new UnauthorizedAccessException("/var/lib/tapechanger"),
        "changer-notready" => new ChangerOperationException(ChangerError.NotReady, "library not ready"),
        "changer-operator" => new ChangerOperationException(ChangerError.OperatorIntervention, "door open"),
        "changer-cleaning" => new ChangerOperationException(ChangerError.CleaningFailed, "cleaner spent"),
        "sense-30-07" => Check("TEST UNIT READY", 0x03, 0x30, 0x07),
        "sense-02-04-01" => Check("MOVE MEDIUM", 0x02, 0x04, 0x01),
        "sense-door-open" => Check("MOVE MEDIUM", 0x02, 0x04, 0x18),      // 02/04/18: a library door is open
        "status-busy" => new ScsiStatusException("MOVE MEDIUM", ScsiStatus.Busy),
        "io" => new IOException("read failed"),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_maps_to_its_rsm_result_with_the_original_inside(string failure, NtmsResult expected)
    {
        var e = Make(failure);
        var mapped = RsmErrors.Map(e);
        Assert.NotNull(mapped);
        Assert.Equal(expected, mapped.Result);
        Assert.Same(e, mapped.InnerException);
        Assert.Equal(failure == "unauthorized" ? "permission denied: /var/lib/tapechanger" : e.Message, mapped.Message);
    }

    [Fact]
    public void A_sense_that_is_neither_a_spent_cleaner_nor_an_offline_library_is_not_an_rsm_failure()
    {
        // 05/24/00 on MOVE MEDIUM (an element the library does not have): the caller sees the original exception.
        var e = Check("MOVE MEDIUM", 0x05, 0x24, 0x00);
        Assert.Equal(SenseFailure.InvalidElement, SenseClassifier.RuleOf(e).Failure);
        Assert.Null(RsmErrors.Map(e));
    }

    [Fact]
    public void Cleaner_exceptions_other_domain_errors_and_unrelated_exceptions_pass_through()
    {
        Assert.Null(RsmErrors.Map(new CleanerException(NtmsResult.ERROR_TIMEOUT, "x")));
        Assert.Null(RsmErrors.Map(new ChangerOperationException(ChangerError.SourceEmpty, "slot 3 is empty")));
        Assert.Null(RsmErrors.Map(new InvalidOperationException("bug")));
    }

    [Fact]
    public async Task Guard_rethrows_a_mapped_failure_and_lets_others_through()
    {
        var thrown = await Assert.ThrowsAsync<CleanerException>(async () =>
            await RsmErrors.Guard<int>(() => throw new ScsiTransportException(TransportFailure.Timeout, "timed out")));
        Assert.Equal(NtmsResult.ERROR_NOT_CONNECTED, thrown.Result);
        await Assert.ThrowsAsync<CleanerException>(async () =>
            await RsmErrors.Guard(() => throw new IOException("gone")));
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await RsmErrors.Guard(() => throw new InvalidOperationException("bug")));
        Assert.Equal(7, await RsmErrors.Guard(() => ValueTask.FromResult(7)));
    }
}

/// <summary>The names `operations` and its JSON show are the journal's names of the enums.</summary>
public class OperationNameTests
{
    [Fact]
    public void Kinds_paths_and_steps_are_named_as_in_the_journal()
    {
        Assert.Equal(["inject", "eject", "clean"], Enum.GetValues<OperationKind>().Select(k => k.Name()));
        Assert.Equal(["auto", "ieport", "door"], Enum.GetValues<CleanerPath>().Select(p => p.Name()));
        Assert.Equal(["to-drive", "in-drive", "done"], Enum.GetValues<CleanStep>().Select(s => ((CleanStep?)s).Name()));
        Assert.Null(((CleanStep?)null).Name());
    }
}
