namespace TapeChanger.Transport.Iscsi.Pdu;

/// <summary>
/// One iSCSI PDU, decoded. Pure: <see cref="Encode"/> produces the wire bytes and <see cref="Decode(ReadOnlySpan{byte}, out int)"/>
/// parses them; both sides (initiator and the test target) use the same records. Field names follow RFC 7143 §11.
/// </summary>
public abstract record IscsiPdu
{
    public abstract IscsiOpcode Opcode { get; }

    /// <summary>Data segment (without padding).</summary>
    public byte[] Data { get; init; } = [];

    /// <summary>Additional header segments, raw (a multiple of 4 bytes). Only kept, never interpreted.</summary>
    public byte[] Ahs { get; init; } = [];

    /// <summary>Wire bytes: BHS + AHS + padded data segment.</summary>
    public byte[] Encode()
    {
        var bhs = Bhs.New(Opcode, IsImmediate, 0);
        WriteHeader(bhs);
        return IscsiFraming.Frame(bhs, Ahs, Data);
    }

    /// <summary>BHS byte 0 bit 6 for request PDUs.</summary>
    protected virtual bool IsImmediate => false;

    /// <summary>Fills the opcode-specific BHS bytes 1-3 and 8-47 (length fields are set by the framing).</summary>
    protected abstract void WriteHeader(Span<byte> bhs);

    /// <summary>Decodes exactly one PDU that fills <paramref name="pdu"/>.</summary>
    public static IscsiPdu Decode(ReadOnlySpan<byte> pdu)
    {
        var result = Decode(pdu, out int consumed);
        if (consumed != pdu.Length) throw new IscsiPduException("PDU", consumed, $"{pdu.Length - consumed} trailing byte(s) after the PDU");
        return result;
    }

    /// <summary>Decodes the PDU at the start of <paramref name="buffer"/>; <paramref name="consumed"/> is its length.</summary>
    public static IscsiPdu Decode(ReadOnlySpan<byte> buffer, out int consumed)
    {
        int rest = IscsiFraming.RemainingLength(buffer);
        if (buffer.Length - IscsiConstants.BhsLength < rest)
            throw new IscsiPduException("PDU", buffer.Length, $"needs {IscsiConstants.BhsLength + rest} bytes (AHS + data segment), {buffer.Length} available");
        consumed = IscsiConstants.BhsLength + rest;
        var bhs = buffer[..IscsiConstants.BhsLength];
        int ahsLen = bhs[4] * 4;
        var ahs = buffer.Slice(IscsiConstants.BhsLength, ahsLen);
        IscsiFraming.ValidateAhs(ahs);
        int dsl = IscsiFraming.DataSegmentLength(bhs);
        var data = buffer.Slice(IscsiConstants.BhsLength + ahsLen, dsl);
        if (bhs[0] >= 0x80) throw new IscsiPduException("BHS", 0, $"reserved bit 7 of byte 0 is set (0x{bhs[0]:X2})");
        var op = (IscsiOpcode)(bhs[0] & 0x3F);
        bool imm = (bhs[0] & 0x40) != 0;
        IscsiPdu pdu = op switch
        {
            IscsiOpcode.NopOut => NopOutPdu.FromHeader(bhs, imm),
            IscsiOpcode.NopIn => NopInPdu.FromHeader(bhs),
            IscsiOpcode.ScsiCommand => ScsiCommandPdu.FromHeader(bhs, imm),
            IscsiOpcode.ScsiResponse => ScsiResponsePdu.FromHeader(bhs),
            IscsiOpcode.LoginRequest => LoginRequestPdu.FromHeader(bhs),
            IscsiOpcode.LoginResponse => LoginResponsePdu.FromHeader(bhs),
            IscsiOpcode.TextRequest => TextRequestPdu.FromHeader(bhs, imm),
            IscsiOpcode.TextResponse => TextResponsePdu.FromHeader(bhs),
            IscsiOpcode.DataOut => DataOutPdu.FromHeader(bhs),
            IscsiOpcode.DataIn => DataInPdu.FromHeader(bhs),
            IscsiOpcode.ReadyToTransfer => R2TPdu.FromHeader(bhs),
            IscsiOpcode.LogoutRequest => LogoutRequestPdu.FromHeader(bhs, imm),
            IscsiOpcode.LogoutResponse => LogoutResponsePdu.FromHeader(bhs),
            IscsiOpcode.AsyncMessage => AsyncMessagePdu.FromHeader(bhs),
            IscsiOpcode.Reject => RejectPdu.FromHeader(bhs),
            _ => throw new IscsiPduException("BHS", 0, $"unsupported opcode 0x{(byte)op:X2}"),
        };
        return pdu with { Ahs = ahs.ToArray(), Data = Copy(data) };
    }

