namespace TapeChanger.Transport.Iscsi.Pdu;

/// <summary>BHS byte 0 bits 5-0 (RFC 7143 §11.2.1.2).</summary>
public enum IscsiOpcode : byte
{
    NopOut = 0x00,
    ScsiCommand = 0x01,
    TaskManagementRequest = 0x02,
    LoginRequest = 0x03,
    TextRequest = 0x04,
    DataOut = 0x05,
    LogoutRequest = 0x06,
    SnackRequest = 0x10,
    NopIn = 0x20,
    ScsiResponse = 0x21,
    TaskManagementResponse = 0x22,
    LoginResponse = 0x23,
    TextResponse = 0x24,
    DataIn = 0x25,
    LogoutResponse = 0x26,
    ReadyToTransfer = 0x31,
    AsyncMessage = 0x32,
    Reject = 0x3F,
}

/// <summary>Login stages, CSG/NSG in Login PDU byte 1 (RFC 7143 §11.12.3).</summary>
public enum LoginStage : byte
{
    SecurityNegotiation = 0,
    OperationalNegotiation = 1,
    FullFeaturePhase = 3,
}

/// <summary>Logout Request byte 1 bits 6-0 (RFC 7143 §11.14.1).</summary>
public enum LogoutReason : byte
{
    CloseSession = 0,
    CloseConnection = 1,
    RemoveConnectionForRecovery = 2,
}

/// <summary>Asynchronous Message byte 36 (RFC 7143 §11.9.1).</summary>
public enum AsyncEvent : byte
{
    /// <summary>SCSI asynchronous event; sense data in the data segment.</summary>
    ScsiEvent = 0,
    /// <summary>Target requests logout; Parameter3 is the time to wait (seconds).</summary>
    LogoutRequested = 1,
    /// <summary>Target will drop this connection (Parameter2 = Time2Wait, Parameter3 = Time2Retain).</summary>
    ConnectionDrop = 2,
    /// <summary>Target will drop all connections of this session.</summary>
    SessionDrop = 3,
    /// <summary>Target requests parameter renegotiation.</summary>
    Renegotiate = 4,
    Vendor = 255,
}

/// <summary>Well-known constants.</summary>
public static class IscsiConstants
{
    /// <summary>Basic Header Segment length.</summary>
    public const int BhsLength = 48;
    /// <summary>The reserved tag value: "no task" (ITT) / "no transfer" (TTT).</summary>
    public const uint ReservedTag = 0xFFFFFFFF;
    /// <summary>Largest value of the 24-bit DataSegmentLength field.</summary>
    public const int MaxDataSegmentLength = 0xFFFFFF;
    public const int DefaultPort = 3260;
}
