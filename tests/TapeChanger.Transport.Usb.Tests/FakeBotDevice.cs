using System.Buffers.Binary;

namespace TapeChanger.Transport.Usb.Tests;

/// <summary>Faults the fake applies to the next command.</summary>
public enum BotFault
{
    None,
    StallDataIn,
    StallCsw,
    PhaseError,
    WrongTag,
    ShortCsw,
    BadSignature,
    TimeoutDataIn,
    TimeoutCsw,
    SkipDataPhase,
    Disconnect,
    /// <summary>The status phase stalls every time until reset recovery.</summary>
    StallCswAlways,
    /// <summary>The device takes only 13 bytes of the 31-byte CBW.</summary>
    ShortCbw,
}

/// <summary>
/// A bulk-pipe fake of a Bulk-Only autoloader: parses CBWs on its own (not with the production code), runs a tiny SCSI
/// target per LUN (INQUIRY, TEST UNIT READY, REQUEST SENSE, READ ELEMENT STATUS, MODE SELECT), keeps halt state per
/// endpoint, and follows fault scripts.
/// </summary>
public sealed class FakeBotDevice : IUsbBulkDevice
{
    public const byte InEp = 0x81;
    public const byte OutEp = 0x02;

    /// <summary>Fixed READ ELEMENT STATUS reply: one storage element (address 1000h) full, volume tag not requested.</summary>
    public static readonly byte[] ElementStatusReply =
    [
        0x10, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14,                 // first 1000h, 1 element, 20 bytes of report
        0x02, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x0C,                 // storage page, descriptor length 12, 12 bytes
        0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 1000h FULL
    ];

    private enum Phase { Idle, DataIn, DataOut, Status }

    private Phase _phase;
    private byte[] _data = [];
    private int _expected;
    private uint _tag;
    private byte _status;
    private uint _residue;
    private BotFault _fault;
    private bool _cswStallDone;
    private readonly Dictionary<byte, byte[]> _pendingSense = [];

    public Queue<BotFault> Faults { get; } = new();
    public List<string> Log { get; } = [];
    public List<byte[]> Cbws { get; } = [];
    public byte[] PeripheralTypes { get; set; } = [0x08];
    /// <summary>VPD page 80h serial per LUN; a LUN without one refuses the page (05/24/00).</summary>
    public Dictionary<byte, string> Serials { get; } = [];
    /// <summary>LUNs that refuse every command, INQUIRY included (05/25/00, LOGICAL UNIT NOT SUPPORTED).</summary>
    public HashSet<byte> RefusingLuns { get; } = [];
    public byte MaxLun { get; set; }
    public bool StallGetMaxLun { get; set; }
    public bool HaltedIn { get; private set; }
    public bool HaltedOut { get; private set; }
    public int Resets { get; private set; }
    public int GetMaxLunRequests { get; private set; }
    public byte[]? LastDataOut { get; private set; }
    public bool Disposed { get; private set; }

    public string Description => "fake BOT device";
    public byte InterfaceNumber => 0;
    public byte BulkInEndpoint => InEp;
    public byte BulkOutEndpoint => OutEp;

    /// <summary>Makes the next command on <paramref name="lun"/> fail with this sense (fixed format).</summary>
    public void SetPendingSense(byte lun, byte key, byte asc, byte ascq)
    {
        var s = new byte[18];
        s[0] = 0x70; s[2] = key; s[7] = 10; s[12] = asc; s[13] = ascq;
        _pendingSense[lun] = s;
    }

    public UsbTransferResult BulkOut(ReadOnlySpan<byte> data, TimeSpan timeout)
    {
        if (_fault == BotFault.Disconnect) return new UsbTransferResult(UsbTransferStatus.NoDevice, 0);
        if (HaltedOut) return UsbTransferResult.Stalled;
        switch (_phase)
        {
            case Phase.Idle:
                if (data.Length != 31 || BinaryPrimitives.ReadUInt32LittleEndian(data) != 0x43425355)
                {
                    HaltedOut = true; HaltedIn = true;          // invalid CBW: stall both until reset recovery
                    return UsbTransferResult.Stalled;
                }
                Cbws.Add(data.ToArray());
                StartCommand(data.ToArray());
                if (_fault == BotFault.ShortCbw)
                {
                    Log.Add("short cbw");
                    _phase = Phase.Idle;
                    return UsbTransferResult.Ok(13);
                }
                if (_fault == BotFault.Disconnect) return new UsbTransferResult(UsbTransferStatus.NoDevice, 0);
                return UsbTransferResult.Ok(31);
            case Phase.DataOut:
                LastDataOut = data.ToArray();
                Log.Add($"data-out {data.Length}");
                _residue = (uint)(_expected - data.Length);
                _phase = Phase.Status;
                return UsbTransferResult.Ok(data.Length);
            default:
                return UsbTransferResult.TimedOut();
        }
    }