    /// <summary>
    /// The data segment's own copy, in an array not zeroed first (every byte is copied over): a 100 KB READ ELEMENT
    /// STATUS reply is not cleared before it is filled (callgrind counts the clearing byte by byte; docs/performance.md).
    /// </summary>
    private static byte[] Copy(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return [];
        var copy = GC.AllocateUninitializedArray<byte>(data.Length);
        data.CopyTo(copy);
        return copy;
    }
}

/// <summary>NOP-Out (0x00), RFC 7143 §11.18. A ping (ITT set, TTT reserved) or the answer to a NOP-In (ITT reserved, TTT echoed).</summary>
public sealed record NopOutPdu(bool Immediate, ulong Lun, uint Itt, uint Ttt, uint CmdSN, uint ExpStatSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.NopOut;
    protected override bool IsImmediate => Immediate;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = 0x80;                 // byte 1     F (always 1)
        Bhs.Put(b, 8, Lun);          // bytes 8-15 LUN
        Bhs.Put(b, 16, Itt);         // 16-19 ITT
        Bhs.Put(b, 20, Ttt);         // 20-23 TTT
        Bhs.Put(b, 24, CmdSN);       // 24-27 CmdSN
        Bhs.Put(b, 28, ExpStatSN);   // 28-31 ExpStatSN
    }

    internal static NopOutPdu FromHeader(ReadOnlySpan<byte> b, bool imm) =>
        new(imm, Bhs.U64(b, 8), Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28));
}

/// <summary>NOP-In (0x20), RFC 7143 §11.19. TTT ≠ 0xFFFFFFFF asks the initiator for a NOP-Out answer.</summary>
public sealed record NopInPdu(ulong Lun, uint Itt, uint Ttt, uint StatSN, uint ExpCmdSN, uint MaxCmdSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.NopIn;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = 0x80;                 // byte 1 F
        Bhs.Put(b, 8, Lun);          // 8-15  LUN
        Bhs.Put(b, 16, Itt);         // 16-19 ITT
        Bhs.Put(b, 20, Ttt);         // 20-23 TTT
        Bhs.Put(b, 24, StatSN);      // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);    // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);    // 32-35 MaxCmdSN
    }

    internal static NopInPdu FromHeader(ReadOnlySpan<byte> b) =>
        new(Bhs.U64(b, 8), Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32));
}

