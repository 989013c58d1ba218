using TapeChanger.Scsi;
using TapeChanger.Testing;
using TapeChanger.Transport;
using static TapeChanger.Testing.SenseBuilder;

namespace TapeChanger.Domain.Tests;

/// <summary>The virtual library behind rules that answer CHECK CONDITION first (libraries that reject what the virtual one accepts); records every CDB.</summary>
internal sealed class QuirkyTransport : InterceptingTransport
{
    public QuirkyTransport(IScsiTransport inner) : base(inner) => Before = Refuse;

    public bool RejectAllTypeReads { get; init; }
    public bool RejectDvcidWithVolTag { get; init; }
    public bool RejectDvcid { get; init; }
    public bool RejectPage1D { get; init; }
    public bool UnitAttentionOnPage1D { get; init; }
    /// <summary>MOVE MEDIUM from this element answers <see cref="HoldingSense"/> until <see cref="Ejected"/> is set.</summary>
    public ushort? DriveHoldingMedium { get; init; }
    /// <summary>The sense of a move out of <see cref="DriveHoldingMedium"/>: 05/53/03 as SPC-4 assigns it, or a vendor's.</summary>
    public (byte Key, byte Asc, byte Ascq) HoldingSense { get; init; } = (0x05, 0x53, 0x03);
    public bool Ejected { get; set; }

    /// <summary>Opcodes answered 05/20/00 (INVALID COMMAND OPERATION CODE, SPC-4 §4.5.6) instead of reaching the library.</summary>
    public IReadOnlySet<byte> RefusedOpcodes { get; init; } = new HashSet<byte>();

    private ScsiResult? Refuse(ScsiCommand command)
    {
        var c = command.Cdb;
        if (RefusedOpcodes.Contains(c[0])) return Check(0x05, 0x20, 0x00);
        bool res = c[0] == OpCode.ReadElementStatus;
        if (res && RejectAllTypeReads && (c[1] & 0x0F) == 0) return Check(0x05, 0x24, 0x00);
        if (res && RejectDvcid && (c[6] & 0x01) != 0) return Check(0x05, 0x24, 0x00);
        if (res && RejectDvcidWithVolTag && (c[6] & 0x01) != 0 && (c[1] & 0x10) != 0) return Check(0x05, 0x24, 0x00);
        if (UnitAttentionOnPage1D && (c[0] == OpCode.ModeSense6 || c[0] == OpCode.ModeSense10) && (c[2] & 0x3F) == 0x1D) return Check(0x06, 0x2A, 0x01);
        if (RejectPage1D && (c[0] == OpCode.ModeSense6 || c[0] == OpCode.ModeSense10) && (c[2] & 0x3F) == 0x1D) return Check(0x05, 0x24, 0x00);
        if (c[0] == OpCode.MoveMedium && DriveHoldingMedium is ushort d && (ushort)(c[4] << 8 | c[5]) == d && !Ejected) return Check(HoldingSense.Key, HoldingSense.Asc, HoldingSense.Ascq);
        return null;
    }
}
