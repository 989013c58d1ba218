namespace TapeChanger.Scsi.Decoding;

/// <summary>
/// Decodes a LOG SENSE page (SPC-4 §7.3.2): a 4-byte page header and parameters walked by their PARAMETER LENGTH.
/// A reply cut by the allocation length keeps every complete parameter and sets <see cref="LogPage.Truncated"/>;
/// bytes past the PAGE LENGTH are padding. A parameter that runs past the declared page length throws
/// <see cref="ScsiDecodeException"/>.
/// </summary>
public static class LogSenseDecoder
{
    private const string Context = "LOG SENSE data";

    public static LogPage Decode(ReadOnlySpan<byte> data)
    {
        var r = new BigEndianReader(data, Context);
        byte b0 = r.U8("PAGE CODE");                                // byte 0: DS (7) | SPF (6) | PAGE CODE (5-0)
        byte subpage = r.U8("SUBPAGE CODE");                        // byte 1
        int pageLength = r.U16("PAGE LENGTH");                      // bytes 2-3
        int declaredEnd = 4 + pageLength;
        int end = Math.Min(data.Length, declaredEnd);
        bool truncated = data.Length < declaredEnd;

        var parameters = new List<LogParameter>();
        int pos = 4;
        while (pos < end)
        {
            if (end - pos < 4)
            {
                if (declaredEnd - pos < 4)
                {
                    throw new ScsiDecodeException(Context, "PARAMETER CODE", pos, $"{declaredEnd - pos} byte(s) left in the page, too few for a parameter header");
                }
                truncated = true;
                break;
            }
            var p = new BigEndianReader(data[pos..end], Context, pos);
            ushort code = p.U16("PARAMETER CODE");                  // parameter bytes 0-1
            byte control = p.U8("PARAMETER CONTROL");               // parameter byte 2: DU/TSD/ETC/TMC/FORMAT AND LINKING
            int length = p.U8("PARAMETER LENGTH");                  // parameter byte 3
            if (pos + 4 + length > declaredEnd)
            {
                throw new ScsiDecodeException(Context, "PARAMETER LENGTH", pos + 3, $"parameter {code:X4}h length {length} runs past the page length {pageLength}");
            }
            if (length > p.Remaining)
            {
                truncated = true;                                   // cut by the allocation length
                break;
            }
            parameters.Add(new LogParameter(code, control, p.Bytes(length, "PARAMETER VALUE").ToArray())); // parameter bytes 4..n
            pos += 4 + length;
        }
        return new LogPage((byte)(b0 & 0x3F), subpage, parameters, truncated);
    }
}

/// <summary>
/// Decodes the supported log pages page 00h (SPC-4 §7.3.18): a 4-byte page header, then one page code per byte (bits
/// 5-0). Not a parameter list, so <see cref="LogSenseDecoder"/> does not apply.
/// </summary>
public static class SupportedLogPagesDecoder
{
    private const string Context = "supported log pages";

    public static IReadOnlyList<byte> Decode(ReadOnlySpan<byte> data)
    {
        var r = new BigEndianReader(data, Context);
        byte code = r.U8("PAGE CODE");                              // byte 0: DS | SPF | PAGE CODE = 00h
        if ((code & 0x3F) != 0) throw new ScsiDecodeException(Context, "PAGE CODE", 0, $"page code {code & 0x3F:X2}h is not 00h");
        r.U8("SUBPAGE CODE");                                       // byte 1
        int length = r.U16("PAGE LENGTH");                          // bytes 2-3
        int end = Math.Min(data.Length, 4 + length);                // a reply cut by the allocation length keeps what came
        var pages = new List<byte>();
        for (int i = 4; i < end; i++) pages.Add((byte)(data[i] & 0x3F)); // bytes 4..n: SUPPORTED PAGE CODE list
        return pages;
    }
}

/// <summary>
/// Decodes LOG SENSE page 2Eh TapeAlert (SSC-3 for drives, SMC-3 for changers). Parameter codes 0001h-0040h are the
/// flags; bit 0 of the 1-byte value is the flag state. The parameter control byte is not checked (MSL3040's changer
/// sends 40h, its drives C0h). Other parameter codes are ignored.
/// </summary>
public static class TapeAlertDecoder
{
    private const string Context = "TapeAlert log page";
    public const byte PageCode = 0x2E;
    public const int FlagCount = 64;

    public static TapeAlertReport Decode(ReadOnlySpan<byte> data, TapeAlertSource source)
    {
        var page = LogSenseDecoder.Decode(data);
        if (page.PageCode != PageCode)
        {
            throw new ScsiDecodeException(Context, "PAGE CODE", 0, $"page code {page.PageCode:X2}h is not 2Eh");
        }
        var active = new List<TapeAlertFlag>();
        int decoded = 0;
        foreach (var p in page.Parameters)
        {
            if (p.Code is < 1 or > FlagCount) continue;
            decoded++;
            if (p.Value.Length >= 1 && (p.Value[0] & 0x01) != 0)   // parameter byte 4 bit 0: flag set
            {
                active.Add(new TapeAlertFlag(p.Code, FlagName(source, p.Code)));
            }
        }
        return new TapeAlertReport(source, active, decoded, page.Truncated);
    }

