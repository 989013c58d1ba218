using TapeChanger.Scsi;

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

        var started = Ntms.Running.Keys.ToHashSet();              // the process's background operations (other tests' too)
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.CleanNtmsDrive(h, NtmsIds.Drive(Library, "XYZZY_A2", 501)));
        var clean = Ntms.Running.Single(kv => !started.Contains(kv.Key)).Value;
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

    [Fact]
    public void Ids_are_name_based_version_5_guids_of_the_identity()
    {
        // SHA-256 of "library\nSTK\nL700\nXYZZY_A" (then "slot\n{library}\n1020", "drive\n{library}\n..."), first 16
        // bytes in .NET Guid order, version 5 and the RFC 4122 variant set: ids a caller may have kept stay the same.
        Assert.Equal(Guid.Parse("c450c4e2-75c4-5da8-901c-99ec618bf6ca"), Library);
        Assert.Equal(Guid.Parse("5d79990c-69ba-5aec-979b-82c8915fef6a"), NtmsIds.Slot(Library, 1020));
        Assert.Equal(Guid.Parse("93652053-d29d-5568-b0c2-80e70890b6c9"), NtmsIds.Drive(Library, "XYZZY_A2", 501));
        // Without a serial the element address names the drive; an empty serial is no serial.
        Assert.Equal(Guid.Parse("63f504f5-dec7-596c-b3ac-7e845c96ec5c"), NtmsIds.Drive(Library, null, 501));
        Assert.Equal(NtmsIds.Drive(Library, null, 501), NtmsIds.Drive(Library, "", 501));
        Assert.NotEqual(NtmsIds.Drive(Library, null, 501), NtmsIds.Drive(Library, null, 502));
    }

    [Fact]
    public void Session_handles_are_distinct_never_0_or_minus_1_and_close_once()
    {
        nint a = Open(), b = Open();
        Assert.NotEqual(a, b);
        Assert.All(new[] { a, b }, h => Assert.True(h != 0 && h != -1));
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.CloseNtmsSession(a));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_HANDLE, Ntms.CloseNtmsSession(a));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_HANDLE, Ntms.CleanNtmsDrive(a, NtmsIds.Drive(Library, "XYZZY_A1", 500)));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_HANDLE, Ntms.ReleaseNtmsCleanerSlot(a, Library));
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.CloseNtmsSession(b));
    }

    [Fact]
    public async Task Inject_stop_ends_the_port_wait_and_a_door_inject_waits_for_the_confirmation()
    {
        nint h = Open();
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.ReserveNtmsCleanerSlot(h, Library, NtmsIds.Slot(Library, 1020)));

        Guid port = Guid.Empty;
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.InjectNtmsCleaner(h, Library, ref port, 4, Ntms.NTMS_INJECT_START));
        var queued = await _h.Service.GetOperationAsync(port);
        Assert.Equal((OperationKind.Inject, CleanerPath.IePort, 4u), (queued.Kind, queued.Via, queued.CleansLeft));
        Assert.NotNull(queued.Deadline);
        Guid stop = port;
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.InjectNtmsCleaner(h, Library, ref stop, 0, Ntms.NTMS_INJECT_STOP));
        Assert.Equal(port, stop);                                    // STOP leaves the operation id as it was
        var stopped = await Ntms.Running[port];
        Assert.Equal((OperationState.Stopped, "ERROR_CANCELLED"), (stopped.State, stopped.Result));

        Guid door = Guid.Empty;
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.InjectNtmsCleaner(h, Library, ref door, 2, Ntms.NTMS_INJECT_START, Ntms.NTMS_IEDOOR));
        Assert.NotEqual(port, door);
        var waiting = await _h.Service.GetOperationAsync(door);
        Assert.Equal((CleanerPath.Door, (DateTimeOffset?)null), (waiting.Via, waiting.Deadline));
        // STOP is for port operations only.
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_OPERATION, Ntms.InjectNtmsCleaner(h, Library, ref door, 0, Ntms.NTMS_INJECT_STOP));
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN401L8"); l.CloseDoor(); });
        await _h.Service.ConfirmAsync(door);
        var injected = await Ntms.Running[door];
        Assert.Equal(OperationState.Passed, injected.State);
        Assert.Equal(("CLN401L8", 2u), ((await _h.Service.GetStateAsync()).Cleaner!.Barcode, (await _h.Service.GetStateAsync()).Cleaner!.CleansLeft));
        Ntms.CloseNtmsSession(h);
    }

    [Fact]
    public async Task Eject_start_and_stop_through_the_port_and_through_the_door()
    {
        nint h = Open();
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.ReserveNtmsCleanerSlot(h, Library, NtmsIds.Slot(Library, 1020)));
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN401L8"); l.CloseDoor(); });

        Guid door = Guid.Empty;
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_PARAMETER, Ntms.EjectNtmsCleaner(h, Library, ref door, 7));
        Assert.Equal(Guid.Empty, door);
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.EjectNtmsCleaner(h, Library, ref door, Ntms.NTMS_EJECT_START, Ntms.NTMS_IEDOOR));
        Assert.NotEqual(Guid.Empty, door);
        Assert.Equal((OperationKind.Eject, CleanerPath.Door), ((await _h.Service.GetOperationAsync(door)).Kind, (await _h.Service.GetOperationAsync(door)).Via));
        Assert.Equal((uint)NtmsResult.ERROR_INVALID_OPERATION, Ntms.EjectNtmsCleaner(h, Library, ref door, Ntms.NTMS_EJECT_STOP));
        await _h.Service.ConfirmAsync(door);
        Assert.Equal("cleaner taken out through the door", (await Ntms.Running[door]).Message);

        Guid port = Guid.Empty;
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.EjectNtmsCleaner(h, Library, ref port, Ntms.NTMS_EJECT_START));
        Assert.Equal((OperationKind.Eject, CleanerPath.IePort), ((await _h.Service.GetOperationAsync(port)).Kind, (await _h.Service.GetOperationAsync(port)).Via));
        Guid stop = port;
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.EjectNtmsCleaner(h, Library, ref stop, Ntms.NTMS_EJECT_STOP));
        Assert.Equal(port, stop);
        Assert.Equal(OperationState.Stopped, (await Ntms.Running[port]).State);
        Ntms.CloseNtmsSession(h);
    }

    [Fact]
    public void A_device_failure_inside_a_call_is_its_rsm_code_and_anything_else_is_not_swallowed()
    {
        nint lost = Ntms.OpenNtmsSession(_h.Service, Library,
            _ => throw new ScsiTransportException(TransportFailure.Io, "connection reset"),
            _ => throw new InvalidOperationException("a bug"));
        Assert.Equal((uint)NtmsResult.ERROR_NOT_CONNECTED, Ntms.ReserveNtmsCleanerSlot(lost, Library, NtmsIds.Slot(Library, 1020)));
        Assert.Equal("a bug", Assert.Throws<InvalidOperationException>(() => Ntms.CleanNtmsDrive(lost, NtmsIds.Drive(Library, "XYZZY_A1", 500))).Message);
        Ntms.CloseNtmsSession(lost);
    }

    [Fact]
    public async Task CleanNtmsDrive_never_unloads_a_drive_that_holds_a_cartridge()
    {
        nint h = Open();
        Assert.Equal((uint)NtmsResult.ERROR_SUCCESS, Ntms.ReserveNtmsCleanerSlot(h, Library, NtmsIds.Slot(Library, 1020)));
        _h.Operator(l => { l.OpenDoor(); l.InsertIntoSlot(1020, "CLN401L8"); l.CloseDoor(); });
        (await _h.Service.StoreAsync()).Update(st => st.Cleaner = new CleanerCartridge { Barcode = "CLN401L8", CleansLeft = 3 });
        await using (var s = await _h.OpenAsync(default)) await s.Changer.LoadAsync(1, 1);

        Assert.Equal((uint)NtmsResult.ERROR_UNABLE_TO_CLEAN, Ntms.CleanNtmsDrive(h, NtmsIds.Drive(Library, "XYZZY_A2", 501)));
        Assert.Equal("E01001L8", _h.BarcodeAt(501));
        Assert.DoesNotContain((await _h.Service.GetStateAsync()).Operations, o => o.Kind == OperationKind.Clean);
        Ntms.CloseNtmsSession(h);
    }
}
