// The floor for `status` on a real device: the least a NativeAOT program built with the same SDK does for the wire
// exchange of TapeChanger's warm `status` (one READ ELEMENT STATUS per element type, the first sent again after the new
// session's unit attention, as TapeChanger does), without decoding a byte or writing the listing. tools/bench.sh and
// tools/guest/bench-status.py time it beside `tapechanger status` and mtx, so that the start-up and the exchange every
// program in this runtime pays can be told from TapeChanger's own work.
//
//   status-floor iscsi://IPV4:PORT/IQN/LUN RANGE...          a raw socket, no CHAP, no digests
//   status-floor sg:/dev/sgN RANGE...                         ioctl(SG_IO)
//
// RANGE is TYPE:FIRST:COUNT[:dvcid]: an element type code (SMC-3 §6.11, 1 transport, 2 storage, 3 import/export,
// 4 data transfer), the first address, the number of elements, and whether DVCID is set. The allocation length is
// the one TapeChanger asks for (100 bytes per element and a 24-byte header). Prints the number of bytes read; exit 0.
// A yardstick, not a client: anything but the exchange it measures ends it with a non-zero exit (2 no connection or
// node, 3 SG_IO refused, 4 login refused, 5 connection lost, 6 a status other than GOOD or one unit attention).
// tools/status-floor/build.sh builds it.
using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

internal static unsafe class StatusFloor
{
    private static int Main(string[] args)
    {
        var commands = new System.Collections.Generic.List<(byte[] Cdb, int Length)>();
        foreach (string range in args.AsSpan(1))
        {
            string[] f = range.Split(':');
            int count = int.Parse(f[2]), length = count * 100 + 24;
            var cdb = new byte[12];
            cdb[0] = 0xB8;                                            // READ ELEMENT STATUS
            cdb[1] = (byte)(0x10 | int.Parse(f[0]));                  // VOLTAG, element type code
            BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(2), ushort.Parse(f[1]));  // STARTING ELEMENT ADDRESS
            BinaryPrimitives.WriteUInt16BigEndian(cdb.AsSpan(4), (ushort)count);  // NUMBER OF ELEMENTS
            cdb[6] = (byte)(f.Length > 3 && f[3] == "dvcid" ? 1 : 0);   // DVCID
            cdb[7] = (byte)(length >> 16); cdb[8] = (byte)(length >> 8); cdb[9] = (byte)length; // ALLOCATION LENGTH
            commands.Add((cdb, length));
        }
        var buffer = new byte[1 << 20];
        long total = 0;
        if (args[0].StartsWith("sg:", StringComparison.Ordinal))
        {
            int fd = Libc.open(args[0][3..], 2 /* O_RDWR */);
            if (fd < 0) return 2;
            foreach (var (cdb, length) in commands) total += Sg.Read(fd, cdb, buffer, length) ?? Sg.Read(fd, cdb, buffer, length) ?? Exit();
            Libc.close(fd);
        }
        else
        {
            var session = Iscsi.Login(new Uri(args[0]));
            foreach (var (cdb, length) in commands) total += session.Read(cdb, buffer, length) ?? session.Read(cdb, buffer, length) ?? Exit();
            session.Logout();
        }
        Console.Out.Write(total + "\n");
        return 0;
    }

    /// <summary>A unit attention twice over: not the exchange being measured.</summary>
    private static int Exit() { Environment.Exit(6); return 0; }

    /// <summary>The bytes read for GOOD; null for CHECK CONDITION with UNIT ATTENTION (fixed or descriptor sense,
    /// SPC-4 §4.5), to be sent again; any other outcome ends the program with exit 6.</summary>
    internal static int? Outcome(int status, ReadOnlySpan<byte> sense, int read)
    {
        if (status == 0) return read;
        int key = sense.Length > 2 ? ((sense[0] & 0x7F) >= 0x72 ? sense[1] : sense[2]) & 0x0F : -1;
        if (status == 2 && key == 6) return null;
        Environment.Exit(6);
        return null;
    }
}