    public UsbTransferResult BulkIn(Span<byte> buffer, TimeSpan timeout)
    {
        if (_fault == BotFault.Disconnect) return new UsbTransferResult(UsbTransferStatus.NoDevice, 0);
        if (HaltedIn) return UsbTransferResult.Stalled;
        switch (_phase)
        {
            case Phase.DataIn:
                if (_fault == BotFault.TimeoutDataIn) return UsbTransferResult.TimedOut();
                if (_fault == BotFault.SkipDataPhase)
                {
                    _residue = (uint)_expected;
                    var csw = BuildCsw();
                    csw.CopyTo(buffer);
                    _phase = Phase.Idle;
                    Log.Add("csw in data phase");
                    return UsbTransferResult.Ok(csw.Length);
                }
                if (_fault == BotFault.StallDataIn || _data.Length == 0)
                {
                    HaltedIn = true;
                    _residue = (uint)_expected;
                    _phase = Phase.Status;
                    Log.Add("stall data-in");
                    return UsbTransferResult.Stalled;
                }
                int n = Math.Min(Math.Min(_data.Length, _expected), buffer.Length);
                _data.AsSpan(0, n).CopyTo(buffer);
                _residue = (uint)(_expected - n);
                _phase = Phase.Status;
                Log.Add($"data-in {n}");
                return UsbTransferResult.Ok(n);
            case Phase.Status:
            {
                if (_fault == BotFault.TimeoutCsw) return UsbTransferResult.TimedOut();
                if (_fault == BotFault.StallCswAlways)
                {
                    HaltedIn = true;
                    Log.Add("stall csw");
                    return UsbTransferResult.Stalled;
                }
                if (_fault == BotFault.StallCsw && !_cswStallDone)
                {
                    _cswStallDone = true;
                    HaltedIn = true;
                    Log.Add("stall csw");
                    return UsbTransferResult.Stalled;
                }
                var csw = BuildCsw();
                _phase = Phase.Idle;
                if (_fault == BotFault.ShortCsw)
                {
                    csw.AsSpan(0, 7).CopyTo(buffer);
                    Log.Add("short csw");
                    return UsbTransferResult.Ok(7);
                }
                csw.CopyTo(buffer);
                Log.Add($"csw {_status}");
                return UsbTransferResult.Ok(csw.Length);
            }
            default:
                return UsbTransferResult.TimedOut();
        }
    }

    private byte[] BuildCsw()
    {
        var csw = new byte[13];
        BinaryPrimitives.WriteUInt32LittleEndian(csw, _fault == BotFault.BadSignature ? 0x55425355u : 0x53425355u);
        BinaryPrimitives.WriteUInt32LittleEndian(csw.AsSpan(4), _fault == BotFault.WrongTag ? _tag + 1 : _tag);
        BinaryPrimitives.WriteUInt32LittleEndian(csw.AsSpan(8), _residue);
        csw[12] = _fault == BotFault.PhaseError ? (byte)2 : _status;
        return csw;
    }

    public UsbTransferResult ClearHalt(byte endpoint)
    {
        Log.Add($"clear-halt {endpoint:x2}");
        if (endpoint == InEp) HaltedIn = false;
        else if (endpoint == OutEp) HaltedOut = false;
        else return new UsbTransferResult(UsbTransferStatus.Error, 0, "bad endpoint");
        return UsbTransferResult.Ok(0);
    }

