namespace TapeChanger.Cleaning.Tests;

/// <summary>The ntmsapi-shaped facade: handles, GUIDs, action values and DWORD results.</summary>
public sealed class NtmsFacadeTests : IDisposable
{
    private readonly CleaningHarness _h = new();

    public void Dispose() => _h.Dispose();

    private static readonly Guid Library = NtmsIds.Library("STK", "L700", "XYZZY_A");

    private nint Open() => Ntms.OpenNtmsSession(_h.Service, Library,
        _ => Task.FromResult<IReadOnlyDictionary<Guid, int>>(Enumerable.Range(1, 39).ToDictionary(n => NtmsIds.Slot(Library, (ushort)(999 + n)), n => n)),
        _ => Task.FromResult<IReadOnlyDictionary<Guid, int>>(Enumerable.Range(0, 4).ToDictionary(d => NtmsIds.Drive(Library, $"XYZZY_A{d + 1}", (ushort)(500 + d)), d => d)));

    [Fact]
    public async Task Reserve_inject_clean_release_through_the_facade()
    {
        nint h = Open();
        Guid slot21 = NtmsIds.Slot(Library, 1020);
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.ReserveNtmsCleanerSlot(h, Library, slot21));
        Assert.Equal((uint)NtmsResult.ERROR_ALREADY_RESERVED, Ntms.ReserveNtmsCleanerSlot(h, Library, NtmsIds.Slot(Library, 1023)));

        Guid op = Guid.Empty;
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.InjectNtmsCleaner(h, Library, ref op, 4, Ntms.NTMS_INJECT_START));
        Assert.NotEqual(Guid.Empty, op);
        _h.Operator(l => { l.OpenImportExport(); l.InsertIntoImportExport("CLN401L8"); l.CloseImportExport(); });
        Assert.Equal(OperationState.Passed, (await Ntms.Running[op]).State);

        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.CleanNtmsDrive(h, NtmsIds.Drive(Library, "XYZZY_A2", 501)));
        var clean = Ntms.Running.Where(kv => kv.Key != op).Select(kv => kv.Value).Last();
        Assert.Equal(OperationState.Passed, (await clean).State);
        Assert.Equal(3u, (await _h.Service.GetStateAsync()).Cleaner!.CleansLeft);

        Assert.Equal((uint)NtmsResult.ERROR_SLOT_FULL, Ntms.ReleaseNtmsCleanerSlot(h, Library));
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.CloseNtmsSession(h));
    }

    [Fact]
    public void Bad_session_library_drive_and_action_give_their_codes()
    {
        Guid op = Guid.Empty;
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_HANDLE, Ntms.InjectNtmsCleaner(12345, Library, ref op, 1, Ntms.NTMS_INJECT_START));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_HANDLE, Ntms.CloseNtmsSession(12345));
        nint h = Open();
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_LIBRARY, Ntms.ReleaseNtmsCleanerSlot(h, Guid.NewGuid()));
        Assert.Equal((uint)NtmsResult.ERROR_NO_SLOT_SET, Ntms.ReleaseNtmsCleanerSlot(h, Library));
        Assert.Equal((uint)NtmsResult.ERROR_NO_SLOT_SET, Ntms.InjectNtmsCleaner(h, Library, ref op, 1, Ntms.NTMS_INJECT_START));
        Assert.Equal((uint)NtmsResult.ERROR_NO_SLOT_SET, Ntms.EjectNtmsCleaner(h, Library, ref op, Ntms.NTMS_EJECT_START));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_SLOT, Ntms.ReserveNtmsCleanerSlot(h, Library, Guid.NewGuid()));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_DRIVE, Ntms.CleanNtmsDrive(h, Guid.NewGuid()));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_PARAMETER, Ntms.InjectNtmsCleaner(h, Library, ref op, 1, 7));
        Ntms.CloseNtmsSession(h);
    }

    [Fact]
    public void Ids_are_deterministic_and_distinct()
    {
        Assert.Equal(NtmsIds.Library("STK", "L700", "XYZZY_A"), Library);
        Assert.NotEqual(NtmsIds.Library("STK", "L700", "XYZZY_B"), Library);
        Assert.Equal(NtmsIds.Slot(Library, 1020), NtmsIds.Slot(Library, 1020));
        Assert.NotEqual(NtmsIds.Slot(Library, 1020), NtmsIds.Slot(Library, 1021));
        // A drive keeps its id when it moves to another element, because the serial identifies it.
        Assert.Equal(NtmsIds.Drive(Library, "XYZZY_A1", 500), NtmsIds.Drive(Library, "XYZZY_A1", 503));
    }
}