/// <summary>SCSI Command (0x01), RFC 7143 §11.3. Immediate write data goes in <see cref="IscsiPdu.Data"/>.</summary>
public sealed record ScsiCommandPdu(bool Immediate, bool Final, bool Read, bool Write, byte Attributes, ulong Lun, uint Itt,
    uint ExpectedDataTransferLength, uint CmdSN, uint ExpStatSN, byte[] Cdb) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.ScsiCommand;
    protected override bool IsImmediate => Immediate;

    protected override void WriteHeader(Span<byte> b)
    {
        if (Cdb.Length > 16) throw new ArgumentException("CDBs longer than 16 bytes need an extended-CDB AHS, which is not supported");
        b[1] = (byte)((Final ? 0x80 : 0) | (Read ? 0x40 : 0) | (Write ? 0x20 : 0) | (Attributes & 0x07)); // F R W ATTR
        Bhs.Put(b, 8, Lun);                          // 8-15  LUN
        Bhs.Put(b, 16, Itt);                         // 16-19 ITT
        Bhs.Put(b, 20, ExpectedDataTransferLength);  // 20-23 Expected Data Transfer Length
        Bhs.Put(b, 24, CmdSN);                       // 24-27 CmdSN
        Bhs.Put(b, 28, ExpStatSN);                   // 28-31 ExpStatSN
        Cdb.CopyTo(b[32..]);                         // 32-47 CDB, zero-padded
    }

    internal static ScsiCommandPdu FromHeader(ReadOnlySpan<byte> b, bool imm) =>
        new(imm, (b[1] & 0x80) != 0, (b[1] & 0x40) != 0, (b[1] & 0x20) != 0, (byte)(b[1] & 0x07), Bhs.U64(b, 8), Bhs.U32(b, 16),
            Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28), b.Slice(32, 16).ToArray());
}

/// <summary>SCSI Response (0x21), RFC 7143 §11.4. With CHECK CONDITION the data segment is SenseLength (2 bytes) + sense.</summary>
public sealed record ScsiResponsePdu(bool BidiOverflow, bool BidiUnderflow, bool Overflow, bool Underflow, byte Response, byte Status,
    uint Itt, uint SnackTag, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint ExpDataSN, uint BidiReadResidual, uint Residual) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.ScsiResponse;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = (byte)(0x80 | (BidiOverflow ? 0x10 : 0) | (BidiUnderflow ? 0x08 : 0) | (Overflow ? 0x04 : 0) | (Underflow ? 0x02 : 0));
        b[2] = Response;                      // byte 2 Response (0 = command completed at target)
        b[3] = Status;                        // byte 3 SAM status
        Bhs.Put(b, 16, Itt);                  // 16-19 ITT
        Bhs.Put(b, 20, SnackTag);             // 20-23 SNACK Tag
        Bhs.Put(b, 24, StatSN);               // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);             // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);             // 32-35 MaxCmdSN
        Bhs.Put(b, 36, ExpDataSN);            // 36-39 ExpDataSN
        Bhs.Put(b, 40, BidiReadResidual);     // 40-43 Bidirectional Read Residual Count
        Bhs.Put(b, 44, Residual);             // 44-47 Residual Count
    }

    internal static ScsiResponsePdu FromHeader(ReadOnlySpan<byte> b) =>
        new((b[1] & 0x10) != 0, (b[1] & 0x08) != 0, (b[1] & 0x04) != 0, (b[1] & 0x02) != 0, b[2], b[3], Bhs.U32(b, 16), Bhs.U32(b, 20),
            Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), Bhs.U32(b, 36), Bhs.U32(b, 40), Bhs.U32(b, 44));

    /// <summary>Sense bytes from the data segment (empty when there is none); bounds-checked.</summary>
    public byte[] Sense()
    {
        if (Data.Length == 0) return [];
        if (Data.Length < 2) throw new IscsiPduException("SCSI Response", IscsiConstants.BhsLength, "data segment shorter than its 2-byte SenseLength");
        int len = (Data[0] << 8) | Data[1];
        if (len > Data.Length - 2)
            throw new IscsiPduException("SCSI Response", IscsiConstants.BhsLength, $"SenseLength {len} exceeds the {Data.Length - 2} byte(s) of data");
        return Data.AsSpan(2, len).ToArray();
    }

    /// <summary>Builds the data segment for <paramref name="sense"/> (target side).</summary>
    public static byte[] SenseSegment(ReadOnlySpan<byte> sense)
    {
        var d = new byte[2 + sense.Length];
        d[0] = (byte)(sense.Length >> 8);
        d[1] = (byte)sense.Length;
        sense.CopyTo(d.AsSpan(2));
        return d;
    }
}

