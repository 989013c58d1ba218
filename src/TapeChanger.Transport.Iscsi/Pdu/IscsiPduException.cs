using TapeChanger.Scsi;

namespace TapeChanger.Transport.Iscsi.Pdu;

/// <summary>
/// A PDU (or a text segment inside one) is malformed: thrown only by the codec, always with the byte offset of the
/// problem inside the PDU. The session wraps it into <see cref="ScsiTransportException"/> (<see cref="TransportFailure.Io"/>).
/// </summary>
public sealed class IscsiPduException : ScsiException
{
    public IscsiPduException(string pdu, int offset, string reason)
        : base($"malformed iSCSI {pdu}: {reason} at offset {offset}")
    {
        Pdu = pdu;
        Offset = offset;
    }

    /// <summary>PDU name ("BHS", "SCSI Response"...).</summary>
    public string Pdu { get; }

    public int Offset { get; }
}
