using TapeChanger.Scsi;
using TapeChanger.Transport.Linux.Interop;

namespace TapeChanger.Transport.Linux;

/// <summary>
/// Turns the status fields of a completed SG_IO into a <see cref="ScsiResult"/> or a transport failure, in the
/// sg3_utils order: host_status, then driver_status (other than DRIVER_SENSE), then the SAM status and sense,
/// then resid. Pure, so every branch is unit-tested without a device.
/// </summary>
internal static class SgReplyInterpreter
{
    // host_status (include/scsi/scsi_status.h, DID_*)
    public const ushort DID_OK = 0x00;
    public const ushort DID_NO_CONNECT = 0x01;
    public const ushort DID_BUS_BUSY = 0x02;
    public const ushort DID_TIME_OUT = 0x03;
    public const ushort DID_BAD_TARGET = 0x04;
    public const ushort DID_ABORT = 0x05;
    public const ushort DID_PARITY = 0x06;
    public const ushort DID_ERROR = 0x07;
    public const ushort DID_RESET = 0x08;
    public const ushort DID_BAD_INTR = 0x09;
    public const ushort DID_PASSTHROUGH = 0x0A;
    public const ushort DID_SOFT_ERROR = 0x0B;
    public const ushort DID_IMM_RETRY = 0x0C;
    public const ushort DID_REQUEUE = 0x0D;
    public const ushort DID_TRANSPORT_DISRUPTED = 0x0E;
    public const ushort DID_TRANSPORT_FAILFAST = 0x0F;
    public const ushort DID_TARGET_FAILURE = 0x10;
    public const ushort DID_NEXUS_FAILURE = 0x11;
    public const ushort DID_ALLOC_FAILURE = 0x12;
    public const ushort DID_MEDIUM_ERROR = 0x13;
    public const ushort DID_TRANSPORT_MARGINAL = 0x14;

    // driver_status: modern kernels keep only DRIVER_SENSE; the rest are from older kernels.
    public const ushort DRIVER_MASK = 0x0F;
    public const ushort DRIVER_BUSY = 0x01;
    public const ushort DRIVER_TIMEOUT = 0x06;
    public const ushort DRIVER_SENSE = 0x08;

    /// <summary>
    /// Interprets <paramref name="reply"/> for <paramref name="command"/> with a data buffer of <paramref name="dxferLen"/> bytes.
    /// <paramref name="sense"/> is the whole sense buffer; only the first sb_len_wr bytes are returned.
    /// </summary>
    public static ScsiResult Interpret(string device, ScsiCommand command, SgIoReply reply, int dxferLen, ReadOnlySpan<byte> sense)
    {
        if (reply.HostStatus != DID_OK)
        {
            if (reply.HostStatus == DID_NEXUS_FAILURE)
            {
                // The kernel turns a RESERVATION CONFLICT into DID_NEXUS_FAILURE for some transports (sg3_utils does the same).
                return new ScsiResult(ScsiStatus.ReservationConflict, 0, []);
            }
            throw HostError(device, command, reply.HostStatus);
        }
        int driver = reply.DriverStatus & DRIVER_MASK;
        if (driver != 0 && driver != DRIVER_SENSE)
        {
            throw driver switch
            {
                DRIVER_TIMEOUT => new ScsiTransportException(TransportFailure.Timeout,
                    $"{command.Name} on {device} timed out after {FormatTimeout(command)} (driver_status DRIVER_TIMEOUT)", command.Name),
                DRIVER_BUSY => new ScsiTransportException(TransportFailure.Busy,
                    $"{command.Name} on {device} failed: driver busy (driver_status 0x{reply.DriverStatus:x2})", command.Name),
                _ => new ScsiTransportException(TransportFailure.Io,
                    $"{command.Name} on {device} failed: driver_status 0x{reply.DriverStatus:x2}", command.Name),
            };
        }
        // Prefer the SAM status byte; very old drivers fill only masked_status (status >> 1).
        byte status = reply.Status != 0 ? reply.Status : (byte)(reply.MaskedStatus << 1);
        status &= 0xFE;                      // bit 0 is reserved (the obsolete vendor bit)
        int senseLength = Math.Clamp((int)reply.SenseLength, 0, sense.Length);
        byte[] senseBytes = senseLength > 0 ? sense[..senseLength].ToArray() : [];
        int transferred = command.Direction == DataDirection.None ? 0 : Transferred(dxferLen, reply.Resid);
        return new ScsiResult((ScsiStatus)status, transferred, senseBytes);
    }