/// <summary>SCSI Data-In (0x25), RFC 7143 §11.7. With S=1 it carries the status (no SCSI Response follows).</summary>
public sealed record DataInPdu(bool Final, bool Acknowledge, bool Overflow, bool Underflow, bool HasStatus, byte Status, ulong Lun, uint Itt,
    uint Ttt, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint DataSN, uint BufferOffset, uint Residual) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.DataIn;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = (byte)((Final ? 0x80 : 0) | (Acknowledge ? 0x40 : 0) | (Overflow ? 0x04 : 0) | (Underflow ? 0x02 : 0) | (HasStatus ? 0x01 : 0));
        b[3] = Status;                 // byte 3 status (valid when S)
        Bhs.Put(b, 8, Lun);            // 8-15  LUN
        Bhs.Put(b, 16, Itt);           // 16-19 ITT
        Bhs.Put(b, 20, Ttt);           // 20-23 TTT
        Bhs.Put(b, 24, StatSN);        // 24-27 StatSN (valid when S)
        Bhs.Put(b, 28, ExpCmdSN);      // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);      // 32-35 MaxCmdSN
        Bhs.Put(b, 36, DataSN);        // 36-39 DataSN
        Bhs.Put(b, 40, BufferOffset);  // 40-43 Buffer Offset
        Bhs.Put(b, 44, Residual);      // 44-47 Residual Count (valid when S)
    }

    internal static DataInPdu FromHeader(ReadOnlySpan<byte> b) =>
        new((b[1] & 0x80) != 0, (b[1] & 0x40) != 0, (b[1] & 0x04) != 0, (b[1] & 0x02) != 0, (b[1] & 0x01) != 0, b[3], Bhs.U64(b, 8),
            Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), Bhs.U32(b, 36), Bhs.U32(b, 40), Bhs.U32(b, 44));
}

/// <summary>SCSI Data-Out (0x05), RFC 7143 §11.7. TTT is the R2T's, or 0xFFFFFFFF for unsolicited data.</summary>
public sealed record DataOutPdu(bool Final, ulong Lun, uint Itt, uint Ttt, uint ExpStatSN, uint DataSN, uint BufferOffset) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.DataOut;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = (byte)(Final ? 0x80 : 0);  // byte 1 F
        Bhs.Put(b, 8, Lun);               // 8-15  LUN
        Bhs.Put(b, 16, Itt);              // 16-19 ITT
        Bhs.Put(b, 20, Ttt);              // 20-23 TTT
        Bhs.Put(b, 28, ExpStatSN);        // 28-31 ExpStatSN
        Bhs.Put(b, 36, DataSN);           // 36-39 DataSN
        Bhs.Put(b, 40, BufferOffset);     // 40-43 Buffer Offset
    }

    internal static DataOutPdu FromHeader(ReadOnlySpan<byte> b) =>
        new((b[1] & 0x80) != 0, Bhs.U64(b, 8), Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 28), Bhs.U32(b, 36), Bhs.U32(b, 40));
}

/// <summary>Ready To Transfer (0x31), RFC 7143 §11.8.</summary>
public sealed record R2TPdu(ulong Lun, uint Itt, uint Ttt, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint R2TSN, uint BufferOffset,
    uint DesiredDataTransferLength) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.ReadyToTransfer;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = 0x80;                                // byte 1 F
        Bhs.Put(b, 8, Lun);                         // 8-15  LUN
        Bhs.Put(b, 16, Itt);                        // 16-19 ITT
        Bhs.Put(b, 20, Ttt);                        // 20-23 TTT
        Bhs.Put(b, 24, StatSN);                     // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);                   // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);                   // 32-35 MaxCmdSN
        Bhs.Put(b, 36, R2TSN);                      // 36-39 R2TSN
        Bhs.Put(b, 40, BufferOffset);               // 40-43 Buffer Offset
        Bhs.Put(b, 44, DesiredDataTransferLength);  // 44-47 Desired Data Transfer Length
    }

    internal static R2TPdu FromHeader(ReadOnlySpan<byte> b) =>
        new(Bhs.U64(b, 8), Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), Bhs.U32(b, 36), Bhs.U32(b, 40), Bhs.U32(b, 44));
}

