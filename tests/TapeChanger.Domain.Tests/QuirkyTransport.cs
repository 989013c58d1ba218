using TapeChanger.Scsi;
using TapeChanger.Transport;

namespace TapeChanger.Domain.Tests;

/// <summary>Passes commands to the virtual library unless a rule answers CHECK CONDITION first; records every CDB.</summary>
internal sealed class QuirkyTransport(IScsiTransport inner) : IScsiTransport
{
    public List<ScsiCommand> Sent { get; } = [];
    public bool RejectAllTypeReads { get; init; }
    public bool RejectDvcidWithVolTag { get; init; }
    public bool RejectDvcid { get; init; }
    public bool RejectPage1D { get; init; }
    public bool UnitAttentionOnPage1D { get; init; }
    /// <summary>MOVE MEDIUM from this element answers 05/53/03 until <see cref="Ejected"/> is set.</summary>
    public ushort? DriveHoldingMedium { get; init; }
    public bool Ejected { get; set; }

    /// <summary>Opcodes answered 05/20/00 (INVALID COMMAND OPERATION CODE, SPC-4 §4.5.6) instead of reaching the library.</summary>
    public IReadOnlySet<byte> RefusedOpcodes { get; init; } = new HashSet<byte>();

    public string Device => inner.Device;

    public ValueTask<ScsiResult> ExecuteAsync(ScsiCommand command, Memory<byte> dataIn, CancellationToken ct = default)
    {
        Sent.Add(command);
        var c = command.Cdb;
        if (RefusedOpcodes.Contains(c[0])) return Check(0x05, 0x20, 0x00);
        bool res = c[0] == OpCode.ReadElementStatus;
        if (res && RejectAllTypeReads && (c[1] & 0x0F) == 0) return Check(0x05, 0x24, 0x00);
        if (res && RejectDvcid && (c[6] & 0x01) != 0) return Check(0x05, 0x24, 0x00);
        if (res && RejectDvcidWithVolTag && (c[6] & 0x01) != 0 && (c[1] & 0x10) != 0) return Check(0x05, 0x24, 0x00);
        if (UnitAttentionOnPage1D && (c[0] == OpCode.ModeSense6 || c[0] == OpCode.ModeSense10) && (c[2] & 0x3F) == 0x1D) return Check(0x06, 0x2A, 0x01);
        if (RejectPage1D && (c[0] == OpCode.ModeSense6 || c[0] == OpCode.ModeSense10) && (c[2] & 0x3F) == 0x1D) return Check(0x05, 0x24, 0x00);
        if (c[0] == OpCode.MoveMedium && DriveHoldingMedium is ushort d && (ushort)(c[4] << 8 | c[5]) == d && !Ejected) return Check(0x05, 0x53, 0x03);
        return inner.ExecuteAsync(command, dataIn, ct);
    }

    private static ValueTask<ScsiResult> Check(byte key, byte asc, byte ascq)
    {
        var sense = new byte[18];
        sense[0] = 0x70; sense[2] = key; sense[7] = 10; sense[12] = asc; sense[13] = ascq;
        return ValueTask.FromResult(ScsiResult.CheckCondition(sense));
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
