using System.Globalization;
using System.Text.Json.Serialization;
using TapeChanger.Scsi;

namespace TapeChanger.Virtual;

/// <summary>What an injected fault does to the command it matches.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>CHECK CONDITION 06/ASC/ASCQ (default 29/00): a unit attention storm, one per matching command.</summary>
    UnitAttention,
    /// <summary>CHECK CONDITION KEY/ASC/ASCQ (default 02/04/01 "becoming ready").</summary>
    NotReady,
    /// <summary>Status BUSY (08h), no sense (SAM-5 §5.3.1).</summary>
    Busy,
    /// <summary>The transport throws <see cref="ScsiTransportException"/> with <see cref="TransportFailure.Timeout"/>.</summary>
    Timeout,
    /// <summary>The transport throws <see cref="ScsiTransportException"/> with <see cref="TransportFailure.Io"/> (connection lost).</summary>
    Drop,
    /// <summary>MOVE/EXCHANGE MEDIUM stops halfway: the cartridge stays in the picker; HARDWARE ERROR (default 04/3B/16).</summary>
    HalfMove,
    /// <summary>A magazine is pulled while the command runs: 02/3B/12 and its slots become inaccessible (Except 3B/12).</summary>
    MagazineRemoved,
    /// <summary>MOVE MEDIUM out of the drive at <see cref="FaultSpec.Element"/> fails with 05/53/03 (the drive has not unloaded).</summary>
    RefuseUnload,
}

/// <summary>
/// One injected fault, persisted in <see cref="LibraryState.Faults"/> so successive processes see it. It matches
/// commands on <see cref="Lun"/> by operation (<see cref="Command"/>, null = any) and element (<see cref="Element"/>,
/// null = any), and fires <see cref="Remaining"/> more times (null = unlimited) until <see cref="Until"/> (null = no
/// time limit). It is removed when either runs out, or by <see cref="VirtualLibrary.ClearFaults"/>.
/// </summary>
public sealed class FaultSpec
{
    public int Id { get; set; }
    public FaultKind Kind { get; set; }
    /// <summary>
    /// Operation name ("MOVE MEDIUM", "read-element-status") or hex opcode ("A5"); null = any command. When adding,
    /// null takes the kind's default (<see cref="FaultNames.DefaultCommand"/>) and "any" means any command.
    /// </summary>
    public string? Command { get; set; }
    /// <summary>Element address the command must name (MOVE/EXCHANGE source or destination, POSITION target, READ ELEMENT STATUS range).</summary>
    public ushort? Element { get; set; }
    /// <summary>0 = the changer, 1..N = drives.</summary>
    public int Lun { get; set; }
    public int? Remaining { get; set; }
    public DateTimeOffset? Until { get; set; }
    public byte Key { get; set; }
    public byte Asc { get; set; }
    public byte Ascq { get; set; }
    /// <summary><see cref="FaultKind.MagazineRemoved"/>: the magazine pulled (1-based); 0 = the one holding the command's slot.</summary>
    public int Magazine { get; set; }
    /// <summary><see cref="FaultKind.Timeout"/>/<see cref="FaultKind.Drop"/>: the command runs and only the reply is lost.</summary>
    public bool AfterExecute { get; set; }
    /// <summary>How many times it has fired.</summary>
    public int Fired { get; set; }

    /// <summary>One line for `virtual fault list`.</summary>
    public string Describe()
    {
        var parts = new List<string> { $"#{Id} {FaultNames.Name(Kind)}" };
        if (Kind is FaultKind.UnitAttention or FaultKind.NotReady or FaultKind.HalfMove or FaultKind.RefuseUnload)
            parts.Add($"{Key:X2}/{Asc:X2}/{Ascq:X2}");
        if (Kind == FaultKind.MagazineRemoved) parts.Add(Magazine == 0 ? "magazine of the slot used" : $"magazine {Magazine}");
        if (AfterExecute) parts.Add("after execution");
        parts.Add(Command is null ? "any command" : Command);
        if (Element is ushort e) parts.Add($"element {e}");
        if (Lun != 0) parts.Add($"LUN {Lun}");
        parts.Add(Remaining is int n ? $"{n} more" : "unlimited count");
        if (Until is { } u) parts.Add("until " + u.ToString("u", CultureInfo.InvariantCulture));
        parts.Add($"fired {Fired}");
        return string.Join(", ", parts);
    }
}