    /// <summary>
    /// Bytes transferred from dxfer_len and resid. A resid outside 0..dxfer_len is not an underflow: the Linux iSCSI
    /// initiator (libiscsi.c) passes a target's OVERFLOW residual (the device had more than the allocation length to
    /// send) through as resid, so resid &gt; dxfer_len means the whole buffer was filled. Seen with tgt's READ ELEMENT
    /// STATUS, which ignores the element count and truncates to the allocation length. An overflow residual that is
    /// smaller than dxfer_len cannot be told apart from an underflow here.
    /// </summary>
    public static int Transferred(int dxferLen, int resid) => resid < 0 || resid > dxferLen ? dxferLen : dxferLen - resid;

    private static ScsiTransportException HostError(string device, ScsiCommand command, ushort host)
    {
        string did = HostStatusName(host);
        return host switch
        {
            DID_TIME_OUT => new ScsiTransportException(TransportFailure.Timeout,
                $"{command.Name} on {device} timed out after {FormatTimeout(command)} ({did})", command.Name),
            DID_BUS_BUSY or DID_IMM_RETRY or DID_REQUEUE => new ScsiTransportException(TransportFailure.Busy,
                $"{command.Name} on {device} failed: bus busy, try again ({did})", command.Name),
            DID_NO_CONNECT or DID_BAD_TARGET => new ScsiTransportException(TransportFailure.Io,
                $"{command.Name} on {device} failed: the device does not answer ({did}); check cabling, power or the iSCSI/SAS session", command.Name),
            _ => new ScsiTransportException(TransportFailure.Io,
                $"{command.Name} on {device} failed: host adapter error {did}", command.Name),
        };
    }

    private static string FormatTimeout(ScsiCommand command) =>
        FormattableString.Invariant($"{SgLimits.TimeoutMilliseconds(command.Timeout) / 1000.0:0.###} s");

    /// <summary>"DID_TIME_OUT (0x03)".</summary>
    public static string HostStatusName(ushort host) => host switch
    {
        DID_OK => "DID_OK (0x00)",
        DID_NO_CONNECT => "DID_NO_CONNECT (0x01)",
        DID_BUS_BUSY => "DID_BUS_BUSY (0x02)",
        DID_TIME_OUT => "DID_TIME_OUT (0x03)",
        DID_BAD_TARGET => "DID_BAD_TARGET (0x04)",
        DID_ABORT => "DID_ABORT (0x05)",
        DID_PARITY => "DID_PARITY (0x06)",
        DID_ERROR => "DID_ERROR (0x07)",
        DID_RESET => "DID_RESET (0x08)",
        DID_BAD_INTR => "DID_BAD_INTR (0x09)",
        DID_PASSTHROUGH => "DID_PASSTHROUGH (0x0a)",
        DID_SOFT_ERROR => "DID_SOFT_ERROR (0x0b)",
        DID_IMM_RETRY => "DID_IMM_RETRY (0x0c)",
        DID_REQUEUE => "DID_REQUEUE (0x0d)",
        DID_TRANSPORT_DISRUPTED => "DID_TRANSPORT_DISRUPTED (0x0e)",
        DID_TRANSPORT_FAILFAST => "DID_TRANSPORT_FAILFAST (0x0f)",
        DID_TARGET_FAILURE => "DID_TARGET_FAILURE (0x10)",
        DID_NEXUS_FAILURE => "DID_NEXUS_FAILURE (0x11)",
        DID_ALLOC_FAILURE => "DID_ALLOC_FAILURE (0x12)",
        DID_MEDIUM_ERROR => "DID_MEDIUM_ERROR (0x13)",
        DID_TRANSPORT_MARGINAL => "DID_TRANSPORT_MARGINAL (0x14)",
        _ => $"host_status 0x{host:x2}",
    };
}