    public UsbTransferResult ControlTransfer(byte requestType, byte request, ushort value, ushort index, Span<byte> data, TimeSpan timeout)
    {
        if (requestType == 0x21 && request == 0xFF && value == 0 && index == InterfaceNumber && data.Length == 0)
        {
            Resets++;
            _phase = Phase.Idle;
            _fault = BotFault.None;
            Log.Add("reset");
            return UsbTransferResult.Ok(0);
        }
        if (requestType == 0xA1 && request == 0xFE && index == InterfaceNumber && data.Length == 1)
        {
            GetMaxLunRequests++;
            if (StallGetMaxLun) return UsbTransferResult.Stalled;
            data[0] = MaxLun;
            return UsbTransferResult.Ok(1);
        }
        return UsbTransferResult.Stalled;
    }

    private void StartCommand(byte[] cbw)
    {
        _tag = BinaryPrimitives.ReadUInt32LittleEndian(cbw.AsSpan(4));
        _expected = (int)BinaryPrimitives.ReadUInt32LittleEndian(cbw.AsSpan(8));
        bool dataIn = (cbw[12] & 0x80) != 0;
        byte lun = cbw[13];
        var cdb = cbw.AsSpan(15, cbw[14]).ToArray();
        _fault = Faults.Count > 0 ? Faults.Dequeue() : BotFault.None;
        _cswStallDone = false;
        Log.Add($"cbw {cdb[0]:x2} lun {lun} len {_expected}");
        (_status, _data) = Run(lun, cdb);
        _residue = 0;
        _phase = _expected == 0 ? Phase.Status : dataIn ? Phase.DataIn : Phase.DataOut;
    }

    /// <summary>The tiny SCSI target: (CSW status, data-in bytes).</summary>
    private (byte Status, byte[] Data) Run(byte lun, byte[] cdb)
    {
        if (cdb[0] == 0x03)                                   // REQUEST SENSE
        {
            var sense = _pendingSense.Remove(lun, out var s) ? s : NoSense();
            return (0, sense[..Math.Min(sense.Length, cdb[4])]);
        }
        if (_pendingSense.ContainsKey(lun)) return (1, []);
        if (RefusingLuns.Contains(lun))
        {
            SetPendingSense(lun, 0x05, 0x25, 0x00);
            return (1, []);
        }
        if (cdb[0] == 0x12 && (cdb[1] & 0x01) != 0)           // INQUIRY with EVPD
        {
            if (cdb[2] != 0x80 || !Serials.TryGetValue(lun, out var serial))
            {
                SetPendingSense(lun, 0x05, 0x24, 0x00);       // INVALID FIELD IN CDB
                return (1, []);
            }
            var page = new byte[4 + serial.Length];
            page[0] = lun < PeripheralTypes.Length ? PeripheralTypes[lun] : (byte)0x7F;
            page[1] = 0x80; page[3] = (byte)serial.Length;
            System.Text.Encoding.ASCII.GetBytes(serial).CopyTo(page, 4);
            int allocation = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(3));
            return (0, page[..Math.Min(page.Length, allocation)]);
        }
        switch (cdb[0])
        {
            case 0x00:                                        // TEST UNIT READY
                return (0, []);
            case 0x12:                                        // INQUIRY
            {
                var inq = new byte[36];
                inq[0] = lun < PeripheralTypes.Length ? PeripheralTypes[lun] : (byte)0x7F;
                inq[2] = 0x05; inq[3] = 0x02; inq[4] = 31;
                "FAKEVEND"u8.CopyTo(inq.AsSpan(8));
                "USB AUTOLOADER  "u8.CopyTo(inq.AsSpan(16));
                "0001"u8.CopyTo(inq.AsSpan(32));
                int alloc = BinaryPrimitives.ReadUInt16BigEndian(cdb.AsSpan(3));
                return (0, inq[..Math.Min(36, alloc)]);
            }
            case 0xB8:                                        // READ ELEMENT STATUS
                return (0, ElementStatusReply);
            case 0x15:                                        // MODE SELECT(6)
                return (0, []);
            default:
                SetPendingSense(lun, 0x05, 0x20, 0x00);       // INVALID COMMAND OPERATION CODE
                return (1, []);
        }
    }

    private static byte[] NoSense()
    {
        var s = new byte[18];
        s[0] = 0x70; s[7] = 10;
        return s;
    }

    public void Dispose() => Disposed = true;
}