/// <summary>Names of fault kinds and commands as the CLI spells them.</summary>
public static class FaultNames
{
    private static readonly (FaultKind Kind, string Name)[] Kinds =
    [
        (FaultKind.UnitAttention, "unit-attention"), (FaultKind.NotReady, "not-ready"), (FaultKind.Busy, "busy"),
        (FaultKind.Timeout, "timeout"), (FaultKind.Drop, "drop"), (FaultKind.HalfMove, "half-move"),
        (FaultKind.MagazineRemoved, "magazine-removed"), (FaultKind.RefuseUnload, "refuse-unload"),
    ];

    public static IEnumerable<string> All => Kinds.Select(k => k.Name);

    public static string Name(FaultKind kind) => Kinds.First(k => k.Kind == kind).Name;

    public static bool TryParse(string text, out FaultKind kind)
    {
        foreach (var (k, n) in Kinds)
        {
            if (string.Equals(n, text, StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        }
        kind = default;
        return false;
    }

    /// <summary>Default sense per kind: 29/00 power on (SPC-4), 04/01 becoming ready, 3B/16 mechanical positioning or changer error, 53/03 (SMC-3 Table 29).</summary>
    public static (byte Key, byte Asc, byte Ascq) DefaultSense(FaultKind kind) => kind switch
    {
        FaultKind.UnitAttention => (0x06, 0x29, 0x00),
        FaultKind.NotReady => (0x02, 0x04, 0x01),
        FaultKind.HalfMove => (0x04, 0x3B, 0x16),
        FaultKind.MagazineRemoved => (0x02, 0x3B, 0x12),
        FaultKind.RefuseUnload => (0x05, 0x53, 0x03),
        _ => (0, 0, 0),
    };

    /// <summary>Default command filter per kind (null = any command).</summary>
    public static string? DefaultCommand(FaultKind kind) => kind switch
    {
        FaultKind.HalfMove or FaultKind.MagazineRemoved or FaultKind.RefuseUnload => "MOVE MEDIUM",
        _ => null,
    };

    /// <summary>Letters and digits only, upper case: "Read-Element-Status" → "READELEMENTSTATUS".</summary>
    private static string Squash(string s) => new(s.Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    /// <summary>
    /// True when <paramref name="filter"/> names <paramref name="opcode"/>: its name in any spelling ("MODE SENSE" covers
    /// both 6- and 10-byte forms) or its hex code ("A5", "0xA5").
    /// </summary>
    public static bool Matches(string filter, byte opcode)
    {
        string f = filter.Trim();
        if (f.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) f = f[2..];
        if (f.Length <= 2 && byte.TryParse(f, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte code)) return code == opcode;
        string want = Squash(filter);
        string name = Squash(OpCode.Name(opcode));
        return name == want || (name.StartsWith(want, StringComparison.Ordinal) && name[want.Length..].All(char.IsAsciiDigit));
    }

    /// <summary>True when <paramref name="filter"/> names at least one known command.</summary>
    public static bool IsKnownCommand(string filter)
    {
        for (int op = 0; op < 256; op++)
        {
            if (!OpCode.Name((byte)op).StartsWith("opcode", StringComparison.Ordinal) && Matches(filter, (byte)op)) return true;
        }
        string f = filter.Trim();
        if (f.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) f = f[2..];
        return f.Length is > 0 and <= 2 && byte.TryParse(f, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _);
    }
}