internal static partial class Libc
{
    [DllImport("libc")] internal static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);
    [DllImport("libc")] internal static extern int close(int fd);
    [DllImport("libc")] internal static extern unsafe int ioctl(int fd, nuint request, void* arg);
    [DllImport("libc")] internal static extern int socket(int domain, int type, int protocol);
    [DllImport("libc")] internal static extern unsafe int connect(int fd, byte* address, int length);
    [DllImport("libc")] internal static extern unsafe nint send(int fd, byte* data, nint length, int flags);
    [DllImport("libc")] internal static extern unsafe nint recv(int fd, byte* data, nint length, int flags);
}

/// <summary>ioctl(SG_IO) with a version 3 header (Linux include/scsi/sg.h, struct sg_io_hdr; x86_64 layout).</summary>
internal static unsafe class Sg
{
    internal static int? Read(int fd, byte[] cdb, byte[] buffer, int length)
    {
        byte* hdr = stackalloc byte[88];
        new Span<byte>(hdr, 88).Clear();
        byte* sense = stackalloc byte[32];
        fixed (byte* c = cdb, d = buffer)
        {
            *(int*)hdr = 'S';                    // interface_id
            *(int*)(hdr + 4) = -3;               // dxfer_direction SG_DXFER_FROM_DEV
            hdr[8] = (byte)cdb.Length;           // cmd_len
            hdr[9] = 32;                         // mx_sb_len
            *(uint*)(hdr + 12) = (uint)length;   // dxfer_len
            *(byte**)(hdr + 16) = d;             // dxferp
            *(byte**)(hdr + 24) = c;             // cmdp
            *(byte**)(hdr + 32) = sense;         // sbp
            *(uint*)(hdr + 40) = 60_000;         // timeout, ms
            if (Libc.ioctl(fd, 0x2285 /* SG_IO */, hdr) != 0) Environment.Exit(3);
            if (hdr[64] != 0 || *(ushort*)(hdr + 68) != 0 || *(ushort*)(hdr + 70) != 0) Environment.Exit(6); // status, host, driver

        }
        return length - *(int*)(hdr + 72);      // dxfer_len less resid
    }
}

/// <summary>An iSCSI session reduced to what the floor needs (RFC 7143): two login steps, commands, a logout.</summary>
internal sealed unsafe class Iscsi
{
    private readonly int _fd;
    private readonly byte[] _header = new byte[48];
    private readonly byte[] _segment = new byte[300_000];
    private readonly int _lun;
    private uint _cmdSN = 1, _expStatSN, _itt;

    private Iscsi(int fd, int lun) { _fd = fd; _lun = lun; }

