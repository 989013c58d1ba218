using System.Buffers.Binary;
using TapeChanger.Scsi;

namespace TapeChanger.Transport.Mhvtl.Wire;

/// <summary>Message types of the userland socket protocol (markh794/mhvtl@fada6b85 include/tcmu_proto.h, enum tcmu_msg_type).</summary>
public enum MhvtlMessageType : uint
{
    /// <summary>Client → daemon: one SCSI command (struct tcmu_msg_cdb).</summary>
    Cdb = 4,
    /// <summary>Daemon → client: status, sense and DATA-IN length; the DATA-IN follows (struct tcmu_msg_cdb_resp).</summary>
    CdbResponse = 5,
    /// <summary>Daemon → client: send me the DATA-OUT (struct tcmu_msg_data_req).</summary>
    DataRequest = 6,
    /// <summary>Client → daemon: DATA-OUT length; the data follows (struct tcmu_msg_data_out).</summary>
    DataOut = 7,
}

/// <summary>The fixed part of a MSG_CDB_RESP: which command, its SAM status, the sense buffer and how much DATA-IN follows.</summary>
public sealed record MhvtlCdbResponse(ulong CommandId, byte Status, byte[] Sense, uint DataLength);

/// <summary>A MSG_DATA_REQ: the daemon wants <see cref="DataLength"/> bytes of DATA-OUT for <see cref="CommandId"/>.</summary>
public sealed record MhvtlDataRequest(ulong CommandId, uint DataLength);

/// <summary>A reply that breaks the protocol (wrong type, wrong length, another command's id).</summary>
public sealed class MhvtlWireException(string message) : ScsiException(message);

/// <summary>
/// Byte layout of mhVTL's userland socket protocol, pure (no I/O). Source: markh794/mhvtl@fada6b85
/// include/tcmu_proto.h (the structs) and usr/transport_userland.c (how the daemon fills and reads them). Every
/// message is a C struct with natural alignment, little-endian (the daemon writes its structs as they lie in
/// memory; x86-64 and arm64 are little-endian), starting with the 8-byte header {u32 type, u32 data_len} where
/// data_len counts the bytes after the header.
/// </summary>
public static class MhvtlWire
{
    /// <summary>struct tcmu_msg_hdr.</summary>
    public const int HeaderLength = 8;
    /// <summary>sizeof(struct tcmu_msg_cdb): 8 header + 8 cmd_id + 16 cdb + 4 data_len + 4 padding to 8-byte alignment.</summary>
    public const int CdbMessageLength = 40;
    /// <summary>sizeof(struct tcmu_msg_data_req) and sizeof(struct tcmu_msg_data_out): 8 + 8 + 4 + 4 padding.</summary>
    public const int DataRequestLength = 24;
    /// <inheritdoc cref="DataRequestLength"/>
    public const int DataOutLength = 24;
    /// <summary>sizeof(struct tcmu_msg_cdb_resp): 8 + 8 cmd_id + 1 sam_stat + 96 sense + 3 padding + 4 data_len.</summary>
    public const int CdbResponseLength = 120;
    /// <summary>TCMU_MAX_CDB_SIZE.</summary>
    public const int MaxCdbLength = 16;
    /// <summary>TCMU_MAX_SENSE_SIZE.</summary>
    public const int SenseLength = 96;
    /// <summary>TCMU_MAX_DATA_SIZE (2 MiB, the daemons' buffer size): the largest DATA-IN or DATA-OUT a message may carry.</summary>
    public const int MaxDataLength = 2 * 1024 * 1024;

    /// <summary>Writes a MSG_CDB (40 bytes) into <paramref name="message"/>.</summary>
    /// <param name="commandId">Any id; the daemon copies it into its reply.</param>
    /// <param name="cdb">1 to 16 CDB bytes; the rest of the 16-byte field is zero.</param>
    /// <param name="dataLength">Expected DATA-IN length (the allocation length). The daemon does not read it today; sent for other handlers.</param>
    public static void WriteCdb(Span<byte> message, ulong commandId, ReadOnlySpan<byte> cdb, uint dataLength)
    {
        if (cdb.Length is 0 or > MaxCdbLength) throw new ArgumentException($"a CDB is 1 to {MaxCdbLength} bytes, not {cdb.Length}", nameof(cdb));
        var m = message[..CdbMessageLength];
        m.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(m[0..], (uint)MhvtlMessageType.Cdb);        // 0-3   hdr.type = MSG_CDB (4)
        BinaryPrimitives.WriteUInt32LittleEndian(m[4..], CdbMessageLength - HeaderLength);   // 4-7   hdr.data_len = 32 (bytes after the header)
        BinaryPrimitives.WriteUInt64LittleEndian(m[8..], commandId);                         // 8-15  cmd_id
        cdb.CopyTo(m[16..32]);                                                               // 16-31 cdb[16], zero-filled after the CDB
        BinaryPrimitives.WriteUInt32LittleEndian(m[32..], dataLength);                       // 32-35 data_len (expected DATA-IN)
                                                                                             // 36-39 padding (zero)
    }