/// <summary>Login Request (0x03, always immediate: byte 0 = 0x43), RFC 7143 §11.12.</summary>
public sealed record LoginRequestPdu(bool Transit, bool Continue, LoginStage CurrentStage, LoginStage NextStage, byte VersionMax, byte VersionMin,
    byte[] Isid, ushort Tsih, uint Itt, ushort Cid, uint CmdSN, uint ExpStatSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.LoginRequest;
    protected override bool IsImmediate => true;

    protected override void WriteHeader(Span<byte> b)
    {
        if (Isid.Length != 6) throw new ArgumentException("ISID must be 6 bytes");
        b[1] = (byte)((Transit ? 0x80 : 0) | (Continue ? 0x40 : 0) | ((byte)CurrentStage << 2) | (Transit ? (byte)NextStage : 0)); // T C CSG NSG
        b[2] = VersionMax;            // byte 2 Version-max
        b[3] = VersionMin;            // byte 3 Version-min
        Isid.CopyTo(b[8..]);          // 8-13  ISID
        Bhs.Put(b, 14, Tsih);         // 14-15 TSIH
        Bhs.Put(b, 16, Itt);          // 16-19 ITT
        Bhs.Put(b, 20, Cid);          // 20-21 CID
        Bhs.Put(b, 24, CmdSN);        // 24-27 CmdSN
        Bhs.Put(b, 28, ExpStatSN);    // 28-31 ExpStatSN
    }

    internal static LoginRequestPdu FromHeader(ReadOnlySpan<byte> b) =>
        new((b[1] & 0x80) != 0, (b[1] & 0x40) != 0, Stage(b, (b[1] >> 2) & 3), Stage(b, b[1] & 3), b[2], b[3], b.Slice(8, 6).ToArray(),
            Bhs.U16(b, 14), Bhs.U32(b, 16), Bhs.U16(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28));

    internal static LoginStage Stage(ReadOnlySpan<byte> b, int v) =>
        v == 2 ? throw new IscsiPduException("Login", 1, "reserved login stage 2") : (LoginStage)v;
}

/// <summary>Login Response (0x23), RFC 7143 §11.13. Status-Class/Detail at bytes 36-37.</summary>
public sealed record LoginResponsePdu(bool Transit, bool Continue, LoginStage CurrentStage, LoginStage NextStage, byte VersionMax, byte VersionActive,
    byte[] Isid, ushort Tsih, uint Itt, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, byte StatusClass, byte StatusDetail) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.LoginResponse;

    protected override void WriteHeader(Span<byte> b)
    {
        if (Isid.Length != 6) throw new ArgumentException("ISID must be 6 bytes");
        b[1] = (byte)((Transit ? 0x80 : 0) | (Continue ? 0x40 : 0) | ((byte)CurrentStage << 2) | (Transit ? (byte)NextStage : 0));
        b[2] = VersionMax;            // byte 2 Version-max
        b[3] = VersionActive;         // byte 3 Version-active
        Isid.CopyTo(b[8..]);          // 8-13  ISID
        Bhs.Put(b, 14, Tsih);         // 14-15 TSIH
        Bhs.Put(b, 16, Itt);          // 16-19 ITT
        Bhs.Put(b, 24, StatSN);       // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);     // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);     // 32-35 MaxCmdSN
        b[36] = StatusClass;          // byte 36 Status-Class
        b[37] = StatusDetail;         // byte 37 Status-Detail
    }

    internal static LoginResponsePdu FromHeader(ReadOnlySpan<byte> b) =>
        new((b[1] & 0x80) != 0, (b[1] & 0x40) != 0, LoginRequestPdu.Stage(b, (b[1] >> 2) & 3), LoginRequestPdu.Stage(b, b[1] & 3), b[2], b[3],
            b.Slice(8, 6).ToArray(), Bhs.U16(b, 14), Bhs.U32(b, 16), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), b[36], b[37]);
}