    internal static Iscsi Login(Uri uri)
    {
        string[] path = uri.AbsolutePath.Trim('/').Split('/');
        int fd = Libc.socket(2 /* AF_INET */, 1 /* SOCK_STREAM */, 0);
        byte* address = stackalloc byte[16];
        new Span<byte>(address, 16).Clear();
        address[0] = 2;                                                   // sin_family AF_INET
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(address + 2, 2), (ushort)uri.Port);
        string[] octets = uri.Host.Split('.');                           // sin_addr: a dotted IPv4 address
        for (int i = 0; i < 4; i++) address[4 + i] = byte.Parse(octets[i]);
        if (Libc.connect(fd, address, 16) != 0) Environment.Exit(2);
        var session = new Iscsi(fd, int.Parse(path[1]));
        // RFC 7143 §6.3: the security stage (AuthMethod=None), then the operational stage into full feature phase.
        session.LoginStep(0x81, $"InitiatorName=iqn.2026-12.dev.tapechanger:floor\0SessionType=Normal\0TargetName={path[0]}\0AuthMethod=None\0");
        session.LoginStep(0x87, "HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=262144\0MaxBurstLength=262144\0ImmediateData=Yes\0InitialR2T=Yes\0");
        return session;
    }

    private void LoginStep(byte flags, string keys)
    {
        byte[] text = Encoding.ASCII.GetBytes(keys);
        var pdu = new byte[48 + ((text.Length + 3) & ~3)];
        pdu[0] = 0x43;                                                   // immediate, Login Request (§11.12)
        pdu[1] = flags;                                                  // T, CSG, NSG
        WriteLength(pdu, text.Length);
        pdu[8] = 0x80; pdu[13] = 1;                                      // ISID: random format, one value
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(24), _cmdSN);  // CmdSN
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(28), _expStatSN);  // ExpStatSN
        text.CopyTo(pdu, 48);
        Send(pdu);
        Receive();
        if (_header[36] != 0) Environment.Exit(4);                      // Status-Class
        _expStatSN = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(24)) + 1;  // StatSN of the Login Response, + 1
    }

    internal int? Read(byte[] cdb, byte[] buffer, int length)
    {
        var pdu = new byte[48];
        pdu[0] = 0x01;                                                   // SCSI Command (§11.3)
        pdu[1] = 0xC1;                                                   // F, R, SIMPLE
        BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(8), (ushort)_lun); // single-level LUN (SAM-5 §4.7)
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(16), ++_itt);  // Initiator Task Tag
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(20), (uint)length);  // Expected Data Transfer Length
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(24), _cmdSN++);  // CmdSN
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(28), _expStatSN);  // ExpStatSN
        cdb.CopyTo(pdu, 32);                                             // SCSI Command Descriptor Block
        Send(pdu);
        int read = 0;
        while (true)
        {
            int dataLength = Receive();
            int opcode = _header[0] & 0x3F;
            if (opcode == 0x25)                                          // SCSI Data-In (§11.7)
            {
                Buffer.BlockCopy(_segment, 0, buffer, (int)BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(40)), dataLength);  // Buffer Offset of the Data-In
                read += dataLength;
                if ((_header[1] & 0x01) == 0) continue;                  // no status in this one
            }
            else if (opcode != 0x21) continue;                           // SCSI Response (§11.4)
            _expStatSN = BinaryPrimitives.ReadUInt32BigEndian(_header.AsSpan(24)) + 1;  // StatSN, + 1
            // A SCSI Response's data segment is SenseLength (2 bytes) and the sense data (§11.4.7).
            var sense = opcode == 0x21 && dataLength > 2 ? _segment.AsSpan(2, dataLength - 2) : default;
            return StatusFloor.Outcome(_header[3], sense, read);
        }
    }

    internal void Logout()
    {
        var pdu = new byte[48];
        pdu[0] = 0x46; pdu[1] = 0x80;                                    // immediate Logout Request: close the session (§11.14)
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(16), ++_itt);  // Initiator Task Tag
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(24), _cmdSN);  // CmdSN
        BinaryPrimitives.WriteUInt32BigEndian(pdu.AsSpan(28), _expStatSN);  // ExpStatSN
        Send(pdu);
        Receive();
        Libc.close(_fd);
    }

    private static void WriteLength(byte[] pdu, int length)
    {
        pdu[5] = (byte)(length >> 16); pdu[6] = (byte)(length >> 8); pdu[7] = (byte)length; // DataSegmentLength
    }

    /// <summary>One PDU: the basic header into <c>_header</c>, its padded data segment into <c>_segment</c>.</summary>
    private int Receive()
    {
        Fill(_header, 48);
        int length = _header[5] << 16 | _header[6] << 8 | _header[7];
        Fill(_segment, (length + 3) & ~3);
        return length;
    }

    private void Fill(byte[] into, int length)
    {
        fixed (byte* p = into)
            for (int done = 0; done < length;)
            {
                nint got = Libc.recv(_fd, p + done, length - done, 0);
                if (got <= 0) Environment.Exit(5);
                done += (int)got;
            }
    }

    private void Send(byte[] pdu)
    {
        fixed (byte* p = pdu)
            for (nint done = 0; done < pdu.Length;)
            {
                nint sent = Libc.send(_fd, p + done, pdu.Length - done, 0);
                if (sent <= 0) Environment.Exit(5);
                done += sent;
            }
    }
}