    /// <summary>Writes the fixed part of a MSG_DATA_OUT (24 bytes); <paramref name="dataLength"/> bytes of DATA-OUT follow it on the wire.</summary>
    public static void WriteDataOut(Span<byte> message, ulong commandId, uint dataLength)
    {
        var m = message[..DataOutLength];
        m.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(m[0..], (uint)MhvtlMessageType.DataOut);    // 0-3   hdr.type = MSG_DATA_OUT (7)
        BinaryPrimitives.WriteUInt32LittleEndian(m[4..], DataOutLength - HeaderLength + dataLength); // 4-7 hdr.data_len = 16 + data bytes that follow
        BinaryPrimitives.WriteUInt64LittleEndian(m[8..], commandId);                         // 8-15  cmd_id (the one MSG_DATA_REQ named)
        BinaryPrimitives.WriteUInt32LittleEndian(m[16..], dataLength);                       // 16-19 data_len (bytes after this struct)
                                                                                             // 20-23 padding (zero)
    }

    /// <summary>Reads the 8-byte header: message type and the number of bytes after the header.</summary>
    public static (uint Type, uint Length) ReadHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length < HeaderLength) throw new MhvtlWireException($"message header is {HeaderLength} bytes, got {header.Length}");
        return (BinaryPrimitives.ReadUInt32LittleEndian(header),                             // 0-3 type
                BinaryPrimitives.ReadUInt32LittleEndian(header[4..]));                       // 4-7 data_len (after the header)
    }

    /// <summary>
    /// Checks a header the daemon sent while a command is outstanding: MSG_CDB_RESP with at least its fixed part and
    /// at most 2 MiB of DATA-IN, or MSG_DATA_REQ of exactly its size. Returns the type.
    /// </summary>
    public static MhvtlMessageType CheckReplyHeader(uint type, uint length)
    {
        switch ((MhvtlMessageType)type)
        {
            case MhvtlMessageType.CdbResponse:
                if (length < CdbResponseLength - HeaderLength || length > CdbResponseLength - HeaderLength + (uint)MaxDataLength)
                    throw new MhvtlWireException($"MSG_CDB_RESP with length {length}; expected {CdbResponseLength - HeaderLength} to {CdbResponseLength - HeaderLength + MaxDataLength}");
                return MhvtlMessageType.CdbResponse;
            case MhvtlMessageType.DataRequest:
                if (length != DataRequestLength - HeaderLength)
                    throw new MhvtlWireException($"MSG_DATA_REQ with length {length}; expected {DataRequestLength - HeaderLength}");
                return MhvtlMessageType.DataRequest;
            default:
                throw new MhvtlWireException($"reply of type {type}; expected MSG_CDB_RESP (5) or MSG_DATA_REQ (6)");
        }
    }

    /// <summary>
    /// Decodes the 112 bytes after a MSG_CDB_RESP header. <paramref name="headerLength"/> (the header's data_len) must
    /// equal 112 plus the DATA-IN length the body announces.
    /// </summary>
    public static MhvtlCdbResponse ReadCdbResponse(ReadOnlySpan<byte> body, uint headerLength)
    {
        const int fixedBody = CdbResponseLength - HeaderLength;
        if (body.Length < fixedBody) throw new MhvtlWireException($"MSG_CDB_RESP body is {fixedBody} bytes, got {body.Length}");
        ulong id = BinaryPrimitives.ReadUInt64LittleEndian(body);                            // 8-15    cmd_id (offsets as in the whole message)
        byte status = body[8];                                                               // 16      sam_stat
        var sense = body.Slice(9, SenseLength).ToArray();                                    // 17-112  sense[96]
                                                                                             // 113-115 padding
        uint dataLength = BinaryPrimitives.ReadUInt32LittleEndian(body[108..]);              // 116-119 data_len (DATA-IN bytes after the struct)
        if (dataLength > MaxDataLength) throw new MhvtlWireException($"MSG_CDB_RESP announces {dataLength} bytes of DATA-IN; the limit is {MaxDataLength}");
        if (headerLength != fixedBody + dataLength)
            throw new MhvtlWireException($"MSG_CDB_RESP header length {headerLength} does not match its data_len {dataLength} (expected {fixedBody + dataLength})");
        return new MhvtlCdbResponse(id, status, sense, dataLength);
    }

    /// <summary>Decodes the 16 bytes after a MSG_DATA_REQ header.</summary>
    public static MhvtlDataRequest ReadDataRequest(ReadOnlySpan<byte> body)
    {
        if (body.Length < DataRequestLength - HeaderLength) throw new MhvtlWireException($"MSG_DATA_REQ body is {DataRequestLength - HeaderLength} bytes, got {body.Length}");
        ulong id = BinaryPrimitives.ReadUInt64LittleEndian(body);                            // 8-15  cmd_id
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(body[8..]);                    // 16-19 data_len (bytes wanted)
                                                                                             // 20-23 padding
        if (length > MaxDataLength) throw new MhvtlWireException($"MSG_DATA_REQ asks for {length} bytes; the limit is {MaxDataLength}");
        return new MhvtlDataRequest(id, length);
    }

    /// <summary>
    /// The meaningful part of the 96-byte sense buffer: the daemon always sends all 96 bytes (stale ones too), so
    /// this is taken only under CHECK CONDITION and cut to 8 + additional sense length (SPC-5 §4.4.2 byte 7, fixed
    /// and descriptor formats alike).
    /// </summary>
    public static byte[] TrimSense(ReadOnlySpan<byte> sense)
    {
        if (sense.Length < 8 || (sense[0] & 0x7F) is < 0x70 or > 0x73) return sense.ToArray();
        int length = Math.Min(sense.Length, 8 + sense[7]);
        return sense[..length].ToArray();
    }
}