/// <summary>Text Request (0x04), RFC 7143 §11.10.</summary>
public sealed record TextRequestPdu(bool Immediate, bool Final, bool Continue, ulong Lun, uint Itt, uint Ttt, uint CmdSN, uint ExpStatSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.TextRequest;
    protected override bool IsImmediate => Immediate;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = (byte)((Final ? 0x80 : 0) | (Continue ? 0x40 : 0)); // byte 1 F C
        Bhs.Put(b, 8, Lun);           // 8-15  LUN
        Bhs.Put(b, 16, Itt);          // 16-19 ITT
        Bhs.Put(b, 20, Ttt);          // 20-23 TTT
        Bhs.Put(b, 24, CmdSN);        // 24-27 CmdSN
        Bhs.Put(b, 28, ExpStatSN);    // 28-31 ExpStatSN
    }

    internal static TextRequestPdu FromHeader(ReadOnlySpan<byte> b, bool imm) =>
        new(imm, (b[1] & 0x80) != 0, (b[1] & 0x40) != 0, Bhs.U64(b, 8), Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28));
}

/// <summary>Text Response (0x24), RFC 7143 §11.11. C=1 means more text follows: answer with an empty Text Request echoing TTT.</summary>
public sealed record TextResponsePdu(bool Final, bool Continue, ulong Lun, uint Itt, uint Ttt, uint StatSN, uint ExpCmdSN, uint MaxCmdSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.TextResponse;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = (byte)((Final ? 0x80 : 0) | (Continue ? 0x40 : 0));
        Bhs.Put(b, 8, Lun);           // 8-15  LUN
        Bhs.Put(b, 16, Itt);          // 16-19 ITT
        Bhs.Put(b, 20, Ttt);          // 20-23 TTT
        Bhs.Put(b, 24, StatSN);       // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);     // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);     // 32-35 MaxCmdSN
    }

    internal static TextResponsePdu FromHeader(ReadOnlySpan<byte> b) =>
        new((b[1] & 0x80) != 0, (b[1] & 0x40) != 0, Bhs.U64(b, 8), Bhs.U32(b, 16), Bhs.U32(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32));
}

/// <summary>Logout Request (0x06), RFC 7143 §11.14.</summary>
public sealed record LogoutRequestPdu(bool Immediate, LogoutReason Reason, uint Itt, ushort Cid, uint CmdSN, uint ExpStatSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.LogoutRequest;
    protected override bool IsImmediate => Immediate;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = (byte)(0x80 | ((byte)Reason & 0x7F)); // byte 1 F + reason code
        Bhs.Put(b, 16, Itt);          // 16-19 ITT
        Bhs.Put(b, 20, Cid);          // 20-21 CID
        Bhs.Put(b, 24, CmdSN);        // 24-27 CmdSN
        Bhs.Put(b, 28, ExpStatSN);    // 28-31 ExpStatSN
    }

    internal static LogoutRequestPdu FromHeader(ReadOnlySpan<byte> b, bool imm) =>
        new(imm, (LogoutReason)(b[1] & 0x7F), Bhs.U32(b, 16), Bhs.U16(b, 20), Bhs.U32(b, 24), Bhs.U32(b, 28));
}

