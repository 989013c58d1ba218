namespace TapeChanger.Scsi;

/// <summary>Direction of the data phase.</summary>
public enum DataDirection
{
    None,
    /// <summary>Device to host (READ ELEMENT STATUS, INQUIRY...).</summary>
    In,
    /// <summary>Host to device (MODE SELECT...).</summary>
    Out,
}

/// <summary>SAM-5 status byte values.</summary>
public enum ScsiStatus : byte
{
    Good = 0x00,
    CheckCondition = 0x02,
    ConditionMet = 0x04,
    Busy = 0x08,
    ReservationConflict = 0x18,
    TaskSetFull = 0x28,
    AcaActive = 0x30,
    TaskAborted = 0x40,
}

/// <summary>
/// A built command: CDB bytes, data direction and length, and timeout. Data only, no I/O
/// (the libiscsi "task" idea). <see cref="DataOut"/> carries the parameter list for data-out commands.
/// </summary>
public sealed record ScsiCommand
{
    public ScsiCommand(string name, byte[] cdb, DataDirection direction, int transferLength, TimeSpan timeout, byte[]? dataOut = null)
    {
        ArgumentNullException.ThrowIfNull(cdb);
        if (cdb.Length is < 6 or > 16) throw new ArgumentOutOfRangeException(nameof(cdb), "CDB must be 6 to 16 bytes");
        if (transferLength < 0) throw new ArgumentOutOfRangeException(nameof(transferLength));
        Name = name;
        Cdb = cdb;
        Direction = direction;
        TransferLength = transferLength;
        Timeout = timeout;
        DataOut = dataOut;
    }

    /// <summary>Spec name of the command, e.g. "MOVE MEDIUM".</summary>
    public string Name { get; }
    public byte[] Cdb { get; }
    public DataDirection Direction { get; }
    /// <summary>Allocation length (data-in) or parameter list length (data-out).</summary>
    public int TransferLength { get; }
    public TimeSpan Timeout { get; }
    public byte[]? DataOut { get; }

    public byte OperationCode => Cdb[0];

    public ScsiCommand WithTimeout(TimeSpan timeout) => new(Name, Cdb, Direction, TransferLength, timeout, DataOut);

    public override string ToString() => $"{Name} [{Convert.ToHexString(Cdb).ToLowerInvariant()}]";
}

/// <summary>Default command timeouts (Linux ch uses 300 s for moves and 3600 s for INITIALIZE ELEMENT STATUS).</summary>
public static class CommandTimeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Move = TimeSpan.FromSeconds(600);
    public static readonly TimeSpan Initialize = TimeSpan.FromSeconds(3600);
}

/// <summary>Operation codes (SPC-4, SMC-3 §6).</summary>
public static class OpCode
{
    public const byte TestUnitReady = 0x00;
    public const byte RequestSense = 0x03;
    public const byte InitializeElementStatus = 0x07;
    public const byte Inquiry = 0x12;
    public const byte ModeSelect6 = 0x15;
    public const byte ModeSense6 = 0x1A;
    /// <summary>OPEN/CLOSE IMPORT/EXPORT ELEMENT on a changer; START STOP UNIT / LOAD UNLOAD on other devices.</summary>
    public const byte OpenCloseImportExportElement = 0x1B;
    public const byte LoadUnload = 0x1B;
    public const byte PreventAllowMediumRemoval = 0x1E;
    public const byte PositionToElement = 0x2B;
    public const byte InitializeElementStatusWithRange = 0x37;
    public const byte LogSelect = 0x4C;
    public const byte LogSense = 0x4D;
    public const byte ModeSelect10 = 0x55;
    public const byte ModeSense10 = 0x5A;
    public const byte ReportLuns = 0xA0;
    public const byte MaintenanceIn = 0xA3;
    public const byte MoveMedium = 0xA5;
    public const byte ExchangeMedium = 0xA6;
    public const byte ReadElementStatus = 0xB8;
    /// <summary>mhVTL's legacy (vendor) opcode for INITIALIZE ELEMENT STATUS WITH RANGE.</summary>
    public const byte InitializeElementStatusWithRangeLegacy = 0xE7;

    public static string Name(byte op) => op switch
    {
        TestUnitReady => "TEST UNIT READY",
        RequestSense => "REQUEST SENSE",
        InitializeElementStatus => "INITIALIZE ELEMENT STATUS",
        Inquiry => "INQUIRY",
        ModeSelect6 => "MODE SELECT(6)",
        ModeSense6 => "MODE SENSE(6)",
        OpenCloseImportExportElement => "OPEN/CLOSE IMPORT/EXPORT ELEMENT",
        PreventAllowMediumRemoval => "PREVENT ALLOW MEDIUM REMOVAL",
        PositionToElement => "POSITION TO ELEMENT",
        InitializeElementStatusWithRange or InitializeElementStatusWithRangeLegacy => "INITIALIZE ELEMENT STATUS WITH RANGE",
        LogSelect => "LOG SELECT",
        LogSense => "LOG SENSE",
        ModeSelect10 => "MODE SELECT(10)",
        ModeSense10 => "MODE SENSE(10)",
        ReportLuns => "REPORT LUNS",
        MaintenanceIn => "MAINTENANCE IN",
        MoveMedium => "MOVE MEDIUM",
        ExchangeMedium => "EXCHANGE MEDIUM",
        ReadElementStatus => "READ ELEMENT STATUS",
        _ => $"opcode {op:X2}h",
    };
}

/// <summary>SMC-3 element type codes (READ ELEMENT STATUS byte 1 bits 3-0, page header byte 0).</summary>
public enum ElementType : byte
{
    All = 0,
    /// <summary>Medium transport element (picker).</summary>
    MediumTransport = 1,
    /// <summary>Storage element (slot).</summary>
    Storage = 2,
    /// <summary>Import/export element (mail slot, CAP).</summary>
    ImportExport = 3,
    /// <summary>Data transfer element (drive).</summary>
    DataTransfer = 4,
}

/// <summary>SMC-3 element descriptor byte 9 bits 2-0, MEDIUM TYPE.</summary>
public enum MediumType : byte
{
    Unspecified = 0,
    Data = 1,
    Cleaning = 2,
    Diagnostic = 3,
    Worm = 4,
    Microcode = 5,
    Reserved6 = 6,
    Reserved7 = 7,
}