    /// <summary>
    /// Decodes the TapeAlert response log page 12h (SSC-4): parameter 0000h, length 8, flags 01h-40h as a 64-bit field,
    /// flag 01h in bit 7 of parameter byte 4 and flag 40h in bit 0 of byte 11. Reading it does not clear the flags.
    /// </summary>
    public static TapeAlertReport DecodeResponse(ReadOnlySpan<byte> data, TapeAlertSource source)
    {
        const string context = "TapeAlert response log page";
        var page = LogSenseDecoder.Decode(data);
        if (page.PageCode != ResponsePageCode)
        {
            throw new ScsiDecodeException(context, "PAGE CODE", 0, $"page code {page.PageCode:X2}h is not 12h");
        }
        var flags = page.Parameters.FirstOrDefault(p => p.Code == 0x0000)
            ?? throw new ScsiDecodeException(context, "PARAMETER CODE", 4, page.Truncated ? "the reply was cut before parameter 0000h" : "no parameter 0000h");
        if (flags.Value.Length < 8) throw new ScsiDecodeException(context, "PARAMETER LENGTH", 7, $"parameter 0000h has {flags.Value.Length} byte(s), not 8");
        var active = new List<TapeAlertFlag>();
        for (int n = 1; n <= FlagCount; n++)
        {
            int bit = n - 1;
            if ((flags.Value[bit / 8] & (0x80 >> (bit % 8))) != 0) active.Add(new TapeAlertFlag(n, FlagName(source, n)));
        }
        return new TapeAlertReport(source, active, FlagCount, page.Truncated) { PageCode = ResponsePageCode };
    }

    /// <summary>Page code of the TapeAlert response log page (SSC-4).</summary>
    public const byte ResponsePageCode = 0x12;

    /// <summary>The flag's name from the SSC (drive) or SMC (changer) table; "reserved" or "flag N" where unnamed.</summary>
    public static string FlagName(TapeAlertSource source, int number)
    {
        if (number is < 1 or > FlagCount) throw new ArgumentOutOfRangeException(nameof(number));
        var table = source == TapeAlertSource.Drive ? DriveFlags : ChangerFlags;
        return table[number - 1] ?? $"flag {number}";
    }

    // Stryker disable String : the flag names are message wording, not behaviour (docs/mutation.md, "Left out of the runs")
    // SSC TapeAlert flags 01h-40h (SSC-4 TapeAlert, sg3_utils names).
    private static readonly string?[] DriveFlags =
    [
        "Read warning", "Write warning", "Hard error", "Media", "Read failure", "Write failure", "Media life", "Not data grade",          // 01-08
        "Write protect", "No removal", "Cleaning media", "Unsupported format", "Recoverable mechanical cartridge failure",             // 09-0D
        "Unrecoverable mechanical cartridge failure", "Memory chip in cartridge failure", "Forced eject",                            // 0E-10
        "Read only format", "Tape directory corrupted on load", "Nearing media life", "Cleaning required", "Cleaning requested",        // 11-15
        "Expired cleaning media", "Invalid cleaning tape", "Retension requested", "Dual port interface error", "Cooling fan failing",  // 16-1A
        "Power supply failure", "Power consumption", "Drive maintenance", "Hardware A", "Hardware B", "Interface", "Eject media",      // 1B-21
        "Microcode update fail", "Drive humidity", "Drive temperature", "Drive voltage", "Predictive failure", "Diagnostics required", // 22-27
        "reserved", "reserved", "reserved", "reserved", "reserved", "reserved", "reserved",                                            // 28-2E
        "External data encryption control - communications failure",                                                                  // 2F
        "External data encryption control - key manager returned error",                                                                // 30
        "Diminished native capacity", "Lost statistics", "Tape directory invalid at unload", "Tape system area write failure",          // 31-34
        "Tape system area read failure", "No start of data", "Loading failure", "Unrecoverable unload failure",                        // 35-38
        "Automation interface failure", "Firmware failure", "WORM medium - integrity check failed", "WORM medium - overwrite attempted", // 39-3C
        "Encryption policy violation", "reserved", "reserved", "reserved",                                                              // 3D-40
    ];

    // SMC library TapeAlert flags 01h-20h (SSC-4 TapeAlert); 21h-40h are unnamed there.
    private static readonly string?[] ChangerFlags =
    [
        "Library Hardware A", "Library Hardware B", "Library Hardware C", "Library Hardware D",                                          // 01-04
        "Library Diagnostics Required", "Library Interface", "Failure Prediction", "Library Maintenance",                               // 05-08
        "Library Humidity Limits", "Library Temperature Limits", "Library Voltage Limits", "Library Stray Tape",                        // 09-0C
        "Library Pick Retry", "Library Place Retry", "Library Load Retry", "Library Door",                                              // 0D-10
        "Library Mailslot", "Library Magazine", "Library Security", "Library Security Mode",                                            // 11-14
        "Library Offline", "Library Drive Offline", "Library Scan Retry", "Library Inventory",                                          // 15-18
        "Library Illegal Operation", "Dual-Port Interface Error", "Cooling Fan Failure", "Power Supply",                               // 19-1C
        "Power Consumption", "Pass-through Mechanism Failure", "Cartridge in Pass-through Mechanism", "Unreadable Bar Code Labels",     // 1D-20
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,                                 // 21-30
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,                                 // 31-40
    ];
    // Stryker restore String
}
