using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Virtual;

/// <summary>
/// Fault injection: faults live in the persisted state and fire on matching commands before (or, for a
/// lost reply, after) the command runs. Time windows use the library's <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class VirtualLibrary
{
    /// <summary>
    /// Adds a fault and returns it with its id. <paramref name="duration"/> sets a time window from now; the sense
    /// fields default per kind (<see cref="FaultNames.DefaultSense"/>) when <see cref="FaultSpec.Key"/> is 0.
    /// </summary>
    public FaultSpec AddFault(FaultSpec fault, TimeSpan? duration = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            var f = Validate(fault);
            if (duration is TimeSpan d)
            {
                if (d <= TimeSpan.Zero) throw new VirtualOperatorException("the fault's time window must be longer than 0 s");
                f.Until = _time.GetUtcNow() + d;
            }
            f.Id = _state.Faults.Count == 0 ? 1 : _state.Faults.Max(x => x.Id) + 1;
            f.Fired = 0;
            _state.Faults.Add(f);
            return Copy(f);
        }
    }

    /// <summary>The active faults (expired ones are dropped first).</summary>
    public IReadOnlyList<FaultSpec> Faults
    {
        get
        {
            lock (_gate)
            {
                PruneFaults();
                return _state.Faults.Select(Copy).ToList();
            }
        }
    }

    /// <summary>Removes fault <paramref name="id"/>, or every fault when null. Returns how many were removed.</summary>
    public int ClearFaults(int? id = null)
    {
        lock (_gate)
        {
            if (id is null)
            {
                int n = _state.Faults.Count;
                _state.Faults.Clear();
                return n;
            }
            if (_state.Faults.RemoveAll(f => f.Id == id) == 0) throw new VirtualOperatorException($"there is no fault #{id}; 'virtual fault list' shows them");
            return 1;
        }
    }

    private FaultSpec Validate(FaultSpec src)
    {
        var f = Copy(src);
        if (!Enum.IsDefined(f.Kind)) throw new VirtualOperatorException($"unknown fault kind {(int)f.Kind}");
        if (f.Remaining is <= 0) throw new VirtualOperatorException("the fault's count must be at least 1");
        if (f.Lun < 0 || f.Lun > DriveCount) throw new VirtualOperatorException($"there is no LUN {f.Lun}; LUNs are 0 (changer) to {DriveCount}");
        // null = the kind's default filter; "any" = every command.
        if (f.Command is null) f.Command = FaultNames.DefaultCommand(f.Kind);
        else if (string.Equals(f.Command.Trim(), "any", StringComparison.OrdinalIgnoreCase)) f.Command = null;
        if (f.Command is { } c && !FaultNames.IsKnownCommand(c))
            throw new VirtualOperatorException($"unknown command '{c}'; give a name such as 'MOVE MEDIUM', 'READ ELEMENT STATUS', 'TEST UNIT READY', or a hex opcode");
        if (f.Element is ushort a && At(a) is null) throw new VirtualOperatorException($"there is no element at address {a}");
        if (f.Key == 0 && f.Asc == 0 && f.Ascq == 0) (f.Key, f.Asc, f.Ascq) = FaultNames.DefaultSense(f.Kind);
        if (f.Key > 0x0F) throw new VirtualOperatorException($"sense key {f.Key:X2} is not a sense key (0 to F)");
        if (f.Kind == FaultKind.UnitAttention && f.Key != 0x06) throw new VirtualOperatorException("a unit attention fault has sense key 6");
        if (f.AfterExecute && f.Kind is not (FaultKind.Timeout or FaultKind.Drop))
            throw new VirtualOperatorException("only timeout and drop faults can lose the reply after the command ran");
        switch (f.Kind)
        {
            case FaultKind.RefuseUnload:
                if (f.Element is not ushort drive || At(drive)?.Type != (byte)ElementType.DataTransfer)
                    throw new VirtualOperatorException($"a refuse-unload fault needs the drive's element address (drives are {DataTransferStart} to {DataTransferStart + DriveCount - 1})");
                break;
            case FaultKind.MagazineRemoved when f.Magazine != 0:
                CheckMagazine(f.Magazine);
                break;
        }
        return f;
    }

    private static FaultSpec Copy(FaultSpec f) => new()
    {
        Id = f.Id, Kind = f.Kind, Command = f.Command, Element = f.Element, Lun = f.Lun, Remaining = f.Remaining, Until = f.Until,
        Key = f.Key, Asc = f.Asc, Ascq = f.Ascq, Magazine = f.Magazine, AfterExecute = f.AfterExecute, Fired = f.Fired,
    };

    private void PruneFaults()
    {
        if (_state.Faults.Count == 0) return;
        var now = _time.GetUtcNow();
        _state.Faults.RemoveAll(f => f.Until is { } u && now >= u);
    }

    /// <summary>Element addresses a CDB names (for element filters); null = every element (INITIALIZE ELEMENT STATUS).</summary>
    private static IEnumerable<(ushort First, int Count)>? NamedElements(byte[] cdb) => cdb[0] switch
    {
        OpCode.MoveMedium => [(U16(cdb, 4), 1), (U16(cdb, 6), 1)],
        OpCode.ExchangeMedium => [(U16(cdb, 4), 1), (U16(cdb, 6), 1), (U16(cdb, 8), 1)],
        OpCode.PositionToElement => [(U16(cdb, 4), 1)],
        OpCode.ReadElementStatus => [(U16(cdb, 2), U16(cdb, 4))],
        OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy when (cdb[1] & 0x01) != 0
            => [(U16(cdb, 2), U16(cdb, 6))],
        OpCode.InitializeElementStatus or OpCode.InitializeElementStatusWithRange or OpCode.InitializeElementStatusWithRangeLegacy => null,
        _ => [],
    };

    private static bool Names(byte[] cdb, ushort address)
    {
        var named = NamedElements(cdb);
        return named is null || named.Any(r => address >= r.First && address < r.First + r.Count);
    }

    /// <summary>The first active fault of <paramref name="kinds"/> that matches this command, or null.</summary>
    private FaultSpec? FindFault(int lun, byte[] cdb, Func<FaultKind, bool> kinds)
    {
        if (_state.Faults.Count == 0) return null;
        PruneFaults();
        byte op = cdb[0];
        foreach (var f in _state.Faults)
        {
            if (f.Lun != lun || !kinds(f.Kind)) continue;
            if (f.Command is null)
            {
                // "Any command" spares what SPC processes regardless of pending conditions (INQUIRY, REPORT LUNS,
                // REQUEST SENSE; SPC-4 §5.10, vtllibrary.c:processCommand) for sense faults.
                if (f.Kind is FaultKind.UnitAttention or FaultKind.NotReady && op is OpCode.Inquiry or OpCode.ReportLuns or OpCode.RequestSense) continue;
            }
            else if (!FaultNames.Matches(f.Command, op)) continue;
            if (f.Element is ushort a && !Names(cdb, a)) continue;
            if (f.Kind == FaultKind.RefuseUnload)
            {
                // Only a move out of the loaded drive is refused (SMC-3 Table 29: 53/03).
                if (op is not (OpCode.MoveMedium or OpCode.ExchangeMedium) || U16(cdb, 4) != f.Element) continue;
                if (!TryAt(f.Element!.Value, out var drive) || drive.Barcode is null) continue;
            }
            return f;
        }
        return null;
    }

    private void Consume(FaultSpec f)
    {
        f.Fired++;
        if (f.Remaining is int n)
        {
            f.Remaining = n - 1;
            if (n - 1 <= 0) _state.Faults.Remove(f);
        }
    }

    /// <summary>
    /// Fires the pre-execution fault matching this command, if any: returns BUSY, throws a CHECK CONDITION, or throws the
    /// transport exception. Returns a fault whose reply is lost after the command runs in <paramref name="lostReply"/>.
    /// </summary>
    private ScsiResult? FirePreFault(int lun, ScsiCommand command, out FaultSpec? lostReply)
    {
        lostReply = null;
        byte[] cdb = command.Cdb;
        var f = FindFault(lun, cdb, k => k != FaultKind.HalfMove);
        if (f is null) return null;
        Consume(f);
        switch (f.Kind)
        {
            case FaultKind.Busy:
                return new ScsiResult(ScsiStatus.Busy, 0, []);
            case FaultKind.Timeout or FaultKind.Drop when f.AfterExecute:
                lostReply = f;
                return null;
            case FaultKind.Timeout or FaultKind.Drop:
                throw TransportFault(f, command);
            case FaultKind.MagazineRemoved:
                int magazine = f.Magazine != 0 ? f.Magazine : MagazineNamedBy(cdb);
                if (!_state.RemovedMagazines.Contains(magazine)) _state.RemovedMagazines.Add(magazine);
                throw SenseBytes.Check(f.Key, f.Asc, f.Ascq);
            default:
                throw SenseBytes.Check(f.Key, f.Asc, f.Ascq);
        }
    }

    /// <summary>The magazine of the first storage slot a move names (source first), else magazine 1.</summary>
    private int MagazineNamedBy(byte[] cdb)
    {
        foreach (var (first, _) in NamedElements(cdb) ?? [])
        {
            if (TryAt(first, out var e) && e.Type == (byte)ElementType.Storage) return MagazineOf(e.Number);
        }
        return 1;
    }

    private ScsiTransportException TransportFault(FaultSpec f, ScsiCommand command) => f.Kind == FaultKind.Timeout
        ? new ScsiTransportException(TransportFailure.Timeout,
            $"{command.Name} on virtual: timed out after {command.Timeout.TotalSeconds:0} s with no reply (injected fault #{f.Id})", command.Name)
        : new ScsiTransportException(TransportFailure.Io,
            $"{command.Name} on virtual: the connection to the library was lost (injected fault #{f.Id})", command.Name);

    /// <summary>
    /// A half-move fault for this MOVE/EXCHANGE, after the library accepted it: the cartridge leaves
    /// <paramref name="source"/> for the picker, and the command ends in HARDWARE ERROR. Only when the picker is empty.
    /// </summary>
    private void FireHalfMove(byte[] cdb, ElementState source)
    {
        var picker = OfType(ElementType.MediumTransport).FirstOrDefault();
        if (picker is null || picker.Barcode is not null) return;
        var f = FindFault(0, cdb, k => k == FaultKind.HalfMove);
        if (f is null) return;
        Consume(f);
        Place(picker, Take(source));
        throw SenseBytes.Check(f.Key, f.Asc, f.Ascq);
    }
}