/// <summary>Logout Response (0x26), RFC 7143 §11.15.</summary>
public sealed record LogoutResponsePdu(byte Response, uint Itt, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, ushort Time2Wait, ushort Time2Retain) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.LogoutResponse;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = 0x80;                  // byte 1 F
        b[2] = Response;              // byte 2 Response (0 = closed successfully)
        Bhs.Put(b, 16, Itt);          // 16-19 ITT
        Bhs.Put(b, 24, StatSN);       // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);     // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);     // 32-35 MaxCmdSN
        Bhs.Put(b, 40, Time2Wait);    // 40-41 Time2Wait
        Bhs.Put(b, 42, Time2Retain);  // 42-43 Time2Retain
    }

    internal static LogoutResponsePdu FromHeader(ReadOnlySpan<byte> b) =>
        new(b[2], Bhs.U32(b, 16), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), Bhs.U16(b, 40), Bhs.U16(b, 42));
}

/// <summary>Asynchronous Message (0x32), RFC 7143 §11.9. ITT is always 0xFFFFFFFF.</summary>
public sealed record AsyncMessagePdu(ulong Lun, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, AsyncEvent Event, byte VendorCode,
    ushort Parameter1, ushort Parameter2, ushort Parameter3) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.AsyncMessage;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = 0x80;                      // byte 1 F
        Bhs.Put(b, 8, Lun);               // 8-15  LUN
        Bhs.Put(b, 16, IscsiConstants.ReservedTag);// 16-19 0xFFFFFFFF
        Bhs.Put(b, 24, StatSN);           // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);         // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);         // 32-35 MaxCmdSN
        b[36] = (byte)Event;              // byte 36 AsyncEvent
        b[37] = VendorCode;               // byte 37 AsyncVCode
        Bhs.Put(b, 38, Parameter1);       // 38-39 Parameter1
        Bhs.Put(b, 40, Parameter2);       // 40-41 Parameter2
        Bhs.Put(b, 42, Parameter3);       // 42-43 Parameter3
    }

    internal static AsyncMessagePdu FromHeader(ReadOnlySpan<byte> b) =>
        new(Bhs.U64(b, 8), Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), (AsyncEvent)b[36], b[37], Bhs.U16(b, 38), Bhs.U16(b, 40), Bhs.U16(b, 42));
}

/// <summary>Reject (0x3F), RFC 7143 §11.17. The data segment is the rejected PDU's header.</summary>
public sealed record RejectPdu(byte Reason, uint StatSN, uint ExpCmdSN, uint MaxCmdSN, uint DataSN) : IscsiPdu
{
    public override IscsiOpcode Opcode => IscsiOpcode.Reject;

    protected override void WriteHeader(Span<byte> b)
    {
        b[1] = 0x80;                      // byte 1 F
        b[2] = Reason;                    // byte 2 Reason
        Bhs.Put(b, 16, IscsiConstants.ReservedTag);// 16-19 0xFFFFFFFF
        Bhs.Put(b, 24, StatSN);           // 24-27 StatSN
        Bhs.Put(b, 28, ExpCmdSN);         // 28-31 ExpCmdSN
        Bhs.Put(b, 32, MaxCmdSN);         // 32-35 MaxCmdSN
        Bhs.Put(b, 36, DataSN);           // 36-39 DataSN/R2TSN
    }

    internal static RejectPdu FromHeader(ReadOnlySpan<byte> b) => new(b[2], Bhs.U32(b, 24), Bhs.U32(b, 28), Bhs.U32(b, 32), Bhs.U32(b, 36));

    /// <summary>ITT of the rejected PDU, when its header is present in the data segment.</summary>
    public uint? RejectedItt => Data.Length >= IscsiConstants.BhsLength ? Bhs.U32(Data, 16) : null;

    public static string ReasonText(byte reason) => reason switch
    {
        0x02 => "data (payload) digest error",
        0x03 => "SNACK reject",
        0x04 => "protocol error",
        0x05 => "command not supported",
        0x06 => "immediate command rejected (too many)",
        0x07 => "task in progress",
        0x08 => "invalid data ACK",
        0x09 => "invalid PDU field",
        0x0A => "long operation reject (out of resources)",
        0x0B => "negotiation reset",
        0x0C => "waiting for logout",
        _ => $"reason 0x{reason:X2}",
    };
}
