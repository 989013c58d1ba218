using TapeChanger.Scsi;
using TapeChanger.MhvtlConfig;

namespace TapeChanger.Virtual;

/// <summary>An operator action (vtlcmd-like) that cannot be done in the library's current state.</summary>
public sealed class VirtualOperatorException(string message) : InvalidOperationException(message);

/// <summary>A simulated robot move: its command (MOVE MEDIUM A5h, EXCHANGE MEDIUM A6h), source, destination, start and end.</summary>
public sealed record VirtualRobotMove(byte OperationCode, ushort Source, ushort Destination, DateTimeOffset Start, DateTimeOffset End, bool Good);

/// <summary>One element as the operator sees it (test accessor; not what RES reports byte by byte).</summary>
public sealed record VirtualElement(
    ElementType Type,
    ushort Address,
    int Number,
    string? Barcode,
    MediumType MediumType,
    bool ImpExp,
    bool Access,
    ushort? SourceAddress,
    bool MagazineRemoved);

/// <summary>
/// An in-process mhVTL-like SCSI target: the changer at LUN 0 and its drives at LUN 1..N
/// (docs/reference/mhvtl.md, the later upstream behaviour). All byte layouts are written here by hand, independent of the
/// project's decoders. Thread-safe: every entry point takes the library's lock.
/// </summary>
public sealed partial class VirtualLibrary
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private LibraryState _state;

    public VirtualLibrary(VirtualLibraryConfig config, LibraryState? state = null, TimeProvider? time = null)
    {
        Config = config;
        _time = time ?? TimeProvider.System;
        _state = state ?? CreateInitialState(config);
        if (_state.Layout != LayoutOf(config))
            throw new InvalidDataException($"the saved state describes layout '{_state.Layout}' but the configuration has '{LayoutOf(config)}'");
        Index();
    }

    public VirtualLibraryConfig Config { get; }
    public Personality Personality => Config.Personality;

    /// <summary>The library's clock (cleaning cycles, simulated move times).</summary>
    public TimeProvider Time => _time;

    /// <summary>How long the robot takes for one MOVE MEDIUM (device.conf <c>Move time</c>; zero: instant, the default).</summary>
    public TimeSpan MoveTime => TimeSpan.FromMilliseconds(Config.Library.MoveMilliseconds);

    /// <summary>The one robot: a simulated move holds it for its whole move time (<see cref="VirtualTransport"/>).</summary>
    internal SemaphoreSlim Robot { get; } = new(1, 1);

    private readonly List<VirtualRobotMove> _robotMoves = [];

    /// <summary>The simulated moves of this process (start and end on <see cref="Time"/>), the latest 1,000.</summary>
    public IReadOnlyList<VirtualRobotMove> RobotMoves
    {
        get { lock (_robotMoves) return [.. _robotMoves]; }
    }

    internal void RecordMove(VirtualRobotMove move)
    {
        lock (_robotMoves)
        {
            if (_robotMoves.Count == 1000) _robotMoves.RemoveAt(0);
            _robotMoves.Add(move);
        }
    }

    /// <summary>The live state object (persisted by <see cref="VirtualLibraryStore"/>).</summary>
    public LibraryState State
    {
        get { lock (_gate) return _state; }
    }

    /// <summary>The state as JSON (<see cref="VirtualStateCodec"/>), taken under the library's lock.</summary>
    public string SerializeState() => System.Text.Encoding.UTF8.GetString(SerializeStateUtf8());

    /// <summary>The state as UTF-8 JSON, taken under the library's lock.</summary>
    public byte[] SerializeStateUtf8()
    {
        lock (_gate) return VirtualStateCodec.Write(_state);
    }

    /// <summary>The state as UTF-8 JSON appended to <paramref name="buffer"/>, taken under the library's lock.</summary>
    public void SerializeState(System.Buffers.IBufferWriter<byte> buffer)
    {
        lock (_gate) VirtualStateCodec.Write(_state, buffer);
    }

    public ushort TransportStart => Personality.TransportStart;
    public ushort StorageStart => Personality.StorageStart;
    public ushort ImportExportStart => Personality.ImportExportStart;
    public ushort DataTransferStart => Personality.DataTransferStart;
    public int DriveCount => Config.DriveElements.Count;
    public int MagazineCount => (Config.Contents.Slots.Count + Config.Library.MagazineSize - 1) / Config.Library.MagazineSize;

    /// <summary>Element layout fingerprint stored with the state.</summary>
    public static string LayoutOf(VirtualLibraryConfig c)
    {
        var p = c.Personality;
        return $"MT:{p.TransportStart}x{c.Contents.Pickers.Count} ST:{p.StorageStart}x{c.Contents.Slots.Count} IE:{p.ImportExportStart}x{c.Contents.Maps.Count} DT:{p.DataTransferStart}x{c.DriveElements.Count}";
    }

    /// <summary>The configured contents (library_contents.NN), with the 06/29/00 reset UA pending.</summary>
    public static LibraryState CreateInitialState(VirtualLibraryConfig config)
    {
        var p = config.Personality;
        var s = new LibraryState { Layout = LayoutOf(config), ResetPending = true };
        void Add(ElementType t, ushort start, IReadOnlyList<ContentsEntry> entries)
        {
            foreach (var e in entries)
            {
                s.Elements.Add(new ElementState
                {
                    Type = (byte)t,
                    Address = (ushort)(start + e.Number - 1),   // address = N + start_<type> - 1 (docs/reference/mhvtl.md §2)
                    Number = e.Number,
                    Barcode = e.Barcode,
                    // Cartridges placed at start-up have no source (SValid=0, docs/reference/mhvtl.md §7). MAP elements start with ImpExp
                    // set: 0x3A empty / 0x3B full with the CAP closed (docs/reference/mhvtl.md §7).
                    ImpExp = t == ElementType.ImportExport,
                    Access = true,
                });
            }
        }
        Add(ElementType.MediumTransport, p.TransportStart, config.Contents.Pickers);
        Add(ElementType.Storage, p.StorageStart, config.Contents.Slots);
        Add(ElementType.ImportExport, p.ImportExportStart, config.Contents.Maps);
        var driveEntries = Enumerable.Range(1, config.DriveElements.Count)
            .Select(n => n <= config.Contents.Drives.Count ? config.Contents.Drives[n - 1] : new ContentsEntry(n, null, 0)).ToList();
        Add(ElementType.DataTransfer, p.DataTransferStart, driveEntries);
        for (int i = 0; i < config.DriveElements.Count; i++) s.Drives.Add(new DriveState { Lun = i + 1 });
        s.Elements.Sort((a, b) => a.Address.CompareTo(b.Address));
        return s;
    }

    private void Index()
    {
        _byAddressOrder = [.. _state.Elements];
        Array.Sort(_byAddressOrder, static (a, b) => a.Address.CompareTo(b.Address));
        for (int i = 1; i < _byAddressOrder.Length; i++)
        {
            if (_byAddressOrder[i].Address == _byAddressOrder[i - 1].Address)
                throw new InvalidDataException($"two elements have address {_byAddressOrder[i].Address}");
        }
    }

    /// <summary>Every element in address order (addresses never change; the objects are the state's own). The only
    /// index: lookups by address search it (a dictionary beside it cost 1.2 MB on a 50,000-element library).</summary>
    private ElementState[] _byAddressOrder = [];

    /// <summary>Index in <see cref="_byAddressOrder"/> of the first element at or after <paramref name="address"/>.</summary>
    private int LowerBound(ushort address)
    {
        int lo = 0, hi = _byAddressOrder.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (_byAddressOrder[mid].Address < address) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    /// <summary>The element at <paramref name="address"/>, or null.</summary>
    private ElementState? At(ushort address)
    {
        int i = LowerBound(address);
        return i < _byAddressOrder.Length && _byAddressOrder[i].Address == address ? _byAddressOrder[i] : null;
    }

    private bool TryAt(ushort address, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ElementState? e) => (e = At(address)) is not null;

    private IEnumerable<ElementState> OfType(ElementType t) => _state.Elements.Where(e => e.Type == (byte)t);

    private ElementState DriveElement(int lun) => OfType(ElementType.DataTransfer).First(e => e.Number == lun);

    private DriveState Drive(int lun) => _state.Drives.First(d => d.Lun == lun);

    private DriveStanza? DriveConfig(int lun) => Config.DriveElements[lun - 1];

    /// <summary>Magazine number (1-based) of a storage slot number.</summary>
    private int MagazineOf(int slotNumber) => (slotNumber - 1) / Config.Library.MagazineSize + 1;

    private bool MagazineRemoved(ElementState e) => e.Type == (byte)ElementType.Storage && _state.RemovedMagazines.Contains(MagazineOf(e.Number));

    // ------------------------------------------------------------------ accessors

    public IReadOnlyList<VirtualElement> Elements
    {
        get
        {
            lock (_gate)
            {
                return _state.Elements.Select(e => new VirtualElement(
                    (ElementType)e.Type, e.Address, e.Number, e.Barcode,
                    e.Barcode is null ? MediumType.Unspecified : Media.TypeOf(e.Barcode),
                    e.ImpExp, ReportedStatus(e) is var st && (st & 0x08) != 0,
                    e.Barcode is not null && e.Home != 0 ? e.Home : null,
                    MagazineRemoved(e))).ToList();
            }
        }
    }

    public VirtualElement Element(ushort address) => Elements.FirstOrDefault(e => e.Address == address)
        ?? throw new VirtualOperatorException($"there is no element at address {address}");

    public bool ImportExportOpen { get { lock (_gate) return _state.ImportExportOpen; } }
    public bool DoorOpen { get { lock (_gate) return _state.DoorOpen; } }
    public bool RemovalPrevented { get { lock (_gate) return _state.RemovalPrevented; } }
}
